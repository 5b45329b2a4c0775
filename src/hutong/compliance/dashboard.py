"""The supervision dashboard's figures (M2018 §40–41, N2021 task 13): open findings by unit and
by rule, findings opened and closed per week from their history, notices by state, overdue
notices, the 通报 list and the units whose approvals are blocked. A handful of aggregate
queries, scoped to the reader's unit unless they supervise every unit, and audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.compliance import notices
from hutong.compliance.findings import scoped, sees_all
from hutong.compliance.models import Finding, FindingEvent, Notice
from hutong.compliance.rules import load
from hutong.compliance.sql import local_day
from hutong.core.clock import SHANGHAI, today_local
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.models import Unit
from hutong.identity.roles import Action

TOP = 15
SEVERITIES = ("high", "medium", "low")


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _by_unit(session: Session, actor: Actor) -> dict[str, object]:
    rows = session.execute(
        scoped(
            actor,
            select(Unit.code, Unit.name, Finding.severity, func.count())
            .join(Unit, Unit.id == Finding.unit_id)
            .where(Finding.status == "open")
            .group_by(Unit.code, Unit.name, Finding.severity),
            Finding.unit_id,
        )
    ).all()
    units: dict[str, dict[str, object]] = {}
    for code, name, severity, count in rows:
        row = units.setdefault(code, {"code": code, "name": name, **dict.fromkeys(SEVERITIES, 0)})
        row[severity] = count
    ranked = sorted(units.values(), key=lambda r: (-sum(int(r[s]) for s in SEVERITIES), r["code"]))  # type: ignore[call-overload]
    return {"units": ranked[:TOP], "units_with_findings": len(units)}


def _by_rule(session: Session, actor: Actor) -> list[dict[str, object]]:
    rows = session.execute(
        scoped(
            actor,
            select(Finding.rule_id, func.count())
            .where(Finding.status == "open")
            .group_by(Finding.rule_id),
            Finding.unit_id,
        )
    ).all()
    rules = load()
    ranked = sorted(rows, key=lambda r: (-r[1], r[0]))[:TOP]
    return [
        {
            "rule_id": rule_id,
            "title": rules[rule_id].zh if rule_id in rules else rule_id,
            "title_en": rules[rule_id].en if rule_id in rules else rule_id,
            "article": rules[rule_id].article if rule_id in rules else "",
            "severity": rules[rule_id].severity.value if rule_id in rules else "",
            "count": count,
        }
        for rule_id, count in ranked
    ]


def _weekly(session: Session, actor: Actor, weeks: int, open_now: int) -> dict[str, list]:  # type: ignore[type-arg]
    """Findings opened (or re-opened) and closed per week, Monday to Sunday in Shanghai, and
    the findings still open at each week's end, counted back from those open now."""
    first = monday(today_local()) - timedelta(weeks=weeks - 1)
    since = first.isoformat()
    day = local_day(FindingEvent.at)
    rows = session.execute(
        scoped(
            actor,
            select(day, FindingEvent.change, func.count())
            .join(Finding, Finding.id == FindingEvent.finding_id)
            .where(FindingEvent.at >= _utc_start(first))
            .group_by(day, FindingEvent.change),
            Finding.unit_id,
        )
    ).all()
    starts = [first + timedelta(weeks=i) for i in range(weeks)]
    opened = dict.fromkeys(starts, 0)
    closed = dict.fromkeys(starts, 0)
    for text, change, count in rows:
        if str(text) < since:
            continue
        week = monday(date.fromisoformat(str(text)))
        (closed if change == "closed" else opened)[week] += count
    backlog, still = [], open_now
    for week in reversed(starts):
        backlog.append(still)
        still += closed[week] - opened[week]
    return {
        "weeks": [w.isoformat() for w in starts],
        "opened": [opened[w] for w in starts],
        "closed": [closed[w] for w in starts],
        "backlog": backlog[::-1],
    }


def _utc_start(day: date) -> datetime:
    return datetime.combine(day, time(), SHANGHAI).astimezone(UTC)


def _notice_row(notice: Notice, today: date) -> dict[str, object]:
    return {
        "id": notice.id,
        "number": notice.number,
        "unit": notice.unit.name,
        "unit_code": notice.unit.code,
        "state": notice.state,
        "state_zh": notices.STATE_ZH[notice.state],
        "deadline": notice.deadline.isoformat(),
        "days_overdue": (today - notice.deadline).days if notices.overdue(notice, today) else 0,
        "findings": len(notice.findings),
    }


def _report_units(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """(code, name) of the units whose compliance report the reader may ask for: every unit
    for supervisors, the reader's own otherwise."""
    query = select(Unit.code, Unit.name).order_by(Unit.code)
    if not sees_all(actor):
        query = query.where(Unit.id == actor.unit_id)
    return [(code, name) for code, name in session.execute(query)]


def overview(session: Session, actor: Actor, weeks: int = 12) -> dict[str, object]:
    """Everything the supervision page shows, as plain data for charts and tables."""
    authorize(session, actor, Action.COMPLIANCE_READ, Target("compliance"))
    today = today_local()
    by_unit = _by_unit(session, actor)
    by_rule = _by_rule(session, actor)
    severity = dict(
        session.execute(
            scoped(
                actor,
                select(Finding.severity, func.count())
                .where(Finding.status == "open")
                .group_by(Finding.severity),
                Finding.unit_id,
            )
        ).all()
    )
    states = dict(
        session.execute(
            scoped(
                actor,
                select(Notice.state, func.count()).group_by(Notice.state),
                Notice.unit_id,
            )
        ).all()
    )
    open_notices = session.scalars(
        scoped(
            actor,
            select(Notice).where(Notice.state.in_(notices.OPEN_STATES)),
            Notice.unit_id,
        ).order_by(Notice.deadline, Notice.id)
    ).all()
    overdue = [_notice_row(n, today) for n in open_notices if notices.overdue(n, today)]
    escalated = [_notice_row(n, today) for n in open_notices if n.state == notices.ESCALATED]
    blocked = sorted({(n.unit.code, n.unit.name) for n in open_notices}, key=lambda u: u[0])
    failing_rules = session.scalar(
        scoped(
            actor,
            select(func.count(func.distinct(Finding.rule_id))).where(Finding.status == "open"),
            Finding.unit_id,
        )
    )
    record(
        session,
        actor,
        "compliance.dashboard",
        category=Category.QUERY,
        target=Target("compliance"),
        rows=sum(severity.values()),
    )
    return {
        "all_units": sees_all(actor),
        "report_units": _report_units(session, actor),
        "open_findings": sum(severity.values()),
        "by_severity": {s: severity.get(s, 0) for s in SEVERITIES},
        "rules_total": len(load()),
        "rules_failing": failing_rules or 0,
        **by_unit,
        "by_rule": by_rule,
        "weekly": _weekly(session, actor, weeks, sum(severity.values())),
        "notice_states": {s: states.get(s, 0) for s in notices.STATE_ZH},
        "overdue": overdue,
        "escalated": escalated,
        "blocked_units": [{"code": c, "name": n} for c, n in blocked],
    }
