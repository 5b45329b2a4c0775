"""/console/catalog/review: the review queue (the catalog filtered to entries awaiting review)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from hutong.web.console.base import console_router

router = console_router()


@router.get("/console/catalog/review")
def review_queue(request: Request) -> Response:
    return RedirectResponse("/console/catalog?view=review", status_code=303)
