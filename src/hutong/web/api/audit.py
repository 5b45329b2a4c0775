"""/api/v1/audit/events: auditor-only search and export. There is no route that edits or
deletes an event (N2021 task 6); tests assert the route table has none."""

from __future__ import annotations

import tempfile
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from hutong.audit import query
from hutong.audit.schemas import AuditEventOut, AuditPage
from hutong.core.db import MAX_BIGINT, Database
from hutong.identity.authz import Actor
from hutong.web.deps import Code, current_actor, database
from hutong.web.openapi import ERRORS, downloads

EXPORT_MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}
router = APIRouter(prefix="/api/v1/audit", tags=["audit"], responses=ERRORS)


def audit_filter(
    since: Code | None = None,
    until: Code | None = None,
    actor: Code | None = None,
    unit: Code | None = None,
    event: Code | None = None,
    category: Code | None = None,
    target: Code | None = None,
    outcome: Code | None = None,
    before_seq: Annotated[int | None, Query(ge=1, le=MAX_BIGINT)] = None,
) -> query.AuditFilter:
    """Filters from the query string; empty form fields mean "any" (the console sends them)."""
    return query.AuditFilter.parse(
        since=since,
        until=until,
        actor=actor,
        unit=unit,
        event=event,
        category=category,
        target=target,
        outcome=outcome,
        before_seq=before_seq,
    )


@router.get("/events", response_model=AuditPage, summary="Search audit events (newest first)")
def search(
    flt: query.AuditFilter = Depends(audit_filter),
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    who: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> AuditPage:
    with db.transaction() as session:
        events = query.search(session, who, flt, limit)
    next_seq = events[-1].seq if len(events) == limit else None
    return AuditPage(events=[AuditEventOut.of(e) for e in events], next_before_seq=next_seq)


@router.get(
    "/events/export",
    summary="Export matching audit events (CSV or JSON Lines)",
    response_class=StreamingResponse,
    responses=downloads(*EXPORT_MEDIA.values()),
)
def export(
    flt: query.AuditFilter = Depends(audit_filter),
    format: Literal["csv", "jsonl"] = "csv",
    who: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> StreamingResponse:
    # Rendered inside the transaction (the export and its audit event commit together), then
    # streamed from the spool, which the generator closes when done.
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+b")  # noqa: SIM115
    with db.transaction() as session:
        for chunk in query.export(session, who, flt, format):
            spool.write(chunk.encode())
    spool.seek(0)
    media = EXPORT_MEDIA[format]
    name = f"hutong-audit.{format}"

    def stream():  # type: ignore[no-untyped-def]
        with spool:
            while block := spool.read(65536):
                yield block

    return StreamingResponse(
        stream(),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
