"""`hutong demo`, exchange part: share applications in every state through the real state
machine — submitted, info requested, in security review, awaiting documents, granted,
refused, withdrawn — and one past its due date (backdated, audited as such)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.catalog.models import Resource
from hutong.catalog.vocab import Grade, ShareType, Status
from hutong.core.calendar import WorkingCalendar
from hutong.core.clock import utcnow
from hutong.core.db import Database
from hutong.data.models import DatasetVersion
from hutong.demo.catalog import steward_name
from hutong.exchange import applications, deadlines
from hutong.exchange.models import Application
from hutong.exchange.schemas import ApplicationIn
from hutong.identity.auth import actor_for
from hutong.identity.authz import Actor, system_actor
from hutong.identity.models import Unit
from hutong.identity.service import user_by_name

CONSUMERS = ("consumer.jcjys", "consumer.shjw")
SECURITY = "secreviewer.wxb"


def _actor(session: Session, username: str) -> Actor:
    return actor_for(user_by_name(session, username))


def _candidates(session: Session, consumer: Actor, pi: bool) -> list[Resource]:
    query = select(Resource).where(
        Resource.status == Status.PUBLISHED.value,
        Resource.share_type == ShareType.CONDITIONAL.value,
        Resource.provider_unit_id != consumer.unit_id,
        Resource.has_pi.is_(pi),
    )
    if not pi:
        query = query.where(Resource.grade == Grade.GENERAL.value)
    return list(session.scalars(query.order_by(Resource.code).limit(12)))


def _steward(session: Session, resource: Resource) -> Actor | None:
    unit = session.get(Unit, resource.provider_unit_id)
    try:
        return _actor(session, steward_name(unit.code))
    except Exception:
        return None


def _apply(session: Session, consumer: Actor, resource: Resource) -> Application:
    items = [i.name for i in resource.items][: max(1, len(resource.items) // 2)]
    data = ApplicationIn(
        resource_code=resource.code,
        purpose=f"为履行职责核查与统计「{resource.name}」相关情况",
        purpose_category="administration",
        items=items,
        access_mode="online_only",
        security_measures="政务外网访问，专人负责，查询结果不落地保存",
    )
    return applications.submit(session, consumer, data)


def seed_exchange(db: Database) -> int:
    """Applications in every state (idempotent: nothing when any application exists)."""
    with db.sessions() as session:
        if session.scalar(select(func.count()).select_from(Application)):
            return 0
    plan = [  # (pi?, steps after submission, by whom)
        (False, []),
        (False, [("request_info", "steward", "请说明核查所需的字段范围")]),
        (False, [("approve", "steward", "")]),
        (False, [("refuse", "steward", "用途与本数据的共享条件不符")]),
        (False, [("withdraw", "consumer", "")]),
        (True, [("approve", "steward", "")]),
        (True, [("approve", "steward", ""), ("security_approve", "security", "")]),
        (False, ["overdue"]),
    ]
    created = _unconditional_grants(db)
    for index, (pi, steps) in enumerate(plan):
        with db.transaction() as session:
            consumer = _actor(session, CONSUMERS[index % 2])
            pool = _candidates(session, consumer, pi)
            stewarded = [(r, s) for r in pool if (s := _steward(session, r)) is not None]
            if not stewarded:
                continue
            resource, steward = stewarded[index % len(stewarded)]
            application = _apply(session, consumer, resource)
            created += 1
            people = {"steward": steward, "consumer": consumer}
            for step in steps:
                if step == "overdue":
                    _backdate(session, application, 30)
                    continue
                name, who, reason = step
                actor = _actor(session, SECURITY) if who == "security" else people[who]
                applications.transition(session, actor, application.id, name, reason)
    return created


def _unconditional_grants(db: Database) -> int:
    """无条件共享 entries that hold demo data are granted at once, so the demo has grants a
    consumer can query straight away."""
    with db.transaction() as session:
        consumers = [_actor(session, name) for name in CONSUMERS]
        with_data = select(DatasetVersion.resource_id)
        resources = session.scalars(
            select(Resource)
            .where(
                Resource.status == Status.PUBLISHED.value,
                Resource.share_type == ShareType.UNCONDITIONAL.value,
                Resource.id.in_(with_data),
            )
            .order_by(Resource.code)
        ).all()
        granted = 0
        for resource in resources:
            for consumer in consumers:
                if consumer.unit_id != resource.provider_unit_id:
                    _apply(session, consumer, resource)
                    granted += 1
        return granted


def _backdate(session: Session, application: Application, days: int) -> None:
    """Move a demo application's submission into the past so it shows as overdue."""
    calendar = WorkingCalendar.from_session(session)
    application.submitted_at = utcnow() - timedelta(days=days)
    application.due_date = deadlines.due(calendar, application.submitted_at, 0)
    assert application.due_date < date.today()
    record(
        session,
        system_actor("demo"),
        "demo.backdate",
        category=Category.UPDATE,
        target=applications.provider_side(application),
        rows=1,
        details={"days": days},
    )
