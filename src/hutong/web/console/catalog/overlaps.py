"""/console/catalog/overlaps: items registered by more than one unit (一数一源 candidates)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.catalog import overlaps
from hutong.core.db import Database
from hutong.web.console.base import console_router, page, staff
from hutong.web.console.catalog.common import (
    entry_url,
    labels,
)
from hutong.web.deps import ConsoleIdentity, Natural, database

router = console_router()

OVERLAP_PAGE = 200


@router.get("/console/catalog/overlaps")
def overlaps_page(
    request: Request,
    offset: Natural = 0,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """一数一源 for the catalog reviewer: overlapping items, one row per entry and source."""
    missing = bool(request.query_params.get("missing"))
    with db.transaction() as session:
        total, rows = overlaps.listing(session, identity.actor, missing, offset, OVERLAP_PAGE)
    groups = [
        {**first.model_dump(), "items": items, "url": entry_url(first.code)}
        for first, items in overlaps.grouped(rows)
    ]

    def link(at: int) -> str:
        return "/console/catalog/overlaps?" + urlencode(
            {k: v for k, v in {"missing": "1" if missing else "", "offset": at}.items() if v}
        )

    return page(
        request,
        identity,
        "console/catalog/overlaps.html",
        {
            "groups": groups,
            "total": total,
            "missing": missing,
            "labels": labels(),
            "prev_url": link(max(offset - OVERLAP_PAGE, 0)) if offset else None,
            "next_url": link(offset + OVERLAP_PAGE) if offset + OVERLAP_PAGE < total else None,
        },
    )
