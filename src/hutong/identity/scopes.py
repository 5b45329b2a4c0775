"""Whose sealed and personal records an actor may read: the unit tree decides (issue 12).

A sealed or personal record belongs to units: a complaint and a system's consents to the
system's 主管单位 (the unit in charge of the system runs its data, N2021 task 2), a disclosure
request to the office it was addressed to, a research extract and a share application with
its document scans to the unit that asked and the unit that provides. The matrix
(``roles.py``) says which roles may take an action at all; this module says on which units'
records:

* the unit's own staff holding one of the action's roles, and
* a *supervising* role of the action (the security roles unless the caller says otherwise)
  held at the unit or at a unit above it in the tree (its ancestors).

An office of the Ministry (a 部机关司局 directly under the Ministry) stands at the Ministry:
the Ministry acts through its offices, so the Ministry's own records are theirs, and the
Ministry's security office supervises every unit.

A single read outside the actor's reach is answered like a record that does not exist (404:
existence does not leak) and audited as denied; a list leaves such records out. A role that
can never take the action still gets 403: that says nothing about any record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from hutong.core.errors import HutongError
from hutong.identity.authz import Actor, Target, denial, holds, refusal
from hutong.identity.models import Unit, UnitKind
from hutong.identity.roles import MATRIX, Action, Role

#: 安全保密管理员 and the 网信办's security reviewer watch over the units below them.
SECURITY_ROLES = frozenset({Role.SECURITY_ADMIN, Role.SECURITY_REVIEWER})

#: A unit's records an action reads: (action, the record's units).
Claim = tuple[Action, Iterable[int | None]]


@dataclass(frozen=True)
class Reach:
    """The units whose records an actor reads with one action."""

    own: frozenset[int] = frozenset()
    #: the root of the subtree the actor supervises, if any
    supervised: int | None = None
    everything: bool = False


NOWHERE = Reach()


def is_ministry(unit: Unit) -> bool:
    """The Ministry: the root of the tree, a ministry-department unit (教育部)."""
    return unit.parent_id is None and unit.kind == UnitKind.MINISTRY_DEPARTMENT


def seat(session: Session, unit_id: int) -> Unit:
    """The unit an actor stands at: its own, or the Ministry for one of its offices."""
    unit = session.get(Unit, unit_id)
    parent = unit.parent
    if unit.kind == UnitKind.MINISTRY_DEPARTMENT and parent is not None and is_ministry(parent):
        return parent
    return unit


def platform_unit_id(session: Session) -> int | None:
    """The root of the unit tree: the platform's operator, answerable for what belongs to no
    other unit (a complaint naming no system, a disclosure request naming no office)."""
    return session.scalar(select(Unit.id).where(Unit.parent_id.is_(None)).order_by(Unit.id))


def reach(
    session: Session, actor: Actor, action: Action, supervisors: frozenset[Role] = SECURITY_ROLES
) -> Reach:
    """Where the actor's records for ``action`` come from: nowhere without the role; its own
    unit (and seat); the seat's subtree for a supervising role (the whole tree from the
    Ministry); everything for Hutong's own jobs."""
    if not holds(actor, action):
        return NOWHERE
    if actor.is_system or actor.is_public:
        return Reach(everything=True)
    if actor.unit_id is None:
        return NOWHERE
    home = seat(session, actor.unit_id)
    own = frozenset({actor.unit_id, home.id})
    if not actor.roles & MATRIX[action].roles & supervisors:
        return Reach(own)
    return Reach(own, home.id, everything=is_ministry(home))


def lineage(session: Session, unit_id: int) -> set[int]:
    """A unit and its ancestors."""
    found: set[int] = set()
    unit = session.get(Unit, unit_id)
    while unit is not None and unit.id not in found:
        found.add(unit.id)
        unit = unit.parent
    return found


def reaches(
    session: Session,
    actor: Actor,
    action: Action,
    units: Iterable[int | None],
    supervisors: frozenset[Role] = SECURITY_ROLES,
) -> bool:
    """Whether ``actor`` reads with ``action`` a record belonging to ``units``."""
    scope = reach(session, actor, action, supervisors)
    if scope.everything:
        return True
    wanted = {u for u in units if u is not None}
    if wanted & scope.own:
        return True
    return scope.supervised is not None and any(
        scope.supervised in lineage(session, u) for u in wanted
    )


def where(
    session: Session,
    actor: Actor,
    action: Action,
    *columns: ColumnElement[int],
    supervisors: frozenset[Role] = SECURITY_ROLES,
) -> ColumnElement[bool]:
    """The SQL condition that keeps a list to the records whose unit (any of ``columns``)
    the actor reaches; the supervised subtree is one recursive query, on SQLite and
    PostgreSQL alike."""
    scope = reach(session, actor, action, supervisors)
    if scope.everything:
        return true()
    if not scope.own:
        return false()
    if scope.supervised is None:
        return or_(*(column.in_(sorted(scope.own)) for column in columns))
    tree = select(Unit.id).where(Unit.id == scope.supervised).cte(recursive=True)
    tree = tree.union(select(Unit.id).where(Unit.parent_id == tree.c.id))
    return or_(*(column.in_(select(tree.c.id)) for column in columns))


def guard(
    session: Session,
    actor: Actor,
    target: Target,
    missing: HutongError,
    *claims: Claim,
    supervisors: frozenset[Role] = SECURITY_ROLES,
) -> None:
    """Let one read through, or refuse it: 403 when the actor's roles can take none of the
    claims' actions, else ``missing`` (what an unknown record answers) unless a claim's
    units are within reach; each refusal is audited as denied."""
    first = claims[0][0]
    if not any(holds(actor, action) for action, _ in claims):
        raise denial(actor, first, target)
    if any(reaches(session, actor, action, units, supervisors) for action, units in claims):
        return
    raise refusal(missing, actor, first.value, target, refused="outside-unit-scope")
