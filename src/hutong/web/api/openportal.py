"""Staff API of the open portal: the release gate (``/api/v1/releases``) and disclosure
requests (``/api/v1/disclosure-requests``); filing a request and reading its status are open
to the public."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, Request

from hutong.core.db import Database, RowId
from hutong.identity.authz import Actor, public_actor
from hutong.openportal import disclosure, release
from hutong.openportal.schemas import (
    ApplicationIn,
    DisclosureOut,
    DisclosureStepIn,
    FiledOut,
    NoteIn,
    ReleaseIn,
    ReleaseOut,
)
from hutong.web.deps import Code, client_address, current_actor, database
from hutong.web.openapi import ERRORS

router = APIRouter(prefix="/api/v1", tags=["open portal"], responses=ERRORS)


@router.get("/releases", summary="Release queue: every release, newest first (state= narrows)")
def releases(
    state: Code = "", actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> list[ReleaseOut]:
    with db.transaction() as session:
        rows = release.queue(session, actor, (state,) if state else ())
        return [ReleaseOut.of(r, e) for r, e in rows]


@router.post(
    "/releases",
    status_code=201,
    summary="Ask for a version to go public; the automatic check runs now",
)
def submit(
    body: ReleaseIn, actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> ReleaseOut:
    with db.transaction() as session:
        row = release.submit(session, actor, body.code, body.version)
        return ReleaseOut.of(row, *release.get(session, actor, row.id)[1:])


@router.get("/releases/{release_id}", summary="One release with its check report")
def show(
    release_id: RowId, actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> ReleaseOut:
    with db.transaction() as session:
        return ReleaseOut.of(*release.get(session, actor, release_id))


@router.post(
    "/releases/{release_id}/transitions/{name}",
    summary="approve, reject, clear, refuse or withdraw",
)
def transition(
    release_id: RowId,
    name: Code,
    body: NoteIn,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> ReleaseOut:
    with db.transaction() as session:
        row = release.transition(session, actor, release_id, name, body.note)
        return ReleaseOut.of(*release.get(session, actor, row.id))


@router.post(
    "/disclosure-requests",
    status_code=201,
    summary="File a disclosure request (public, no sign-in)",
)
def file_request(
    request: Request, body: ApplicationIn, db: Database = Depends(database)
) -> FiledOut:
    actor = public_actor(client_address(request), request.state.request_id)
    request.app.state.rate_limiter.hit(
        "api", actor.client_address or "", request.app.state.settings.portal_api_per_minute
    )
    with db.transaction() as session:
        filed = disclosure.submit(session, actor, disclosure.Application(**body.model_dump()))
        return FiledOut(tracking_no=filed.tracking_no, due_date=filed.due_date)


@router.get(
    "/disclosure-requests/{tracking_no}/status",
    summary="A request's status by tracking number (public)",
)
def request_status(
    request: Request, tracking_no: Code, db: Database = Depends(database)
) -> dict[str, Any]:
    actor = public_actor(client_address(request), request.state.request_id)
    request.app.state.rate_limiter.hit(
        "api", actor.client_address or "", request.app.state.settings.portal_api_per_minute
    )
    with db.transaction() as session:
        return asdict(disclosure.status(session, actor, tracking_no))


@router.get(
    "/disclosure-requests", summary="Disclosure requests, earliest due first (state= narrows)"
)
def requests(
    state: Code = "", actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> list[DisclosureOut]:
    with db.transaction() as session:
        return [DisclosureOut.of(r) for r in disclosure.listing(session, actor, state or None)]


@router.get(
    "/disclosure-requests/{tracking_no}",
    summary="One request, without the applicant's personal information",
)
def request_show(
    tracking_no: Code, actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> DisclosureOut:
    with db.transaction() as session:
        return DisclosureOut.of(disclosure.get(session, actor, tracking_no))


@router.get(
    "/disclosure-requests/{tracking_no}/applicant",
    summary="The applicant's personal information (handling staff; audited)",
)
def request_applicant(
    tracking_no: Code, actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> dict[str, str]:
    with db.transaction() as session:
        return disclosure.applicant(session, actor, tracking_no)


@router.post(
    "/disclosure-requests/{tracking_no}/transitions/{name}",
    summary="ask_correction, extend or decide",
)
def request_step(
    tracking_no: Code,
    name: Code,
    body: DisclosureStepIn,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> DisclosureOut:
    with db.transaction() as session:
        return DisclosureOut.of(disclosure.apply(session, actor, tracking_no, name, body))
