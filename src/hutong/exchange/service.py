"""Reading the exchange: applications (one, or a list for a view), grants as API shapes,
daily usage, and a user's notifications. Every read is authorized and audited."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.core import clock
from hutong.core.errors import InvalidInput, NotFound
from hutong.exchange import applications, basis, deadlines, gates, grants
from hutong.exchange.models import Application, Grant, GrantUsage, Notification
from hutong.exchange.schemas import (
    ApplicationOut,
    DocumentOut,
    GrantOut,
    NotificationOut,
    StepOut,
    UsageOut,
)
from hutong.exchange.vocab import OPEN_STATES, AppStatus
from hutong.identity import scopes
from hutong.identity.authz import Actor, authorize
from hutong.identity.roles import Action, Role

#: 网信办 and 发展规划司 oversee the applications of the units below theirs
OVERSIGHT = frozenset({Role.SECURITY_REVIEWER, Role.CATALOG_REVIEWER})
VIEWS = ("mine", "review", "overdue", "all")


def needs(application: Application) -> list[str]:
    """Gates still open for an application that is not yet granted."""
    if application.status == AppStatus.SECURITY_REVIEW:
        return ["security_review", *(k.value for k in gates.missing_documents(application))]
    if application.status == AppStatus.AWAITING_DOCUMENTS:
        return [k.value for k in gates.missing_documents(application)]
    return []


def grant_of(session: Session, application: Application) -> Grant | None:
    return session.scalar(select(Grant).where(Grant.application_id == application.id))


def out(session: Session, application: Application, today: date | None = None) -> ApplicationOut:
    today = today or clock.today_local()
    grant = grant_of(session, application)
    status = AppStatus(application.status)
    return ApplicationOut(
        id=application.id,
        resource_code=application.resource.code,
        resource_name=application.resource.name,
        applicant_unit=application.applicant_unit.name,
        provider_unit=application.provider_unit.name,
        applicant_name=application.applicant_name,
        status=status,
        status_label=status.zh,
        purpose=application.purpose,
        purpose_category=application.purpose_category,
        items=application.items,
        item_reasons=application.item_reasons,
        row_filter=application.row_filter,
        period_from=application.period_from,
        period_until=application.period_until,
        access_mode=application.access_mode,
        security_measures=application.security_measures,
        decision=application.decision,
        refusal_reason=application.refusal_reason,
        submitted_at=application.submitted_at,
        due_date=application.due_date,
        paused=application.paused_at is not None,
        overdue=deadlines.overdue(application, today),
        needs=needs(application),
        grant=grant.code if grant else None,
        steps=[StepOut.model_validate(s, from_attributes=True) for s in application.steps],
        documents=[
            DocumentOut.model_validate(d, from_attributes=True) for d in application.documents
        ],
    )


def _unknown() -> NotFound:
    return NotFound("共享申请不存在", "unknown share application", field="id")


def read(session: Session, actor: Actor, application_id: int) -> Application:
    """One application with its steps and document scans, for its two units and the
    reviewers above either (``identity/scopes.py``); anyone else is told it does not exist."""
    application = session.get(Application, application_id)
    if application is None:
        authorize(session, actor, Action.SHARE_READ)
        raise _unknown()
    scopes.guard(
        session,
        actor,
        applications.provider_side(application),
        _unknown(),
        (Action.SHARE_READ, [application.applicant_unit_id, application.provider_unit_id]),
        supervisors=OVERSIGHT,
    )
    record(
        session,
        actor,
        "share.read",
        category=Category.QUERY,
        target=applications.provider_side(application),
        rows=1,
    )
    return application


def listing(session: Session, actor: Actor, view: str = "mine") -> list[Application]:
    """``mine``: the unit's own applications; ``review``: what waits for the actor (the
    provider's open applications, the security reviewer's queue); ``overdue``: past their
    due date (provider unit, or everything the reviewers oversee); ``all``: every application
    the actor is party to or oversees. Reviewers oversee the units below theirs."""
    if view not in VIEWS:
        raise InvalidInput("未知的视图", "unknown view", field="view")
    authorize(session, actor, Action.SHARE_READ)
    query = select(Application).order_by(Application.id.desc())
    mine = Application.applicant_unit_id == actor.unit_id
    provided = Application.provider_unit_id == actor.unit_id
    oversight = bool(actor.roles & OVERSIGHT)
    if view == "mine":
        query = query.where(mine)
    elif view == "review":
        waiting = [provided & Application.status.in_([s.value for s in OPEN_STATES])]
        if Role.SECURITY_REVIEWER in actor.roles:
            waiting.append((Application.status == AppStatus.SECURITY_REVIEW.value) & ~mine)
        query = query.where(or_(*waiting))
    elif view == "overdue":
        query = query.where(
            Application.status == AppStatus.SUBMITTED.value,
            Application.due_date < clock.today_local(),
        )
        if not oversight:
            query = query.where(provided)
    elif not oversight:
        query = query.where(mine | provided)
    parties = (Application.applicant_unit_id, Application.provider_unit_id)
    query = query.where(
        scopes.where(session, actor, Action.SHARE_READ, *parties, supervisors=OVERSIGHT)
    )
    rows = list(session.scalars(query.limit(500)))
    record(
        session,
        actor,
        "share.list",
        category=Category.QUERY,
        rows=len(rows),
        details={"view": view},
    )
    return rows


def grant_out(grant: Grant) -> GrantOut:
    return GrantOut(
        code=grant.code,
        resource_code=grant.resource.code,
        resource_name=grant.resource.name,
        consumer_unit=grant.consumer_unit.name,
        provider_unit=grant.resource.provider_unit.name,
        users=grant.users,
        clients=grant.clients,
        items=grant.items,
        row_filter=grant.row_filter,
        purpose=grant.purpose,
        purpose_category=grant.purpose_category,
        access_mode=grant.access_mode,
        max_rows_per_query=grant.max_rows_per_query,
        rows_per_day=grant.rows_per_day,
        requests_per_minute=grant.requests_per_minute,
        valid_from=grant.valid_from,
        valid_until=grant.valid_until,
        state=grants.state(grant, clock.utcnow()),  # type: ignore[arg-type]
        revision=grant.revision,
        revoke_reason=grant.revoke_reason,
        suspend_reason=grant.suspend_reason,
        consent=basis.on_grant(grant),
    )


def usage(session: Session, actor: Actor, code: str | None = None) -> list[UsageOut]:
    """Daily queries, refusals, rows and bytes per grant the actor may read."""
    visible = [grants.read(session, actor, code)] if code else grants.visible(session, actor)
    by_id = {g.id: g.code for g in visible}
    rows = session.scalars(
        select(GrantUsage)
        .where(GrantUsage.grant_id.in_(list(by_id)))
        .order_by(GrantUsage.day.desc(), GrantUsage.grant_id)
        .limit(1000)
    )
    return [
        UsageOut(
            grant=by_id[u.grant_id],
            day=u.day,
            queries=u.queries,
            denied=u.denied,
            rows=u.rows,
            bytes=u.bytes,
        )
        for u in rows
    ]


def notifications(
    session: Session, actor: Actor, unread_only: bool = False, mark_read: bool = False
) -> list[NotificationOut]:
    authorize(session, actor, Action.NOTIFICATION_READ)
    if actor.kind != "user":
        return []
    query = select(Notification).where(Notification.user_id == int(actor.id))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    rows = list(session.scalars(query.order_by(Notification.id.desc()).limit(200)))
    result = [
        NotificationOut(
            id=n.id,
            kind=n.kind,
            text=n.text,
            subject=n.subject,
            created_at=n.created_at,
            read=n.read_at is not None,
        )
        for n in rows
    ]
    unread = [n for n in rows if n.read_at is None]
    if mark_read and unread:
        now = clock.utcnow()
        for n in unread:
            n.read_at = now
    record(
        session,
        actor,
        "notification.read" if mark_read and unread else "notification.list",
        category=Category.UPDATE if mark_read and unread else Category.QUERY,
        rows=len(rows),
    )
    return result


def unread_count(session: Session, actor: Actor) -> int:
    """For the console's menu badge (no business data, so not audited)."""
    if actor.kind != "user":
        return 0
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == int(actor.id), Notification.read_at.is_(None))
        )
        or 0
    )
