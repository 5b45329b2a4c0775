"""/console/audit: search, chart and export of the audit log (the security auditor's page)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.audit import query
from hutong.audit.service import Category
from hutong.core.clock import from_us, local
from hutong.core.db import Database
from hutong.web.api.audit import audit_filter
from hutong.web.console.base import (
    console_router,
    page,
    staff,
)
from hutong.web.deps import (
    ConsoleIdentity,
    database,
)

router = console_router()


@router.get("/console/audit")
def audit_page(
    request: Request,
    flt: query.AuditFilter = Depends(audit_filter),
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        events = query.search(session, identity.actor, flt, 100)
        counts = query.daily_counts(session, identity.actor)
    days = sorted(counts)
    chart = {
        "days": days,
        "counts": {o: [counts[d].get(o, 0) for d in days] for o in ("allowed", "denied", "failed")},
    }
    params = {k: v for k, v in request.query_params.items() if k not in ("before_seq", "lang")}
    rows = [
        {
            **{
                c: getattr(e, c)
                for c in (
                    "seq",
                    "actor_name",
                    "actor_unit",
                    "event",
                    "category",
                    "target_type",
                    "target_id",
                    "outcome",
                    "rows",
                    "client_addr",
                )
            },
            "time": local(from_us(e.ts_us)).strftime("%Y-%m-%d %H:%M:%S"),
        }
        for e in events
    ]
    next_url = (
        "/console/audit?" + urlencode({**params, "before_seq": events[-1].seq})
        if len(events) == 100
        else None
    )
    return page(
        request,
        identity,
        "console/audit.html",
        {
            "events": rows,
            "chart": chart,
            "next_url": next_url,
            "filters": params,
            "categories": [c.value for c in Category],
            "export_csv_url": "/console/audit/export?" + urlencode({**params, "format": "csv"}),
            "export_jsonl_url": "/console/audit/export?" + urlencode({**params, "format": "jsonl"}),
        },
    )


@router.get("/console/audit/export")
def audit_export(
    request: Request,
    format: str = "csv",
    flt: query.AuditFilter = Depends(audit_filter),
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        body = "".join(query.export(session, identity.actor, flt, format))
    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
    return Response(
        body.encode(),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="hutong-audit.{format}"'},
    )
