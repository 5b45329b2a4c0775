"""/console/notifications: what the person was told (exchange deadlines, decisions, reports)."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.core.db import Database
from hutong.exchange import service
from hutong.web.console.base import console_router, staff
from hutong.web.console.exchange.common import section
from hutong.web.deps import ConsoleIdentity, database

router = console_router()


@router.get("/console/notifications")
def notifications_page(
    request: Request,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        rows = service.notifications(session, identity.actor, mark_read=True)
    return section(request, identity, "console/exchange/notifications.html", {"rows": rows})
