"""/console/supervision: the dashboard, a unit's compliance report, and running the rules now."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from hutong.compliance import (
    dashboard,
    runner,
)
from hutong.core.db import Database
from hutong.identity.authz import is_allowed
from hutong.identity.roles import Action
from hutong.web.console.base import (
    checked_form,
    console_router,
    done,
    fails_back_to,
    staff,
)
from hutong.web.console.supervision.common import (
    BASE,
    section,
)
from hutong.web.deps import ConsoleIdentity, database

router = console_router()


@router.get(BASE)
def overview(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    with db.transaction() as session:
        data = dashboard.overview(session, identity.actor)
    return section(
        request,
        identity,
        "console/supervision/dashboard.html",
        {
            "d": data,
            "units": data["report_units"],
            "can_run": is_allowed(identity.actor, Action.COMPLIANCE_RUN),
        },
    )


@router.get(f"{BASE}/report")
def unit_report(
    request: Request,
    unit: str,
    fmt: str = "pdf",
    year: str = "",
    identity: ConsoleIdentity = Depends(staff),
) -> Response:
    """The report form's target: on to the API's download (which authorizes and audits)."""
    fmt = "html" if fmt == "html" else "pdf"
    query = f"?{urlencode({'year': year})}" if year.strip().isdigit() else ""
    return RedirectResponse(
        f"/api/v1/units/{quote(unit)}/compliance/report.{fmt}{query}", status_code=303
    )


@router.post(f"{BASE}/run")
async def run_now(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    await checked_form(request, identity)
    fails_back_to(request, BASE)
    with db.transaction() as session:
        runner.run(session, identity.actor)
    return done(request, BASE, "合规检查已运行")
