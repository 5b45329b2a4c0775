"""/console/supervision/rules: the rule catalogue, each rule with the article it serves."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.compliance import (
    findings,
)
from hutong.core.db import Database
from hutong.web.console.base import console_router, staff
from hutong.web.console.supervision.common import (
    BASE,
    section,
)
from hutong.web.deps import ConsoleIdentity, database

router = console_router()


@router.get(f"{BASE}/rules")
def rules_page(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    with db.transaction() as session:
        counts = findings.open_by_rule(session, identity.actor)
    return section(
        request,
        identity,
        "console/supervision/rules.html",
        {"rules": findings.rules_catalog(), "counts": counts},
    )
