"""/console/catalog/overlaps: items registered by more than one unit (一数一源 candidates)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.catalog import overlaps
from hutong.core import paging
from hutong.core.db import Database
from hutong.core.paging import Page
from hutong.web.console.base import console_router, page, staff
from hutong.web.console.catalog.common import (
    entry_url,
    labels,
)
from hutong.web.deps import ConsoleIdentity, database

router = console_router()

OVERLAP_PAGE = 200


@router.get("/console/catalog/overlaps")
def overlaps_page(
    request: Request,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """一数一源 for the catalog reviewer: overlapping items, one row per entry and source."""
    missing = bool(request.query_params.get("missing"))
    number = paging.number(request.query_params.get("page", 1), OVERLAP_PAGE)
    with db.transaction() as session:
        total, rows = overlaps.listing(
            session, identity.actor, missing, paging.offset(number, OVERLAP_PAGE), OVERLAP_PAGE
        )
    groups = [
        {**first.model_dump(), "items": items, "url": entry_url(first.code)}
        for first, items in overlaps.grouped(rows)
    ]

    def link(at: int) -> str:
        return "/console/catalog/overlaps?" + urlencode(
            {k: v for k, v in {"missing": "1" if missing else "", "page": at}.items() if v}
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
            **Page(rows, total, number, OVERLAP_PAGE).links(link),
        },
    )
