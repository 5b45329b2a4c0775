"""/console/users: accounts and their roles; creating one shows its one-time password in place."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.core.db import Database
from hutong.identity import service
from hutong.identity.schemas import UserCreate
from hutong.web.console.base import (
    checked_form,
    console_router,
    fails_again,
    page,
    role_names,
    staff,
)
from hutong.web.deps import (
    ConsoleIdentity,
    database,
)
from hutong.web.templating import request_language

router = console_router()


def _users_page(
    request: Request,
    identity: ConsoleIdentity,
    db: Database,
    messages: list[tuple[str, str]],
    status: int = 200,
) -> Response:
    lang = "en" if request_language(request) == "en" else "zh"
    names = role_names(lang)
    with db.transaction() as session:
        users = service.list_users(session, identity.actor)
        units = {u.code: u.name for u in service.list_units(session, identity.actor)}
    rows = [
        {
            "username": u.username,
            "display_name": u.display_name,
            "unit_name": units.get(u.unit_code, u.unit_code),
            "roles": [names[r] for r in u.roles],
            "enabled": u.enabled,
            "locked": u.locked,
        }
        for u in users
    ]
    error = next((text for level, text in messages if level == "error"), None)
    return page(
        request,
        identity,
        "console/identity/users.html",
        {
            "users": rows,
            "role_choices": list(names.items()),
            "error": error,
            "messages": messages,
        },
        status,
    )


@router.get("/console/users")
def users_page(
    request: Request,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    return _users_page(request, identity, db, [])


@router.post("/console/users")
async def users_create(
    request: Request,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """Rendered in place (not redirected) so the one-time password never enters a URL."""
    form = await checked_form(request, identity)
    fails_again(request, lambda error: _users_page(request, identity, db, [("error", error.zh)]))
    data = UserCreate(
        username=str(form.get("username", "")).strip(),
        display_name=str(form.get("display_name", "")).strip(),
        unit_code=str(form.get("unit_code", "")).strip(),
        roles=[str(r) for r in form.getlist("roles")],
    )
    with db.transaction() as session:
        created = service.create_user(session, identity.actor, data)
    note = f"已创建 {created.username}，一次性密码：{created.one_time_password}（首次登录须修改）"
    return _users_page(request, identity, db, [("success", note)], 201)
