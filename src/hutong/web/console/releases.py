"""/console/releases: the release queue for stewards, publishers and security reviewers
(N2021 task 7): a dataset version goes through the automatic check, the publisher's approval
and the security review to the open portal."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.core.db import Database, RowId
from hutong.identity.authz import is_allowed
from hutong.identity.roles import MATRIX, Action
from hutong.openportal import release
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

RELEASE_VIEWS = {
    "open": release.OPEN_STATES,
    "public": (release.PUBLIC,),
    "failed": (release.CHECK_FAILED,),
    "all": (),
}


@router.get("/console/releases")
def releases_page(
    request: Request, view: str = "open", identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:  # fmt: skip
    actor = identity.actor
    with db.transaction() as session:
        rows = release.queue(session, actor, RELEASE_VIEWS.get(view, release.OPEN_STATES))
        items = [
            {
                "id": r.id,
                "code": e.code,
                "name": e.name,
                "version": r.version,
                "state": r.state,
                "state_label": release.STATE_ZH[r.state],
                "report": r.check_report,
                "requested_by": r.requested_by,
                "requested_at": r.requested_at,
                "approved_by": r.approved_by,
                "risk_note": r.risk_note,
                "close_reason": r.close_reason,
                "steps": [
                    name
                    for name, step in release.TRANSITIONS.items()
                    if step.source == r.state
                    and is_allowed(actor, step.action, release.release_target(r, e))
                ],
            }
            for r, e in rows
        ]
    return page(
        request,
        identity,
        "console/openportal/releases.html",
        {
            "items": items,
            "view": view,
            "can_submit": Action.RELEASE_SUBMIT.value in _actions(identity),
        },
    )


def _actions(identity: ConsoleIdentity) -> set[str]:
    return {a.value for a, rule in MATRIX.items() if identity.actor.roles & rule.roles}


@router.post("/console/releases")
async def release_submit(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    form = await checked_form(request, identity)
    version = form_number(form, "version", "数据版本") or None
    fails_back_to(request, "/console/releases")
    with db.transaction() as session:
        release.submit(session, identity.actor, str(form.get("code", "")).strip(), version)
    return done(request, "/console/releases?view=all", "已提交开放审核")


@router.post("/console/releases/{release_id}/{name}")
async def release_step(
    request: Request, release_id: RowId, name: str, identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:  # fmt: skip
    form = await checked_form(request, identity)
    back = "/console/releases?" + urlencode({"view": str(form.get("view", "open"))})
    fails_back_to(request, back)
    with db.transaction() as session:
        release.transition(session, identity.actor, release_id, name, str(form.get("note", "")))
    return done(request, back, "操作已完成")
