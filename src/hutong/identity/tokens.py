"""Bearer tokens (OAuth2 password and client-credentials grants), API clients and console
sessions. Only SHA-256 digests of tokens are stored; the clear token is shown once."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, Outcome, record
from hutong.core.clock import as_utc, utcnow
from hutong.core.errors import AuthenticationFailed, Conflict, InvalidInput, PasswordChangeRequired
from hutong.identity.auth import actor_for, authenticate, needs_second_factor
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.models import ApiClient, ApiToken, ConsoleSession, SessionStage, User
from hutong.identity.roles import MATRIX, Action, Role
from hutong.identity.schemas import ClientCreate, ClientCreated, TokenOut
from hutong.identity.service import check_separation, passwords_for, unit_by_code


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(
    session: Session,
    *,
    user: User | None = None,
    client: ApiClient | None = None,
    scopes: frozenset[str] | None,
) -> TokenOut:
    ttl = session.info["settings"].token_ttl_minutes
    raw = "htk_" + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            token_hash=digest(raw),
            user_id=user.id if user else None,
            client_id=client.id if client else None,
            scopes=" ".join(sorted(scopes)) if scopes is not None else None,
            expires_at=utcnow() + timedelta(minutes=ttl),
        )
    )
    return TokenOut(
        access_token=raw,
        expires_in=ttl * 60,
        scope=" ".join(sorted(scopes)) if scopes is not None else "*",
    )


def _parse_scopes(scope: str | None) -> frozenset[str] | None:
    if not scope or scope.strip() in ("", "*"):
        return None
    requested = frozenset(scope.split())
    unknown = requested - {a.value for a in MATRIX}
    if unknown:
        raise InvalidInput("未知的授权范围", "unknown scope", field="scope")
    return requested


def password_grant(
    session: Session,
    username: str,
    password: str,
    totp: str | None,
    scope: str | None,
    client_address: str | None,
    request_id: str | None,
) -> TokenOut:
    """OAuth2 password grant for people; a one-time password must be changed first."""
    scopes = _parse_scopes(scope)
    user = authenticate(
        session, username, password, totp, client_address=client_address, request_id=request_id
    )
    if user.must_change_password:
        raise PasswordChangeRequired(
            "首次登录须修改一次性密码",
            "the one-time password must be changed first",
            field="password",
        )
    out = _issue(session, user=user, scopes=scopes)
    record(
        session,
        actor_for(user, client_address, request_id),
        "auth.token",
        category=Category.LOGIN,
        target=Target("token", "password"),
    )
    return out


def client_credentials_grant(
    session: Session,
    client_id: str,
    secret: str,
    scope: str | None,
    client_address: str | None,
    request_id: str | None,
) -> TokenOut:
    """OAuth2 client-credentials grant for units' systems; scopes within the client's own."""
    client = session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))
    if (
        client is None
        or not client.enabled
        or not passwords_for(session).verify(client.secret_hash, secret)
    ):
        error = AuthenticationFailed("客户端凭据无效", "invalid client credentials")
        digest_id = hashlib.sha256(client_id.encode()).hexdigest()[:12]
        probe = Actor(
            kind="client",
            id="-",
            name=f"client:{digest_id}",
            unit_id=None,
            unit_code=None,
            client_address=client_address,
            request_id=request_id,
        )
        error.after_rollback.append(
            lambda s: record(
                s,
                probe,
                "auth.token",
                category=Category.LOGIN,
                target=Target("client"),
                outcome=Outcome.FAILED,
            )
        )
        raise error
    allowed = frozenset(client.scopes.split())
    requested = _parse_scopes(scope)
    scopes = allowed if requested is None else requested
    if not scopes <= allowed:
        raise InvalidInput(
            "请求的授权范围超出该客户端的范围", "scope exceeds the client's scopes", field="scope"
        )
    out = _issue(session, client=client, scopes=scopes)
    record(
        session,
        client_actor(client, scopes, client_address, request_id),
        "auth.token",
        category=Category.LOGIN,
        target=Target("token", "client_credentials"),
    )
    return out


def client_actor(
    client: ApiClient, scopes: frozenset[str], client_address: str | None, request_id: str | None
) -> Actor:
    return Actor(
        kind="client",
        id=f"client:{client.id}",
        name=client.client_id,
        unit_id=client.unit_id,
        unit_code=client.unit.code,
        roles=frozenset(Role(r) for r in client.roles.split(",") if r),
        scopes=scopes,
        client_address=client_address,
        request_id=request_id,
    )


def actor_from_token(
    session: Session, raw: str, client_address: str | None, request_id: str | None
) -> Actor:
    """Resolve a bearer token; forged, expired and revoked tokens are all simply invalid."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(raw)))
    if token is None or token.revoked or as_utc(token.expires_at) <= utcnow():
        raise AuthenticationFailed("访问令牌无效或已过期", "access token invalid or expired")
    scopes = frozenset(token.scopes.split()) if token.scopes is not None else None
    if token.user_id is not None:
        user = session.get(User, token.user_id)
        if user is None or not user.enabled:
            raise AuthenticationFailed("访问令牌无效或已过期", "access token invalid or expired")
        return actor_for(user, client_address, request_id, scopes)
    client = session.get(ApiClient, token.client_id)
    if client is None or not client.enabled:
        raise AuthenticationFailed("访问令牌无效或已过期", "access token invalid or expired")
    return client_actor(client, scopes or frozenset(), client_address, request_id)


