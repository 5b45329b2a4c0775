"""The consumer's side (M2018 §22–23): external-provision requests — a consumer that wants
to hand shared data to others or publish it asks the provider in writing, and the provider
approves or refuses in writing — and correction reports against a resource (row keys, item,
description) that the provider must answer; open reports show on the resource page."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.catalog.service import by_code
from hutong.catalog.service import target as resource_target
from hutong.core import clock, refs
from hutong.core.errors import Conflict, InvalidInput, NotFound
from hutong.exchange import grants
from hutong.exchange.models import Correction, ExternalProvision
from hutong.exchange.notify import notify, users_with
from hutong.exchange.refusals import audited_refusal
from hutong.exchange.schemas import AnswerIn, CorrectionIn, ProvisionIn
from hutong.exchange.vocab import RequestStatus
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.roles import Action, Role


def provision_target(row: ExternalProvision) -> Target:
    return Target("external_provision", str(row.id), row.provider_unit_id, row.applicant_unit_id)


def request_provision(session: Session, actor: Actor, data: ProvisionIn) -> ExternalProvision:
    authorize(session, actor, Action.SHARE_APPLY)
    with audited_refusal(actor, "share.external_request", grant=data.grant[:32]):
        grant = grants.by_code(session, data.grant)
        if not grants.may_use(actor, grant):
            raise NotFound("共享授权不存在", "unknown grant", field="grant")
    row = ExternalProvision(
        grant_id=grant.id,
        applicant_unit_id=grant.consumer_unit_id,
        provider_unit_id=grant.provider_unit_id,
        recipient=data.recipient.strip(),
        purpose=data.purpose.strip(),
        scope=data.scope.strip(),
        status=RequestStatus.OPEN.value,
        filed_by=actor.name,
        filed_at=clock.utcnow(),
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        "share.external_request",
        category=Category.INSERT,
        target=provision_target(row),
        rows=1,
        details={"grant": grant.code},
    )
    notify(
        session,
        users_with(session, [Role.DATA_STEWARD], row.provider_unit_id),
        "share.external_request",
        f"{grant.consumer_unit.name} 申请对外提供「{grant.resource.name}」的共享数据",
        refs.grant(grant.code),
    )
    return row


def answer_provision(
    session: Session, actor: Actor, provision_id: int, data: AnswerIn
) -> ExternalProvision:
    """The provider's written answer (M2018 §22: only with its consent)."""
    row = session.get(ExternalProvision, provision_id)
    if row is None:
        raise NotFound("对外提供申请不存在", "unknown external-provision request", field="id")
    authorize(session, actor, Action.SHARE_DECIDE, provision_target(row))
    with audited_refusal(actor, "share.external_answer", provision_target(row)):
        if row.status != RequestStatus.OPEN:
            raise Conflict("该申请已答复", "already answered", field="status")
        if data.approve is None:
            raise InvalidInput("须选择同意或不同意", "approve or refuse", field="approve")
    row.status = (RequestStatus.APPROVED if data.approve else RequestStatus.REFUSED).value
    row.answer, row.answered_by, row.answered_at = data.answer.strip(), actor.name, clock.utcnow()
    record(
        session,
        actor,
        "share.external_answer",
        category=Category.DECISION,
        target=provision_target(row),
        rows=1,
        details={"status": row.status},
    )
    notify(
        session,
        users_with(session, [Role.DATA_CONSUMER], row.applicant_unit_id),
        "share.external_answer",
        f"对外提供申请（{row.recipient}）{'已同意' if data.approve else '未获同意'}：{row.answer}",
        refs.grant(row.grant.code),
    )
    return row


def provisions(session: Session, actor: Actor) -> list[ExternalProvision]:
    authorize(session, actor, Action.SHARE_READ)
    rows = list(
        session.scalars(
            select(ExternalProvision)
            .where(
                or_(
                    ExternalProvision.applicant_unit_id == actor.unit_id,
                    ExternalProvision.provider_unit_id == actor.unit_id,
                )
            )
            .order_by(ExternalProvision.id.desc())
            .limit(500)
        )
    )
    record(session, actor, "share.external_list", category=Category.QUERY, rows=len(rows))
    return rows


