"""``authorize()``: the one door every operation passes (DESIGN rule 1), deny by default."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from hutong.audit.service import Outcome, record
from hutong.core.actors import NO_TARGET, Actor, Target, public_actor, system_actor
from hutong.core.errors import HutongError, PermissionDenied
from hutong.identity.roles import MATRIX, Action, Scope

#: The value types live in ``core/actors.py`` (decision 0017); whoever authorizes imports
#: them from here, beside ``authorize()``.
__all__ = [
    "NO_TARGET",
    "Actor",
    "Target",
    "authorize",
    "denial",
    "holds",
    "is_allowed",
    "public_actor",
    "refusal",
    "system_actor",
]


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
        record(follow_up, actor, event, target=target, outcome=Outcome.DENIED, details=details)

    error.after_rollback.append(_audit_denial)
    return error


def denial(actor: Actor, action: Action, target: Target = NO_TARGET) -> PermissionDenied:
    """The audited 403 of an action the actor may not take. The messages, which pages show,
    name no permission id; API clients read it from the problem's ``action`` member."""
    error = PermissionDenied(
        "您的角色无权执行此操作", "your roles do not permit this", action=action.value
    )
    return refusal(error, actor, action.value, target)


def authorize(session: Session, actor: Actor, action: Action, target: Target = NO_TARGET) -> None:
    """Raise PermissionDenied unless allowed; a denial is audited after the rollback."""
    if not is_allowed(actor, action, target):
        raise denial(actor, action, target)
