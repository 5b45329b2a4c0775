"""/console/catalog/r/{code}/diff: what changed between two versions of an entry."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from hutong.catalog import service
from hutong.catalog.versions import in_chinese
from hutong.core.db import Database
from hutong.web.console.base import console_router, page, staff
from hutong.web.console.catalog.common import (
    entry_url,
)
from hutong.web.deps import ConsoleIdentity, Natural, database

router = console_router()


@router.get("/console/catalog/r/{code:code}/diff")
def diff_page(
    request: Request,
    code: str,
    old: Annotated[Natural, Query(alias="from")] = 1,
    new: Annotated[Natural, Query(alias="to")] = 1,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        changes = [in_chinese(c) for c in service.compare(session, identity.actor, code, old, new)]
        history = service.history(session, identity.actor, code)
    return page(
        request,
        identity,
        "console/catalog/diff.html",
        {
            "code": code,
            "old": old,
            "new": new,
            "changes": changes,
            "history": history,
            "entry_url": entry_url(code),
        },
    )
