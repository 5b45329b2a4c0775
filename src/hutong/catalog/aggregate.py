"""Unit catalogs roll up into the ministry catalog (M2018 §29): trees with counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.catalog.models import Classification, Resource
from hutong.catalog.vocab import Status
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.models import Unit
from hutong.identity.roles import Action


@dataclass
class Node:
    id: int
    code: str
    name: str
    own: int = 0  # entries attached to this node itself
    total: int = 0  # own plus all descendants
    children: list[Node] = field(default_factory=list)


def _roll_up(nodes: dict[int, Node], parents: dict[int, int | None]) -> list[Node]:
    roots = []
    for node_id, node in nodes.items():
        parent = parents[node_id]
        (nodes[parent].children if parent in nodes else roots).append(node)

    def total(node: Node) -> int:
        node.total = node.own + sum(total(c) for c in node.children)
        node.children.sort(key=lambda c: (-c.total, c.code))
        return node.total

    for root in roots:
        total(root)
    return sorted(roots, key=lambda n: (-n.total, n.code))


def tree(
    session: Session,
    actor: Actor,
    by: str,
    statuses: tuple[str, ...] = (Status.PUBLISHED.value,),
    prune: bool = True,
) -> list[Node]:
    """The catalog as a tree by unit or by classification, counting entries in ``statuses``."""
    authorize(session, actor, Action.CATALOG_READ)
    if by == "unit":
        key, rows = (
            Resource.provider_unit_id,
            session.execute(select(Unit.id, Unit.code, Unit.name, Unit.parent_id)),
        )
    else:
        key = Resource.classification_id
        rows = session.execute(
            select(
                Classification.id,
                Classification.code,
                Classification.name,
                Classification.parent_id,
            )
        )
    counts = dict(
        session.execute(
            select(key, func.count()).where(Resource.status.in_(statuses)).group_by(key)
        ).all()
    )
    nodes, parents = {}, {}
    for node_id, code, name, parent_id in rows:
        nodes[node_id] = Node(node_id, code, name, own=counts.get(node_id, 0))
        parents[node_id] = parent_id
    roots = _roll_up(nodes, parents)
    record(
        session,
        actor,
        "catalog.tree",
        category=Category.QUERY,
        target=Target("catalog"),
        rows=sum(counts.values()),
        details={"by": by},
    )
    return [_pruned(r) for r in roots if r.total] if prune else roots


def _pruned(node: Node) -> Node:
    node.children = [_pruned(c) for c in node.children if c.total]
    return node
