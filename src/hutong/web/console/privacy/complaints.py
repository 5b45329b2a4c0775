"""/console/privacy/complaints: complaints about the handling of personal information, and answering."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.core.db import Database
from hutong.privacy import complaints
from hutong.privacy.schemas import (
    COMPLAINT_CATEGORY_ZH,
    AnswerIn,
)
from hutong.web.console.base import (
    checked_form,
    console_router,
    done,
    fails_back_to,
    staff,
)
from hutong.web.console.privacy.common import (
    BASE,
    section,
)
from hutong.web.deps import ConsoleIdentity, database

router = console_router()


@router.get(f"{BASE}/complaints")
def complaints_page(
    request: Request, state: str = "", identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:  # fmt: skip
    with db.transaction() as session:
        rows = complaints.list_all(session, identity.actor, state or None)
    return section(
        request,
        identity,
        "complaints.html",
        {"rows": rows, "state": state, "category_zh": COMPLAINT_CATEGORY_ZH},
    )


@router.get(f"{BASE}/complaints/{{number}}")
def complaint_page(
    request: Request, number: str, identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:  # fmt: skip
    with db.transaction() as session:
        found = complaints.read(session, identity.actor, number)
    return section(
        request,
        identity,
        "complaint.html",
        {"c": found, "category_zh": COMPLAINT_CATEGORY_ZH},
    )


@router.post(f"{BASE}/complaints/{{number}}/answer")
async def complaint_answer(
    request: Request, number: str, identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:  # fmt: skip
    form = await checked_form(request, identity)
    back = f"{BASE}/complaints/{number}"
    fails_back_to(request, back)
    data = AnswerIn(answer=str(form.get("answer", "")).strip())
    with db.transaction() as session:
        complaints.answer(session, identity.actor, number, data)
    return done(request, back, "答复已发送")
