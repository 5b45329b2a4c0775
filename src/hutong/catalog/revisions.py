"""Revisions of published entries: a change that loosens protection is filed here and not
applied, so the published version stays in force for the exchange, the portal and the
compliance rules until the catalog reviewer approves it (``workflow.decide_revision``).

An entry has at most one pending revision. Its proposer may file a new one in its place;
anyone else waits for the decision. When another version takes effect first (a tightening,
a neutral edit, a grade raised), the pending revision lapses: it was judged against a
version that is no longer in force.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.catalog.entries import read, target
from hutong.catalog.events import VersionTookEffect
from hutong.catalog.models import Resource, ResourceRevision, ResourceVersion
from hutong.catalog.protection import Snapshot
from hutong.catalog.schemas import ResourceIn, RevisionOut
from hutong.catalog.tasks import close_change_tasks
from hutong.catalog.versions import diff
from hutong.catalog.vocab import RevisionStatus, Status
from hutong.core.clock import utcnow
from hutong.core.errors import Conflict, NotFound
from hutong.core.events import publish
from hutong.identity.authz import Actor, authorize
from hutong.identity.roles import Action, Role

#: Who sees an entry's revisions besides its own unit: those who decide or grade them.
DECIDERS = frozenset({Role.CATALOG_REVIEWER, Role.SECURITY_ADMIN})


def pending(session: Session, resource: Resource) -> ResourceRevision | None:
    return session.scalar(
        select(ResourceRevision).where(
            ResourceRevision.resource_id == resource.id,
            ResourceRevision.status == RevisionStatus.PENDING.value,
        )
    )


def close(
    session: Session, actor: Actor, revision: ResourceRevision, status: RevisionStatus, reason: str
) -> None:
    """End a pending revision (approved, returned or lapsed), audited as a decision."""
    revision.status = status.value
    revision.decided_by = actor.name
    revision.decided_at = utcnow()
    revision.reason = reason
    record(
        session,
        actor,
        f"catalog.revision.{status.value}",
        category=Category.DECISION,
        target=target(revision.resource),
        rows=1,
        details={"revision": revision.number, "reason": reason[:200]},
    )


def file(
    session: Session,
    actor: Actor,
    resource: Resource,
    data: ResourceIn,
    after: Snapshot,
    loosened: list[str],
    note: str,
) -> ResourceRevision:
    """File a loosening change of a published entry for review; nothing of it applies yet."""
    earlier = pending(session, resource)
    if earlier is not None and earlier.proposed_by != actor.name:
        raise Conflict(
            f"该信息资源已有待审核的修订（第 {earlier.number} 号），须待审核结束后再提交放宽保护的修改",
            "the entry already has a revision awaiting review",
            field="status",
        )
    if earlier is not None:
        close(session, actor, earlier, RevisionStatus.LAPSED, "提出人提交了新的修订")
    number = (
        session.scalar(
            select(func.max(ResourceRevision.number)).where(
                ResourceRevision.resource_id == resource.id
            )
        )
        or 0
    ) + 1
    revision = ResourceRevision(
        resource=resource,
        number=number,
        status=RevisionStatus.PENDING.value,
        base_version=resource.version,
        data=data.model_dump(mode="json"),
        snapshot=after,
        loosenings=loosened,
        note=note,
        proposed_by=actor.name,
        proposed_at=utcnow(),
    )
    session.add(revision)
    session.flush()
    record(
        session,
        actor,
        "catalog.revision.file",
        category=Category.INSERT,
        target=target(resource),
        rows=1,
        details={"revision": number, "loosenings": loosened[:20]},
    )
    return revision


def lapse(session: Session, actor: Actor, resource: Resource, reason: str) -> None:
    """The pending revision, if any, can no longer apply as filed."""
    earlier = pending(session, resource)
    if earlier is not None:
        close(session, actor, earlier, RevisionStatus.LAPSED, reason)


def took_effect(session: Session, actor: Actor, resource: Resource) -> None:
    """A new version of a published entry is in force: it reflects the recorded changes
    (M2018 §30), a pending revision judged against the old version lapses, and the event
    tells the exchange, above the catalog, to suspend the grants it no longer allows."""
    close_change_tasks(session, resource)
    lapse(session, actor, resource, f"第 {resource.version} 版已生效，修订须按新版本重新提出")
    publish(session, VersionTookEffect(actor, resource))


def by_number(session: Session, resource: Resource, number: int) -> ResourceRevision:
    revision = session.scalar(
        select(ResourceRevision).where(
            ResourceRevision.resource_id == resource.id, ResourceRevision.number == number
        )
    )
    if revision is None:
        raise NotFound("修订不存在", "unknown revision", field="number")
    return revision


def may_see(actor: Actor, resource: Resource) -> bool:
    """An entry's revisions are seen by its own unit and by those who decide or grade them."""
    return resource.provider_unit_id == actor.unit_id or bool(actor.roles & DECIDERS)


