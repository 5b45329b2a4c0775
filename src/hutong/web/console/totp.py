"""/console/totp: enrolment of the second factor (TOTP) the security roles must hold."""

from __future__ import annotations

import io
from typing import Annotated
from urllib.parse import urlencode

import segno
from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from hutong.core.db import Database
from hutong.core.errors import HutongError
from hutong.identity import auth
from hutong.identity.tokens import console_user
from hutong.web.console.base import (
    check_csrf,
    console_router,
    page,
    signed_in,
    stage_redirect,
)
from hutong.web.console.password import advance
from hutong.web.deps import (
    ConsoleIdentity,
    database,
)

router = console_router()


@router.get("/console/totp")
def totp_form(
    request: Request,
    error: str | None = None,
    identity: ConsoleIdentity = Depends(signed_in),
    db: Database = Depends(database),
) -> Response:
    if identity.user.totp_enabled:
        return RedirectResponse("/console", status_code=303)
    with db.transaction() as session:
        uri = auth.begin_totp_enrolment(session, console_user(session, identity.session_id))
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, xmldecl=False, svgns=True)
    secret = uri.split("secret=")[1].split("&")[0]
    return page(
        request,
        identity,
        "console/identity/enrol_totp.html",
        # only a known code is shown, so the query string cannot put words on the page
        {
            "qr_svg": buffer.getvalue().decode(),
            "secret": secret,
            "error": "动态验证码错误，请重新扫描二维码后输入" if error == "wrong_code" else None,
        },
    )


@router.post("/console/totp")
def totp_confirm(
    request: Request,
    code: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()],
    identity: ConsoleIdentity = Depends(signed_in),
    db: Database = Depends(database),
) -> Response:
    check_csrf(identity, csrf_token)
    try:
        stage = advance(db, identity, lambda s, u: auth.confirm_totp_enrolment(s, u, code.strip()))
    except HutongError:
        return RedirectResponse(
            "/console/totp?" + urlencode({"error": "wrong_code"}), status_code=303
        )
    return stage_redirect(stage)
