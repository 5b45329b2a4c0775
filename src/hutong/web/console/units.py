"""/console/units: the unit tree, and creating a unit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from hutong.core.db import Database
from hutong.identity import service
from hutong.identity.authz import is_allowed
from hutong.identity.models import UNIT_KIND_ZH, UnitKind
from hutong.identity.roles import Action
from hutong.identity.schemas import UnitCreate
from hutong.web.console.base import (
    check_csrf,
    console_router,
    done,
    fails_back_to,
    page,
    staff,
)
from hutong.web.deps import (
    ConsoleIdentity,
    database,
)

router = console_router()


def _tree(units) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    nodes = {
        u.id: {
            "code": u.code,
            "name": u.name,
            "kind_label": UNIT_KIND_ZH[UnitKind(u.kind)],
            "children": [],
        }
        for u in units
    }
    roots = []
    for u in units:
        (nodes[u.parent_id]["children"] if u.parent_id in nodes else roots).append(nodes[u.id])
    return roots


@router.get("/console/units")
def units_page(
    request: Request,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        tree = _tree(service.list_units(session, identity.actor))
    return page(
        request,
        identity,
        "console/identity/units.html",
        {
            "tree": tree,
            "can_manage": is_allowed(identity.actor, Action.UNIT_MANAGE),
            "kinds": [(k.value, UNIT_KIND_ZH[k]) for k in UnitKind],
        },
    )


@router.post("/console/units")
def units_create(
    request: Request,
    code: Annotated[str, Form()],
    name: Annotated[str, Form()],
    kind: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()],
    parent_code: Annotated[str, Form()] = "",
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    check_csrf(identity, csrf_token)
    fails_back_to(request, "/console/units")
    data = UnitCreate(
        code=code.strip(), name=name.strip(), kind=kind, parent_code=parent_code.strip() or None
    )
    with db.transaction() as session:
        service.create_unit(session, identity.actor, data)
    return done(request, "/console/units", f"已创建单位 {data.name}")
