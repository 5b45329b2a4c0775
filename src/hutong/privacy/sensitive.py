"""Sensitive PI on a catalog entry needs a recorded necessity, scientific and ethical
justification and a collective leadership decision (单位领导班子集体决策, N2021 task 11).

The decision is recorded by the provider unit's PI officer; an item marked sensitive without
an approved decision is a compliance finding (``sensitive.leadership_decision``), and
``enabled`` tells other code whether an entry's sensitive item may be processed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.catalog.service import by_code, target
from hutong.catalog.vocab import SENSITIVE_PI
from hutong.core.clock import today_local
from hutong.core.errors import InvalidInput
from hutong.identity.authz import Actor, authorize
from hutong.identity.roles import Action
from hutong.privacy.models import SensitiveDecision
from hutong.privacy.schemas import SensitiveDecisionIn, SensitiveDecisionOut

SENSITIVE = {c.value for c in SENSITIVE_PI}


def decide(session: Session, actor: Actor, data: SensitiveDecisionIn) -> SensitiveDecision:
    """Record the leadership decision on one sensitive item of an entry."""
    resource = by_code(session, data.resource_code)
    authorize(session, actor, Action.SENSITIVE_DECIDE, target(resource))
    item = next((i for i in resource.items if i.name == data.item_name), None)
    if item is None:
        raise InvalidInput("信息资源没有该信息项", "the entry has no such item", field="item_name")
    if not item.sensitive and item.pi_category not in SENSITIVE:
        raise InvalidInput(
            "该信息项不是敏感个人信息", "the item is not sensitive PI", field="item_name"
        )
    if data.meeting_date > today_local():
        raise InvalidInput(
            "会议日期不能晚于今天", "meeting date in the future", field="meeting_date"
        )
    if len({a.strip() for a in data.attendees if a.strip()}) < 3:
        raise InvalidInput(
            "集体决策至少须三名领导班子成员出席",
            "a collective decision needs at least three attendees",
            field="attendees",
        )
    row = SensitiveDecision(
        resource_id=resource.id,
        category=item.pi_category,
        recorded_by=actor.name,
        **data.model_dump(exclude={"resource_code"}),
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        "sensitive.decide",
        category=Category.DECISION,
        target=target(resource),
        rows=1,
        details={
            "item": item.name,
            "outcome": data.outcome,
            "meeting_date": str(data.meeting_date),
        },
    )
    return row


def out(row: SensitiveDecision) -> SensitiveDecisionOut:
    return SensitiveDecisionOut(
        id=row.id,
        resource_code=row.resource.code,
        item_name=row.item_name,
        category=row.category,
        necessity=row.necessity,
        scientific=row.scientific,
        ethics=row.ethics,
        meeting=row.meeting,
        meeting_date=row.meeting_date,
        attendees=row.attendees,
        outcome=row.outcome,  # type: ignore[arg-type]
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
    )


def for_resource(session: Session, actor: Actor, code: str) -> list[SensitiveDecision]:
    resource = by_code(session, code)
    authorize(session, actor, Action.CATALOG_READ, target(resource))
    return list(
        session.scalars(
            select(SensitiveDecision)
            .where(SensitiveDecision.resource_id == resource.id)
            .order_by(SensitiveDecision.id)
        )
    )


def enabled(session: Session, resource_id: int, item_name: str) -> bool:
    """The newest decision on the item approved it."""
    outcome = session.scalar(
        select(SensitiveDecision.outcome)
        .where(
            SensitiveDecision.resource_id == resource_id,
            SensitiveDecision.item_name == item_name,
        )
        .order_by(SensitiveDecision.id.desc())
        .limit(1)
    )
    return outcome == "approved"
