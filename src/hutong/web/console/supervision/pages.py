"""Console pages of supervision (M2018 §40–41, N2021 task 13): the dashboard, findings and
their history, the rule catalogue, rectification notices (issue, answer with files, accept,
return, escalate, the 通报 list) and risk assessments. Thin: each page calls the services
the API calls and renders; every read and change is authorized and audited there."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from hutong.compliance import (
    assessment,
    attachments,
    dashboard,
    findings,
    notices,
    reports,
    runner,
)
from hutong.compliance.documents import cite
from hutong.compliance.models import Finding, Notice, NoticeFinding
from hutong.compliance.rules import load
from hutong.core.db import Database, RowId
from hutong.core.errors import HutongError, InvalidInput
from hutong.identity.authz import Target, is_allowed
from hutong.identity.models import Unit
from hutong.identity.roles import Action, roles_allowed
from hutong.web.console.base import checked_form, page, staff
from hutong.web.deps import ConsoleIdentity, database
from hutong.web.flash import error_from, with_error

router = APIRouter(include_in_schema=False)
BASE = "/console/supervision"
PAGE_SIZE = 50
#: the pages of the section, each with what it needs (msgids)
TABS: list[tuple[str, str, Action]] = [
    (BASE, "Overview", Action.COMPLIANCE_READ),
    (f"{BASE}/findings", "Findings", Action.COMPLIANCE_READ),
    (f"{BASE}/notices", "Rectification notices", Action.COMPLIANCE_READ),
    (f"{BASE}/notices?state=escalated", "Public notice list (通报)", Action.COMPLIANCE_READ),
    (f"{BASE}/assessments", "Risk assessments", Action.COMPLIANCE_READ),
    (f"{BASE}/rules", "Rules", Action.COMPLIANCE_READ),
]


def _active(request: Request, href: str) -> bool:
    path, escalated = request.url.path, request.query_params.get("state") == "escalated"
    if "?" in href:
        return path == href.split("?")[0] and escalated
    if href == BASE:
        return path == BASE
    return path.startswith(href) and not escalated


def section(
    request: Request,
    identity: ConsoleIdentity,
    template: str,
    context: dict[str, Any],
    status: int = 200,
) -> Response:
    """A page of the section: its tabs, the flash error, and the caller's context."""
    error = error_from(request)
    tabs = [
        (href, label, _active(request, href))
        for href, label, action in TABS
        if is_allowed(identity.actor, action)
    ]
    return page(
        request,
        identity,
        template,
        {
            "tabs": tabs,
            "messages": [("error", error)] if error else [],
            "cite": cite,
            **context,
        },
        status,
    )


def _back(db: Database, url: str, error: HutongError) -> RedirectResponse:
    return RedirectResponse(with_error(db.settings, url, error.zh), status_code=303)


# --- overview ------------------------------------------------------------------------------


