"""The staff console (/console): sign-in with its mandatory steps, home, audit, units, users.

Forms carry a CSRF token: before sign-in a double-submit cookie, afterwards the session's own
token. Pages are thin: they call the same services as the API and render the result.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

import segno
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from hutong.audit import query
from hutong.audit.service import Category
from hutong.core.clock import from_us, local
from hutong.core.db import Database
from hutong.core.errors import HutongError, PermissionDenied
from hutong.identity import auth, service
from hutong.identity.authz import Target, is_allowed, refusal
from hutong.identity.models import UNIT_KIND_ZH, SessionStage, UnitKind, User
from hutong.identity.roles import ROLE_NAMES_ZH, Action, Role
from hutong.identity.schemas import UnitCreate, UserCreate
from hutong.identity.tokens import close_console_session, open_console_session
from hutong.web.api.audit import audit_filter
from hutong.web.deps import (
    SESSION_COOKIE,
    ConsoleIdentity,
    client_address,
    console_identity,
    database,
    refused_anonymously,
)
from hutong.web.flash import error_from, with_error
from hutong.web.templating import render, request_language

router = APIRouter(include_in_schema=False)
PRE_CSRF_COOKIE = "hutong_login_csrf"
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
SECTION_TEXT = {
    "Resource catalog": "Register, review and search the education government information resource catalog.",
    "Sharing exchange": "Apply for shared data, review applications, manage grants and usage.",
    "Information systems": "The registry of survey projects and information systems: MLPS level, personal information, officer, filing, audits.",
    "Supervision": "Findings of the compliance rules, rectification notices, risk assessments and dashboards.",
    "Units": "The unit tree of the education system.",
    "Users": "Accounts, roles and separation of duties.",
    "Audit log": "Search and export the tamper-evident audit log.",
    "Release queue": "Take dataset versions through the automatic check, the publisher's approval and the security review to the open portal.",
    "Disclosure requests": "Handle requests for disclosure within 20 working days.",
    "Personal information": "Collection notices, consents, sensitive items, automated decisions, statistical release and research extracts.",
    "PI complaints": "Answer complaints about the handling of personal information before they are due.",
}


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


# --- sign-in ----------------------------------------------------------------------------


@router.get("/console/login")
def login_form(request: Request, next: str = "/console", error: str | None = None) -> Response:
    token = request.cookies.get(PRE_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(
        request, "console/identity/login.html", {"csrf_token": token, "next": _safe_next(next), "error": error}
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
    from hutong.identity.models import ConsoleSession

    with db.transaction() as session:
        close_console_session(
            session, session.get(ConsoleSession, identity.session_id), identity.actor
        )
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _advance(
    db: Database, identity: ConsoleIdentity, work: Callable[[Any, User], None]
) -> SessionStage:
    """Run a sign-in step for the session's user and move the session to its next stage."""
    from hutong.identity.models import ConsoleSession

    with db.transaction() as session:
        user = session.get(User, identity.user.id)
        work(session, user)
        row = session.get(ConsoleSession, identity.session_id)
        if user.must_change_password:
            row.stage = SessionStage.CHANGE_PASSWORD.value
        elif auth.needs_second_factor(user) and not user.totp_enabled:
            row.stage = SessionStage.ENROL_TOTP.value
        else:
            row.stage = SessionStage.FULL.value
        return SessionStage(row.stage)


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
        stage = _advance(
            db, identity, lambda s, u: auth.change_password(s, u, current_password, new_password)
        )
    except HutongError as error:
        return page(request, identity, "console/identity/change_password.html", {"error": error.zh}, 422)
    return stage_redirect(stage)


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
        uri = auth.begin_totp_enrolment(session, session.get(User, identity.user.id))
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
        stage = _advance(db, identity, lambda s, u: auth.confirm_totp_enrolment(s, u, code.strip()))
    except HutongError:
        return RedirectResponse(
            "/console/totp?" + urlencode({"error": "wrong_code"}), status_code=303
        )
    return stage_redirect(stage)


# --- pages ------------------------------------------------------------------------------


@router.get("/console")
def home(request: Request, identity: ConsoleIdentity = Depends(staff)) -> Response:
    lang = "en" if request_language(request) == "en" else "zh"
    cards = [
        {"title": label, "text": SECTION_TEXT.get(label, ""), "href": href}
        for href, label, action in NAV[1:]
        if shown(identity, action)
    ]
    return page(request, identity, "console/home.html", {"cards": cards, "role_names": role_names(lang)})


