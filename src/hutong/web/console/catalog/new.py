"""/console/catalog/new: registering a catalog entry."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.core.db import Database
from hutong.web.console.base import console_router, page, staff
from hutong.web.console.catalog.form import form_context, save
from hutong.web.deps import ConsoleIdentity, database

router = console_router()


@router.get("/console/catalog/new")
def new_form(
    request: Request,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    defaults = {
        "provider_unit_code": identity.user.unit.code,
        "attribute": "department",
        "format": "table",
        "share_type": "conditional",
        "open_type": "not_open",
        "update_cycle": "annual",
        "data_kind": "administrative",
        "grade": "general",
    }
    with db.transaction() as session:
        return page(
            request,
            identity,
            "console/catalog/form.html",
            {
                **form_context(session, identity, defaults, None, None),
                "action": "/console/catalog/new",
                "title": "新建信息资源",
            },
        )


@router.post("/console/catalog/new")
async def create_entry(
    request: Request,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    return await save(request, identity, db, None)
