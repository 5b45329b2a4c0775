"""/console/exchange/grants/{code}/query: querying the data under a grant."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from hutong.core.db import Database
from hutong.core.errors import HutongError
from hutong.exchange import access, grants, service
from hutong.exchange.schemas import (
    QueryIn,
)
from hutong.web.console.base import page, staff
from hutong.web.console.exchange.common import (
    first_message,
)
from hutong.web.deps import ConsoleIdentity, database

router = APIRouter(include_in_schema=False)


@router.get("/console/exchange/grants/{code}/query")
def query_page(
    request: Request,
    code: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """Try a query under a grant: the items chosen, a page of masked rows."""
    with db.transaction() as session:
        grant = service.grant_out(grants.read(session, identity.actor, code))
    chosen = request.query_params.getlist("items")
    result, error = None, None
    if "run" in request.query_params:
        try:
            body = QueryIn(grant=code, items=tuple(chosen), limit=100)
            payload = b"".join(
                access.run_query(db, identity.actor, grant.resource_code, body).chunks
            )
            result = json.loads(payload)
        except (HutongError, ValidationError) as exc:
            error = exc.zh if isinstance(exc, HutongError) else first_message(exc)
    return page(
        request,
        identity,
        "console/exchange/query.html",
        {
            "g": grant,
            "chosen": chosen,
            "result": result,
            "messages": [("error", error)] if error else [],
        },
    )
