"""/console/exchange/apply/{code}: applying for shared data from a catalog entry."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.catalog import service as catalog_service
from hutong.core.db import Database
from hutong.core.errors import HutongError
from hutong.exchange import applications
from hutong.exchange.schemas import (
    ApplicationIn,
)
from hutong.exchange.vocab import PurposeCategory
from hutong.web.console.base import checked_form, console_router, done, fails_again, page, staff
from hutong.web.console.exchange.common import (
    app_url,
)
from hutong.web.deps import ConsoleIdentity, database

router = console_router()


def apply_page(
    request: Request,
    identity: ConsoleIdentity,
    db: Database,
    code: str,
    values: dict[str, Any],
    error: HutongError | None = None,
) -> Response:
    """The application form, with what was typed kept and the first problem beside its field."""
    with db.transaction() as session:
        resource = catalog_service.out(catalog_service.read(session, identity.actor, code))
    return page(
        request,
        identity,
        "console/exchange/apply.html",
        {
            "r": resource,
            "categories": [(c.value, c.zh) for c in PurposeCategory],
            "today": date.today().isoformat(),
            "values": values,
            "error": error.zh if error else None,
            "error_field": (error.field or "").split(".")[0] if error else None,
        },
    )


@router.get("/console/exchange/apply/{code:code}")
def apply_form(
    request: Request,
    code: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    return apply_page(request, identity, db, code, {})


@router.post("/console/exchange/apply/{code:code}")
async def apply_submit(
    request: Request,
    code: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    form = await checked_form(request, identity)
    items = [str(i) for i in form.getlist("items")]
    reasons = {i: str(form.get(f"reason_{i}", "")).strip() for i in items}
    values: dict[str, Any] = {
        "resource_code": code,
        "purpose": str(form.get("purpose", "")),
        "purpose_category": str(form.get("purpose_category", "")),
        "items": items,
        "item_reasons": {k: v for k, v in reasons.items() if v},
        "access_mode": str(form.get("access_mode", "online_only")),
        "security_measures": str(form.get("security_measures", "")),
        "period_until": str(form.get("period_until", "")) or None,
    }
    fails_again(request, lambda error: apply_page(request, identity, db, code, values, error))
    data = ApplicationIn.model_validate(values)
    with db.transaction() as session:
        created = applications.submit(session, identity.actor, data).id
    return done(request, app_url(created), "共享申请已提交")
