"""/console/supervision/findings: findings of the compliance rules, filtered, and one finding
with its history."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.compliance import (
    findings,
    listings,
)
from hutong.compliance.rules import load
from hutong.core import paging
from hutong.core.db import Database, RowId
from hutong.identity.roles import Action, roles_allowed
from hutong.web.console.base import console_router, staff
from hutong.web.console.supervision.common import (
    BASE,
    section,
)
from hutong.web.deps import ConsoleIdentity, database

router = console_router()

PAGE_SIZE = 50


@router.get(f"{BASE}/findings")
def findings_page(
    request: Request,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    params = request.query_params
    status = params.get("status", "open")
    chosen = {k: params.get(k, "") for k in ("unit", "rule", "severity")}
    number = paging.number(params.get("page", 1), PAGE_SIZE)
    filters = findings.Filters(
        None if status == "all" else status,
        chosen["unit"] or None,
        chosen["rule"] or None,
        chosen["severity"] or None,
    )
    with db.transaction() as session:
        listed = listings.finding_list(session, identity.actor, filters, number, PAGE_SIZE)
    units = listed.units
    names = dict(units)
    base = {k: v for k, v in {**chosen, "status": status}.items() if v}

    def link(at: int) -> str:
        return f"{BASE}/findings?" + urlencode({**base, "page": at})

    return section(
        request,
        identity,
        "console/supervision/findings.html",
        {
            "rows": [
                {**f.model_dump(), "unit_name": names.get(f.unit_code or "", f.unit_code)}
                for f in listed.page.items
            ],
            "busy": listed.in_open_notice,
            "status": status,
            "chosen": chosen,
            "units": units,
            "rules": sorted(load().values(), key=lambda r: r.id),
            "can_issue": bool(identity.actor.roles & roles_allowed(Action.NOTICE_ISSUE)),
            "own_unit": identity.actor.unit_code,
            **listed.page.links(link),
        },
    )


@router.get(f"{BASE}/findings/{{finding_id}}")
def finding_page(
    request: Request,
    finding_id: RowId,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        view = listings.finding_view(session, identity.actor, finding_id)
    data, unit, listed = view.finding, view.unit_name, view.notices
    rule = load().get(data.rule_id)
    return section(
        request,
        identity,
        "console/supervision/finding.html",
        {"f": data, "rule": rule, "unit_name": unit, "notices": listed},
    )
