"""Notifications at each step of the exchange: a row per user in the console, and an e-mail
when SMTP is configured (``smtp_host`` and ``mail_domain``), sent only after the
transaction commits so a rolled-back step sends nothing. Texts name the application and
the resource, never a value from the data; what a notification is about is stored as a
subject reference (``core/refs.py``), which the console links when it shows it."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from email.message import EmailMessage

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from hutong.core.clock import utcnow
from hutong.core.refs import Ref
from hutong.core.settings import Settings
from hutong.exchange.models import Notification
from hutong.identity.auth import actor_for
from hutong.identity.models import User, UserRole
from hutong.identity.roles import Action, Role
from hutong.identity.scopes import reaches

log = logging.getLogger("hutong.exchange")
MAIL_KEY = "hutong.exchange.mail"
#: Where to read on: the console's notifications link the subject (the mail names no URL).
MAIL_FOOTER = "详情请登录互通控制台，在“通知”中查看。"


def users_with(session: Session, roles: Iterable[Role], unit_id: int | None = None) -> list[User]:
    """Enabled users holding any of ``roles`` (of one unit when given)."""
    query = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.enabled.is_(True), UserRole.role.in_([r.value for r in roles]))
    )
    if unit_id is not None:
        query = query.where(User.unit_id == unit_id)
    return list(session.scalars(query.distinct()))


def overseers(session: Session, role: Role, units: Iterable[int]) -> list[User]:
    """Enabled holders of ``role`` who oversee one of ``units`` from theirs or above
    (``identity/scopes.py``): only they can open what they are told about."""
    wanted = list(units)
    return [
        user
        for user in users_with(session, [role])
        if reaches(session, actor_for(user), Action.SHARE_READ, wanted, frozenset({role}))
    ]


def users_of(session: Session, unit_id: int) -> list[User]:
    """Every enabled user of a unit (the unit head among them)."""
    return list(session.scalars(select(User).where(User.unit_id == unit_id, User.enabled)))


def notify(
    session: Session, users: Iterable[User], kind: str, text: str, subject: Ref | None = None
) -> int:
    """One console notification per distinct user; mail queued for after the commit."""
    now = utcnow()
    recipients = {u.id: u for u in users}
    for user in recipients.values():
        session.add(
            Notification(
                user_id=user.id, kind=kind, text=text, subject=str(subject or ""), created_at=now
            )
        )
    settings: Settings = session.info["settings"]
    if recipients and settings.smtp_host and settings.mail_domain:
        queued = session.info.setdefault(MAIL_KEY, [])
        if not queued:
            event.listen(session, "after_commit", _send_queued, once=True)
            event.listen(session, "after_rollback", _drop_queued, once=True)
        queued.extend((u.username, text) for u in recipients.values())
    return len(recipients)


def _drop_queued(session: Session) -> None:
    session.info.pop(MAIL_KEY, None)


def _send_queued(session: Session) -> None:
    settings: Settings = session.info["settings"]
    queued = session.info.pop(MAIL_KEY, [])
    try:
        with smtplib.SMTP(settings.smtp_host or "", settings.smtp_port, timeout=10) as smtp:
            for username, text in queued:
                message = EmailMessage()
                message["From"] = settings.smtp_sender
                message["To"] = f"{username}@{settings.mail_domain}"
                message["Subject"] = "互通 · " + text[:60]
                message.set_content(f"{text}\n\n{MAIL_FOOTER}\n")
                smtp.send_message(message)
    except OSError:
        # The console notification is committed; mail is best effort and names no one.
        log.warning("notification mail could not be sent (%d messages)", len(queued))
