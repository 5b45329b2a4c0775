"""Grants: issued when an application is granted, turned into the compiler's
``GrantPolicy`` on every query, narrowed or revoked by the provider at any time (the next
query sees the change), expired by their validity alone (M2018 §20–22, N2021 task 6)."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

from pydantic import TypeAdapter
from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.catalog.events import VersionTookEffect
from hutong.catalog.models import Item, Resource
from hutong.catalog.vocab import Mask, ShareType
from hutong.core import refs
from hutong.core.clock import SHANGHAI, as_utc, utcnow
from hutong.core.errors import Conflict, InvalidInput, NotFound
from hutong.exchange import gates
from hutong.exchange.errors import GrantRevoked, GrantSuspended, GrantUnknown
from hutong.exchange.models import Application, Grant
from hutong.exchange.notify import notify, users_with
from hutong.exchange.schemas import GrantedItemIn, NarrowIn
from hutong.exchange.vocab import GrantStatus
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.roles import Action, Role
from hutong.policy.conditions import Condition
from hutong.policy.grant import AccessMode, ConsentFilter, GrantedItem, GrantPolicy
from hutong.privacy import masks

CONDITIONS = TypeAdapter(list[Condition])
MASK = TypeAdapter(masks.MaskSpec)
REGION_WORDS = ("区划", "地区", "籍贯")


def default_mask(item: Item, kind: Mask | None = None) -> masks.MaskSpec:
    """A mask kind (by default the catalog's default mask of the item) as the operator that
    suits the item (the provider may change it)."""
    kind = kind or Mask(item.default_mask)
    if kind is Mask.PARTIAL:
        # names keep their first character (张**), codes and numbers keep 6 + 4
        return masks.Partial(keep_first=1, keep_last=0) if "名" in item.name else masks.Partial()
    if kind is Mask.PSEUDONYM:
        return masks.Pseudonym()
    if kind is Mask.HASH:
        return masks.Hash()
    if kind is Mask.NULL:
        return masks.Null()
    if kind is Mask.GENERALIZE:
        if any(word in item.name for word in REGION_WORDS):
            return masks.RegionTo(digits=2)
        return masks.DateTo(to="year")
    return masks.Clear()


def validity(period_from: date, period_until: date) -> tuple[datetime, datetime]:
    """From the first Shanghai midnight of the period to the one after its last day."""
    start = datetime.combine(period_from, time(), SHANGHAI)
    end = datetime.combine(period_until + timedelta(days=1), time(), SHANGHAI)
    return as_utc(start), as_utc(end)


def items_of(resource: Resource) -> dict[str, Item]:
    return {item.name: item for item in resource.items}


def granted_items(
    resource: Resource, chosen: list[GrantedItemIn], field: str = "items"
) -> list[dict]:
    """Items with their masks as stored on a grant: at least one, each once, each of the
    entry (the policy of a grant of none, or of one item twice, is invalid, so every query
    under it would fail)."""
    if not chosen:
        raise InvalidInput("至少须授权一个信息项", "grant at least one item", field=field)
    if len({c.name.casefold() for c in chosen}) != len(chosen):
        raise InvalidInput("信息项重复", "an item is listed twice", field=field)
    entry = items_of(resource)
    result = []
    for choice in chosen:
        item = entry.get(choice.name)
        if item is None:
            raise InvalidInput(
                f"信息项 {choice.name[:64]} 不属于该信息资源",
                f"the item {choice.name[:64]} is not in the entry",
                field=field,
            )
        mask = choice.mask if choice.mask is not None else default_mask(item)
        result.append({"name": item.name, "mask": mask.model_dump()})
    return result


def new_code() -> str:
    return "G" + secrets.token_hex(8).upper()


def issue(session: Session, application: Application) -> Grant:
    """The grant of an application that reached ``granted`` (its transition authorized and
    audits the step; this records the grant itself)."""
    decision = application.decision or {}
    grant = Grant(
        code=new_code(),
        application_id=application.id,
        resource_id=application.resource_id,
        consumer_unit_id=application.applicant_unit_id,
        provider_unit_id=application.provider_unit_id,
        users=decision.get("users", []),
        clients=decision.get("clients", []),
        items=decision["items"],
        row_filter=decision.get("row_filter", []),
        purpose=application.purpose,
        purpose_category=application.purpose_category,
        access_mode=decision["access_mode"],
        max_rows_per_query=decision["max_rows_per_query"],
        rows_per_day=decision.get("rows_per_day"),
        requests_per_minute=decision.get("requests_per_minute"),
        valid_from=datetime.fromisoformat(decision["valid_from"]),
        valid_until=datetime.fromisoformat(decision["valid_until"]),
        status=GrantStatus.ACTIVE.value,
        revision=1,
        created_at=utcnow(),
    )
    consent = decision.get("consent")
    if consent:
        grant.consent_system_id = consent["system_id"]
        grant.consent_purpose = consent["purpose"]
        grant.consent_categories = consent["categories"]
        grant.consent_subject_item = consent["subject_item"]
    session.add(grant)
    session.flush()
    return grant


def policy(grant: Grant, consent: ConsentFilter | None = None) -> GrantPolicy:
    """What the compiler enforces; the revision is in the id, so a narrowed grant never
    reuses the policy view cached for the grant before it. ``consent`` is the ledger's
    state for a grant whose legal basis is consent (``basis.consent_filter``)."""
    return GrantPolicy(
        grant_id=f"{grant.code}.r{grant.revision}",
        items=tuple(
            GrantedItem(name=i["name"], mask=MASK.validate_python(i["mask"])) for i in grant.items
        ),
        row_filter=tuple(CONDITIONS.validate_python(grant.row_filter)),
        purpose=grant.purpose[:500],
        access_mode=AccessMode(grant.access_mode),
        max_rows_per_query=grant.max_rows_per_query,
        rows_per_day=grant.rows_per_day,
        valid_from=as_utc(grant.valid_from),
        valid_until=as_utc(grant.valid_until),
        pseudonym_domain=f"unit:{grant.consumer_unit.code}",
        consent=consent,
    )


def state(grant: Grant, now: datetime) -> str:
    if grant.status == GrantStatus.REVOKED:
        return "revoked"
    if grant.status == GrantStatus.SUSPENDED:
        return "suspended"
    if now >= as_utc(grant.valid_until):
        return "expired"
    if now < as_utc(grant.valid_from):
        return "pending"
    return "active"


def target(grant: Grant) -> Target:
    """Provider-side target (narrow, revoke)."""
    return Target("grant", grant.code, grant.provider_unit_id, grant.consumer_unit_id)


def by_code(session: Session, code: str) -> Grant:
    grant = session.scalar(select(Grant).where(Grant.code == code))
    if grant is None:
        raise NotFound("共享授权不存在", "unknown grant", field="grant")
    return grant


def may_use(actor: Actor, grant: Grant) -> bool:
    """The consumer unit's users, narrowed to the named users or client systems if any."""
    if actor.unit_id != grant.consumer_unit_id:
        return False
    if actor.kind == "client":
        return not grant.clients or actor.name in grant.clients
    return not grant.users or actor.name in grant.users


def for_query(session: Session, actor: Actor, resource: Resource, code: str | None) -> Grant:
    """The grant a query runs under: the one named, or the unit's newest grant on the
    resource (active ones first, so a revoked one says so). Unknown, foreign and forged
    codes are refused alike."""
    query = select(Grant).where(
        Grant.resource_id == resource.id, Grant.consumer_unit_id == actor.unit_id
    )
    if code is not None:
        grant = session.scalar(query.where(Grant.code == code))
    else:
        active_first = case((Grant.status == GrantStatus.ACTIVE.value, 0), else_=1)
        grant = session.scalar(query.order_by(active_first, Grant.id.desc()).limit(1))
    if grant is None or not may_use(actor, grant):
        raise GrantUnknown()
    if grant.status == GrantStatus.REVOKED:
        raise GrantRevoked()
    if grant.status == GrantStatus.SUSPENDED:
        raise GrantSuspended(grant.suspend_reason)
    return grant


def visible(session: Session, actor: Actor) -> list[Grant]:
    """Grants the actor is party to: its unit's as consumer or as provider; the security
    reviewer and administrator see every grant."""
    authorize(session, actor, Action.GRANT_READ)
    query = select(Grant).order_by(Grant.id.desc())
    if not actor.roles & {Role.SECURITY_REVIEWER, Role.SECURITY_ADMIN}:
        query = query.where(
            or_(Grant.consumer_unit_id == actor.unit_id, Grant.provider_unit_id == actor.unit_id)
        )
    grants = list(session.scalars(query.limit(500)))
    record(session, actor, "grant.list", category=Category.QUERY, rows=len(grants))
    return grants


def read(session: Session, actor: Actor, code: str) -> Grant:
    authorize(session, actor, Action.GRANT_READ)
    grant = by_code(session, code)
    party = actor.unit_id in (grant.consumer_unit_id, grant.provider_unit_id)
    if not party and not actor.roles & {Role.SECURITY_REVIEWER, Role.SECURITY_ADMIN}:
        raise NotFound("共享授权不存在", "unknown grant", field="grant")
    record(session, actor, "grant.read", category=Category.QUERY, target=target(grant), rows=1)
    return grant


def revoke(session: Session, actor: Actor, code: str, reason: str) -> Grant:
    """Revoked at once: the next query under it is refused."""
    grant = by_code(session, code)
    authorize(session, actor, Action.GRANT_MANAGE, target(grant))
    if grant.status == GrantStatus.REVOKED:
        raise GrantRevoked()
    grant.status = GrantStatus.REVOKED.value
    grant.revoked_at = utcnow()
    grant.revoke_reason = reason.strip()
    grant.revision += 1
    record(
        session,
        actor,
        "grant.revoke",
        category=Category.GRANT,
        target=target(grant),
        rows=1,
        details={"reason": grant.revoke_reason[:200]},
    )
    _tell_consumer(session, grant, f"共享授权 {grant.code} 已被提供方撤销：{grant.revoke_reason}")
    return grant


def _narrower_items(grant: Grant, chosen: list[GrantedItemIn]) -> list[dict]:
    current = {i["name"]: i["mask"] for i in grant.items}
    result = granted_items(grant.resource, chosen)
    for item in result:
        was = current.get(item["name"])
        if was is None:
            raise InvalidInput(
                "收窄授权不能增加信息项", "narrowing cannot add an item", field="items"
            )
        if was["op"] != "none" and item["mask"] != was:
            raise InvalidInput(
                "收窄授权不能放宽或更换已有的脱敏方式",
                "narrowing cannot relax or replace an item's mask",
                field="items",
            )
    return result


def _earlier_end(grant: Grant, until: datetime) -> datetime:
    """An end no later than the grant's and after its start (a validity that ends before it
    starts cannot be turned into a policy; to stop a grant at once, revoke it)."""
    if until > as_utc(grant.valid_until):
        raise InvalidInput(
            "收窄授权不能延长有效期", "narrowing cannot extend validity", field="valid_until"
        )
    if until <= as_utc(grant.valid_from):
        raise InvalidInput(
            "有效期的结束须晚于授权的开始",
            "validity must end after the grant starts",
            field="valid_until",
        )
    return until


def narrow(session: Session, actor: Actor, code: str, change: NarrowIn) -> Grant:
    """Fewer items, masks added, rows filtered further, an earlier end, online only, lower
    limits; never wider. Takes effect on the next query."""
    grant = by_code(session, code)
    authorize(session, actor, Action.GRANT_MANAGE, target(grant))
    if grant.status == GrantStatus.REVOKED:
        raise GrantRevoked()
    if change.items is not None:
        grant.items = _narrower_items(grant, change.items)
    if change.add_row_filter:
        entry = items_of(grant.resource)
        for condition in change.add_row_filter:
            if condition.item not in entry:
                raise InvalidInput(
                    "行范围条件的信息项不属于该信息资源",
                    "a row condition names an item outside the entry",
                    field="add_row_filter",
                )
        grant.row_filter = [*grant.row_filter, *(c.model_dump() for c in change.add_row_filter)]
    if change.valid_until is not None:
        grant.valid_until = _earlier_end(grant, as_utc(change.valid_until))
    if change.online_only:
        grant.access_mode = AccessMode.ONLINE_ONLY.value
    if change.rows_per_day is not None:
        grant.rows_per_day = min(change.rows_per_day, grant.rows_per_day or change.rows_per_day)
    if change.max_rows_per_query is not None:
        grant.max_rows_per_query = min(change.max_rows_per_query, grant.max_rows_per_query)
    grant.revision += 1
    record(
        session,
        actor,
        "grant.narrow",
        category=Category.GRANT,
        target=target(grant),
        rows=1,
        details={"revision": grant.revision, "reason": change.reason[:200]},
    )
    _tell_consumer(session, grant, f"共享授权 {grant.code} 已被提供方收窄：{change.reason}")
    return grant


def unfit(session: Session, grant: Grant) -> list[str]:
    """Why the catalog version in force no longer allows the grant, in Chinese (empty when
    it does): the entry is 不予共享 now, a granted item has left it, it became 有条件共享
    although no provider ever decided the grant, or it now needs a security review or a
    document that the grant's application never had (M2018 §20–21, N2021 tasks 7, 9, 10)."""
    resource = grant.resource
    if resource.share_type == ShareType.NOT_SHARED:
        return ["信息资源已改为不予共享"]
    found = []
    gone = [i["name"] for i in grant.items if i["name"] not in items_of(resource)]
    if gone:
        found.append(f"信息项「{'、'.join(gone)}」已不在目录中")
    application = session.get(Application, grant.application_id) if grant.application_id else None
    if application is None:
        return found
    steps = {step.name for step in application.steps}
    if resource.share_type == ShareType.CONDITIONAL and "approve" not in steps:
        found.append("信息资源已改为有条件共享，须经提供方审核")
    if gates.gates(resource, application.require_agreement).security_review and (
        "security_approve" not in steps
    ):
        found.append("信息资源现须经安全审核")
    missing = gates.missing_documents(application)
    if missing:
        found.append("缺少" + "、".join(kind.zh for kind in missing))
    return found


def suspend_unfit(session: Session, actor: Actor, resource: Resource) -> list[Grant]:
    """Suspend the active grants on ``resource`` that its version now in force no longer
    allows, and tell their holders; run in the transaction that put the version in force
    (the catalog's ``VersionTookEffect`` event), as part of the actor's change."""
    active = session.scalars(
        select(Grant).where(
            Grant.resource_id == resource.id, Grant.status == GrantStatus.ACTIVE.value
        )
    ).all()
    suspended = []
    for grant in active:
        reasons = unfit(session, grant)
        if reasons:
            _set_suspended(session, actor, grant, "；".join(reasons))
            suspended.append(grant)
    return suspended


def on_version_took_effect(session: Session, event: VersionTookEffect) -> None:
    """The catalog's new version is in force: its grants follow it (``hutong/wiring.py``)."""
    suspend_unfit(session, event.actor, event.resource)


def _set_suspended(session: Session, actor: Actor, grant: Grant, reason: str) -> None:
    grant.status = GrantStatus.SUSPENDED.value
    grant.suspended_at = utcnow()
    grant.suspend_reason = reason
    grant.revision += 1
    record(
        session,
        actor,
        "grant.suspend",
        category=Category.GRANT,
        target=target(grant),
        rows=1,
        details={"reason": reason[:200], "catalog_version": grant.resource.version},
    )
    _tell_consumer(
        session,
        grant,
        f"共享授权 {grant.code}（「{grant.resource.name}」）因目录变更已暂停：{reason}",
    )


def resume(session: Session, actor: Actor, code: str) -> Grant:
    """The provider lifts a suspension once the entry in force allows the grant again (for
    example after narrowing it to the items the entry still has)."""
    grant = by_code(session, code)
    authorize(session, actor, Action.GRANT_MANAGE, target(grant))
    if grant.status != GrantStatus.SUSPENDED:
        raise Conflict(
            "只有已暂停的共享授权可以恢复", "only a suspended grant resumes", field="grant"
        )
    reasons = unfit(session, grant)
    if reasons:
        raise Conflict(
            "目录现行版本仍不允许该授权：" + "；".join(reasons),
            "the catalog version in force still does not allow the grant",
            field="grant",
        )
    grant.status = GrantStatus.ACTIVE.value
    grant.suspended_at = None
    grant.suspend_reason = ""
    grant.revision += 1
    record(session, actor, "grant.resume", category=Category.GRANT, target=target(grant), rows=1)
    _tell_consumer(session, grant, f"共享授权 {grant.code}（「{grant.resource.name}」）已恢复")
    return grant


def _tell_consumer(session: Session, grant: Grant, text: str) -> None:
    users = users_with(session, [Role.DATA_CONSUMER], grant.consumer_unit_id)
    notify(session, users, "grant", text, refs.grant(grant.code))
