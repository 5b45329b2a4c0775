"""Reading findings and their history (M2018 §40). Supervisors (发展规划司, 网信办) and the
security administrator see every unit's findings; a unit's data steward and PI officer see
their own unit's only. Every read is audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.compliance.models import Finding, FindingEvent
from hutong.compliance.rules import load
from hutong.compliance.schemas import FindingDetail, FindingEventOut, FindingOut
from hutong.core.errors import NotFound
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.models import Unit
from hutong.identity.roles import Action, Role
from hutong.identity.service import unit_by_code

SEE_ALL = frozenset({Role.CATALOG_REVIEWER, Role.SECURITY_REVIEWER, Role.SECURITY_ADMIN})


def sees_all(actor: Actor) -> bool:
    return actor.is_system or bool(actor.roles & SEE_ALL)


def scoped(actor: Actor, stmt: Select, unit_column) -> Select:  # type: ignore[no-untyped-def, type-arg]
    """Limit a query to the actor's unit unless the actor supervises every unit."""
    return stmt if sees_all(actor) else stmt.where(unit_column == actor.unit_id)


def out(finding: Finding, unit_code: str | None) -> FindingOut:
    rule = load().get(finding.rule_id)
    return FindingOut(
        id=finding.id,
        rule_id=finding.rule_id,
        title_zh=rule.zh if rule else finding.rule_id,
        article=rule.article if rule else "",
        severity=finding.severity,
        subject_kind=finding.subject_kind,
        subject_id=finding.subject_id,
        unit_code=unit_code,
        status=finding.status,
        detail=finding.detail,
        times_opened=finding.times_opened,
        first_opened_at=finding.first_opened_at,
        opened_at=finding.opened_at,
        closed_at=finding.closed_at,
    )


@dataclass(frozen=True)
class Filters:
    """What a findings listing narrows to; None is every value."""

    status: str | None = "open"
    unit_code: str | None = None
    rule_id: str | None = None
    severity: str | None = None


def selected(session: Session, actor: Actor, filters: Filters) -> Select:  # type: ignore[type-arg]
    stmt = scoped(
        actor,
        select(Finding, Unit.code).outerjoin(Unit, Unit.id == Finding.unit_id),
        Finding.unit_id,
    )
    if filters.status:
        stmt = stmt.where(Finding.status == filters.status)
    if filters.unit_code:
        stmt = stmt.where(Finding.unit_id == unit_by_code(session, filters.unit_code).id)
    if filters.rule_id:
        stmt = stmt.where(Finding.rule_id == filters.rule_id)
    if filters.severity:
        stmt = stmt.where(Finding.severity == filters.severity)
    return stmt


def list_findings(
    session: Session,
    actor: Actor,
    *,
    status: str | None = "open",
    unit_code: str | None = None,
    rule_id: str | None = None,
    severity: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[FindingOut]:
    authorize(session, actor, Action.COMPLIANCE_READ, Target("finding"))
    stmt = selected(session, actor, Filters(status, unit_code, rule_id, severity))
    rows = session.execute(stmt.order_by(Finding.id).offset(offset).limit(limit)).all()
    record(
        session,
        actor,
        "finding.list",
        category=Category.QUERY,
        target=Target("finding"),
        rows=len(rows),
    )
    return [out(f, code) for f, code in rows]


def by_id(session: Session, actor: Actor, finding_id: int) -> Finding:
    finding = session.get(Finding, finding_id)
    if finding is None or not (sees_all(actor) or finding.unit_id == actor.unit_id):
        raise NotFound("问题不存在", "unknown finding", field="finding_id")
    return finding


def detail(session: Session, actor: Actor, finding_id: int) -> FindingDetail:
    authorize(session, actor, Action.COMPLIANCE_READ, Target("finding", str(finding_id)))
    finding = by_id(session, actor, finding_id)
    unit = session.get(Unit, finding.unit_id) if finding.unit_id else None
    history = session.scalars(
        select(FindingEvent).where(FindingEvent.finding_id == finding.id).order_by(FindingEvent.id)
    )
    record(
        session,
        actor,
        "finding.read",
        category=Category.QUERY,
        target=Target("finding", str(finding.id), finding.unit_id),
        rows=1,
    )
    return FindingDetail(
        **out(finding, unit.code if unit else None).model_dump(),
        history=[FindingEventOut(change=e.change, run_id=e.run_id, at=e.at) for e in history],
    )


def open_by_rule(session: Session, actor: Actor) -> dict[str, int]:
    """Open findings per rule (the reader's unit unless they supervise all); audited."""
    authorize(session, actor, Action.COMPLIANCE_READ, Target("finding"))
    counts = dict(
        session.execute(
            scoped(
                actor,
                select(Finding.rule_id, func.count())
                .where(Finding.status == "open")
                .group_by(Finding.rule_id),
                Finding.unit_id,
            )
        ).all()
    )
    record(
        session,
        actor,
        "finding.by_rule",
        category=Category.QUERY,
        target=Target("finding"),
        rows=sum(counts.values()),
    )
    return counts


def rules_catalog() -> list[dict[str, str]]:
    """The registry as rows (id, titles, article, severity, subject)."""
    return [
        {
            "id": r.id,
            "title_zh": r.zh,
            "title_en": r.en,
            "article": r.article,
            "severity": r.severity.value,
            "subject": r.subject.value,
        }
        for r in load().values()
    ]
