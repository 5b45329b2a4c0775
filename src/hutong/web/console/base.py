"""What every console page shares: the sign-in dependencies (``signed_in`` for the sign-in
steps, ``staff`` for everything else), CSRF checks on forms, the navigation offered to a role,
and ``page``, which renders a template inside the console's frame.

Forms carry a CSRF token: before sign-in a double-submit cookie, afterwards the session's own
token. Pages are thin: they call the same services as the API and render the result.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from hutong.core.db import Database
from hutong.core.errors import PermissionDenied
from hutong.identity.authz import Target, is_allowed, refusal
from hutong.identity.models import SessionStage
from hutong.identity.roles import ROLE_NAMES_ZH, Action, Role
from hutong.web.deps import (
    ConsoleIdentity,
    console_identity,
    database,
)
from hutong.web.templating import render

ROLE_NAMES_EN = {
    Role.SYSTEM_ADMIN: "System administrator",
    Role.SECURITY_ADMIN: "Security administrator",
    Role.AUDITOR: "Security auditor",
    Role.CATALOG_REVIEWER: "Catalog reviewer",
    Role.SECURITY_REVIEWER: "Security reviewer",
    Role.DATA_STEWARD: "Data steward",
    Role.DATA_CONSUMER: "Data consumer",
    Role.PUBLISHER: "Publication reviewer",
    Role.PI_OFFICER: "Personal information protection officer",
}

NAV: list[tuple[str, str, Action | None]] = [
    ("/console", "Home", None),
    ("/console/catalog", "Resource catalog", Action.CATALOG_READ),
    ("/console/exchange", "Sharing exchange", Action.SHARE_READ),
    ("/console/systems", "Information systems", Action.SYSTEM_READ),
    ("/console/supervision", "Supervision", Action.COMPLIANCE_READ),
    ("/console/units", "Units", Action.UNIT_READ),
    ("/console/users", "Users", Action.USER_READ),
    ("/console/audit", "Audit log", Action.AUDIT_READ),
    ("/console/releases", "Release queue", Action.RELEASE_READ),
    ("/console/disclosure", "Disclosure requests", Action.DISCLOSURE_HANDLE),
    ("/console/privacy", "Personal information", Action.CONSENT_READ),
    ("/console/privacy/complaints", "PI complaints", Action.COMPLAINT_HANDLE),
]


#: What each console section is for, shown on the home page (msgids).


class NotSignedIn(Exception):
    """Raised by the page dependency; turned into a redirect to the login page."""


def role_names(lang: str) -> dict[str, str]:
    names = ROLE_NAMES_EN if lang == "en" else ROLE_NAMES_ZH
    return {r.value: names[r] for r in Role}


def shown(identity: ConsoleIdentity, action: Action | None) -> bool:
    """Whether a section is offered: the role may take the action somewhere, its own unit
    included (sections of OWN_UNIT actions such as consents are about the unit's own data)."""
    if action is None:
        return True
    actor = identity.actor
    return is_allowed(actor, action) or is_allowed(
        actor, action, Target("section", None, actor.unit_id)
    )


def signed_in(request: Request, db: Database = Depends(database)) -> ConsoleIdentity:
    identity = console_identity(request, db)
    if identity is None:
        raise NotSignedIn
    return identity


def page(
    request: Request,
    identity: ConsoleIdentity,
    template: str,
    context: dict[str, Any],
    status: int = 200,
) -> Response:
    user = identity.user
    view_user = {
        "username": user.username,
        "display_name": user.display_name,
        "roles": set(user.roles),
        "unit_name": user.unit.name,
    }
    nav = [(href, label) for href, label, action in NAV if shown(identity, action)]
    return render(
        request,
        template,
        {"user": view_user, "csrf_token": identity.csrf_token, "nav": nav, **context},
        status,
    )


def check_csrf(identity: ConsoleIdentity, token: str) -> None:
    """A form must carry its session's token; a refusal is audited as the person's."""
    if not secrets.compare_digest(identity.csrf_token, token):
        error = PermissionDenied(
            "表单已过期，请刷新后重试", "form expired (CSRF check failed); reload and retry"
        )
        target = Target("operation", identity.operation)
        raise refusal(error, identity.actor, "auth.refused", target, reason="csrf")


async def checked_form(request: Request, identity: ConsoleIdentity) -> FormData:
    """The posted form, once its CSRF token matches the session's."""
    form = await request.form()
    check_csrf(identity, str(form.get("csrf_token", "")))
    return form


def stage_redirect(stage: SessionStage) -> RedirectResponse:
    target = {
        SessionStage.CHANGE_PASSWORD: "/console/password",
        SessionStage.ENROL_TOTP: "/console/totp",
    }.get(stage, "/console")
    return RedirectResponse(target, status_code=303)


class StepPending(Exception):
    """A signed-in session that still owes a sign-in step (new password, TOTP enrolment)."""

    def __init__(self, stage: SessionStage) -> None:
        super().__init__(stage.value)
        self.stage = stage


def staff(identity: ConsoleIdentity = Depends(signed_in)) -> ConsoleIdentity:
    """The identity of every console page and form except the sign-in steps themselves."""
    if identity.stage is not SessionStage.FULL:
        raise StepPending(identity.stage)
    return identity


def install_exception_handlers(app) -> None:  # type: ignore[no-untyped-def]
    @app.exception_handler(NotSignedIn)
    async def _login(request: Request, _error: NotSignedIn) -> Response:
        return RedirectResponse(
            "/console/login?" + urlencode({"next": request.url.path}), status_code=303
        )

    @app.exception_handler(StepPending)
    async def _step(_request: Request, error: StepPending) -> Response:
        return stage_redirect(error.stage)
