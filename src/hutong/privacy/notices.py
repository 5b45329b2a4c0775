"""Collection notices (收集使用规则, N2021 tasks 4 and 8): versioned per information system,
public, and the rule that a change of purpose, method or PI categories calls for re-consent.

A new version whose purposes, method or categories differ from the previous one is marked
``material_change``; consents given under any earlier version stop counting (status
``renewal_needed``) until the subject consents to the new one. Other edits (title,
retention wording, contact) publish a new version without disturbing consents."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.catalog.models import InformationSystem
from hutong.catalog.vocab import SENSITIVE_PI
from hutong.core.errors import InvalidInput, NotFound
from hutong.identity import scopes
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.roles import Action
from hutong.privacy.models import CollectionNotice
from hutong.privacy.schemas import NoticeIn, NoticeOut, Purpose

SENSITIVE = {c.value for c in SENSITIVE_PI}


def system_by_id(session: Session, system_id: int) -> InformationSystem:
    system = session.get(InformationSystem, system_id)
    if system is None:
        raise _unknown_system()
    return system


def _unknown_system() -> NotFound:
    return NotFound("信息系统不存在", "unknown information system", field="system_id")


def scoped_system(
    session: Session, actor: Actor, action: Action, system_id: int
) -> InformationSystem:
    """A system whose personal records (consents) the actor reads with ``action``; another
    unit's system is refused as unknown (``identity/scopes.py``)."""
    system = system_by_id(session, system_id)
    scopes.guard(
        session,
        actor,
        system_target(system),
        _unknown_system(),
        (action, [system.owner_unit_id]),
    )
    return system


def own_systems(session: Session, actor: Actor) -> list[InformationSystem]:
    """The information systems of the actor's unit, oldest first: the ones whose notices and
    consents its PI officer and steward keep."""
    return list(
        session.scalars(
            select(InformationSystem)
            .where(InformationSystem.owner_unit_id == actor.unit_id)
            .order_by(InformationSystem.id)
        )
    )


def system_target(system: InformationSystem) -> Target:
    return Target("system", str(system.id), system.owner_unit_id)


def latest(session: Session, system_id: int) -> CollectionNotice | None:
    return session.scalar(
        select(CollectionNotice)
        .where(CollectionNotice.system_id == system_id)
        .order_by(CollectionNotice.version.desc())
        .limit(1)
    )


def version(session: Session, system_id: int, number: int) -> CollectionNotice:
    """A published version, or ``InvalidInput`` on ``notice_version`` (bad input, not a
    missing page: the consent that names it is what is wrong)."""
    notice = session.scalar(
        select(CollectionNotice).where(
            CollectionNotice.system_id == system_id, CollectionNotice.version == number
        )
    )
    if notice is None:
        raise InvalidInput(
            "该收集使用规则版本不存在", "no such notice version", field="notice_version"
        )
    return notice


def baseline(session: Session, system_id: int) -> int:
    """The oldest notice version whose consents still count: the latest material change."""
    found = session.scalar(
        select(func.max(CollectionNotice.version)).where(
            CollectionNotice.system_id == system_id, CollectionNotice.material_change.is_(True)
        )
    )
    return int(found or 1)


def _material(previous: CollectionNotice | None, data: NoticeIn) -> bool:
    if previous is None:
        return False
    return (
        {p["code"] for p in previous.purposes} != {p.code for p in data.purposes}
        or [p["name"] for p in sorted(previous.purposes, key=lambda p: p["code"])]
        != [p.name for p in sorted(data.purposes, key=lambda p: p.code)]
        or previous.method.strip() != data.method.strip()
        or set(previous.categories) != {c.value for c in data.categories}
    )


def publish(session: Session, actor: Actor, data: NoticeIn) -> CollectionNotice:
    """Publish the next version of a system's notice (its owner unit's steward or PI officer)."""
    system = system_by_id(session, data.system_id)
    authorize(session, actor, Action.PRIVACY_NOTICE_PUBLISH, system_target(system))
    previous = latest(session, system.id)
    notice = CollectionNotice(
        system_id=system.id,
        version=(previous.version + 1) if previous else 1,
        title=data.title,
        purposes=[p.model_dump() for p in data.purposes],
        method=data.method,
        items=data.items,
        categories=[c.value for c in data.categories],
        retention=data.retention,
        recipients=data.recipients,
        legal_basis=data.legal_basis,
        contact=data.contact,
        material_change=_material(previous, data),
        published_by=actor.name,
    )
    session.add(notice)
    session.flush()
    record(
        session,
        actor,
        "privacy.notice.publish",
        category=Category.INSERT,
        target=system_target(system),
        rows=1,
        details={"version": notice.version, "material_change": notice.material_change},
    )
    return notice


def out(notice: CollectionNotice) -> NoticeOut:
    return NoticeOut(
        id=notice.id,
        system_id=notice.system_id,
        system_name=notice.system.name,
        version=notice.version,
        title=notice.title,
        purposes=[Purpose(**p) for p in notice.purposes],
        method=notice.method,
        items=notice.items,
        categories=notice.categories,
        sensitive_categories=[c for c in notice.categories if c in SENSITIVE],
        retention=notice.retention,
        recipients=notice.recipients,
        legal_basis=notice.legal_basis,
        contact=notice.contact,
        material_change=notice.material_change,
        published_at=notice.published_at,
    )


def current_notices(session: Session) -> list[CollectionNotice]:
    """The latest version of every system's notice (public: no authorization, no PI)."""
    newest = (
        select(CollectionNotice.system_id, func.max(CollectionNotice.version).label("v"))
        .group_by(CollectionNotice.system_id)
        .subquery()
    )
    return list(
        session.scalars(
            select(CollectionNotice)
            .join(
                newest,
                (CollectionNotice.system_id == newest.c.system_id)
                & (CollectionNotice.version == newest.c.v),
            )
            .order_by(CollectionNotice.system_id)
        )
    )


def history(session: Session, system_id: int) -> list[CollectionNotice]:
    system_by_id(session, system_id)
    return list(
        session.scalars(
            select(CollectionNotice)
            .where(CollectionNotice.system_id == system_id)
            .order_by(CollectionNotice.version.desc())
        )
    )


def by_id(session: Session, notice_id: int) -> CollectionNotice:
    notice = session.get(CollectionNotice, notice_id)
    if notice is None:
        raise NotFound("收集使用规则不存在", "unknown notice", field="notice_id")
    return notice
