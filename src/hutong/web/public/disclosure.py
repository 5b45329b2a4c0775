"""/disclosure: the public form of a request for disclosure (依申请公开) and its status page,
reachable with the receipt code only."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from hutong.core.errors import HutongError, InvalidInput, PermissionDenied
from hutong.openportal import disclosure
from hutong.web.deps import refused_anonymously
from hutong.web.public.base import (
    PortalRoute,
    portal_page,
    visitor,
)
from hutong.web.templating import request_language

router = APIRouter(include_in_schema=False, route_class=PortalRoute)

PORTAL_CSRF_COOKIE = "hutong_portal_csrf"


def _csrf(request: Request) -> str:
    return request.cookies.get(PORTAL_CSRF_COOKIE) or secrets.token_urlsafe(24)


def _with_csrf(request: Request, response: Response, token: str) -> Response:
    response.set_cookie(
        PORTAL_CSRF_COOKIE, token, httponly=True, samesite="strict",
        secure=request.app.state.settings.secure_cookies,
    )  # fmt: skip
    return response


def _check_csrf(request: Request, token: str) -> None:
    cookie = request.cookies.get(PORTAL_CSRF_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, token):
        refused_anonymously(request, "csrf")
        raise PermissionDenied(
            "表单已过期，请刷新后重试", "form expired; reload and retry", field="csrf_token"
        )


def _form_page(request: Request, values: dict, error: HutongError | None = None) -> Response:
    token = _csrf(request)
    lang = request_language(request)
    context = {
        "csrf_token_portal": token,
        "values": values,
        "id_types": [(k, v[0]) for k, v in disclosure.ID_TYPES.items()],
        "formats": list(disclosure.FORMATS.items()),
        "error": error.message("en" if lang == "en" else "zh") if error else None,
        "error_field": error.field if error else None,
    }
    status = error.status if error else 200
    return _with_csrf(
        request, portal_page(request, "public/disclosure/form.html", context, status), token
    )


@router.get("/disclosure")
def disclosure_form(request: Request) -> Response:
    return _form_page(request, {"preferred_format": "electronic", "id_type": "citizen_id"})


@router.post("/disclosure")
def disclosure_submit(
    request: Request,
    csrf_token: Annotated[str, Form()],
    name: Annotated[str, Form()] = "",
    id_type: Annotated[str, Form()] = "",
    id_number: Annotated[str, Form()] = "",
    contact: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    purpose: Annotated[str, Form()] = "",
    preferred_format: Annotated[str, Form()] = "electronic",
) -> Response:
    _check_csrf(request, csrf_token)
    actor = visitor(request, "api")
    application = disclosure.Application(
        name, id_type, id_number, contact, description, purpose, preferred_format
    )
    try:
        with request.app.state.db.transaction() as session:
            filed = disclosure.submit(session, actor, application)
            number, due = filed.tracking_no, filed.due_date
    except InvalidInput as error:
        # Re-show what was typed, except the ID number: it is never echoed back.
        kept = {k: v for k, v in application.__dict__.items() if k != "id_number"}
        return _form_page(request, kept, error)
    return portal_page(request, "public/disclosure/done.html", {"number": number, "due": due})


@router.get("/disclosure/status")
def disclosure_status(request: Request, no: str = "") -> Response:
    token = _csrf(request)
    found = None
    if no:
        actor = visitor(request, "api")
        with request.app.state.db.transaction() as session:
            found = disclosure.status(session, actor, no)
    context = {
        "no": no,
        "found": found,
        "state_names": disclosure.STATE_ZH,
        "decisions": disclosure.DECISIONS,
        "csrf_token_portal": token,
    }
    return _with_csrf(
        request, portal_page(request, "public/disclosure/status.html", context), token
    )


@router.post("/disclosure/status")
def disclosure_correct(
    request: Request,
    csrf_token: Annotated[str, Form()],
    no: Annotated[str, Form()],
    supplement: Annotated[str, Form()] = "",
) -> Response:
    _check_csrf(request, csrf_token)
    actor = visitor(request, "api")
    with request.app.state.db.transaction() as session:
        disclosure.answer_correction(session, actor, no, supplement)
    return RedirectResponse("/disclosure/status?" + urlencode({"no": no}), status_code=303)
