"""/console/privacy/extracts: de-identified research extracts: request, decision, download."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import FileResponse, Response

from hutong.core.db import Database
from hutong.privacy import extracts
from hutong.privacy.schemas import (
    ExtractDecisionIn,
    ExtractIn,
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


@router.get(f"{BASE}/extracts")
def extracts_page(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    actor = identity.actor
    with db.transaction() as session:
        rows = [
            {
                **extracts.out(r).model_dump(),
                "can_decide": r.state == "requested" and extracts.may_decide(session, actor, r),
                "can_download": r.state == "produced" and extracts.may_download(session, actor, r),
            }
            for r in extracts.listing(session, actor)
        ]
    return section(
        request,
        identity,
        "extracts.html",
        {"rows": rows, "unit_code": actor.unit_code or ""},
    )


@router.post(f"{BASE}/extracts")
async def extract_request(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    form = await checked_form(request, identity)
    back = f"{BASE}/extracts"
    fails_back_to(request, back)
    data = ExtractIn.model_validate(
        {
            "resource_code": str(form.get("resource_code", "")).strip(),
            "requester_unit_code": identity.actor.unit_code or "",
            "purpose": str(form.get("purpose", "")).strip(),
            "items": split_lines(str(form.get("items", ""))),
            "quasi": split_lines(str(form.get("quasi", ""))),
            "k": str(form.get("k", "5")) or "5",
        }
    )
    with db.transaction() as session:
        number = extracts.request(session, identity.actor, data).number
    return done(request, back, f"研究提取申请 {number} 已提交")


@router.post(f"{BASE}/extracts/{{number}}/decision")
async def extract_decide(
    request: Request, number: str, identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:  # fmt: skip
    form = await checked_form(request, identity)
    back = f"{BASE}/extracts"
    body = ExtractDecisionIn(
        approve=form.get("approve") == "1", note=str(form.get("note", "")).strip()[:2000]
    )
    fails_back_to(request, back)
    with db.transaction() as session:
        extracts.decide(session, identity.actor, number, body)
    if body.approve:
        extracts.produce(db, identity.actor, number)
    return done(request, back, f"研究提取申请 {number} 已处理")


@router.get(f"{BASE}/extracts/{{number}}/file")
def extract_download(
    number: str, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> FileResponse:
    with db.transaction() as session:
        path = extracts.download(session, identity.actor, number)
    return FileResponse(
        path, media_type="application/vnd.apache.parquet", filename=f"{number}.parquet"
    )
