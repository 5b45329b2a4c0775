"""Console pages of the sharing exchange: apply (from a catalog entry), my applications,
to review, one application with its actions, grants, a query under a grant, usage and
notifications; and the correction reports of an entry."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from hutong.catalog import service as catalog_service
from hutong.catalog.vocab import Mask
from hutong.core.db import Database, RowId
from hutong.core.errors import HutongError, InvalidInput
from hutong.exchange import access, applications, feedback, grants, service
from hutong.exchange.schemas import (
    AnswerIn,
    ApplicationIn,
    ApprovalIn,
    CorrectionIn,
    GrantedItemIn,
    QueryIn,
    RevokeIn,
)
from hutong.exchange.vocab import GRANT_STATES_ZH, AppStatus, DocumentKind, PurposeCategory
from hutong.identity.authz import is_allowed
from hutong.identity.roles import Action
from hutong.web.console.base import checked_form, page, staff
from hutong.web.console.catalog.entries import entry_url
from hutong.web.deps import ConsoleIdentity, database
from hutong.web.flash import error_from, with_error

router = APIRouter(include_in_schema=False)
VIEWS = [
    ("mine", "My applications"),
    ("review", "To review"),
    ("overdue", "Overdue"),
]


def app_url(application_id: int) -> str:
    return f"/console/exchange/a/{application_id}"


def _messages(request: Request) -> list[tuple[str, str]]:
    error = error_from(request)
    return [("error", error)] if error else []


def _first(error: ValidationError) -> str:
    first = error.errors()[0]
    return f"“{'.'.join(str(p) for p in first['loc'])}” {first['msg']}"


@router.get("/console/exchange")
def exchange_home(identity: ConsoleIdentity = Depends(staff)) -> Response:
    return RedirectResponse("/console/exchange/applications", status_code=303)


@router.get("/console/exchange/applications")
def applications_page(
    request: Request,
    view: str = "mine",
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    view = view if view in dict(VIEWS) else "mine"
    with db.transaction() as session:
        rows = [service.out(session, a) for a in service.listing(session, identity.actor, view)]
    return page(
        request,
        identity,
        "console/exchange/list.html",
        {"rows": rows, "view": view, "views": VIEWS, "messages": _messages(request)},
    )


@router.get("/console/exchange/apply/{code:code}")
def apply_form(
    request: Request,
    code: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        resource = catalog_service.out(catalog_service.read(session, identity.actor, code))
    return page(
        request,
        identity,
        "console/exchange/apply.html",
        {
            "r": resource,
            "categories": [(c.value, c.zh) for c in PurposeCategory],
            "messages": _messages(request),
            "today": date.today().isoformat(),
        },
    )


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
    try:
        data = ApplicationIn.model_validate(values)
        with db.transaction() as session:
            created = applications.submit(session, identity.actor, data).id
    except ValidationError as error:
        message = _first(error)
    except HutongError as error:
        message = error.zh
    else:
        return RedirectResponse(app_url(created), status_code=303)
    target = f"/console/exchange/apply/{code}"
    return RedirectResponse(with_error(db.settings, target, message), status_code=303)


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
            "messages": _messages(request),
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
                users=_names(form.get("users")),
                clients=_names(form.get("clients")),
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
    import tempfile
    from pathlib import Path

    from hutong.exchange import documents
    from hutong.exchange.schemas import DocumentIn

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
        target = with_error(db.settings, app_url(application_id), _first(error))
        return RedirectResponse(target, status_code=303)
    except HutongError as error:
        target = with_error(db.settings, app_url(application_id), error.zh)
        return RedirectResponse(target, status_code=303)
    return RedirectResponse(app_url(application_id), status_code=303)


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
    return page(
        request,
        identity,
        "console/exchange/grants.html",
        {"rows": shown, "states": GRANT_STATES_ZH, "messages": _messages(request)},
    )


@router.post("/console/exchange/grants/{code}/revoke")
async def revoke(
    request: Request,
    code: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    form = await checked_form(request, identity)
    try:
        body = RevokeIn(reason=str(form.get("reason", "")))
        with db.transaction() as session:
            grants.revoke(session, identity.actor, code, body.reason)
    except ValidationError:
        return RedirectResponse(
            with_error(db.settings, "/console/exchange/grants", "撤销须说明理由"), status_code=303
        )
    except HutongError as error:
        return RedirectResponse(
            with_error(db.settings, "/console/exchange/grants", error.zh), status_code=303
        )
    return RedirectResponse("/console/exchange/grants", status_code=303)


@router.post("/console/exchange/grants/{code}/resume")
async def resume(
    request: Request,
    code: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """The provider resumes a grant a catalog change suspended, once the entry allows it."""
    await checked_form(request, identity)
    try:
        with db.transaction() as session:
            grants.resume(session, identity.actor, code)
    except HutongError as error:
        return RedirectResponse(
            with_error(db.settings, "/console/exchange/grants", error.zh), status_code=303
        )
    return RedirectResponse("/console/exchange/grants", status_code=303)


@router.get("/console/exchange/grants/{code}/query")
def query_page(
    request: Request,
    code: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """Try a query under a grant: the items chosen, a page of masked rows."""
    import json

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
            error = exc.zh if isinstance(exc, HutongError) else _first(exc)
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


@router.get("/console/exchange/usage")
def usage_page(
    request: Request,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        rows = service.usage(session, identity.actor)
    return page(request, identity, "console/exchange/usage.html", {"rows": rows})


@router.get("/console/notifications")
def notifications_page(
    request: Request,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        rows = service.notifications(session, identity.actor, mark_read=True)
    return page(request, identity, "console/exchange/notifications.html", {"rows": rows})


@router.post("/console/catalog/r/{code:code}/corrections")
async def correction(
    request: Request,
    code: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """File a correction report (M2018 §23) or, as the provider, answer one."""
    form = await checked_form(request, identity)
    try:
        with db.transaction() as session:
            if form.get("answer_id"):
                feedback.answer_correction(
                    session,
                    identity.actor,
                    int(str(form["answer_id"])),
                    AnswerIn(answer=str(form.get("answer", ""))),
                )
            else:
                keys = [
                    k.strip() for k in str(form.get("row_keys", "")).replace("，", ",").split(",")
                ]
                feedback.report_correction(
                    session,
                    identity.actor,
                    code,
                    CorrectionIn(
                        row_keys=[k for k in keys if k],
                        item=str(form.get("item", "")),
                        description=str(form.get("description", "")),
                    ),
                )
    except ValidationError as error:
        return RedirectResponse(
            with_error(db.settings, entry_url(code), _first(error), "#corrections"), status_code=303
        )
    except HutongError as error:
        return RedirectResponse(
            with_error(db.settings, entry_url(code), error.zh, "#corrections"), status_code=303
        )
    return RedirectResponse(entry_url(code) + "#corrections", status_code=303)


def _names(value: object) -> list[str]:
    """User names or client ids typed into one field, separated by commas or spaces."""
    return [n for n in re.split(r"[\s,，、]+", str(value or "")) if n]
