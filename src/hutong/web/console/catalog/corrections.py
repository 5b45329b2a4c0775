"""/console/catalog/r/{code}/corrections: a consumer reports an error in an entry's data
(M2018 §26); the provider answers within its deadline."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.core.db import Database
from hutong.exchange import feedback
from hutong.exchange.schemas import (
    AnswerIn,
    CorrectionIn,
)
from hutong.web.console.base import (
    checked_form,
    console_router,
    done,
    fails_back_to,
    form_number,
    staff,
)
from hutong.web.console.catalog.common import entry_url
from hutong.web.deps import ConsoleIdentity, database

router = console_router()


@router.post("/console/catalog/r/{code:code}/corrections")
async def correction(
    request: Request,
    code: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """File a correction report (M2018 §23) or, as the provider, answer one."""
    form = await checked_form(request, identity)
    fails_back_to(request, entry_url(code, "#corrections"))
    with db.transaction() as session:
        if form.get("answer_id"):
            feedback.answer_correction(
                session,
                identity.actor,
                form_number(form, "answer_id", "纠错报告"),
                AnswerIn(answer=str(form.get("answer", ""))),
            )
            message = "答复已发送"
        else:
            keys = [k.strip() for k in str(form.get("row_keys", "")).replace("，", ",").split(",")]
            feedback.report_correction(
                session,
                identity.actor,
                code,
                CorrectionIn(
                    row_keys=[k for k in keys if k],
                    item=str(form.get("item", "")),
                    description=str(form.get("description", "")),
                ),
            )
            message = "纠错报告已提交"
    return done(request, entry_url(code), message, "#corrections")