def correction_target(row: Correction) -> Target:
    return Target("correction", str(row.id), row.provider_unit_id, row.reporter_unit_id)


def report_correction(session: Session, actor: Actor, code: str, data: CorrectionIn) -> Correction:
    """M2018 §23: a consumer (or another steward) reports an error in a resource's data."""
    authorize(session, actor, Action.FEEDBACK_FILE)
    resource = by_code(session, code)
    with audited_refusal(actor, "feedback.correction", resource_target(resource)):
        if data.item not in grants.items_of(resource):
            raise InvalidInput(
                f"信息项 {data.item[:64]} 不属于该信息资源",
                f"the item {data.item[:64]} is not in the entry",
                field="item",
            )
    row = Correction(
        resource_id=resource.id,
        reporter_unit_id=actor.unit_id,
        provider_unit_id=resource.provider_unit_id,
        row_keys=[k.strip() for k in data.row_keys],
        item=data.item,
        description=data.description.strip(),
        status=RequestStatus.OPEN.value,
        filed_by=actor.name,
        filed_at=clock.utcnow(),
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        "feedback.correction",
        category=Category.INSERT,
        target=resource_target(resource),
        rows=1,
        details={"item": data.item, "id": row.id},
    )
    notify(
        session,
        users_with(session, [Role.DATA_STEWARD], resource.provider_unit_id),
        "feedback.correction",
        f"「{resource.name}」收到数据纠错反馈（信息项 {data.item}），请核校答复",
        refs.corrections(resource.code),
    )
    return row


def answer_correction(
    session: Session, actor: Actor, correction_id: int, data: AnswerIn
) -> Correction:
    row = session.get(Correction, correction_id)
    if row is None:
        raise NotFound("纠错反馈不存在", "unknown correction report", field="id")
    authorize(
        session,
        actor,
        Action.FEEDBACK_ANSWER,
        Target("correction", str(row.id), row.provider_unit_id),
    )
    with audited_refusal(actor, "feedback.answer", correction_target(row)):
        if row.status != RequestStatus.OPEN:
            raise Conflict("该反馈已答复", "already answered", field="status")
    row.status = RequestStatus.ANSWERED.value
    row.answer, row.answered_by, row.answered_at = data.answer.strip(), actor.name, clock.utcnow()
    record(
        session,
        actor,
        "feedback.answer",
        category=Category.DECISION,
        target=correction_target(row),
        rows=1,
    )
    notify(
        session,
        users_with(session, [Role.DATA_CONSUMER, Role.DATA_STEWARD], row.reporter_unit_id),
        "feedback.answer",
        f"「{row.resource.name}」的纠错反馈已答复：{row.answer}",
        refs.corrections(row.resource.code),
    )
    return row


def corrections(
    session: Session, actor: Actor, code: str | None = None, open_only: bool = False
) -> list[Correction]:
    """Reports on one resource (everyone who may read the catalog sees them), or those the
    actor's unit filed or must answer."""
    authorize(session, actor, Action.CATALOG_READ)
    query = select(Correction).order_by(Correction.id.desc())
    if code is not None:
        query = query.where(Correction.resource_id == by_code(session, code).id)
    else:
        query = query.where(
            or_(
                Correction.reporter_unit_id == actor.unit_id,
                Correction.provider_unit_id == actor.unit_id,
            )
        )
    if open_only:
        query = query.where(Correction.status == RequestStatus.OPEN.value)
    rows = list(session.scalars(query.limit(500)))
    record(session, actor, "feedback.list", category=Category.QUERY, rows=len(rows))
    return rows


def open_count(session: Session, resource_id: int) -> int:
    """Correction reports on a resource still awaiting the provider's answer (M2018 §23):
    shown beside the quality score, which measures the data's own checks only."""
    return int(
        session.scalar(
            select(func.count(Correction.id)).where(
                Correction.resource_id == resource_id,
                Correction.status == RequestStatus.OPEN.value,
            )
        )
        or 0
    )
