"""Share applications as an explicit state machine (M2018 §20–21, N2021 tasks 7, 9, 10).

    submitted ──request_info──▶ info_requested ──supplement──▶ submitted
    submitted ──approve──▶ security_review | awaiting_documents | granted
    submitted ──refuse (reason)──▶ refused
    security_review ──security_approve──▶ awaiting_documents | granted
    security_review ──security_refuse (reason)──▶ refused
    awaiting_documents ──(last gate document recorded)──▶ granted
    any open state ──withdraw──▶ withdrawn

``submit`` opens an application: 无条件共享 is granted at once (still recorded and
audited), 有条件共享 starts the provider's 10-working-day clock, 不予共享 is refused with
its legal basis. Each transition is a small function that checks and changes; the one
``transition`` runner authorizes (the applicant's own unit can never decide), records the
step, audits and notifies. Nothing else moves an application's status.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.catalog.models import Item, Resource
from hutong.catalog.service import by_code
from hutong.catalog.vocab import Mask, PiCategory, ShareType, Status
from hutong.core import clock, refs
from hutong.core.calendar import WorkingCalendar
from hutong.core.errors import Conflict, InvalidInput, NotFound
from hutong.core.refs import Ref
from hutong.exchange import basis, deadlines, gates, grants
from hutong.exchange.errors import GateOpen, NotShareable
from hutong.exchange.models import Application, Step
from hutong.exchange.notify import notify, overseers, users_of, users_with
from hutong.exchange.refusals import audited_refusal
from hutong.exchange.schemas import ApplicationIn, ApprovalIn, GrantedItemIn
from hutong.exchange.vocab import OPEN_STATES, AppStatus
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.roles import Action, Role
from hutong.policy.grant import AccessMode

MAX_PERIOD = timedelta(days=3 * 366)  # 最短周期: a grant is renewed, not kept for ever
UNCONDITIONAL_PERIOD = timedelta(days=365)
DEFAULT_MAX_ROWS = 100_000
DEFAULT_RATE = 60


# --- targets: who is on which side of an application ----------------------------------------


def provider_side(application: Application) -> Target:
    return Target(
        "share_application",
        str(application.id),
        application.provider_unit_id,
        application.applicant_unit_id,
    )


def applicant_side(application: Application) -> Target:
    return Target("share_application", str(application.id), application.applicant_unit_id)


def reviewer_side(application: Application) -> Target:
    return Target(
        "share_application",
        str(application.id),
        application.provider_unit_id,
        application.applicant_unit_id,
    )


def parties(application: Application) -> tuple[int, int]:
    return application.applicant_unit_id, application.provider_unit_id


def subject(application: Application) -> Ref:
    return refs.share_application(application.id)


# --- submission --------------------------------------------------------------------------------


def _sensitive(item: Item) -> bool:
    return item.sensitive or item.pi_category != PiCategory.NONE


def _check_items(resource: Resource, data: ApplicationIn) -> None:
    """Items of the entry only, each once; everything only with a reason per sensitive or
    personal item (least necessary, N2021 task 6)."""
    entry = grants.items_of(resource)
    if len(set(data.items)) != len(data.items):
        raise InvalidInput("信息项重复", "an item is listed twice", field="items")
    unknown = [name for name in data.items if name not in entry]
    if unknown:
        raise InvalidInput(
            f"信息项 {unknown[0][:64]} 不属于该信息资源",
            f"the item {unknown[0][:64]} is not in the entry",
            field="items",
        )
    stray = [name for name in data.item_reasons if name not in data.items]
    if stray:
        raise InvalidInput(
            "理由只能针对申请的信息项", "reasons are for requested items", field="item_reasons"
        )
    if set(data.items) == set(entry):
        unexplained = [
            name
            for name, item in entry.items()
            if _sensitive(item) and not data.item_reasons.get(name, "").strip()
        ]
        if unexplained:
            raise InvalidInput(
                f"申请全部信息项时须逐项说明敏感信息项的理由（最小必要）：{unexplained[0]}",
                f"asking for every item needs a reason for each sensitive item: {unexplained[0]}",
                field="item_reasons",
            )
    for condition in data.row_filter:
        if condition.item not in entry:
            raise InvalidInput(
                f"行范围条件的信息项 {condition.item[:64]} 不属于该信息资源",
                f"the row condition's item {condition.item[:64]} is not in the entry",
                field="row_filter",
            )


def _period(data: ApplicationIn, today: date, default: timedelta) -> tuple[date, date]:
    start = data.period_from or today
    end = data.period_until or start + default
    if start < today:
        raise InvalidInput(
            "使用期限不能早于今天", "the period cannot start in the past", field="period_from"
        )
    if end < start:
        raise InvalidInput(
            "使用期限的结束早于开始", "the period ends before it starts", field="period_until"
        )
    if end - start > MAX_PERIOD:
        raise InvalidInput(
            "使用期限最长三年", "the period is at most three years", field="period_until"
        )
    return start, end


def _decision(
    application: Application,
    items: list[dict],
    extra_filter: list[dict],
    until: date,
    access_mode: str,
    rows_per_day: int | None,
    max_rows: int,
    rate: int | None,
) -> dict:
    valid_from, valid_until = grants.validity(application.period_from, until)
    return {
        "items": items,
        "row_filter": [*application.row_filter, *extra_filter],
        "valid_from": valid_from.isoformat(),
        "valid_until": valid_until.isoformat(),
        "access_mode": access_mode,
        "rows_per_day": rows_per_day,
        "max_rows_per_query": max_rows,
        "requests_per_minute": rate,
    }


def submit(session: Session, actor: Actor, data: ApplicationIn) -> Application:
    """Open an application for a published entry of another unit."""
    authorize(session, actor, Action.SHARE_APPLY)
    with audited_refusal(actor, "share.apply", resource=data.resource_code) as extra:
        resource = by_code(session, data.resource_code)
        extra["target"] = Target("resource", resource.code, resource.provider_unit_id)
        if resource.status != Status.PUBLISHED:
            raise Conflict(
                "只能申请已发布的信息资源",
                "only published entries can be applied for",
                field="resource_code",
            )
        if resource.share_type == ShareType.NOT_SHARED:
            raise NotShareable(resource.share_legal_basis)
        if resource.provider_unit_id == actor.unit_id:
            raise Conflict(
                "本单位的信息资源无需申请共享",
                "your own unit's entry needs no application",
                field="resource_code",
            )
        _check_items(resource, data)
        now = clock.utcnow()
        unconditional = resource.share_type == ShareType.UNCONDITIONAL
        start, end = _period(
            data,
            clock.today_local(),
            UNCONDITIONAL_PERIOD if unconditional else timedelta(days=365),
        )
        application = Application(
            resource=resource,
            applicant_unit_id=actor.unit_id,
            provider_unit_id=resource.provider_unit_id,
            applicant_name=actor.name,
            status=AppStatus.SUBMITTED.value,
            purpose=data.purpose.strip(),
            purpose_category=data.purpose_category.value,
            items=list(data.items),
            item_reasons={k: v.strip() for k, v in data.item_reasons.items()},
            row_filter=[c.model_dump() for c in data.row_filter],
            period_from=start,
            period_until=end,
            access_mode=data.access_mode.value,
            security_measures=data.security_measures.strip(),
            rows_per_day=data.rows_per_day,
            submitted_at=now,
            updated_at=now,
        )
        deadlines.start(application, WorkingCalendar.from_session(session), now)
        session.add(application)
        session.flush()
    record(
        session,
        actor,
        "share.apply",
        category=Category.INSERT,
        target=provider_side(application),
        rows=1,
        purpose=application.purpose[:256],
        details={
            "resource": resource.code,
            "items": application.items,
            "share_type": resource.share_type,
        },
    )
    _step(session, actor, application, "submit", AppStatus.SUBMITTED, AppStatus.SUBMITTED, "")
    if unconditional:
        # M2018 §20, §33: unconditional data is taken directly; the grant is still recorded.
        chosen = [GrantedItemIn(name=n) for n in application.items]
        application.decision = _decision(
            application,
            grants.granted_items(resource, chosen),
            [],
            end,
            application.access_mode,
            application.rows_per_day,
            DEFAULT_MAX_ROWS,
            DEFAULT_RATE,
        )
        deadlines.stop(application, now)
        _enter(session, actor, application, "grant", AppStatus.GRANTED, "无条件共享，直接获取")
    else:
        stewards = users_with(session, [Role.DATA_STEWARD], application.provider_unit_id)
        notify(
            session,
            stewards,
            "share.submitted",
            f"{application.applicant_unit.name} 申请共享「{resource.name}」，请于 "
            f"{application.due_date} 前答复",
            subject(application),
        )
    return application


# --- transitions -------------------------------------------------------------------------------


@dataclass
class Context:
    session: Session
    actor: Actor
    application: Application
    reason: str
    approval: ApprovalIn | None
    now: datetime
    calendar: WorkingCalendar = field(init=False)

    def __post_init__(self) -> None:
        self.calendar = WorkingCalendar.from_session(self.session)


def _after_security(application: Application) -> AppStatus:
    return (
        AppStatus.AWAITING_DOCUMENTS if gates.missing_documents(application) else AppStatus.GRANTED
    )


def _after_provider(application: Application) -> AppStatus:
    if gates.gates(application.resource, application.require_agreement).security_review:
        return AppStatus.SECURITY_REVIEW
    return _after_security(application)


def _request_info(ctx: Context) -> AppStatus:
    deadlines.pause(ctx.application, ctx.now)
    return AppStatus.INFO_REQUESTED


def _supplement(ctx: Context) -> AppStatus:
    deadlines.resume(ctx.application, ctx.calendar, ctx.now)
    return AppStatus.SUBMITTED


def _approve(ctx: Context) -> AppStatus:
    """Approve as asked, or narrower: fewer items or masks, more row conditions, an
    earlier end, online only, lower limits; never wider than the application."""
    application, approval = ctx.application, ctx.approval or ApprovalIn()
    chosen = (
        approval.items
        if approval.items is not None
        else [GrantedItemIn(name=n) for n in application.items]
    )
    wider = [c.name for c in chosen if c.name not in application.items]
    if wider:
        raise InvalidInput(
            f"批准的信息项 {wider[0][:64]} 不在申请范围内",
            f"the approved item {wider[0][:64]} was not applied for",
            field="approval.items",
        )
    entry = grants.items_of(application.resource)
    if any(c.item not in entry for c in approval.row_filter):
        raise InvalidInput(
            "行范围条件的信息项不属于该信息资源",
            "a row condition names an item outside the entry",
            field="approval.row_filter",
        )
    until = approval.period_until or application.period_until
    if until > application.period_until or until < application.period_from:
        raise InvalidInput(
            "批准的期限须在申请的期限之内",
            "the approved period must lie within the one applied for",
            field="approval.period_until",
        )
    online = approval.online_only or application.access_mode == AccessMode.ONLINE_ONLY
    limits = [n for n in (application.rows_per_day, approval.rows_per_day) if n]
    application.require_agreement = approval.require_agreement
    application.decision = _decision(
        application,
        grants.granted_items(application.resource, chosen, "approval.items"),
        [c.model_dump() for c in approval.row_filter],
        until,
        (AccessMode.ONLINE_ONLY if online else AccessMode.FILE_DELIVERY).value,
        min(limits) if limits else None,
        approval.max_rows_per_query,
        approval.requests_per_minute,
    )
    users, clients = basis.recipients(
        ctx.session, application.applicant_unit_id, approval.users, approval.clients
    )
    consent = approval.consent and basis.consent_basis(
        ctx.session, application.resource, approval.consent
    )
    application.decision = {
        **application.decision,
        "users": users,
        "clients": clients,
        **({"consent": consent} if consent else {}),
    }
    deadlines.stop(application, ctx.now)
    return _after_provider(application)


def _refuse(ctx: Context) -> AppStatus:
    """M2018 §20: a refusal states its reason."""
    ctx.application.refusal_reason = ctx.reason
    deadlines.stop(ctx.application, ctx.now)
    return AppStatus.REFUSED


def _security_approve(ctx: Context) -> AppStatus:
    return _after_security(ctx.application)


def _withdraw(ctx: Context) -> AppStatus:
    ctx.application.due_date = None
    ctx.application.paused_at = None
    return AppStatus.WITHDRAWN


Side = Callable[[Application], Target]


@dataclass(frozen=True)
class Transition:
    sources: frozenset[AppStatus]
    action: Action
    side: Side
    run: Callable[[Context], AppStatus]
    needs_reason: bool = False
    label: str = ""


S = AppStatus
TRANSITIONS: dict[str, Transition] = {
    "request_info": Transition(
        frozenset({S.SUBMITTED}),
        Action.SHARE_DECIDE,
        provider_side,
        _request_info,
        needs_reason=True,
        label="要求补充材料",
    ),
    "supplement": Transition(
        frozenset({S.INFO_REQUESTED}),
        Action.SHARE_SUPPLEMENT,
        applicant_side,
        _supplement,
        needs_reason=True,
        label="补充材料",
    ),
    "approve": Transition(
        frozenset({S.SUBMITTED}), Action.SHARE_DECIDE, provider_side, _approve, label="同意共享"
    ),
    "refuse": Transition(
        frozenset({S.SUBMITTED}),
        Action.SHARE_DECIDE,
        provider_side,
        _refuse,
        needs_reason=True,
        label="不予共享",
    ),
    "security_approve": Transition(
        frozenset({S.SECURITY_REVIEW}),
        Action.SHARE_SECURITY_REVIEW,
        reviewer_side,
        _security_approve,
        label="安全审核通过",
    ),
    "security_refuse": Transition(
        frozenset({S.SECURITY_REVIEW}),
        Action.SHARE_SECURITY_REVIEW,
        reviewer_side,
        _refuse,
        needs_reason=True,
        label="安全审核不通过",
    ),
    "withdraw": Transition(
        OPEN_STATES, Action.SHARE_SUPPLEMENT, applicant_side, _withdraw, label="撤回申请"
    ),
}


def available(application: Application) -> list[str]:
    """Transition names that the application's state allows (the console filters them by
    permission)."""
    return [n for n, t in TRANSITIONS.items() if AppStatus(application.status) in t.sources]


def by_id(session: Session, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound("共享申请不存在", "unknown share application", field="id")
    return application


def approval_of(
    session: Session,
    application_id: int,
    chosen: list[str],
    mask_codes: dict[str, str],
    **limits: object,
) -> ApprovalIn:
    """The provider's approval as chosen item by item on the application's page: each item
    with the mask kind picked for it, as the operator that suits that item."""
    if not chosen:
        raise InvalidInput("请至少批准一个信息项", "approve at least one item", field="items")
    entry = grants.items_of(by_id(session, application_id).resource)
    approved = []
    for name in chosen:
        code = mask_codes.get(name) or "none"
        if code not in {m.value for m in Mask}:
            raise InvalidInput("脱敏方式须从列表中选择", "unknown mask kind", field=f"mask_{name}")
        mask = grants.default_mask(entry[name], Mask(code)) if name in entry else None
        approved.append(GrantedItemIn(name=name, mask=mask))
    return ApprovalIn(items=approved, **limits)


def transition(
    session: Session,
    actor: Actor,
    application_id: int,
    name: str,
    reason: str = "",
    approval: ApprovalIn | None = None,
) -> Application:
    step = TRANSITIONS.get(name)
    if step is None:
        raise NotFound("未知的操作", "unknown transition", field="transition")
    application = by_id(session, application_id)
    authorize(session, actor, step.action, step.side(application))
    current = AppStatus(application.status)
    with audited_refusal(actor, f"share.{name}", provider_side(application)):
        if current not in step.sources:
            raise Conflict(
                f"「{current.zh}」状态不能执行「{step.label}」",
                f"cannot {name} an application in state {current.value}",
                field="status",
            )
        reason = reason.strip()
        if step.needs_reason and not reason:
            raise InvalidInput(f"{step.label}须说明理由", f"{name} needs a reason", field="reason")
        ctx = Context(session, actor, application, reason, approval, clock.utcnow())
        target_status = step.run(ctx)
    _enter(session, actor, application, name, target_status, reason, current)
    return application


def _step(
    session: Session,
    actor: Actor,
    application: Application,
    name: str,
    before: AppStatus,
    after: AppStatus,
    note: str,
) -> None:
    session.add(
        Step(
            application_id=application.id,
            name=name,
            from_status=before.value,
            to_status=after.value,
            actor_name=actor.name,
            note=note[:2000],
            at=clock.utcnow(),
        )
    )


def _enter(
    session: Session,
    actor: Actor,
    application: Application,
    name: str,
    status: AppStatus,
    note: str,
    before: AppStatus | None = None,
) -> None:
    """Move to ``status``: record the step, issue the grant when granted, audit, notify."""
    before = before or AppStatus(application.status)
    application.status = status.value
    application.updated_at = clock.utcnow()
    details: dict[str, object] = {"from": before.value, "to": status.value}
    grant = None
    if status is AppStatus.GRANTED:
        grant = grants.issue(session, application)
        details["grant"] = grant.code
    if name != "submit":
        _step(session, actor, application, name, before, status, note)
    record(
        session,
        actor,
        f"share.{name}",
        category=Category.GRANT if grant else Category.DECISION,
        target=provider_side(application),
        rows=1,
        details=details,
    )
    _notify_step(session, application, status, note)


def _notify_step(session: Session, application: Application, status: AppStatus, note: str) -> None:
    name = application.resource.name
    consumers = users_with(session, [Role.DATA_CONSUMER], application.applicant_unit_id)
    stewards = users_with(session, [Role.DATA_STEWARD], application.provider_unit_id)
    messages = {
        AppStatus.INFO_REQUESTED: (consumers, f"「{name}」的共享申请需要补充材料：{note}"),
        AppStatus.SUBMITTED: (
            stewards,
            f"「{name}」的共享申请已补充材料，答复期限 {application.due_date}",
        ),
        AppStatus.SECURITY_REVIEW: (
            [
                u
                for u in overseers(session, Role.SECURITY_REVIEWER, parties(application))
                if u.unit_id != application.applicant_unit_id
            ],
            f"「{name}」的共享申请待安全审核",
        ),
        AppStatus.AWAITING_DOCUMENTS: (
            stewards + consumers,
            f"「{name}」的共享申请待登记："
            + "、".join(k.zh for k in gates.missing_documents(application)),
        ),
        AppStatus.GRANTED: (stewards + consumers, f"「{name}」已授权共享"),
        AppStatus.REFUSED: (consumers, f"「{name}」的共享申请不予共享，理由：{note}"),
        AppStatus.WITHDRAWN: (stewards, f"「{name}」的共享申请已撤回"),
    }
    if status in messages:
        users, text = messages[status]
        notify(session, users, f"share.{status.value}", text, subject(application))


def complete_if_ready(session: Session, actor: Actor, application: Application) -> bool:
    """After a gate document: grant once nothing is missing."""
    if application.status != AppStatus.AWAITING_DOCUMENTS or gates.missing_documents(application):
        return False
    _enter(session, actor, application, "grant", AppStatus.GRANTED, "所需协议与批准均已登记")
    return True


def require_documents_stage(application: Application) -> None:
    if application.status != AppStatus.AWAITING_DOCUMENTS:
        raise GateOpen(
            "只有在待签署协议/批准阶段才能登记文件",
            "documents are recorded once the application awaits them",
            field="status",
        )


def flag_overdue(session: Session, actor: Actor) -> list[Application]:
    """Past-due applications not yet flagged: notify the provider unit (its head among its
    users) and the catalog reviewers, and record the compliance finding in the audit log."""
    authorize(session, actor, Action.SHARE_OVERDUE)
    today = clock.today_local()
    due = list(
        session.scalars(
            select(Application).where(
                Application.status == AppStatus.SUBMITTED.value,
                Application.due_date < today,
                Application.overdue_flagged_at.is_(None),
            )
        )
    )
    for application in due:
        reviewers = overseers(session, Role.CATALOG_REVIEWER, parties(application))
        application.overdue_flagged_at = clock.utcnow()
        text = (
            f"共享申请逾期未答复：「{application.resource.name}」（{application.applicant_unit.name}），"
            f"答复期限 {application.due_date}（M2018 第二十条）"
        )
        notify(
            session,
            users_of(session, application.provider_unit_id) + reviewers,
            "share.overdue",
            text,
            subject(application),
        )
        record(
            session,
            actor,
            "share.overdue",
            category=Category.DECISION,
            target=provider_side(application),
            rows=1,
            details={"due": str(application.due_date), "finding": "M2018 §20"},
        )
    if not due:
        record(session, actor, "share.overdue", category=Category.QUERY, rows=0)
    return due
