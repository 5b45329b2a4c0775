"""/api/v1 share-applications, grants, data/{code}/query and /sql, external provisions,
corrections and notifications: the sharing exchange over HTTP (thin: parse, call, shape)."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from pydantic import ValidationError

from hutong.core.db import Database, RowId
from hutong.core.errors import InvalidInput
from hutong.exchange import access, applications, delivery, documents, feedback, grants, service
from hutong.exchange.schemas import (
    AnswerIn,
    ApplicationIn,
    ApplicationOut,
    CorrectionIn,
    CorrectionOut,
    DocumentIn,
    GrantOut,
    NarrowIn,
    NotificationOut,
    ProvisionIn,
    ProvisionOut,
    QueryIn,
    RevokeIn,
    SqlIn,
    TransitionIn,
    UsageOut,
)
from hutong.identity.authz import Actor
from hutong.web.deps import Code, current_actor, database
from hutong.web.links import console_link
from hutong.web.openapi import ERRORS, downloads
from hutong.web.queries import watched
from hutong.web.uploads import spooled

router = APIRouter(prefix="/api/v1", tags=["exchange"], responses=ERRORS)
DELIVERY = downloads(
    *delivery.MEDIA_TYPES.values(), description="rows, streamed in the format asked for"
)
Who = Annotated[Actor, Depends(current_actor)]
Db = Annotated[Database, Depends(database)]


@router.post(
    "/share-applications",
    response_model=ApplicationOut,
    status_code=201,
    summary="Apply for a catalog entry (unconditional: granted at once; not shared: refused)",
)
def apply(body: ApplicationIn, actor: Who, db: Db) -> ApplicationOut:
    with db.transaction() as session:
        return service.out(session, applications.submit(session, actor, body))


@router.get(
    "/share-applications",
    response_model=list[ApplicationOut],
    summary="Applications: view=mine | review | overdue | all",
)
def list_applications(actor: Who, db: Db, view: Code = "mine") -> list[ApplicationOut]:
    with db.transaction() as session:
        return [service.out(session, a) for a in service.listing(session, actor, view)]


@router.get("/share-applications/{application_id}", response_model=ApplicationOut)
def read_application(application_id: RowId, actor: Who, db: Db) -> ApplicationOut:
    with db.transaction() as session:
        return service.out(session, service.read(session, actor, application_id))


@router.post(
    "/share-applications/{application_id}/transitions/{name}",
    response_model=ApplicationOut,
    summary="request_info, supplement, approve (optionally narrowing), refuse, "
    "security_approve, security_refuse, withdraw",
)
def transition(
    application_id: RowId, name: Code, body: TransitionIn, actor: Who, db: Db
) -> ApplicationOut:
    with db.transaction() as session:
        application = applications.transition(
            session, actor, application_id, name, body.reason, body.approval
        )
        return service.out(session, application)


@router.post(
    "/share-applications/{application_id}/documents",
    response_model=ApplicationOut,
    status_code=201,
    summary="Record an agreement, provincial approval or children's assessment with its scan",
)
def record_document(
    application_id: RowId,
    actor: Who,
    db: Db,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form()],
    signed_on: Annotated[date, Form()],
    signatories: Annotated[list[str] | None, Form()] = None,
    reference: Annotated[str, Form()] = "",
    conclusion: Annotated[str, Form()] = "",
) -> ApplicationOut:
    try:
        data = DocumentIn(
            kind=kind,
            signed_on=signed_on,
            signatories=signatories or [],  # type: ignore[arg-type]
            reference=reference,
            conclusion=conclusion,
        )
    except ValidationError as error:
        field = ".".join(str(p) for p in error.errors()[0]["loc"])
        raise InvalidInput(f"字段 {field} 无效", f"invalid field {field}", field=field) from None
    with spooled(file, db.settings.data_dir, "scan") as path, db.transaction() as session:
        application = documents.record_document(
            session, actor, application_id, data, path, file.filename or "scan"
        )
        return service.out(session, application)


@router.get("/grants", response_model=list[GrantOut], summary="Grants the caller is party to")
def list_grants(actor: Who, db: Db) -> list[GrantOut]:
    with db.transaction() as session:
        return [service.grant_out(g) for g in grants.visible(session, actor)]


@router.get("/grants/{code}", response_model=GrantOut)
def read_grant(code: Code, actor: Who, db: Db) -> GrantOut:
    with db.transaction() as session:
        return service.grant_out(grants.read(session, actor, code))


@router.post("/grants/{code}/revoke", response_model=GrantOut, summary="Revoke (next query)")
def revoke_grant(code: Code, body: RevokeIn, actor: Who, db: Db) -> GrantOut:
    with db.transaction() as session:
        return service.grant_out(grants.revoke(session, actor, code, body.reason))


@router.post("/grants/{code}/narrow", response_model=GrantOut, summary="Narrow (next query)")
def narrow_grant(code: Code, body: NarrowIn, actor: Who, db: Db) -> GrantOut:
    with db.transaction() as session:
        return service.grant_out(grants.narrow(session, actor, code, body))


@router.post(
    "/grants/{code}/resume",
    response_model=GrantOut,
    summary="Resume a grant a catalog change suspended, once the entry allows it again",
)
def resume_grant(code: str, actor: Who, db: Db) -> GrantOut:
    with db.transaction() as session:
        return service.grant_out(grants.resume(session, actor, code))


@router.get("/grants/{code}/usage", response_model=list[UsageOut], summary="Daily usage")
def grant_usage(code: Code, actor: Who, db: Db) -> list[UsageOut]:
    with db.transaction() as session:
        return service.usage(session, actor, code)


@router.get("/usage", response_model=list[UsageOut], summary="Daily usage of every grant")
def all_usage(actor: Who, db: Db) -> list[UsageOut]:
    with db.transaction() as session:
        return service.usage(session, actor)


@router.post(
    "/data/{code:code}/query",
    response_class=Response,
    responses=DELIVERY,
    summary="Structured query under a grant: items, filters, sort, cursor page; "
    "format json | csv | parquet | arrow",
)
async def query(code: Code, body: QueryIn, actor: Who, db: Db, request: Request) -> Response:
    engine = request.app.state.engine
    return await watched(request, partial(access.run_query, db, actor, code, body, engine))


@router.post(
    "/data/{code:code}/sql",
    response_class=Response,
    responses=DELIVERY,
    summary="One read-only SELECT over `dataset`, compiled under the grant, streamed",
)
async def sql(code: Code, body: SqlIn, actor: Who, db: Db, request: Request) -> Response:
    engine = request.app.state.engine
    return await watched(request, partial(access.run_sql, db, actor, code, body, engine))


@router.post(
    "/external-provisions",
    response_model=ProvisionOut,
    status_code=201,
    summary="Ask the provider in writing to hand shared data to others (M2018 §22)",
)
def request_provision(body: ProvisionIn, actor: Who, db: Db) -> ProvisionOut:
    with db.transaction() as session:
        return provision_out(feedback.request_provision(session, actor, body))


@router.get("/external-provisions", response_model=list[ProvisionOut])
def list_provisions(actor: Who, db: Db) -> list[ProvisionOut]:
    with db.transaction() as session:
        return [provision_out(p) for p in feedback.provisions(session, actor)]


@router.post("/external-provisions/{provision_id}/answer", response_model=ProvisionOut)
def answer_provision(provision_id: RowId, body: AnswerIn, actor: Who, db: Db) -> ProvisionOut:
    with db.transaction() as session:
        return provision_out(feedback.answer_provision(session, actor, provision_id, body))


@router.post(
    "/resources/{code:code}/corrections",
    response_model=CorrectionOut,
    status_code=201,
    summary="Report an error in a resource's data (M2018 §23)",
)
def report_correction(code: Code, body: CorrectionIn, actor: Who, db: Db) -> CorrectionOut:
    with db.transaction() as session:
        return correction_out(feedback.report_correction(session, actor, code, body))


@router.get("/corrections", response_model=list[CorrectionOut])
def list_corrections(
    actor: Who, db: Db, resource: Code | None = None, open_only: bool = False
) -> list[CorrectionOut]:
    with db.transaction() as session:
        return [
            correction_out(c) for c in feedback.corrections(session, actor, resource, open_only)
        ]


@router.post("/corrections/{correction_id}/answer", response_model=CorrectionOut)
def answer_correction(correction_id: RowId, body: AnswerIn, actor: Who, db: Db) -> CorrectionOut:
    with db.transaction() as session:
        return correction_out(feedback.answer_correction(session, actor, correction_id, body))


class NotificationLinked(NotificationOut):
    """A notification as the API answers it: its subject and the console page that shows it."""

    link: str


@router.get("/notifications", response_model=list[NotificationLinked])
def notifications(
    actor: Who, db: Db, unread: Annotated[bool, Query()] = False, mark_read: bool = False
) -> list[NotificationLinked]:
    with db.transaction() as session:
        rows = service.notifications(session, actor, unread, mark_read)
    return [NotificationLinked(**n.model_dump(), link=console_link(n.subject)) for n in rows]


def provision_out(row) -> ProvisionOut:  # type: ignore[no-untyped-def]
    return ProvisionOut(
        id=row.id,
        grant=row.grant.code,
        resource_code=row.grant.resource.code,
        applicant_unit=row.grant.consumer_unit.name,
        recipient=row.recipient,
        purpose=row.purpose,
        scope=row.scope,
        status=row.status,
        answer=row.answer,
        answered_by=row.answered_by,
        filed_by=row.filed_by,
        filed_at=row.filed_at,
        answered_at=row.answered_at,
    )


def correction_out(row) -> CorrectionOut:  # type: ignore[no-untyped-def]
    return CorrectionOut(
        id=row.id,
        resource_code=row.resource.code,
        reporter_unit=row.reporter_unit.name,
        row_keys=row.row_keys,
        item=row.item,
        description=row.description,
        status=row.status,
        answer=row.answer,
        answered_by=row.answered_by,
        filed_by=row.filed_by,
        filed_at=row.filed_at,
        answered_at=row.answered_at,
    )
