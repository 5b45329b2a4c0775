"""Request plumbing shared by routers: the database, the request id, the acting identity, and
the bounded shapes of path and query input.

Refusals on the way in are audited like every other refusal: a known person's (a failed
CSRF check, a session that must finish signing in, an expired session, a disabled account)
as one denied event each; an anonymous caller's (no credentials, an unknown token or session
cookie) counted per client address, operation and minute (``audit/tally.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from annotated_types import Interval, MaxLen
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hutong.core.db import MAX_INTEGER, Database
from hutong.core.errors import AuthenticationFailed, PermissionDenied
from hutong.identity.auth import actor_for
from hutong.identity.authz import Actor, Target, refusal
from hutong.identity.models import SessionStage, User
from hutong.identity.tokens import actor_from_token, console_session

#: A code, number or step name in a path or a filter: longer ones name nothing (row ids are
#: ``core.db.RowId``).
Code = Annotated[str, MaxLen(100)]
#: Words typed into a search box.
SearchText = Annotated[str, MaxLen(200)]
#: An offset, a page number or an optional id (0: none): beyond the largest row id there is
#: nothing to page to or to name.
Natural = Annotated[int, Interval(ge=0, le=MAX_INTEGER)]

SESSION_COOKIE = "hutong_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
bearer = HTTPBearer(auto_error=False, description="Token from POST /api/v1/auth/token")


def database(request: Request) -> Database:
    return request.app.state.db


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def operation(request: Request) -> str:
    """The operation a request is for: its method and route template (no values)."""
    route = request.scope.get("route")
    return f"{request.method} {getattr(route, 'path', 'unmatched')}"


def refused_anonymously(request: Request, reason: str) -> None:
    """Count an anonymous refusal towards its window's audit event."""
    request.app.state.refusals.count(client_address(request), operation(request), reason)


def refused(
    error: PermissionDenied, actor: Actor, request: Request, reason: str
) -> PermissionDenied:
    """A known person's refusal, audited as denied by the error handler."""
    target = Target("operation", operation(request))
    return refusal(error, actor, "auth.refused", target, reason=reason)


@dataclass
class ConsoleIdentity:
    actor: Actor
    user: User
    csrf_token: str
    stage: SessionStage
    session_id: int
    #: method and route template of the request (audit target of a refused form)
    operation: str = ""


def console_identity(request: Request, db: Database) -> ConsoleIdentity | None:
    """The signed-in console user from the session cookie, or None. A refused cookie is
    audited: an unknown one counted anonymously; an expired session or a disabled account
    as the person's denied event (``console_session``)."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    address = client_address(request)
    try:
        with db.transaction() as session:
            found = console_session(session, raw, address, request.state.request_id)
            if found is None:
                refused_anonymously(request, "unknown_session")
                return None
            row, user = found
            actor = actor_for(user, address, request.state.request_id)
            return ConsoleIdentity(
                actor, user, row.csrf_token, SessionStage(row.stage), row.id, operation(request)
            )
    except AuthenticationFailed:
        return None


def current_actor(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
    db: Database = Depends(database),
) -> Actor:
    """Bearer token first; a console cookie also works, with the CSRF header on writes."""
    if credentials is not None:
        try:
            with db.transaction() as session:
                return actor_from_token(
                    session,
                    credentials.credentials,
                    client_address(request),
                    request.state.request_id,
                )
        except AuthenticationFailed:
            refused_anonymously(request, "invalid_token")
            raise
    identity = console_identity(request, db)
    if identity is None:
        if SESSION_COOKIE not in request.cookies:
            refused_anonymously(request, "no_credentials")
        raise AuthenticationFailed("需要登录", "authentication required")
    if identity.stage is not SessionStage.FULL:
        raise refused(
            PermissionDenied(
                "请先完成登录步骤（修改密码或绑定动态验证码）",
                "finish signing in first (change password or enrol TOTP)",
            ),
            identity.actor,
            request,
            "sign_in_unfinished",
        )
    if (
        request.method not in SAFE_METHODS
        and request.headers.get("x-csrf-token") != identity.csrf_token
    ):
        raise refused(
            PermissionDenied("CSRF 校验失败", "CSRF check failed", field="X-CSRF-Token"),
            identity.actor,
            request,
            "csrf",
        )
    return identity.actor
