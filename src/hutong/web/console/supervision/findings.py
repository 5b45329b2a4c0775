"""/console/supervision/findings: findings of the compliance rules, filtered, and one finding
with its history."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy import select

from hutong.compliance import (
    findings,
    notices,
)
from hutong.compliance.models import Finding, Notice, NoticeFinding
from hutong.compliance.rules import load
from hutong.core.db import Database, RowId
from hutong.identity.models import Unit
from hutong.identity.roles import Action, roles_allowed
from hutong.web.console.base import console_router, staff
from hutong.web.console.supervision.common import (
    BASE,
    section,
)
from hutong.web.deps import ConsoleIdentity, Natural, database

router = console_router()

PAGE_SIZE = 50


@router.get(f"{BASE}/findings")
def findings_page(
    request: Request,
    offset: Natural = 0,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    params = request.query_params
    status = params.get("status", "open")
    chosen = {k: params.get(k, "") for k in ("unit", "rule", "severity")}
    with db.transaction() as session:
        rows = findings.list_findings(
            session,
            identity.actor,
            status=None if status == "all" else status,
            unit_code=chosen["unit"] or None,
            rule_id=chosen["rule"] or None,
            severity=chosen["severity"] or None,
            offset=offset,
            limit=PAGE_SIZE + 1,
        )
        units = session.execute(
            findings.scoped(
                identity.actor,
                select(Unit.code, Unit.name)
                .join(Finding, Finding.unit_id == Unit.id)
                .group_by(Unit.code, Unit.name)
                .order_by(Unit.code),
                Finding.unit_id,
            )
        ).all()
        busy = set(
            session.scalars(
                select(NoticeFinding.finding_id)
                .join(Notice, Notice.id == NoticeFinding.notice_id)
                .where(
                    NoticeFinding.finding_id.in_([f.id for f in rows]),
                    Notice.state.in_(notices.OPEN_STATES),
                )
            )
        )
    names = dict(units)
    base = {k: v for k, v in {**chosen, "status": status}.items() if v}

    def link(at: int) -> str:
        return f"{BASE}/findings?" + urlencode({**base, "offset": at})

    return section(
        request,
        identity,
        "console/supervision/findings.html",
        {
            "rows": [
                {**f.model_dump(), "unit_name": names.get(f.unit_code or "", f.unit_code)}
                for f in rows[:PAGE_SIZE]
            ],
            "busy": busy,
            "status": status,
            "chosen": chosen,
            "units": units,
            "rules": sorted(load().values(), key=lambda r: r.id),
            "can_issue": bool(identity.actor.roles & roles_allowed(Action.NOTICE_ISSUE)),
            "own_unit": identity.actor.unit_code,
            "prev_url": link(max(offset - PAGE_SIZE, 0)) if offset else None,
            "next_url": link(offset + PAGE_SIZE) if len(rows) > PAGE_SIZE else None,
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
        data = findings.detail(session, identity.actor, finding_id)
        listed = session.execute(
            select(Notice.id, Notice.number, Notice.state)
            .join(NoticeFinding, NoticeFinding.notice_id == Notice.id)
            .where(NoticeFinding.finding_id == finding_id)
            .order_by(Notice.id)
        ).all()
        unit = session.scalar(select(Unit.name).where(Unit.code == data.unit_code))
    rule = load().get(data.rule_id)
    return section(
        request,
        identity,
        "console/supervision/finding.html",
        {"f": data, "rule": rule, "unit_name": unit, "notices": listed},
    )
