"""What every console page shares: the sign-in dependencies (``signed_in`` for the sign-in
steps, ``staff`` for everything else), CSRF checks on forms, the navigation and tabs offered to
a role (from ``authorize()``'s table, so nobody is shown a link that answers 403), ``page``,
which renders a template inside the console's frame, and ``ConsoleRoute``, which turns what a
handler raises into what a person sees.

Forms carry a CSRF token: before sign-in a double-submit cookie, afterwards the session's own
token. Pages are thin: they call the same services as the API and render the result.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.routing import Match

from hutong.core.db import Database
from hutong.core.errors import (
    HutongError,
    InvalidInput,
    PermissionDenied,
    TooManyRequests,
    invalid_input,
)
from hutong.identity.authz import Target, is_allowed, refusal
from hutong.identity.models import SessionStage
from hutong.identity.roles import ROLE_NAMES_ZH, Action, Role
from hutong.web.deps import (
    ConsoleIdentity,
    console_identity,
    database,
)
from hutong.web.flash import flashes, with_done, with_error
from hutong.web.templating import render, request_language

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


#: A section's tab: (href, label msgid, the action that shows it).
Tab = tuple[str, str, Action]


def tabs(
    request: Request, identity: ConsoleIdentity, offered: list[Tab]
) -> list[tuple[str, str, bool]]:
    """The tabs of a section that this person may open (by ``authorize()``'s table, so no tab
    answers 403), each with whether it is the current one: the most specific tab whose path
    holds the page's and whose query parameters the request has."""
    here = request.url
    visible = [(href, label) for href, label, action in offered if shown(identity, action)]

    def fit(href: str) -> tuple[int, int] | None:
        target = urlsplit(href)
        wanted = dict(p.split("=", 1) for p in target.query.split("&") if "=" in p)
        inside = here.path == target.path or here.path.startswith(target.path.rstrip("/") + "/")
        if not inside or any(request.query_params.get(k) != v for k, v in wanted.items()):
            return None
        return len(target.path), len(wanted)

    fits = {href: fit(href) for href, _ in visible}
    best = max((f for f in fits.values() if f), default=None)
    return [(href, label, best is not None and fits[href] == best) for href, label in visible]


