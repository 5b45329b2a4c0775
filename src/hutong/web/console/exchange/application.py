"""/console/exchange/a/{id}: one share application with the steps its reader may take and its
documents (agreement, approvals, scans)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.catalog.vocab import Mask
from hutong.core.db import Database, RowId
from hutong.core.errors import InvalidInput
from hutong.exchange import applications, documents, service
from hutong.exchange.schemas import (
    DocumentIn,
)
from hutong.exchange.vocab import AppStatus, DocumentKind
from hutong.identity.authz import is_allowed
from hutong.identity.roles import Action
from hutong.web.console.base import (
    checked_form,
    console_router,
    done,
    fails_back_to,
    form_number,
    staff,
)
from hutong.web.console.exchange.common import (
    app_url,
    names,
    section,
)
from hutong.web.deps import ConsoleIdentity, database

router = console_router()


@router.get("/console/exchange/a/{application_id}")
def application_page(
    request: Request,
    application_id: RowId,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    actor = identity.actor
    with db.transaction() as session:
        application = service.read(session, actor, application_id)
        data = service.out(session, application)
        steps = [
            (name, applications.TRANSITIONS[name])
            for name in applications.available(application)
            if is_allowed(
                actor,
                applications.TRANSITIONS[name].action,
                applications.TRANSITIONS[name].side(application),
            )
        ]
        items = {i.name: i for i in application.resource.items}
        can_record = application.status == AppStatus.AWAITING_DOCUMENTS and is_allowed(
            actor, Action.SHARE_RECORD, applications.provider_side(application)
        )
    return section(
        request,
        identity,
        "console/exchange/application.html",
        {
            "a": data,
            "steps": steps,
            "approve_items": [
                (name, items[name].default_mask if name in items else "none") for name in data.items
            ],
            "masks": [(m.value, m.zh) for m in Mask],
            "can_record": can_record,
            "kinds": [(k, k.zh) for k in DocumentKind if k.value in data.needs],
        },
    )


@router.post("/console/exchange/a/{application_id}/step")
async def application_step(
    request: Request,
    application_id: RowId,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    form = await checked_form(request, identity)
    name = str(form.get("transition", ""))
    fails_back_to(request, app_url(application_id))
    with db.transaction() as session:
        approval = None
        if name == "approve":
            chosen = [str(i) for i in form.getlist("items")]
            approval = applications.approval_of(
                session,
                application_id,
                chosen,
                {n: str(form.get(f"mask_{n}", "")) for n in chosen},
                online_only="online_only" in form,
                rows_per_day=form_number(form, "rows_per_day", "每日行数上限") or None,
                users=names(form.get("users")),
                clients=names(form.get("clients")),
            )
        applications.transition(
            session, identity.actor, application_id, name, str(form.get("reason", "")), approval
        )
    return done(request, app_url(application_id), "操作已完成")


@router.post("/console/exchange/a/{application_id}/documents")
async def application_document(
    request: Request,
    application_id: RowId,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    form = await checked_form(request, identity)
    fails_back_to(request, app_url(application_id))
    upload = form.get("file")
    data = DocumentIn.model_validate(
        {
            "kind": form.get("kind"),
            "signed_on": form.get("signed_on"),
            "signatories": [s for s in str(form.get("signatories", "")).splitlines() if s.strip()],
            "reference": form.get("reference", ""),
            "conclusion": form.get("conclusion", ""),
        }
    )
    if upload is None or isinstance(upload, str):
        raise InvalidInput("请上传扫描件", "upload the scan", field="file")
    with tempfile.TemporaryDirectory(dir=db.settings.data_dir) as folder:
        scan = Path(folder) / "scan"
        scan.write_bytes(await upload.read())
        with db.transaction() as session:
            documents.record_document(
                session, identity.actor, application_id, data, scan, upload.filename or "scan"
            )
    return done(request, app_url(application_id), "文件已登记")
