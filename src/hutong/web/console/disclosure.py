"""/console/disclosure: disclosure requests (依申请公开) for the handling staff, answered within
20 working days."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.core.db import Database
from hutong.core.errors import InvalidInput
from hutong.openportal import disclosure
from hutong.openportal.schemas import DisclosureStepIn
from hutong.web.console.base import (
    checked_form,
    console_router,
    done,
    fails_back_to,
    form_number,
    page,
    staff,
)
from hutong.web.deps import ConsoleIdentity, database

router = console_router()


@router.get("/console/disclosure")
def disclosure_page(
    request: Request, state: str = "", identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:  # fmt: skip
    with db.transaction() as session:
        rows = disclosure.listing(session, identity.actor, state or None)
        items = [
            {
                "no": r.tracking_no,
                "state": disclosure.STATE_ZH[r.state],
                "description": r.description,
                "received_at": r.received_at,
                "due_date": r.due_date,
                "extended": r.extended,
                "decision": disclosure.DECISIONS.get(r.decision, ""),
            }
            for r in rows
        ]
    return page(
        request, identity, "console/openportal/disclosures.html", {"items": items, "state": state}
    )


def request_url(number: str) -> str:
    return "/console/disclosure/r?" + urlencode({"no": number})


@router.get("/console/disclosure/r")
def disclosure_detail(
    request: Request,
    no: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        found = disclosure.get(session, identity.actor, no)
        who = disclosure.applicant(session, identity.actor, no)
        events = disclosure.history(session, found)
    return page(
        request,
        identity,
        "console/openportal/disclosure.html",
        {
            "r": found,
            "who": who,
            "events": events,
            "state_label": disclosure.STATE_ZH[found.state],
            "decisions": list(disclosure.DECISIONS.items()),
            "formats": disclosure.FORMATS,
        },
    )


@router.post("/console/disclosure/r/{name}")
async def disclosure_step(
    request: Request,
    name: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    form = await checked_form(request, identity)
    number = str(form.get("no", ""))
    fails_back_to(request, request_url(number))
    body = DisclosureStepIn(
        note=str(form.get("note", "")),
        days=form_number(form, "days", "延长天数"),
        reason=str(form.get("reason", "")),
        approver=str(form.get("approver", "")),
        decision=str(form.get("decision", "")),
        answer=str(form.get("answer", "")),
        other_office=str(form.get("other_office", "")),
    )
    if name not in disclosure.STEPS:
        raise InvalidInput("未知的操作", "unknown step", field="name")
    with db.transaction() as session:
        disclosure.apply(session, identity.actor, number, name, body)
    return done(request, request_url(number), "操作已完成")
