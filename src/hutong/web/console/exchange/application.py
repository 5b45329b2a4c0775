"""/console/exchange/a/{id}: one share application with the steps its reader may take and its
documents (agreement, approvals, scans)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from hutong.catalog.vocab import Mask
from hutong.core.db import Database, RowId
from hutong.core.errors import HutongError, InvalidInput
from hutong.exchange import applications, documents, grants, service
from hutong.exchange.schemas import (
    ApprovalIn,
    DocumentIn,
    GrantedItemIn,
)
from hutong.exchange.vocab import AppStatus, DocumentKind
from hutong.identity.authz import is_allowed
from hutong.identity.roles import Action
from hutong.web.console.base import checked_form, page, staff
from hutong.web.console.exchange.common import (
    app_url,
    first_message,
    messages,
    names,
)
from hutong.web.deps import ConsoleIdentity, database
from hutong.web.flash import with_error

router = APIRouter(include_in_schema=False)


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
    return page(
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
            "messages": messages(request),
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
    try:
        approval = None
        if name == "approve":
            chosen = [str(i) for i in form.getlist("items")]
            if not chosen:
                raise InvalidInput(
                    "请至少批准一个信息项", "approve at least one item", field="items"
                )
            with db.transaction() as session:
                resource = applications.by_id(session, application_id).resource
                entry = grants.items_of(resource)
                approved = [
                    GrantedItemIn(
                        name=n,
                        mask=grants.default_mask(entry[n], Mask(str(form.get(f"mask_{n}", "none"))))
                        if n in entry
                        else None,
                    )
                    for n in chosen
                ]
            approval = ApprovalIn(
                items=approved,
                online_only="online_only" in form,
                rows_per_day=int(str(form.get("rows_per_day") or 0)) or None,
                users=names(form.get("users")),
                clients=names(form.get("clients")),
            )
        with db.transaction() as session:
            applications.transition(
                session,
                identity.actor,
                application_id,
                name,
                str(form.get("reason", "")),
                approval,
            )
    except (HutongError, ValueError) as error:
        message = error.zh if isinstance(error, HutongError) else "输入无效"
        return RedirectResponse(
            with_error(db.settings, app_url(application_id), message), status_code=303
        )
    return RedirectResponse(app_url(application_id), status_code=303)


@router.post("/console/exchange/a/{application_id}/documents")
async def application_document(
    request: Request,
    application_id: RowId,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    form = await checked_form(request, identity)
    upload = form.get("file")
    try:
        data = DocumentIn.model_validate(
            {
                "kind": form.get("kind"),
                "signed_on": form.get("signed_on"),
                "signatories": [
                    s for s in str(form.get("signatories", "")).splitlines() if s.strip()
                ],
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
    except ValidationError as error:
        target = with_error(db.settings, app_url(application_id), first_message(error))
        return RedirectResponse(target, status_code=303)
    except HutongError as error:
        target = with_error(db.settings, app_url(application_id), error.zh)
        return RedirectResponse(target, status_code=303)
    return RedirectResponse(app_url(application_id), status_code=303)
