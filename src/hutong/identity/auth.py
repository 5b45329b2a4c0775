"""Authentication: passwords with lockout, TOTP for the 三员, password change, actors.

A failed or locked login raises; its audit event and the failure counter are written after
the rollback (``HutongError.after_rollback``) so they survive the refusal. A one-time code is
accepted once (RFC 6238 §5.2): the account remembers the last time step it accepted and
refuses that step and any earlier one, so a code seen over a shoulder or in a log cannot be
replayed within its 90-second window.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pyotp
from pyotp.utils import strings_equal
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from hutong.audit.service import Category, Outcome, record
from hutong.core.clock import utcnow
from hutong.core.errors import (
    AccountLocked,
    AuthenticationFailed,
    HutongError,
    InvalidInput,
    SecondFactorRequired,
)
from hutong.core.keys import SecretBox
from hutong.identity.authz import Actor, Target
from hutong.identity.models import User
from hutong.identity.passwords import check_policy
from hutong.identity.roles import THREE_OFFICERS, Role
from hutong.identity.service import is_locked, passwords_for

TOTP_ISSUER = "Hutong 互通"
#: a code of the step before or after the current one is accepted (clock drift)
TOTP_WINDOW = 1
#: refusals that count towards the lockout
COUNTED = frozenset({"bad_credentials", "totp_reused"})


def actor_for(
    user: User,
    client_address: str | None = None,
    request_id: str | None = None,
    scopes: frozenset[str] | None = None,
) -> Actor:
    return Actor(
        kind="user",
        id=str(user.id),
        name=user.username,
        unit_id=user.unit_id,
        unit_code=user.unit.code,
        roles=frozenset(Role(r) for r in user.roles),
        scopes=scopes,
        client_address=client_address,
        request_id=request_id,
    )


def anonymous(username: str, client_address: str | None, request_id: str | None) -> Actor:
    """The actor of a login attempt for an unknown name: the typed name is hashed, never kept."""
    digest = hashlib.sha256(username.encode()).hexdigest()[:12]
    return Actor(
        kind="anonymous",
        id="-",
        name=f"unknown:{digest}",
        unit_id=None,
        unit_code=None,
        client_address=client_address,
        request_id=request_id,
    )


def needs_second_factor(user: User) -> bool:
    """TOTP is mandatory for the three security officers (等保 level-3 practice)."""
    return bool(user.roles & {r.value for r in THREE_OFFICERS})


def _totp(session: Session, user: User) -> pyotp.TOTP | None:
    if not user.totp_secret:
        return None
    box = SecretBox.for_dir(session.info["settings"].keys_dir)
    return pyotp.TOTP(box.open(user.totp_secret, f"totp:{user.id}"))


def _step_of(checker: pyotp.TOTP, code: str | None) -> int | None:
    """The time step whose code ``code`` is, within the window around now, or None."""
    if not code:
        return None
    now = checker.timecode(utcnow())
    for step in range(now - TOTP_WINDOW, now + TOTP_WINDOW + 1):
        if strings_equal(code.strip(), checker.generate_otp(step)):
            return step
    return None


def _use_step(session: Session, user: User, step: int) -> bool:
    """Record ``step`` as the account's last accepted one; False when it, or a later step,
    was accepted before. One conditional UPDATE, so two logins racing with the same code
    cannot both win (the second finds the row changed), on SQLite and PostgreSQL alike."""
    done = session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
    )
    return done.rowcount == 1


def _refuse(error: HutongError, user_id: int | None, actor: Actor, reason: str) -> HutongError:
    """Attach the failure bookkeeping that must outlive the rollback."""

    def bookkeeping(session: Session) -> None:
        settings = session.info["settings"]
        if user_id is not None and reason in COUNTED:
            user = session.get(User, user_id)
            user.failed_logins += 1
            if user.failed_logins >= settings.lockout_threshold:
                user.locked_until = utcnow() + timedelta(minutes=settings.lockout_minutes)
                user.failed_logins = 0
        record(
            session,
            actor,
            "auth.login",
            category=Category.LOGIN,
            target=Target("user", actor.name),
            outcome=Outcome.FAILED,
            details={"reason": reason},
        )

    error.after_rollback.append(bookkeeping)
    return error


def authenticate(
    session: Session,
    username: str,
    password: str,
    totp: str | None = None,
    *,
    client_address: str | None = None,
    request_id: str | None = None,
    allow_pending_totp: bool = False,
) -> User:
    """Check password (and TOTP for the 三员); lock after repeated failures.

    ``allow_pending_totp`` lets the console admit a 三员 account that has not enrolled yet into
    the enrolment step only; API logins never get that far.
    """
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        passwords_for(session).burn(password)
        raise _refuse(
            AuthenticationFailed("用户名或密码错误", "wrong username or password"),
            None,
            anonymous(username, client_address, request_id),
            "unknown_user",
        )
    actor = actor_for(user, client_address, request_id)
    if not user.enabled:
        raise _refuse(
            AuthenticationFailed("账号已停用", "account disabled"), user.id, actor, "disabled"
        )
    if is_locked(user):
        minutes = session.info["settings"].lockout_minutes
        raise _refuse(
            AccountLocked(
                f"登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试",
                f"too many failed logins; account locked, try again in {minutes} minutes",
            ),
            user.id,
            actor,
            "locked",
        )
    if not passwords_for(session).verify(user.password_hash, password):
        raise _refuse(
            AuthenticationFailed("用户名或密码错误", "wrong username or password"),
            user.id,
            actor,
            "bad_credentials",
        )
    if needs_second_factor(user):
        checker = _totp(session, user) if user.totp_enabled else None
        if checker is None and not allow_pending_totp:
            raise _refuse(
                SecondFactorRequired(
                    "三员账号须先在控制台绑定动态验证码",
                    "officer accounts must enrol TOTP in the console first",
                    field="totp",
                ),
                user.id,
                actor,
                "totp_not_enrolled",
            )
        if checker is not None:
            _second_factor(session, checker, user, actor, totp)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    record(
        session, actor, "auth.login", category=Category.LOGIN, target=Target("user", user.username)
    )
    return user


def _second_factor(
    session: Session, checker: pyotp.TOTP, user: User, actor: Actor, code: str | None
) -> None:
    """Accept a code of the window once; a wrong code and a reused one are refused."""
    step = _step_of(checker, code)
    if step is None:
        raise _refuse(
            SecondFactorRequired(
                "动态验证码错误或缺失", "one-time code missing or wrong", field="totp"
            ),
            user.id,
            actor,
            "bad_credentials",
        )
    if not _use_step(session, user, step):
        raise _refuse(
            SecondFactorRequired(
                "该动态验证码已使用过，请等待下一个验证码",
                "this one-time code was already used; wait for the next one",
                field="totp",
            ),
            user.id,
            actor,
            "totp_reused",
        )


def begin_totp_enrolment(session: Session, user: User) -> str:
    """Create (or replace an unconfirmed) TOTP secret; returns the otpauth:// URI to show."""
    if user.totp_enabled:
        raise InvalidInput("已绑定动态验证码", "TOTP is already enrolled", field="totp")
    secret = pyotp.random_base32()
    box = SecretBox.for_dir(session.info["settings"].keys_dir)
    user.totp_secret = box.seal(secret, f"totp:{user.id}")
    record(
        session,
        actor_for(user),
        "auth.totp_begin",
        category=Category.CONFIG,
        target=Target("user", user.username, user.unit_id),
    )
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=TOTP_ISSUER)


def confirm_totp_enrolment(session: Session, user: User, code: str) -> None:
    checker = _totp(session, user)
    step = _step_of(checker, code) if checker is not None else None
    if step is None or not _use_step(session, user, step):
        raise InvalidInput("动态验证码错误", "one-time code is wrong", field="totp")
    user.totp_enabled = True
    record(
        session,
        actor_for(user),
        "auth.totp_enrol",
        category=Category.CONFIG,
        target=Target("user", user.username, user.unit_id),
    )


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """The user changes their own password (required after a one-time password)."""
    hasher = passwords_for(session)
    if not hasher.verify(user.password_hash, current):
        raise InvalidInput("当前密码错误", "current password is wrong", field="current_password")
    if current == new:
        raise InvalidInput(
            "新密码不能与当前密码相同", "new password must differ", field="new_password"
        )
    try:
        check_policy(new, user.username)
    except InvalidInput as error:
        error.field = "new_password"
        raise
    user.password_hash = hasher.hash(new)
    user.must_change_password = False
    record(
        session,
        actor_for(user),
        "auth.password_change",
        category=Category.UPDATE,
        target=Target("user", user.username, user.unit_id),
        rows=1,
    )
