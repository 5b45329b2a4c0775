"""One catalog entry found by its code, who may see it, and the target it is for ``authorize()``.

Every catalog operation starts here, so these lookups sit below ``service.py``, ``revisions.py``,
``tasks.py`` and ``bulk.py``, which build on each other (``service`` re-exports them for the
layers above)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.catalog.models import Resource
from hutong.catalog.schemas import ResourceIn
from hutong.catalog.vocab import Status
from hutong.core.errors import NotFound
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.roles import Action, Role


def target(resource: Resource) -> Target:
    return Target("resource", resource.code, resource.provider_unit_id)


def by_code(session: Session, code: str) -> Resource:
    resource = session.scalar(select(Resource).where(Resource.code == code))
    if resource is None:
        raise NotFound("信息资源不存在", "unknown resource", field="code")
    return resource


def search_text(data: ResourceIn, unit_name: str) -> str:
    """What full-text search matches: names, summary, item names and descriptions."""
    parts = [data.name, data.summary, unit_name, *(f"{i.name} {i.description}" for i in data.items)]
    return " ".join(parts)


def visible(actor: Actor, resource: Resource) -> bool:
    """Drafts and entries under review are seen by their own unit and the reviewers only."""
    return (
        resource.status in (Status.PUBLISHED, Status.RETIRED)
        or resource.provider_unit_id == actor.unit_id
        or Role.CATALOG_REVIEWER in actor.roles
    )


def read(session: Session, actor: Actor, code: str) -> Resource:
    resource = by_code(session, code)
    authorize(session, actor, Action.CATALOG_READ, target(resource))
    if not visible(actor, resource):
        raise NotFound("信息资源不存在", "unknown resource", field="code")
    record(session, actor, "catalog.read", category=Category.QUERY, target=target(resource), rows=1)
    return resource
