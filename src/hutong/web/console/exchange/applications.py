"""/console/exchange/applications: my applications, those to review and the overdue ones
(/console/exchange leads here)."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from hutong.core.db import Database
from hutong.exchange import service
from hutong.web.console.base import console_router, staff
from hutong.web.console.exchange.common import section
from hutong.web.deps import ConsoleIdentity, database

router = console_router()

VIEWS = [
    ("mine", "My applications"),
    ("review", "To review"),
    ("overdue", "Overdue"),
]


@router.get("/console/exchange")
def exchange_home(identity: ConsoleIdentity = Depends(staff)) -> Response:
    return RedirectResponse("/console/exchange/applications", status_code=303)


@router.get("/console/exchange/applications")
def applications_page(
    request: Request,
    view: str = "mine",
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    view = view if view in dict(VIEWS) else "mine"
    with db.transaction() as session:
        rows = [service.out(session, a) for a in service.listing(session, identity.actor, view)]
    return section(
        request,
        identity,
        "console/exchange/list.html",
        {"rows": rows, "view": view, "views": VIEWS},
    )