def pending_number(session: Session, actor: Actor, resource: Resource) -> int | None:
    """The number of the entry's pending revision, for those who may see it."""
    found = pending(session, resource) if may_see(actor, resource) else None
    return found.number if found else None


def awaiting_review(session: Session, actor: Actor, resources: list[Resource]) -> list[str]:
    """Codes of these entries whose change waits for review (an import's published entries
    whose imported change loosens protection)."""
    published = [r for r in resources if r.status == Status.PUBLISHED]
    return [r.code for r in published if pending_number(session, actor, r) is not None]


def _visible(session: Session, actor: Actor, code: str) -> Resource:
    resource = read(session, actor, code)
    if not may_see(actor, resource):
        raise NotFound("修订不存在", "unknown revision", field="number")
    return resource


def out(session: Session, revision: ResourceRevision) -> RevisionOut:
    """The revision with its changes against the version it was filed on."""
    base = session.scalar(
        select(ResourceVersion.snapshot).where(
            ResourceVersion.resource_id == revision.resource_id,
            ResourceVersion.version == revision.base_version,
        )
    )
    return RevisionOut(
        number=revision.number,
        status=revision.status,
        base_version=revision.base_version,
        loosenings=revision.loosenings,
        changes=diff(base or {}, revision.snapshot),
        note=revision.note,
        proposed_by=revision.proposed_by,
        proposed_at=revision.proposed_at,
        decided_by=revision.decided_by,
        decided_at=revision.decided_at,
        reason=revision.reason,
    )


def of_entry(session: Session, actor: Actor, code: str) -> list[RevisionOut]:
    """Every revision of an entry, newest first."""
    resource = _visible(session, actor, code)
    rows = session.scalars(
        select(ResourceRevision)
        .where(ResourceRevision.resource_id == resource.id)
        .order_by(ResourceRevision.number.desc())
    ).all()
    record(
        session, actor, "catalog.revision.list", category=Category.QUERY, target=target(resource)
    )
    return [out(session, r) for r in rows]


def one(session: Session, actor: Actor, code: str, number: int) -> RevisionOut:
    resource = _visible(session, actor, code)
    revision = by_number(session, resource, number)
    return out(session, revision)


def queue(session: Session, actor: Actor) -> list[tuple[Resource, RevisionOut]]:
    """Pending revisions, oldest first: every entry's for the deciders, the own unit's for
    everyone else who reads the catalog."""
    authorize(session, actor, Action.CATALOG_READ)
    query = (
        select(ResourceRevision)
        .join(Resource, Resource.id == ResourceRevision.resource_id)
        .where(
            ResourceRevision.status == RevisionStatus.PENDING.value,
            Resource.status == Status.PUBLISHED.value,
        )
        .order_by(ResourceRevision.proposed_at, ResourceRevision.id)
    )
    if not actor.roles & DECIDERS:
        query = query.where(Resource.provider_unit_id == actor.unit_id)
    rows = session.scalars(query.limit(500)).all()
    record(session, actor, "catalog.revision.queue", category=Category.QUERY, rows=len(rows))
    return [(r.resource, out(session, r)) for r in rows]
