"""Plain data for reports and dashboards: a unit's compliance summary, a risk assessment
report and a rectification notice document. Renderers (HTML, PDF, charts) build on these and
add nothing but layout; every read is authorized, scoped to the reader's unit unless they
supervise all units, and audited."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.catalog.models import InformationSystem
from hutong.catalog.vocab import SystemKind
from hutong.compliance import assessment, attachments, notices
from hutong.compliance.findings import sees_all
from hutong.compliance.models import (
    Assessment,
    Finding,
    FindingEvent,
    Notice,
    NoticeEvent,
    NoticeEvidence,
)
from hutong.compliance.rules import SEVERITY_ZH, Severity, load
from hutong.compliance.sql import year_month
from hutong.core.clock import SHANGHAI, local, today_local, utcnow
from hutong.core.errors import InvalidInput, NotFound
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.models import Unit
from hutong.identity.roles import Action
from hutong.identity.service import unit_by_code


def _readable(session: Session, actor: Actor, unit_id: int | None, what: str, ident: str) -> None:
    authorize(session, actor, Action.COMPLIANCE_READ, Target(what, ident, unit_id))
    if not (sees_all(actor) or unit_id == actor.unit_id):
        raise NotFound("不存在或无权查看", "not found", field=f"{what}_id")


def _audit(
    session: Session,
    actor: Actor,
    event: str,
    target: Target,
    rows: int,
    export: str | None,
) -> None:
    """A read is a query; the same read rendered to a file (``export="pdf"`` or ``"html"``)
    leaves the platform and is recorded as an export (N2021 task 6)."""
    if export:
        record(
            session,
            actor,
            f"{event.split('.')[0]}.export",
            category=Category.EXPORT,
            target=target,
            rows=rows,
            details={"format": export},
        )
    else:
        record(session, actor, event, category=Category.QUERY, target=target, rows=rows)


def _name(session: Session, unit_id: int | None) -> str:
    unit = session.get(Unit, unit_id) if unit_id else None
    return unit.name if unit else ""


def _finding_row(finding: Finding) -> dict[str, object]:
    rule = load().get(finding.rule_id)
    return {
        "id": finding.id,
        "rule_id": finding.rule_id,
        "title": rule.zh if rule else finding.rule_id,
        "title_en": rule.en if rule else finding.rule_id,
        "article": rule.article if rule else "",
        "severity": finding.severity,
        "severity_zh": SEVERITY_ZH[Severity(finding.severity)],
        "subject_kind": finding.subject_kind,
        "subject_id": finding.subject_id,
        "detail": finding.detail,
        "status": finding.status,
        "opened_at": local(finding.opened_at).date().isoformat(),
    }


def unit_compliance_summary(
    session: Session,
    actor: Actor,
    unit_code: str,
    year: int | None = None,
    export: str | None = None,
) -> dict[str, object]:
    """A unit's standing: open findings by severity and by rule, 12-month trend (or the
    months of ``year``), notices (those issued in ``year``), systems and their latest
    assessments (the yearly compliance report's content)."""
    unit = unit_by_code(session, unit_code)
    _readable(session, actor, unit.id, "unit", unit.code)
    F = Finding
    open_rows = session.scalars(
        select(F).where(F.unit_id == unit.id, F.status == "open").order_by(F.severity, F.rule_id)
    ).all()
    by_severity = {s.value: 0 for s in Severity}
    by_rule: dict[str, dict[str, object]] = {}
    for finding in open_rows:
        by_severity[finding.severity] += 1
        row = by_rule.setdefault(
            finding.rule_id,
            {
                k: v
                for k, v in _finding_row(finding).items()
                if k in ("rule_id", "title", "article", "severity")
            }
            | {"count": 0},
        )
        row["count"] = int(row["count"]) + 1  # type: ignore[call-overload]
    since, until = _period(year)
    month = year_month(FindingEvent.at)
    trend_rows = session.execute(
        select(month, FindingEvent.change, func.count())
        .join(F, F.id == FindingEvent.finding_id)
        .where(F.unit_id == unit.id, FindingEvent.at >= since, FindingEvent.at < until)
        .group_by(month, FindingEvent.change)
    ).all()
    trend: dict[str, dict[str, int]] = {}
    for ym, change, count in trend_rows:
        trend.setdefault(str(ym), {"opened": 0, "reopened": 0, "closed": 0})[change] = count
    notice_stmt = select(Notice).where(Notice.unit_id == unit.id)
    if year is not None:
        notice_stmt = notice_stmt.where(Notice.issued_at >= since, Notice.issued_at < until)
    notice_rows = session.scalars(notice_stmt.order_by(Notice.issued_at.desc())).all()
    systems = session.scalars(
        select(InformationSystem)
        .where(InformationSystem.owner_unit_id == unit.id)
        .order_by(InformationSystem.id)
    ).all()
    latest = {
        a.system_id: a
        for a in session.scalars(
            select(Assessment).where(Assessment.unit_id == unit.id).order_by(Assessment.assessed_at)
        )
    }
    rules_total = len(load())
    failing_rules = len(by_rule)
    _audit(
        session,
        actor,
        "compliance.summary",
        Target("unit", unit.code, unit.id),
        len(open_rows),
        export,
    )
    totals = {"opened": 0, "reopened": 0, "closed": 0}
    for counts in trend.values():
        for change, count in counts.items():
            totals[change] += count
    return {
        "unit": {"code": unit.code, "name": unit.name},
        "year": year,
        "period": [
            local(since).date().isoformat(),
            local(until - timedelta(days=1)).date().isoformat(),
        ],
        "period_totals": totals,
        "generated_on": today_local().isoformat(),
        "open_findings": len(open_rows),
        "by_severity": by_severity,
        "by_rule": sorted(by_rule.values(), key=lambda r: (-int(r["count"]), str(r["rule_id"]))),  # type: ignore[call-overload]
        "rules_total": rules_total,
        "rules_passing": rules_total - failing_rules,
        "trend": dict(sorted(trend.items())),
        "findings": [_finding_row(f) for f in open_rows],
        "notices": [
            {
                "id": n.id,
                "number": n.number,
                "state": n.state,
                "state_zh": notices.STATE_ZH[n.state],
                "issued_on": local(n.issued_at).date().isoformat(),
                "deadline": n.deadline.isoformat(),
                "findings": len(n.findings),
                "overdue": notices.overdue(n),
            }
            for n in notice_rows
        ],
        "approval_blocked": notices.approval_blocked(session, unit.id),
        "systems": [
            {
                "id": s.id,
                "name": s.name,
                "kind_zh": SystemKind(s.kind).zh,
                "assessment": {
                    "id": latest[s.id].id,
                    "score": latest[s.id].score,
                    "level": latest[s.id].level,
                    "status": latest[s.id].status,
                    "assessed_on": local(latest[s.id].assessed_at).date().isoformat(),
                }
                if s.id in latest
                else None,
            }
            for s in systems
        ],
    }


def _period(year: int | None) -> tuple[datetime, datetime]:
    """[start, end) in UTC of a calendar year in Asia/Shanghai, or of the last 12 months."""
    if year is None:
        start = datetime.combine(
            today_local().replace(day=1) - timedelta(days=335), time(), SHANGHAI
        )
        return start.astimezone(UTC), utcnow() + timedelta(days=1)
    if not 2000 <= year <= today_local().year:
        raise InvalidInput(
            f"年度须在 2000–{today_local().year} 之间", "year out of range", field="year"
        )
    start = datetime(year, 1, 1, tzinfo=SHANGHAI)
    return start.astimezone(UTC), datetime(year + 1, 1, 1, tzinfo=SHANGHAI).astimezone(UTC)


def assessment_report_data(
    session: Session, actor: Actor, assessment_id: int, export: str | None = None
) -> dict[str, object]:
    """The risk assessment report: subject, questionnaire with answers, evidence, result."""
    row = assessment.by_id(session, assessment_id)
    _readable(session, actor, row.unit_id, "assessment", str(row.id))
    system = session.get(InformationSystem, row.system_id)
    assert system is not None
    _audit(
        session,
        actor,
        "assessment.read",
        Target("assessment", str(row.id), row.unit_id),
        1,
        export,
    )
    return {
        "id": row.id,
        "title": f"{system.name}{'（' + row.activity + '）' if row.activity else ''}数据安全风险评估报告",
        "subject_kind": row.subject_kind,
        "system": {"id": system.id, "name": system.name, "kind_zh": SystemKind(system.kind).zh},
        "activity": row.activity,
        "unit": {"code": system.owner_unit.code, "name": system.owner_unit.name},
        "reported_to": _name(session, row.reported_to_unit_id),
        "status": row.status,
        "assessed_by": row.assessed_by,
        "assessed_on": local(row.assessed_at).date().isoformat(),
        "reported_on": local(row.reported_at).date().isoformat() if row.reported_at else None,
        "questions": [
            {
                "id": q.id,
                "zh": q.zh,
                "answer": row.answers[q.id],
                "answer_zh": q.choices[row.answers[q.id]],
                "high": q.high,
                "weight": q.weight,
            }
            for q in assessment.QUESTIONS
        ],
        "evidence": row.evidence,
        "score": row.score,
        "level": row.level,
        "level_zh": assessment.LEVEL_ZH[row.level],
    }


def notice_document_data(
    session: Session, actor: Actor, notice_id: int, export: str | None = None
) -> dict[str, object]:
    """The 整改通知单 itself: number, addressee, findings with their articles, deadline,
    the unit's answers and the history of the notice."""
    notice = notices.by_id(session, notice_id)
    _readable(session, actor, notice.unit_id, "notice", notice.number)
    evidence = session.scalars(
        select(NoticeEvidence)
        .where(NoticeEvidence.notice_id == notice.id)
        .order_by(NoticeEvidence.id)
    ).all()
    history = session.scalars(
        select(NoticeEvent).where(NoticeEvent.notice_id == notice.id).order_by(NoticeEvent.id)
    ).all()
    files = attachments.listed(session, notice.id)
    _audit(session, actor, "notice.read", notices.target(notice), 1, export)
    return {
        "id": notice.id,
        "number": notice.number,
        "unit": {"code": notice.unit.code, "name": notice.unit.name},
        "issuer_unit": _name(session, notice.issuer_unit_id),
        "issued_by": notice.issued_by,
        "issued_on": local(notice.issued_at).date().isoformat(),
        "working_days": notice.working_days,
        "deadline": notice.deadline.isoformat(),
        "state": notice.state,
        "state_zh": notices.STATE_ZH[notice.state],
        "overdue": notices.overdue(notice),
        "escalated_on": local(notice.escalated_at).date().isoformat()
        if notice.escalated_at
        else None,
        "requirements": notice.requirements,
        "findings": [_finding_row(f) for f in notice.findings],
        "evidence": [
            {
                "finding_id": e.finding_id,
                "text": e.text,
                "by": e.submitted_by,
                "on": local(e.submitted_at).date().isoformat(),
                "attachments": files.get(e.id, []),
            }
            for e in evidence
        ],
        "history": [
            {
                "transition": h.transition,
                "from": h.from_state,
                "to": h.to_state,
                "actor": h.actor,
                "note": h.note,
                "at": local(h.at).isoformat(timespec="minutes"),
            }
            for h in history
        ],
    }
