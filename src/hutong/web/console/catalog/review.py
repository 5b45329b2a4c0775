"""/console/catalog/review: the review queue (the catalog filtered to entries awaiting review)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

router = APIRouter(include_in_schema=False)


@router.get("/console/catalog/review")
def review_queue(request: Request) -> Response:
    return RedirectResponse("/console/catalog?view=review", status_code=303)
