"""The review workflow of catalog entries as an explicit state machine (M2018 §28–29).

draft → submitted (data steward) → approved or returned with reasons (catalog reviewer of
发展规划司, never of the entry's own unit) → published (steward) → retired (steward).
Each transition checks, changes, versions and audits; nothing else moves an entry's status.

A revision of a published entry (``revisions.py``) has its own two steps, taken by the same
reviewer: pending → approved (the change takes effect as a new version) or returned with
reasons (M2018 §30; N2021 task 3).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.catalog import revisions
from hutong.catalog.models import Resource, ResourceRevision
from hutong.catalog.schemas import ResourceIn
from hutong.catalog.service import _version, by_code, save, target
from hutong.catalog.vocab import RevisionStatus, Status
from hutong.core.clock import today_local
from hutong.core.errors import Conflict, InvalidInput, NotFound
from hutong.identity.authz import Actor, authorize
from hutong.identity.roles import Action


@dataclass(frozen=True)
class Transition:
    sources: frozenset[Status] | frozenset[RevisionStatus]
    target: Status | RevisionStatus
    action: Action
    needs_reason: bool = False
    label: str = ""


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(
        frozenset({Status.DRAFT, Status.RETURNED}),
        Status.SUBMITTED,
        Action.CATALOG_SUBMIT,
        label="提交审核",
    ),
    "approve": Transition(
        frozenset({Status.SUBMITTED}), Status.APPROVED, Action.CATALOG_REVIEW, label="审核通过"
    ),
    "return": Transition(
        frozenset({Status.SUBMITTED}),
        Status.RETURNED,
        Action.CATALOG_REVIEW,
        needs_reason=True,
        label="退回修改",
    ),
    "publish": Transition(
        frozenset({Status.APPROVED}), Status.PUBLISHED, Action.CATALOG_PUBLISH, label="发布"
    ),
    "retire": Transition(
        frozenset({Status.PUBLISHED}),
        Status.RETIRED,
        Action.CATALOG_RETIRE,
        needs_reason=True,
        label="停用",
    ),
}


REVISION_TRANSITIONS: dict[str, Transition] = {
    "approve": Transition(
        frozenset({RevisionStatus.PENDING}),
        RevisionStatus.APPROVED,
        Action.CATALOG_REVIEW,
        label="审核通过",
    ),
    "return": Transition(
        frozenset({RevisionStatus.PENDING}),
        RevisionStatus.RETURNED,
        Action.CATALOG_REVIEW,
        needs_reason=True,
        label="退回修订",
    ),
}


def available(resource: Resource) -> list[str]:
    """Transition names that the entry's current status allows (the console shows these)."""
    return [name for name, t in TRANSITIONS.items() if Status(resource.status) in t.sources]


def _step(steps: dict[str, Transition], name: str) -> Transition:
    step = steps.get(name)
    if step is None:
        raise NotFound("未知的操作", "unknown transition", field="transition")
    return step


def _checked_reason(
    step: Transition, name: str, current: Status | RevisionStatus, reason: str
) -> str:
    """The step may leave ``current``, and carries the reason it needs."""
    if current not in step.sources:
        raise Conflict(
            f"「{current.zh}」状态不能执行「{step.label}」",
            f"cannot {name} from state {current.value}",
            field="status",
        )
    reason = reason.strip()
    if step.needs_reason and not reason:
        raise InvalidInput(f"{step.label}须说明理由", f"{name} needs a reason", field="reason")
    return reason


def transition(session: Session, actor: Actor, code: str, name: str, reason: str = "") -> Resource:
    step = _step(TRANSITIONS, name)
    resource = by_code(session, code)
    authorize(session, actor, step.action, target(resource))
    current = Status(resource.status)
    reason = _checked_reason(step, name, current, reason)
    resource.status = step.target.value
    if step.target is Status.RETIRED:
        revisions.lapse(session, actor, resource, "信息资源已停用")
    if step.target is Status.PUBLISHED and resource.release_date is None:
        resource.release_date = today_local()
    resource.version += 1
    _version(session, resource, actor, f"{step.label}：{reason}" if reason else step.label)
    record(
        session,
        actor,
        f"catalog.{name}",
        category=Category.DECISION,
        target=target(resource),
        rows=1,
        details={"from": current.value, "to": step.target.value},
    )
    return resource


def decide_revision(
    session: Session, actor: Actor, code: str, number: int, name: str, reason: str = ""
) -> ResourceRevision:
    """Approve a pending revision (it takes effect as the entry's next version) or return it
    with reasons (the version in force stays)."""
    step = _step(REVISION_TRANSITIONS, name)
    resource = by_code(session, code)
    authorize(session, actor, step.action, target(resource))
    revision = revisions.by_number(session, resource, number)
    reason = _checked_reason(step, name, RevisionStatus(revision.status), reason)
    revisions.close(session, actor, revision, RevisionStatus(step.target), reason)
    if step.target is RevisionStatus.APPROVED:
        approval = f"修订第 {number} 号由 {revision.proposed_by} 提出，审核通过"
        note = f"{revision.note}（{approval}{'：' + reason if reason else ''}）"
        data = ResourceIn.model_validate(revision.data)
        save(session, actor, resource, data, note, "catalog.revision.apply", reviewed=True)
    return revision
