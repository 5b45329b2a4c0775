"""/console/password: the change of password a session owes before it may go on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from hutong.core.db import Database
from hutong.core.errors import HutongError
from hutong.identity import auth
from hutong.identity.models import SessionStage, User
from hutong.identity.tokens import advance_console_session
from hutong.web.console.base import (
    check_csrf,
    console_router,
    page,
    signed_in,
    stage_redirect,
)
from hutong.web.deps import (
    ConsoleIdentity,
    database,
)

router = console_router()


def advance(
    db: Database, identity: ConsoleIdentity, work: Callable[[Any, User], None]
) -> SessionStage:
    """Run a sign-in step for the session's user and move the session to its next stage."""
    with db.transaction() as session:
        return advance_console_session(session, identity.session_id, work)


@router.get("/console/password")
def password_form(request: Request, identity: ConsoleIdentity = Depends(signed_in)) -> Response:
    return page(request, identity, "console/identity/change_password.html", {"error": None})


@router.post("/console/password")
def password_change(
    request: Request,
    current_password: Annotated[str, Form()],
    new_password: Annotated[str, Form()],
    confirm_password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()],
    identity: ConsoleIdentity = Depends(signed_in),
    db: Database = Depends(database),
) -> Response:
    check_csrf(identity, csrf_token)
    try:
        if new_password != confirm_password:
            raise HutongError(
                "两次输入的新密码不一致", "the two new passwords differ", field="confirm_password"
            )
        stage = advance(
            db, identity, lambda s, u: auth.change_password(s, u, current_password, new_password)
        )
    except HutongError as error:
        return page(
            request, identity, "console/identity/change_password.html", {"error": error.zh}, 422
        )
    return stage_redirect(stage)