def page(
    request: Request,
    identity: ConsoleIdentity,
    template: str,
    context: dict[str, Any],
    status: int = 200,
) -> Response:
    """``template`` inside the console's frame: navigation for this person, their name, the
    session's CSRF token, and the messages flashed to this request before the page's own."""
    user = identity.user
    view_user = {
        "username": user.username,
        "display_name": user.display_name,
        "roles": set(user.roles),
        "unit_name": user.unit.name,
    }
    nav = [(href, label) for href, label, action in NAV if shown(identity, action)]
    messages = flashes(request) + list(context.pop("messages", []))
    return render(
        request,
        template,
        {
            "user": view_user,
            "csrf_token": identity.csrf_token,
            "nav": nav,
            "messages": messages,
            **context,
        },
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


def form_number(form: FormData, name: str, title: str, default: int = 0) -> int:
    """A whole number posted in ``form``; anything else is refused naming the field by
    ``title`` (never echoing what was typed)."""
    text = str(form.get(name) or "").strip()
    if not text:
        return default
    if not text.isdigit() or len(text) > 12:
        raise InvalidInput(f"“{title}”须为整数", f"{name} must be a whole number", field=name)
    return int(text)


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


def staff(request: Request, identity: ConsoleIdentity = Depends(signed_in)) -> ConsoleIdentity:
    """The identity of every console page and form except the sign-in steps themselves."""
    if identity.stage is not SessionStage.FULL:
        raise StepPending(identity.stage)
    request.state.identity = identity
    return identity


# --- what a person sees after a form, and when something fails ---------------------------


def redirect(request: Request, url: str) -> Response:
    """See other: a 303, or for htmx (whose posts are not page loads) its own redirect."""
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def done(request: Request, url: str, message: str, fragment: str = "") -> Response:
    """The answer to a form that succeeded: back to ``url``, saying what was done."""
    return redirect(request, with_done(request.app.state.settings, url, message, fragment))


def fails_back_to(request: Request, url: str) -> None:
    """Where this form (or page) goes when it fails, with the message: by default a form
    returns to the page it was posted from, and a page that fails shows the error page."""
    request.state.back = url


def fails_again(request: Request, render_form: Callable[[HutongError], Response]) -> None:
    """How this form is shown again when it fails: with the person's input kept and the
    message next to its field (``render_form`` gets the error; ConsoleRoute sets the status)."""
    request.state.again = render_form


ERROR_TITLES = {
    403: ("无权访问", "Access denied"),
    404: ("页面或对象不存在", "Not found"),
    409: ("操作与当前状态冲突", "Conflicts with the current state"),
    429: ("操作过于频繁", "Too many requests"),
}
#: What a person can do next, by status (msgids).
ERROR_HINTS = {
    403: "Your roles do not include this. Use the menu above for what you can do, or ask your unit's system administrator for the role.",
    404: "It may have been removed, or the link is wrong. Use the menu above or search the catalog.",
}


def error_page(request: Request, identity: ConsoleIdentity, status: int, detail: str) -> Response:
    """An error inside the console frame, navigation kept, saying what the person can do."""
    titles = ERROR_TITLES.get(status, ("请求未能完成", "The request could not be completed"))
    lang = request_language(request)
    context = {
        "status": status,
        "title": titles[lang == "en"],
        "detail": detail,
        "hint": ERROR_HINTS.get(status),
    }
    return page(request, identity, "error.html", context, status)


def _back(request: Request) -> str:
    """The page a failed form returns to: as declared, else the console page it was posted
    from (the Referer, when it is one of ours), else the nearest page above the form's URL."""
    declared = getattr(request.state, "back", None)
    if declared:
        return declared
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc and referer.path.startswith("/console"):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    path = request.url.path
    while path.count("/") > 1:
        scope = {**request.scope, "method": "GET", "path": path}
        if any(r.matches(scope)[0] is Match.FULL for r in request.app.router.routes):
            return path
        path = path.rsplit("/", 1)[0]
    return "/console"


async def _refused(request: Request, error: HutongError) -> Response:
    if error.after_rollback:  # a refusal raised outside a transaction: audit it now
        await run_in_threadpool(request.app.state.db.follow_up, error)
    identity = getattr(request.state, "identity", None)
    message = error.message(request_language(request))
    if identity is None:
        raise error  # before sign-in: the app's problem handler answers
    again = getattr(request.state, "again", None)
    posted = request.method == "POST" and error.status != 403
    if posted and again is not None:
        response = await run_in_threadpool(again, error)
        response.status_code = error.status
    elif posted or getattr(request.state, "back", None):
        url, _, fragment = _back(request).partition("#")
        settings = request.app.state.settings
        response = redirect(
            request, with_error(settings, url, message, f"#{fragment}" if fragment else "")
        )
    else:
        response = await run_in_threadpool(error_page, request, identity, error.status, message)
    if isinstance(error, TooManyRequests):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


class ConsoleRoute(APIRoute):
    """One place for what a console handler raises: a form that fails validation or a
    business rule comes back (as declared with ``fails_again``, input kept, or to the page it
    was posted from with the message); a page that cannot be shown is an error page inside the
    console frame. Handlers therefore parse, make one service call and render, nothing more."""

    def get_route_handler(self):  # type: ignore[no-untyped-def]
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except ValidationError as error:
                return await _refused(request, invalid_input(error))
            except HutongError as error:
                return await _refused(request, error)

        return guarded


def console_router() -> APIRouter:
    """The router of a console module: its routes are ConsoleRoutes, hidden from the API."""
    return APIRouter(include_in_schema=False, route_class=ConsoleRoute)


def install_exception_handlers(app) -> None:  # type: ignore[no-untyped-def]
    @app.exception_handler(NotSignedIn)
    async def _login(request: Request, _error: NotSignedIn) -> Response:
        return RedirectResponse(
            "/console/login?" + urlencode({"next": request.url.path}), status_code=303
        )

    @app.exception_handler(StepPending)
    async def _step(_request: Request, error: StepPending) -> Response:
        return stage_redirect(error.stage)

    app.state.error_page = framed_error_page


def framed_error_page(request: Request, status: int, detail: str) -> Response | None:
    """For errors no handler caught (an unknown console URL, a malformed parameter): the
    console's error page with its navigation when a signed-in person asked, else None."""
    if not request.url.path.startswith("/console"):
        return None
    identity = console_identity(request, request.app.state.db)
    if identity is None or identity.stage is not SessionStage.FULL:
        return None
    return error_page(request, identity, status, detail)
