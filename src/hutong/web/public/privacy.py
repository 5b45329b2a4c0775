"""Public pages under /privacy (no sign-in, plain Chinese, no JavaScript): collection notices,
the page where a subject or guardian views and withdraws consents after verification (ID
number + receipt code), and the PI complaint form with its tracking number.

Public actions are not in the permission matrix (nobody is signed in); they are proven by
what the visitor knows (the receipt code) and audited with the ``public`` actor. The verified
subject is carried between the two steps as a short-lived signed token holding the subject's
pseudonym, never the ID number."""

from __future__ import annotations

import hmac
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from hutong.core.db import Database, RowId
from hutong.core.errors import HutongError
from hutong.identity.authz import Actor
from hutong.privacy import complaints, consent, notices
from hutong.privacy.keys import for_domain
from hutong.privacy.schemas import COMPLAINT_CATEGORY_ZH, ComplaintIn
from hutong.web.deps import client_address, database
from hutong.web.templating import render

router = APIRouter(prefix="/privacy", include_in_schema=False)
Db = Annotated[Database, Depends(database)]
TOKEN_SECONDS = 15 * 60
CATEGORY_ZH = {
    "identity": "身份信息",
    "contact": "联系方式",
    "ethnicity": "民族",
    "religion": "宗教信仰",
    "biometric": "个人生物特征",
    "health": "医疗健康",
    "financial": "金融账号",
    "whereabouts": "个人行踪",
    "education": "学业信息",
    "family": "家庭成员",
    "other": "其他",
}


def public_actor(request: Request) -> Actor:
    return Actor(
        kind="public",
        id="public",
        name="public",
        unit_id=None,
        unit_code=None,
        client_address=client_address(request),
        request_id=getattr(request.state, "request_id", None),
    )


def _token_key(db: Database):  # type: ignore[no-untyped-def]
    return for_domain(db.settings.keys_dir, "privacy-portal-session")


def sign(db: Database, subject: str, now: float | None = None) -> str:
    expires = int((now or time.time()) + TOKEN_SECONDS)
    mac = _token_key(db).pseudonym(f"{subject}.{expires}")
    return f"{subject}.{expires}.{mac}"


def unsign(db: Database, token: str) -> str | None:
    try:
        subject, expires, mac = token.split(".")
    except ValueError:
        return None
    if int(expires) < time.time() if expires.isdigit() else True:
        return None
    expected = _token_key(db).pseudonym(f"{subject}.{expires}")
    return subject if hmac.compare_digest(expected, mac) else None


@router.get("", response_class=HTMLResponse)
def index(request: Request, db: Db) -> HTMLResponse:
    with db.sessions() as session:
        rows = [notices.out(n) for n in notices.current_notices(session)]
    return render(request, "public/privacy/index.html", {"notices": rows})


@router.get("/notices/{system_id}", response_class=HTMLResponse)
def notice_page(system_id: RowId, request: Request, db: Db) -> HTMLResponse:
    with db.sessions() as session:
        history = [notices.out(n) for n in notices.history(session, system_id)]
    if not history:
        return render(
            request,
            "public/privacy/index.html",
            {"notices": [], "error": "该系统尚未公布收集使用规则"},
            404,
        )
    current = history[0]
    return render(
        request,
        "public/privacy/notice.html",
        {
            "notice": current,
            "history": history,
            "categories": [CATEGORY_ZH.get(c, c) for c in current.categories],
            "sensitive": [CATEGORY_ZH.get(c, c) for c in current.sensitive_categories],
        },
    )


@router.get("/consents", response_class=HTMLResponse)
def consents_form(request: Request) -> HTMLResponse:
    return render(request, "public/privacy/consents.html", {"consents": None})


@router.post("/consents", response_class=HTMLResponse)
def consents_view(
    request: Request,
    db: Db,
    subject_id: Annotated[str, Form(max_length=40)],
    code: Annotated[str, Form(max_length=20)],
) -> HTMLResponse:
    actor = public_actor(request)
    with db.transaction() as session:
        subject = consent.verify(session, actor, subject_id, code)
        rows = consent.for_subject(session, actor, subject) if subject else None
    if subject is None:
        return render(
            request,
            "public/privacy/consents.html",
            {"consents": None, "error": "证件号码或凭证码不正确"},
            403,
        )
    return render(
        request, "public/privacy/consents.html", {"consents": rows, "token": sign(db, subject)}
    )


@router.post("/consents/withdraw", response_class=HTMLResponse)
def consents_withdraw(
    request: Request,
    db: Db,
    token: Annotated[str, Form(max_length=300)],
    consent_id: Annotated[list[RowId] | None, Form()] = None,
) -> HTMLResponse:
    subject = unsign(db, token)
    if subject is None:
        return render(
            request,
            "public/privacy/consents.html",
            {"consents": None, "error": "页面已过期，请重新验证"},
            403,
        )
    actor = public_actor(request)
    try:
        with db.transaction() as session:
            count = (
                consent.withdraw_own(session, actor, subject, consent_id or []) if consent_id else 0
            )
            rows = consent.for_subject(session, actor, subject)
    except HutongError as error:
        return render(
            request,
            "public/privacy/consents.html",
            {"consents": None, "error": error.zh},
            error.status,
        )
    return render(
        request,
        "public/privacy/consents.html",
        {"consents": rows, "token": sign(db, subject), "notice_text": f"已撤回 {count} 项同意"},
    )


def _complaint_context(session, **extra):  # type: ignore[no-untyped-def]
    return {
        "categories": list(COMPLAINT_CATEGORY_ZH.items()),
        "notices": [notices.out(n) for n in notices.current_notices(session)],
        "days": session.info["settings"].complaint_working_days,
        "filed": None,
        "status": None,
        **extra,
    }


@router.get("/complaints", response_class=HTMLResponse)
def complaint_form(request: Request, db: Db, number: str | None = None) -> HTMLResponse:
    with db.transaction() as session:
        status = None
        error = None
        if number:
            try:
                status = complaints.status(session, public_actor(request), number.strip())
            except HutongError as problem:
                error = problem.zh
        return render(
            request,
            "public/privacy/complaints.html",
            _complaint_context(session, status=status, error=error),
        )


@router.post("/complaints", response_class=HTMLResponse)
def complaint_file(
    request: Request,
    db: Db,
    category: Annotated[str, Form()],
    contact: Annotated[str, Form()],
    text: Annotated[str, Form()],
    system_id: Annotated[str, Form()] = "",
) -> HTMLResponse:
    try:
        data = ComplaintIn(
            category=category,  # type: ignore[arg-type]
            contact=contact,
            text=text,
            system_id=int(system_id) if system_id.strip().isdigit() else None,
        )
    except ValidationError:
        with db.sessions() as session:
            return render(
                request,
                "public/privacy/complaints.html",
                _complaint_context(
                    session, error="请填写联系方式（至少 5 个字）和投诉内容（至少 10 个字）"
                ),
                422,
            )
    with db.transaction() as session:
        row = complaints.file(session, public_actor(request), data)
        filed = {"number": row.number, "due_date": row.due_date}
        return render(
            request, "public/privacy/complaints.html", _complaint_context(session, filed=filed)
        )
