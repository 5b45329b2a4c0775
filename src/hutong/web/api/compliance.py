"""/api/v1/systems, /api/v1/findings, /api/v1/notices, /api/v1/assessments and
/api/v1/compliance: supervision over HTTP (thin: parse, call a service, shape)."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from annotated_types import Interval
from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from hutong.compliance import (
    assessment,
    attachments,
    documents,
    findings,
    notices,
    registry,
    reports,
    runner,
)
from hutong.compliance.schemas import (
    AssessmentIn,
    AssessmentOut,
    FindingDetail,
    FindingOut,
    NoticeIn,
    NoticeOut,
    ProfileIn,
    QuestionOut,
    RuleOut,
    RunIn,
    RunOut,
    SecurityAuditIn,
    SecurityAuditOut,
    SystemIn,
    SystemOut,
    TransitionIn,
)
from hutong.core.db import Database, RowId
from hutong.core.errors import NotFound
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.roles import Action
from hutong.web.deps import Code, Natural, current_actor, database
from hutong.web.openapi import ERRORS, downloads

router = APIRouter(prefix="/api/v1", tags=["compliance"], responses=ERRORS)
REPORT = downloads(*documents.MEDIA.values(), description="report.html or report.pdf")
#: A calendar year a compliance report can cover.
Year = Annotated[int, Interval(ge=2000, le=2100)]


def download_headers(name: str, fallback: str, inline: bool = False) -> dict[str, str]:
    """Content-Disposition with the Chinese file name (RFC 6266) and an ASCII fallback."""
    kind = "inline" if inline else "attachment"
    return {
        "Content-Disposition": f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}",
        "Cache-Control": "no-store",
    }


def document_response(name: str, body: bytes, fmt: documents.Format) -> Response:
    """A rendered document: HTML shown in place, PDF downloaded."""
    return Response(
        body,
        media_type=documents.MEDIA[fmt],
        headers=download_headers(name, f"hutong-report.{fmt}", inline=fmt == "html"),
    )


# --- registry -------------------------------------------------------------------------------


@router.get("/systems", response_model=list[SystemOut], summary="The registry of systems")
def list_systems(
    unit: str | None = None, actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> list[SystemOut]:
    with db.transaction() as session:
        return registry.list_systems(session, actor, unit)


@router.post("/systems", response_model=SystemOut, status_code=201, summary="Register a system")
def register_system(
    body: SystemIn, actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> SystemOut:
    with db.transaction() as session:
        system_id = registry.register(session, actor, body).id
        return registry.read(session, actor, system_id)


@router.get("/systems/{system_id}", response_model=SystemOut, summary="One system")
def get_system(
    system_id: RowId, actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> SystemOut:
    with db.transaction() as session:
        return registry.read(session, actor, system_id)


@router.put("/systems/{system_id}/profile", response_model=SystemOut, summary="Registry record")
def put_profile(
    system_id: RowId,
    body: ProfileIn,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> SystemOut:
    with db.transaction() as session:
        registry.update_profile(session, actor, system_id, body)
        return registry.read(session, actor, system_id)


@router.post(
    "/systems/{system_id}/audits",
    response_model=SecurityAuditOut,
    status_code=201,
    summary="Record a yearly security audit (N2021 task 9)",
)
def add_audit(
    system_id: RowId,
    body: SecurityAuditIn,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> SecurityAuditOut:
    with db.transaction() as session:
        row = registry.add_audit(session, actor, system_id, body)
        return SecurityAuditOut(id=row.id, recorded_by=row.recorded_by, **body.model_dump())


@router.post(
    "/systems/{system_id}/approve",
    response_model=SystemOut,
    summary="Approve a proposed project (M2018 §7, §31, §41)",
)
def approve_system(
    system_id: RowId,
    body: TransitionIn,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> SystemOut:
    with db.transaction() as session:
        registry.approve(session, actor, system_id, body.reason)
        return registry.read(session, actor, system_id)


# --- rules, runs, findings -----------------------------------------------------------------


@router.get("/compliance/rules", response_model=list[RuleOut], summary="Every rule and its article")
def list_rules(
    actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> list[RuleOut]:
    with db.transaction() as session:
        authorize(session, actor, Action.COMPLIANCE_READ, Target("rule"))
    return [RuleOut(**row) for row in findings.rules_catalog()]


@router.post("/compliance/runs", response_model=RunOut, status_code=201, summary="Run rules now")
def run_rules(
    body: RunIn, actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> RunOut:
    with db.transaction() as session:
        done = runner.run(session, actor, body.rules or None, body.subjects or None)
        return RunOut.model_validate(done, from_attributes=True)


@router.get("/findings", response_model=list[FindingOut], summary="Findings")
def list_findings(
    status: Literal["open", "closed", "all"] = "open",
    unit: Code | None = None,
    rule: Code | None = None,
    severity: Literal["high", "medium", "low"] | None = None,
    offset: Natural = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> list[FindingOut]:
    with db.transaction() as session:
        return findings.list_findings(
            session,
            actor,
            status=None if status == "all" else status,
            unit_code=unit,
            rule_id=rule,
            severity=severity,
            offset=offset,
            limit=limit,
        )


@router.get("/findings/{finding_id}", response_model=FindingDetail, summary="A finding")
def get_finding(
    finding_id: RowId, actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> FindingDetail:
    with db.transaction() as session:
        return findings.detail(session, actor, finding_id)


@router.get("/units/{code}/compliance", summary="A unit's compliance summary")
def unit_summary(
    code: Code,
    year: Year | None = None,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> dict[str, object]:
    with db.transaction() as session:
        return reports.unit_compliance_summary(session, actor, code, year)


@router.get(
    "/units/{code}/compliance/report.{fmt}",
    response_class=Response,
    responses=REPORT,
    summary="A unit's yearly compliance report: report.pdf or report.html",
)
def unit_report(
    code: Code,
    fmt: documents.Format,
    year: Year | None = None,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        return document_response(*documents.unit_report(session, actor, code, year, fmt), fmt)


# --- notices --------------------------------------------------------------------------------


@router.get("/notices", response_model=list[NoticeOut], summary="Rectification notices")
def list_notices(
    state: Literal["issued", "answered", "escalated", "closed"] | None = None,
    overdue: bool = False,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> list[NoticeOut]:
    with db.transaction() as session:
        rows = notices.list_notices(session, actor, state=state, overdue_only=overdue)
        return [notices.out(n) for n in rows]


@router.post("/notices", response_model=NoticeOut, status_code=201, summary="Issue a notice")
def issue_notice(
    body: NoticeIn, actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> NoticeOut:
    with db.transaction() as session:
        notice = notices.issue(
            session, actor, body.finding_ids, body.working_days, body.requirements
        )
        return notices.out(notice)


@router.get("/notices/{notice_id}", summary="The notice document: findings, answers, history")
def get_notice(
    notice_id: RowId, actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> dict[str, object]:
    with db.transaction() as session:
        return reports.notice_document_data(session, actor, notice_id)


@router.get(
    "/notices/{notice_id}/report.{fmt}",
    response_class=Response,
    responses=REPORT,
    summary="The 整改通知单 as a document: report.pdf or report.html",
)
def notice_document(
    notice_id: RowId,
    fmt: documents.Format,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        return document_response(*documents.notice(session, actor, notice_id, fmt), fmt)


@router.get(
    "/notices/{notice_id}/attachments/{attachment_id}",
    response_class=Response,
    responses=downloads(*sorted(set(attachments.KINDS.values()))),
    summary="A file the unit attached to its answer",
)
def notice_attachment(
    notice_id: RowId,
    attachment_id: RowId,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        row = notices.attachment(session, actor, notice_id, attachment_id)
        return Response(
            row.content,
            media_type=row.media_type,
            headers=download_headers(row.filename, f"evidence-{row.id}"),
        )


@router.post(
    "/notices/{notice_id}/transitions/{name}",
    response_model=NoticeOut,
    summary="answer (evidence), accept, return (reason), escalate",
)
def notice_transition(
    notice_id: RowId,
    name: Code,
    body: TransitionIn,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> NoticeOut:
    with db.transaction() as session:
        if name == "answer":
            evidence = {e.finding_id: e.text for e in body.evidence}
            notice = notices.answer(session, actor, notice_id, evidence, body.reason)
        elif name in notices.STEPS:
            notice = notices.STEPS[name](session, actor, notice_id, body.reason)
        else:
            raise NotFound("未知的操作", "unknown transition", field="transition")
        return notices.out(notice)


# --- assessments ----------------------------------------------------------------------------


@router.get("/assessments/questions", response_model=list[QuestionOut], summary="The questionnaire")
def questions(
    actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> list[QuestionOut]:
    with db.transaction() as session:
        authorize(session, actor, Action.COMPLIANCE_READ, Target("assessment"))
    return [
        QuestionOut(
            id=q.id, zh=q.zh, en=q.en, low=0, high=q.high, weight=q.weight, choices=list(q.choices)
        )
        for q in assessment.QUESTIONS
    ]


@router.post(
    "/assessments", response_model=AssessmentOut, status_code=201, summary="Assess a system"
)
def create_assessment(
    body: AssessmentIn, actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> AssessmentOut:
    with db.transaction() as session:
        row = assessment.assess(session, actor, body.system_id, body.answers, body.activity)
        return assessment.out(session, row)


@router.get("/assessments/{assessment_id}", summary="The assessment report data")
def get_assessment(
    assessment_id: RowId, actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> dict[str, object]:
    with db.transaction() as session:
        return reports.assessment_report_data(session, actor, assessment_id)


@router.get(
    "/assessments/{assessment_id}/report.{fmt}",
    response_class=Response,
    responses=REPORT,
    summary="The risk assessment report: report.pdf or report.html",
)
def assessment_document(
    assessment_id: RowId,
    fmt: documents.Format,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        return document_response(*documents.assessment(session, actor, assessment_id, fmt), fmt)


@router.post(
    "/assessments/{assessment_id}/report",
    response_model=AssessmentOut,
    summary="Report to the superior department (N2021 task 13)",
)
def report_assessment(
    assessment_id: RowId, actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> AssessmentOut:
    with db.transaction() as session:
        return assessment.out(session, assessment.report(session, actor, assessment_id))
