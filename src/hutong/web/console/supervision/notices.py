"""/console/supervision/notices: rectification notices (整改通知单): issuing, answering with
files, accepting, returning, escalating, and the 通报 list."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.compliance import (
    attachments,
    notices,
    reports,
)
from hutong.core.db import Database, RowId
from hutong.core.errors import InvalidInput
from hutong.identity.authz import is_allowed
from hutong.identity.roles import Action
from hutong.web.console.base import (
    checked_form,
    console_router,
    done,
    fails_back_to,
    form_number,
    staff,
)
from hutong.web.console.supervision.common import (
    BASE,
    section,
)
from hutong.web.deps import ConsoleIdentity, database

router = console_router()


@router.get(f"{BASE}/notices")
def notices_page(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    state = request.query_params.get("state") or None
    state = state if state in notices.STATE_ZH else None
    overdue_only = bool(request.query_params.get("overdue"))
    with db.transaction() as session:
        rows = [
            {
                "id": n.id,
                "number": n.number,
                "unit": n.unit.name,
                "state": n.state,
                "issued_at": n.issued_at,
                "deadline": n.deadline,
                "overdue": notices.overdue(n),
                "findings": len(n.findings),
                "escalated_at": n.escalated_at,
            }
            for n in notices.list_notices(
                session, identity.actor, state=state, overdue_only=overdue_only
            )
        ]
    return section(
        request,
        identity,
        "console/supervision/notices.html",
        {"rows": rows, "state": state, "overdue_only": overdue_only, "states": notices.STATE_ZH},
    )


@router.post(f"{BASE}/notices")
async def issue_notice(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    """Issue a notice for the findings ticked on the findings page."""
    form = await checked_form(request, identity)
    back = str(form.get("back", "")) or f"{BASE}/findings"
    back = back if back.startswith(f"{BASE}/findings") else f"{BASE}/findings"
    fails_back_to(request, back)
    ids = [str(v) for v in form.getlist("finding_ids")]
    if not all(v.isdigit() and len(v) < 12 for v in ids):
        raise InvalidInput("所选问题无效", "finding ids are numbers", field="finding_ids")
    days = form_number(form, "working_days", "整改期限（工作日）", default=-1)
    with db.transaction() as session:
        notice = notices.issue(
            session,
            identity.actor,
            [int(v) for v in ids],
            days if days >= 0 else None,
            str(form.get("requirements", "")),
        )
        target = f"{BASE}/notices/{notice.id}"
    return done(request, target, "整改通知单已下发")


@router.get(f"{BASE}/notices/{{notice_id}}")
def notice_page(
    request: Request,
    notice_id: RowId,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        doc = reports.notice_document_data(session, identity.actor, notice_id)
        notice = notices.by_id(session, notice_id)
        target = notices.target(notice)
        overdue = notices.overdue(notice)
    actor = identity.actor
    return section(
        request,
        identity,
        "console/supervision/notice.html",
        {
            "doc": doc,
            "can_answer": doc["state"] in (notices.ISSUED, notices.ESCALATED)
            and is_allowed(actor, Action.NOTICE_ANSWER, target),
            "can_review": doc["state"] == notices.ANSWERED
            and is_allowed(actor, Action.NOTICE_REVIEW, target),
            "can_escalate": doc["state"] == notices.ISSUED
            and overdue
            and is_allowed(actor, Action.NOTICE_ESCALATE, target),
            "kinds": ", ".join(sorted(attachments.KINDS)),
            "max_mb": attachments.MAX_BYTES // 1024 // 1024,
        },
    )


@router.post(f"{BASE}/notices/{{notice_id}}/answer")
async def answer_notice(
    request: Request,
    notice_id: RowId,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """The unit's answer: a text per finding, files optional (multipart)."""
    form = await checked_form(request, identity)
    url = f"{BASE}/notices/{notice_id}"
    evidence: dict[int, str] = {}
    uploads: dict[int, list[attachments.Upload]] = {}
    for key, value in form.multi_items():
        if key.startswith("evidence_") and key[9:].isdigit():
            evidence[int(key[9:])] = str(value)
        elif key.startswith("files_") and key[6:].isdigit() and hasattr(value, "read"):
            if not value.filename:  # an empty file input
                continue
            content = await value.read(attachments.MAX_BYTES + 1)
            uploads.setdefault(int(key[6:]), []).append(attachments.Upload(value.filename, content))
    fails_back_to(request, url)
    with db.transaction() as session:
        notices.answer(
            session, identity.actor, notice_id, evidence, str(form.get("note", "")), uploads
        )
    return done(request, url, "整改情况已报送")


@router.post(f"{BASE}/notices/{{notice_id}}/step")
async def notice_step(
    request: Request,
    notice_id: RowId,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """accept, return (with a reason) or escalate."""
    form = await checked_form(request, identity)
    url = f"{BASE}/notices/{notice_id}"
    step = notices.STEPS.get(str(form.get("transition", "")))
    fails_back_to(request, url)
    if step is None:
        raise InvalidInput("未知的操作", "unknown transition", field="transition")
    with db.transaction() as session:
        step(session, identity.actor, notice_id, str(form.get("reason", "")))
    return done(request, url, "操作已完成")