def create_client(session: Session, actor: Actor, data: ClientCreate) -> ClientCreated:
    authorize(session, actor, Action.CLIENT_MANAGE, Target("client", data.client_id))
    roles = set(data.roles)
    check_separation(roles)
    unknown = set(data.scopes) - {a.value for a in MATRIX}
    if unknown:
        raise InvalidInput("未知的授权范围", "unknown scope", field="scopes")
    unit = unit_by_code(session, data.unit_code)
    if session.scalar(select(ApiClient.id).where(ApiClient.client_id == data.client_id)):
        raise Conflict("客户端标识已存在", "client id already exists", field="client_id")
    secret = secrets.token_urlsafe(32)
    session.add(
        ApiClient(
            client_id=data.client_id,
            name=data.name,
            unit=unit,
            secret_hash=passwords_for(session).hash(secret),
            roles=",".join(sorted(roles)),
            scopes=" ".join(sorted(data.scopes)),
        )
    )
    session.flush()
    record(
        session,
        actor,
        "client.create",
        category=Category.INSERT,
        target=Target("client", data.client_id, unit.id),
        rows=1,
    )
    return ClientCreated(client_id=data.client_id, client_secret=secret)


# --- console sessions -------------------------------------------------------------------


def _stage_for(user: User) -> SessionStage:
    """The sign-in step the account must pass through next, or FULL."""
    if user.must_change_password:
        return SessionStage.CHANGE_PASSWORD
    if not user.totp_enabled and needs_second_factor(user):
        return SessionStage.ENROL_TOTP
    return SessionStage.FULL


def open_console_session(session: Session, user: User) -> tuple[str, ConsoleSession]:
    """Start a console session at the stage the account must pass through first."""
    raw = secrets.token_urlsafe(32)
    row = ConsoleSession(
        token_hash=digest(raw),
        csrf_token=secrets.token_urlsafe(24),
        user_id=user.id,
        stage=_stage_for(user).value,
    )
    session.add(row)
    return raw, row


def console_session(
    session: Session, raw: str, client_address: str | None = None, request_id: str | None = None
) -> tuple[ConsoleSession, User] | None:
    """The live session for a cookie, touched, and its user; None when the cookie is unknown.
    A session idle too long, or of a disabled account, is refused (``AuthenticationFailed``):
    it is ended and the refusal audited as the person's, after the rollback."""
    row = session.scalar(select(ConsoleSession).where(ConsoleSession.token_hash == digest(raw)))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    assert user is not None
    idle = timedelta(minutes=session.info["settings"].session_idle_minutes)
    now = utcnow()
    if as_utc(row.last_seen_at) + idle < now:
        raise _session_refused(row.id, actor_for(user, client_address, request_id), "expired")
    if not user.enabled:
        raise _session_refused(row.id, actor_for(user, client_address, request_id), "disabled")
    row.last_seen_at = now
    return row, user


def console_user(session: Session, session_id: int) -> User:
    """The account a console session belongs to, in this transaction."""
    row = session.get(ConsoleSession, session_id)
    assert row is not None
    user = session.get(User, row.user_id)
    assert user is not None
    return user


def advance_console_session(
    session: Session, session_id: int, step: Callable[[Session, User], None]
) -> SessionStage:
    """Run a sign-in step (a new password, a confirmed second factor) for the session's
    account, then move the session on to the step the account must pass next, or FULL."""
    user = console_user(session, session_id)
    step(session, user)
    row = session.get(ConsoleSession, session_id)
    assert row is not None
    row.stage = _stage_for(user).value
    return SessionStage(row.stage)


def _session_refused(row_id: int, actor: Actor, reason: str) -> AuthenticationFailed:
    error = AuthenticationFailed("登录已失效，请重新登录", "the session has ended; sign in again")

    def end(follow_up: Session) -> None:
        stale = follow_up.get(ConsoleSession, row_id)
        if stale is not None:
            follow_up.delete(stale)
        record(
            follow_up,
            actor,
            "auth.refused",
            target=Target("user", actor.name, actor.unit_id),
            outcome=Outcome.DENIED,
            details={"reason": f"session_{reason}"},
        )

    error.after_rollback.append(end)
    return error


def close_console_session(session: Session, session_id: int, actor: Actor) -> None:
    """Sign out: the session ends, audited as the person's."""
    row = session.get(ConsoleSession, session_id)
    if row is not None:
        session.delete(row)
    record(
        session, actor, "auth.logout", category=Category.LOGOUT, target=Target("user", actor.name)
    )
