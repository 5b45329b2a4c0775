"""``authorize()``: the one door every operation passes (DESIGN rule 1), deny by default."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy.orm import Session

from hutong.core.errors import HutongError, PermissionDenied
from hutong.identity.roles import MATRIX, Action, Role, Scope


@dataclass(frozen=True)
class Actor:
    """Who is acting: a person, a unit's system (API client) or Hutong itself (``system``)."""

    kind: str  # "user" | "client" | "system"
    id: str
    name: str
    unit_id: int | None
    unit_code: str | None
    roles: frozenset[Role] = frozenset()
    #: Actions a bearer token is limited to; None means the roles decide alone.
    scopes: frozenset[str] | None = None
    client_address: str | None = None
    request_id: str | None = None

    @property
    def is_system(self) -> bool:
        return self.kind == "system"

    @property
    def is_public(self) -> bool:
        return self.kind == "public"


def public_actor(client_address: str | None = None, request_id: str | None = None) -> Actor:
    """A member of the public on the open portal: no account, audited by client address."""
    return Actor(
        kind="public",
        id="anonymous",
        name="anonymous",
        unit_id=None,
        unit_code=None,
        client_address=client_address,
        request_id=request_id,
    )


def system_actor(purpose: str = "maintenance") -> Actor:
    """Hutong's own jobs (init, retention purge, checkpoints), run from the host's CLI."""
    return Actor(kind="system", id="system", name=f"system:{purpose}", unit_id=None, unit_code=None)


@dataclass(frozen=True)
class Target:
    """What an action touches; ``unit_id`` is the owning unit used by scope checks."""

    type: str
    id: str | None = None
    unit_id: int | None = None
    #: unit that made the request being decided (share application, catalog submission)
    requester_unit_id: int | None = None
    extra: dict[str, str] = field(default_factory=dict)


NO_TARGET = Target(type="none")
E = TypeVar("E", bound=HutongError)


def holds(actor: Actor, action: Action) -> bool:
    """Whether the actor may ever take ``action``, whatever its target: the matrix row's
    roles (or its system or public flag) and the token's scopes."""
    rule = MATRIX.get(action)
    if rule is None:
        return False
    if actor.is_system:
        return rule.system
    if actor.is_public:
        return rule.public
    if actor.scopes is not None and action.value not in actor.scopes:
        return False
    return bool(actor.roles & rule.roles)


def is_allowed(actor: Actor, action: Action, target: Target = NO_TARGET) -> bool:
    """Pure check against the matrix and the target's scope."""
    if not holds(actor, action):
        return False
    rule = MATRIX[action]
    if actor.is_system or actor.is_public:
        return True
    if rule.scope is Scope.OWN_UNIT:
        return target.unit_id is not None and target.unit_id == actor.unit_id
    if rule.scope is Scope.PROVIDER:
        return (
            target.unit_id is not None
            and target.unit_id == actor.unit_id
            and target.requester_unit_id is not None
            and target.requester_unit_id != actor.unit_id
        )
    if rule.scope is Scope.OTHER_UNIT:
        deciding_on = target.requester_unit_id if target.requester_unit_id else target.unit_id
        return deciding_on is not None and deciding_on != actor.unit_id
    return True


def refusal(error: E, actor: Actor, event: str, target: Target = NO_TARGET, **details: object) -> E:
    """Attach to ``error`` the denied audit event that must outlive the refusal: it is written
    after the rollback (or, for a refusal raised outside a transaction, by the web layer's
    error handler). ``details`` name the rule, never a value someone typed."""

    def _audit_denial(follow_up: Session) -> None:
        from hutong.audit.service import Outcome, record

        record(follow_up, actor, event, target=target, outcome=Outcome.DENIED, details=details)

    error.after_rollback.append(_audit_denial)
    return error


def denial(actor: Actor, action: Action, target: Target = NO_TARGET) -> PermissionDenied:
    """The audited 403 of an action the actor may not take."""
    error = PermissionDenied(
        "您的角色无权执行此操作",
        f"not permitted: {action.value}",
        action=action.value,
    )
    return refusal(error, actor, action.value, target)


def authorize(session: Session, actor: Actor, action: Action, target: Target = NO_TARGET) -> None:
    """Raise PermissionDenied unless allowed; a denial is audited after the rollback."""
    if not is_allowed(actor, action, target):
        raise denial(actor, action, target)
