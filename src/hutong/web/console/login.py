"""/console/login and /console/logout: password (and TOTP) sign-in, and signing out."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from hutong.core.db import Database
from hutong.core.errors import HutongError
from hutong.identity import auth
from hutong.identity.models import SessionStage
from hutong.identity.tokens import close_console_session, open_console_session
from hutong.web.console.base import (
    check_csrf,
    console_router,
    signed_in,
    stage_redirect,
)
from hutong.web.deps import (
    SESSION_COOKIE,
    ConsoleIdentity,
    client_address,
    database,
    refused_anonymously,
)
from hutong.web.templating import render, request_language

router = console_router()

PRE_CSRF_COOKIE = "hutong_login_csrf"


# --- sign-in ----------------------------------------------------------------------------


@router.get("/console/login")
def login_form(request: Request, next: str = "/console", error: str | None = None) -> Response:
    token = request.cookies.get(PRE_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(
        request,
        "console/identity/login.html",
        {"csrf_token": token, "next": _safe_next(next), "error": error},
    )
    response.set_cookie(
        PRE_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.secure_cookies,
    )
    return response


def _safe_next(target: str) -> str:
    """Only local console paths, so the login form cannot become an open redirect."""
    return target if target.startswith("/console") and "//" not in target else "/console"


@router.post("/console/login")
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()],
    totp: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/console",
    db: Database = Depends(database),
) -> Response:
    cookie = request.cookies.get(PRE_CSRF_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, csrf_token):
        refused_anonymously(request, "csrf")
        return render(
            request,
            "console/identity/login.html",
            {
                "csrf_token": cookie or secrets.token_urlsafe(24),
                "next": _safe_next(next),
                "error": "表单已过期，请重试",
            },
            400,
        )
    try:
        with db.transaction() as session:
            user = auth.authenticate(
                session,
                username,
                password,
                totp or None,
                client_address=client_address(request),
                request_id=request.state.request_id,
                allow_pending_totp=True,
            )
            raw, row = open_console_session(session, user)
            stage = SessionStage(row.stage)
    except HutongError as error:
        lang = "en" if request_language(request) == "en" else "zh"
        return render(
            request,
            "console/identity/login.html",
            {"csrf_token": csrf_token, "next": _safe_next(next), "error": error.message(lang)},
            error.status,
        )
    response = (
        stage_redirect(stage)
        if stage is not SessionStage.FULL
        else RedirectResponse(_safe_next(next), status_code=303)
    )
    response.set_cookie(
        SESSION_COOKIE,
        raw,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
    )
    response.delete_cookie(PRE_CSRF_COOKIE)
    return response


@router.post("/console/logout")
def logout(
    request: Request,
    csrf_token: Annotated[str, Form()],
    identity: ConsoleIdentity = Depends(signed_in),
    db: Database = Depends(database),
) -> Response:
    check_csrf(identity, csrf_token)
    with db.transaction() as session:
        close_console_session(session, identity.session_id, identity.actor)
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
