"""/console/catalog/r/{code}/corrections: a consumer reports an error in an entry's data
(M2018 §26); the provider answers within its deadline."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from hutong.core.db import Database
from hutong.core.errors import HutongError
from hutong.exchange import feedback
from hutong.exchange.schemas import (
    AnswerIn,
    CorrectionIn,
)
from hutong.web.console.base import checked_form, console_router, staff
from hutong.web.console.catalog.common import entry_url
from hutong.web.console.exchange.common import (
    first_message,
)
from hutong.web.deps import ConsoleIdentity, database
from hutong.web.flash import with_error

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
    try:
        with db.transaction() as session:
            if form.get("answer_id"):
                feedback.answer_correction(
                    session,
                    identity.actor,
                    int(str(form["answer_id"])),
                    AnswerIn(answer=str(form.get("answer", ""))),
                )
            else:
                keys = [
                    k.strip() for k in str(form.get("row_keys", "")).replace("，", ",").split(",")
                ]
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
    except ValidationError as error:
        return RedirectResponse(
            with_error(db.settings, entry_url(code), first_message(error), "#corrections"),
            status_code=303,
        )
    except HutongError as error:
        return RedirectResponse(
            with_error(db.settings, entry_url(code), error.zh, "#corrections"), status_code=303
        )
    return RedirectResponse(entry_url(code) + "#corrections", status_code=303)
