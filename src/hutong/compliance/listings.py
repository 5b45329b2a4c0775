"""What the supervision pages list, each read one call: a page of findings with the units to
filter by and the findings an open notice already holds; one finding with its unit and
notices; the assessments in the reader's scope with the systems the reader may assess. Each
authorizes and audits through the service it builds on (``findings``, ``assessment``) and
stays within its scope (a unit's staff see their own unit's only)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hutong.catalog.models import InformationSystem
from hutong.compliance import assessment, findings
from hutong.compliance.models import Finding, Notice, NoticeFinding
from hutong.compliance.notices import OPEN_STATES
from hutong.compliance.schemas import FindingDetail, FindingOut
from hutong.core import paging
from hutong.core.paging import Page
from hutong.identity.authz import Actor, Target, is_allowed
from hutong.identity.models import Unit
from hutong.identity.roles import Action


@dataclass
class FindingList:
    page: Page[FindingOut]
    #: (code, name) of every unit with findings the reader may see, for the unit filter.
    units: list[tuple[str, str]]
    #: Findings of this page that an open notice already holds (no second notice for them).
    in_open_notice: set[int]


def finding_list(
    session: Session, actor: Actor, filters: findings.Filters, page: int, size: int
) -> FindingList:
    rows = findings.list_findings(
        session,
        actor,
        status=filters.status,
        unit_code=filters.unit_code,
        rule_id=filters.rule_id,
        severity=filters.severity,
        offset=paging.offset(page, size),
        limit=size,
    )
    selected = findings.selected(session, actor, filters).subquery()
    total = session.scalar(select(func.count()).select_from(selected)) or 0
    units = session.execute(
        findings.scoped(
            actor,
            select(Unit.code, Unit.name)
            .join(Finding, Finding.unit_id == Unit.id)
            .group_by(Unit.code, Unit.name)
            .order_by(Unit.code),
            Finding.unit_id,
        )
    ).all()
    held = session.scalars(
        select(NoticeFinding.finding_id)
        .join(Notice, Notice.id == NoticeFinding.notice_id)
        .where(
            NoticeFinding.finding_id.in_([f.id for f in rows]),
            Notice.state.in_(OPEN_STATES),
        )
    )
    return FindingList(
        Page(rows, total, page, size), [(code, name) for code, name in units], set(held)
    )


@dataclass
class FindingView:
    finding: FindingDetail
    unit_name: str | None
    #: (id, number, state) of every notice that holds the finding, oldest first.
    notices: list[tuple[int, str, str]]


def finding_view(session: Session, actor: Actor, finding_id: int) -> FindingView:
    detail = findings.detail(session, actor, finding_id)
    listed = session.execute(
        select(Notice.id, Notice.number, Notice.state)
        .join(NoticeFinding, NoticeFinding.notice_id == Notice.id)
        .where(NoticeFinding.finding_id == finding_id)
        .order_by(Notice.id)
    ).all()
    unit = session.scalar(select(Unit.name).where(Unit.code == detail.unit_code))
    return FindingView(detail, unit, [(i, number, state) for i, number, state in listed])


@dataclass
class AssessmentList:
    rows: list[dict[str, object]]
    #: (id, name) of the reader's unit's systems, when the reader may assess them.
    systems: list[tuple[int, str]]


def assessment_list(session: Session, actor: Actor) -> AssessmentList:
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
        for a in assessment.list_assessments(session, actor)
    ]
    if not is_allowed(actor, Action.ASSESSMENT_EDIT, Target("system", None, actor.unit_id)):
        return AssessmentList(rows, [])
    own = session.execute(
        select(InformationSystem.id, InformationSystem.name)
        .where(InformationSystem.owner_unit_id == actor.unit_id)
        .order_by(InformationSystem.name)
    ).all()
    return AssessmentList(rows, [(i, name) for i, name in own])
