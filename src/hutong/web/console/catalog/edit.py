"""/console/catalog/r/{code}/edit: changing an entry (a revision once it is published)."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.catalog import service
from hutong.core.db import Database
from hutong.web.console.base import console_router, page, staff
from hutong.web.console.catalog.common import (
    entry_url,
)
from hutong.web.console.catalog.form import form_context, save
from hutong.web.deps import ConsoleIdentity, database

router = console_router()


@router.get("/console/catalog/r/{code:code}/edit")
def edit_form(
    request: Request,
    code: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        values = service.out(service.read(session, identity.actor, code)).model_dump(mode="json")
        return page(
            request,
            identity,
            "console/catalog/form.html",
            {
                **form_context(session, identity, values, None, None),
                "action": entry_url(code, "/edit"),
                "title": "修改信息资源",
            },
        )


@router.post("/console/catalog/r/{code:code}/edit")
async def edit_entry(
    request: Request,
    code: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    return await save(request, identity, db, code)
