"""/console/exchange/grants: the grants a person may see, and revoking or resuming one."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.core.db import Database
from hutong.exchange import grants, service
from hutong.exchange.schemas import (
    RevokeIn,
)
from hutong.exchange.vocab import GRANT_STATES_ZH
from hutong.identity.authz import is_allowed
from hutong.identity.roles import Action
from hutong.web.console.base import checked_form, console_router, done, fails_back_to, staff
from hutong.web.console.exchange.common import section
from hutong.web.deps import ConsoleIdentity, database

router = console_router()


@router.get("/console/exchange/grants")
def grants_page(
    request: Request,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        rows = grants.visible(session, identity.actor)
        shown = [
            (
                service.grant_out(g),
                is_allowed(identity.actor, Action.GRANT_MANAGE, grants.target(g)),
                grants.may_use(identity.actor, g) and is_allowed(identity.actor, Action.DATA_QUERY),
            )
            for g in rows
        ]
    return section(
        request,
        identity,
        "console/exchange/grants.html",
        {"rows": shown, "states": GRANT_STATES_ZH},
    )


@router.post("/console/exchange/grants/{code}/revoke")
async def revoke(
    request: Request,
    code: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    form = await checked_form(request, identity)
    fails_back_to(request, "/console/exchange/grants")
    body = RevokeIn(reason=str(form.get("reason", "")))
    with db.transaction() as session:
        grants.revoke(session, identity.actor, code, body.reason)
    return done(request, "/console/exchange/grants", f"授权 {code} 已撤销")


@router.post("/console/exchange/grants/{code}/resume")
async def resume(
    request: Request,
    code: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """The provider resumes a grant a catalog change suspended, once the entry allows it."""
    await checked_form(request, identity)
    fails_back_to(request, "/console/exchange/grants")
    with db.transaction() as session:
        grants.resume(session, identity.actor, code)
    return done(request, "/console/exchange/grants", f"授权 {code} 已恢复")
