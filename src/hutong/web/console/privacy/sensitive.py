"""/console/privacy/sensitive: leadership decisions on collecting sensitive personal information."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.core.db import Database
from hutong.core.errors import HutongError
from hutong.privacy import sensitive
from hutong.privacy.schemas import (
    SensitiveDecisionIn,
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
    split_lines,
)
from hutong.web.deps import ConsoleIdentity, database

router = console_router()


@router.get(f"{BASE}/sensitive")
def sensitive_page(
    request: Request, resource: str = "", identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:  # fmt: skip
    rows: list[Any] = []
    error = None
    if resource:
        try:
            with db.transaction() as session:
                rows = [
                    sensitive.out(r)
                    for r in sensitive.for_resource(session, identity.actor, resource)
                ]
        except HutongError as problem:
            error = problem.zh
    return section(
        request,
        identity,
        "sensitive.html",
        {"resource": resource, "decisions": rows, "error": error, "today": date.today()},
    )


@router.post(f"{BASE}/sensitive")
async def sensitive_decide(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    form = await checked_form(request, identity)
    code = str(form.get("resource_code", "")).strip()
    back = f"{BASE}/sensitive?" + urlencode({"resource": code})
    fails_back_to(request, back)
    data = SensitiveDecisionIn.model_validate(
        {
            "resource_code": code,
            **{
                k: str(form.get(k, "")).strip()
                for k in ("item_name", "necessity", "scientific", "ethics", "meeting")
            },
            "meeting_date": str(form.get("meeting_date", "")) or None,
            "attendees": split_lines(str(form.get("attendees", ""))),
            "outcome": str(form.get("outcome", "")),
        }
    )
    with db.transaction() as session:
        sensitive.decide(session, identity.actor, data)
    return done(request, back, "决策已记录")