@router.get("/console/audit")
def audit_page(
    request: Request,
    flt: query.AuditFilter = Depends(audit_filter),
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        events = query.search(session, identity.actor, flt, 100)
        counts = query.daily_counts(session, identity.actor)
    days = sorted(counts)
    chart = {
        "days": days,
        "counts": {o: [counts[d].get(o, 0) for d in days] for o in ("allowed", "denied", "failed")},
    }
    params = {k: v for k, v in request.query_params.items() if k not in ("before_seq", "lang")}
    rows = [
        {
            **{
                c: getattr(e, c)
                for c in (
                    "seq",
                    "actor_name",
                    "actor_unit",
                    "event",
                    "category",
                    "target_type",
                    "target_id",
                    "outcome",
                    "rows",
                    "client_addr",
                )
            },
            "time": local(from_us(e.ts_us)).strftime("%Y-%m-%d %H:%M:%S"),
        }
        for e in events
    ]
    next_url = (
        "/console/audit?" + urlencode({**params, "before_seq": events[-1].seq})
        if len(events) == 100
        else None
    )
    return page(
        request,
        identity,
        "console/audit.html",
        {
            "events": rows,
            "chart": chart,
            "next_url": next_url,
            "filters": params,
            "categories": [c.value for c in Category],
            "export_csv_url": "/console/audit/export?" + urlencode({**params, "format": "csv"}),
            "export_jsonl_url": "/console/audit/export?" + urlencode({**params, "format": "jsonl"}),
        },
    )


@router.get("/console/audit/export")
def audit_export(
    request: Request,
    format: str = "csv",
    flt: query.AuditFilter = Depends(audit_filter),
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        body = "".join(query.export(session, identity.actor, flt, format))
    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
    return Response(
        body.encode(),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="hutong-audit.{format}"'},
    )


def _tree(units) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    nodes = {
        u.id: {
            "code": u.code,
            "name": u.name,
            "kind_label": UNIT_KIND_ZH[UnitKind(u.kind)],
            "children": [],
        }
        for u in units
    }
    roots = []
    for u in units:
        (nodes[u.parent_id]["children"] if u.parent_id in nodes else roots).append(nodes[u.id])
    return roots


@router.get("/console/units")
def units_page(
    request: Request,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        tree = _tree(service.list_units(session, identity.actor))
    return page(
        request,
        identity,
        "console/identity/units.html",
        {
            "tree": tree,
            "can_manage": is_allowed(identity.actor, Action.UNIT_MANAGE),
            "error": error_from(request),
            "kinds": [(k.value, UNIT_KIND_ZH[k]) for k in UnitKind],
        },
    )


@router.post("/console/units")
def units_create(
    request: Request,
    code: Annotated[str, Form()],
    name: Annotated[str, Form()],
    kind: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()],
    parent_code: Annotated[str, Form()] = "",
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    check_csrf(identity, csrf_token)
    try:
        data = UnitCreate(
            code=code.strip(), name=name.strip(), kind=kind, parent_code=parent_code.strip() or None
        )
        with db.transaction() as session:
            service.create_unit(session, identity.actor, data)
    except (HutongError, ValueError) as error:
        message = error.zh if isinstance(error, HutongError) else "输入无效，请检查代码、名称与类型"
        return RedirectResponse(with_error(db.settings, "/console/units", message), status_code=303)
    return RedirectResponse("/console/units", status_code=303)


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
    try:
        data = UserCreate(
            username=str(form.get("username", "")).strip(),
            display_name=str(form.get("display_name", "")).strip(),
            unit_code=str(form.get("unit_code", "")).strip(),
            roles=[str(r) for r in form.getlist("roles")],
        )
        with db.transaction() as session:
            created = service.create_user(session, identity.actor, data)
    except (HutongError, ValueError) as error:
        message = (
            error.zh
            if isinstance(error, HutongError)
            else "输入无效：用户名须为小写字母、数字，至少选择一个角色"
        )
        return _users_page(request, identity, db, [("error", message)], 422)
    note = f"已创建 {created.username}，一次性密码：{created.one_time_password}（首次登录须修改）"
    return _users_page(request, identity, db, [("success", note)], 201)
