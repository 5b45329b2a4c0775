"""/console/exchange/usage: how the grants of the person's unit were used."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.core.db import Database
from hutong.exchange import service
from hutong.web.console.base import console_router, staff
from hutong.web.console.exchange.common import section
from hutong.web.deps import ConsoleIdentity, database

router = console_router()


@router.get("/console/exchange/usage")
def usage_page(
    request: Request,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        rows = service.usage(session, identity.actor)
    return section(request, identity, "console/exchange/usage.html", {"rows": rows})