@router.get(BASE)
def overview(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    with db.transaction() as session:
        data = dashboard.overview(session, identity.actor)
        units = (
            session.execute(select(Unit.code, Unit.name).order_by(Unit.code)).all()
            if data["all_units"]
            else [(identity.user.unit.code, identity.user.unit.name)]
        )
    return section(
        request,
        identity,
        "console/supervision/dashboard.html",
        {
            "d": data,
            "units": units,
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
    try:
        with db.transaction() as session:
            runner.run(session, identity.actor)
    except HutongError as error:
        return _back(db, BASE, error)
    return RedirectResponse(BASE, status_code=303)


# --- findings and rules ---------------------------------------------------------------------


@router.get(f"{BASE}/findings")
def findings_page(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    params = request.query_params
    status = params.get("status", "open")
    chosen = {k: params.get(k, "") for k in ("unit", "rule", "severity")}
    offset = max(int(params.get("offset", "0") or 0), 0)
    try:
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
    except HutongError as error:
        return _back(db, f"{BASE}/findings", error)
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


# --- notices --------------------------------------------------------------------------------


@router.get(f"{BASE}/notices")
def notices_page(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    state = request.query_params.get("state") or None
    state = state if state in notices.STATE_ZH else None
    overdue_only = bool(request.query_params.get("overdue"))
    with db.transaction() as session:
        rows = [
            {
                "id": n.id,
                "number": n.number,
                "unit": n.unit.name,
                "state": n.state,
                "issued_at": n.issued_at,
                "deadline": n.deadline,
                "overdue": notices.overdue(n),
                "findings": len(n.findings),
                "escalated_at": n.escalated_at,
            }
            for n in notices.list_notices(
                session, identity.actor, state=state, overdue_only=overdue_only
            )
        ]
    return section(
        request,
        identity,
        "console/supervision/notices.html",
        {"rows": rows, "state": state, "overdue_only": overdue_only, "states": notices.STATE_ZH},
    )


@router.post(f"{BASE}/notices")
async def issue_notice(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    """Issue a notice for the findings ticked on the findings page."""
    form = await checked_form(request, identity)
    back = str(form.get("back", "")) or f"{BASE}/findings"
    back = back if back.startswith(f"{BASE}/findings") else f"{BASE}/findings"
    days = str(form.get("working_days", "")).strip()
    try:
        ids = [int(v) for v in form.getlist("finding_ids")]
        if days and not days.isdigit():
            raise InvalidInput(
                "整改期限须为工作日天数", "working days must be a number", field="working_days"
            )
        with db.transaction() as session:
            notice = notices.issue(
                session,
                identity.actor,
                ids,
                int(days) if days else None,
                str(form.get("requirements", "")),
            )
            target = f"{BASE}/notices/{notice.id}"
    except HutongError as error:
        return RedirectResponse(with_error(db.settings, back, error.zh), status_code=303)
    return RedirectResponse(target, status_code=303)


@router.get(f"{BASE}/notices/{{notice_id}}")
def notice_page(
    request: Request,
    notice_id: RowId,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        doc = reports.notice_document_data(session, identity.actor, notice_id)
        notice = notices.by_id(session, notice_id)
        target = notices.target(notice)
        overdue = notices.overdue(notice)
    actor = identity.actor
    return section(
        request,
        identity,
        "console/supervision/notice.html",
        {
            "doc": doc,
            "can_answer": doc["state"] in (notices.ISSUED, notices.ESCALATED)
            and is_allowed(actor, Action.NOTICE_ANSWER, target),
            "can_review": doc["state"] == notices.ANSWERED
            and is_allowed(actor, Action.NOTICE_REVIEW, target),
            "can_escalate": doc["state"] == notices.ISSUED
            and overdue
            and is_allowed(actor, Action.NOTICE_ESCALATE, target),
            "kinds": ", ".join(sorted(attachments.KINDS)),
            "max_mb": attachments.MAX_BYTES // 1024 // 1024,
        },
    )


@router.post(f"{BASE}/notices/{{notice_id}}/answer")
async def answer_notice(
    request: Request,
    notice_id: RowId,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """The unit's answer: a text per finding, files optional (multipart)."""
    form = await checked_form(request, identity)
    url = f"{BASE}/notices/{notice_id}"
    evidence: dict[int, str] = {}
    uploads: dict[int, list[attachments.Upload]] = {}
    for key, value in form.multi_items():
        if key.startswith("evidence_") and key[9:].isdigit():
            evidence[int(key[9:])] = str(value)
        elif key.startswith("files_") and key[6:].isdigit() and hasattr(value, "read"):
            if not value.filename:  # an empty file input
                continue
            content = await value.read(attachments.MAX_BYTES + 1)
            uploads.setdefault(int(key[6:]), []).append(attachments.Upload(value.filename, content))
    try:
        with db.transaction() as session:
            notices.answer(
                session, identity.actor, notice_id, evidence, str(form.get("note", "")), uploads
            )
    except HutongError as error:
        return _back(db, url, error)
    return RedirectResponse(url, status_code=303)


@router.post(f"{BASE}/notices/{{notice_id}}/step")
async def notice_step(
    request: Request,
    notice_id: RowId,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """accept, return (with a reason) or escalate."""
    form = await checked_form(request, identity)
    url = f"{BASE}/notices/{notice_id}"
    step = notices.STEPS.get(str(form.get("transition", "")))
    try:
        if step is None:
            raise InvalidInput("未知的操作", "unknown transition", field="transition")
        with db.transaction() as session:
            step(session, identity.actor, notice_id, str(form.get("reason", "")))
    except HutongError as error:
        return _back(db, url, error)
    return RedirectResponse(url, status_code=303)


# --- risk assessments -----------------------------------------------------------------------


@router.get(f"{BASE}/assessments")
def assessments_page(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    from hutong.catalog.models import InformationSystem

    with db.transaction() as session:
        rows = [
            {
                "id": a.id,
                "system": session.get(InformationSystem, a.system_id).name,  # type: ignore[union-attr]
                "activity": a.activity,
                "unit": session.get(Unit, a.unit_id).name,  # type: ignore[union-attr]
                "score": a.score,
                "level": a.level,
                "status": a.status,
                "assessed_at": a.assessed_at,
            }
            for a in assessment.list_assessments(session, identity.actor)
        ]
        own = session.execute(
            select(InformationSystem.id, InformationSystem.name)
            .where(InformationSystem.owner_unit_id == identity.actor.unit_id)
            .order_by(InformationSystem.name)
        ).all()
    can_assess = is_allowed(
        identity.actor, Action.ASSESSMENT_EDIT, Target("system", None, identity.actor.unit_id)
    )
    return section(
        request,
        identity,
        "console/supervision/assessments.html",
        {"rows": rows, "systems": own if can_assess else [], "levels": assessment.LEVEL_ZH},
    )


def _questionnaire(
    request: Request,
    identity: ConsoleIdentity,
    db: Database,
    system_id: RowId,
    values: dict[str, Any],
    error: HutongError | None = None,
) -> Response:
    from hutong.compliance.registry import read

    with db.transaction() as session:
        system = read(session, identity.actor, system_id)
    return section(
        request,
        identity,
        "console/supervision/assessment_form.html",
        {
            "system": system,
            "questions": assessment.QUESTIONS,
            "values": values,
            "error": error.zh if error else None,
            "error_field": error.field if error else None,
        },
        error.status if error else 200,
    )


@router.get(f"{BASE}/assessments/new")
def assessment_form(
    request: Request,
    system_id: RowId,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    return _questionnaire(request, identity, db, system_id, {})


@router.post(f"{BASE}/assessments/new")
async def assessment_create(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    form = await checked_form(request, identity)
    system_id = int(str(form.get("system_id", "0")) or 0)
    values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    answers: dict[str, int] = {}
    try:
        for question in assessment.QUESTIONS:
            raw = values.get(f"answer_{question.id}", "").strip()
            if raw:
                if not raw.lstrip("-").isdigit():
                    raise InvalidInput(
                        f"「{question.zh}」的答案须为 0–{question.high} 的整数",
                        "answers are whole numbers",
                        field=f"answers.{question.id}",
                    )
                answers[question.id] = int(raw)
        with db.transaction() as session:
            row = assessment.assess(
                session, identity.actor, system_id, answers, values.get("activity", "")
            )
            target = f"{BASE}/assessments/{row.id}"
    except HutongError as error:
        return _questionnaire(request, identity, db, system_id, values, error)
    return RedirectResponse(target, status_code=303)


@router.get(f"{BASE}/assessments/{{assessment_id}}")
def assessment_page(
    request: Request,
    assessment_id: RowId,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        doc = reports.assessment_report_data(session, identity.actor, assessment_id)
        row = assessment.by_id(session, assessment_id)
    can_report = doc["status"] == "draft" and is_allowed(
        identity.actor, Action.ASSESSMENT_EDIT, Target("assessment", str(row.id), row.unit_id)
    )
    return section(
        request,
        identity,
        "console/supervision/assessment.html",
        {"doc": doc, "can_report": can_report},
    )


@router.post(f"{BASE}/assessments/{{assessment_id}}/report")
async def assessment_report(
    request: Request,
    assessment_id: RowId,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    await checked_form(request, identity)
    url = f"{BASE}/assessments/{assessment_id}"
    try:
        with db.transaction() as session:
            assessment.report(session, identity.actor, assessment_id)
    except HutongError as error:
        return _back(db, url, error)
    return RedirectResponse(url, status_code=303)
