"""/api/v1/collection-notices, /api/v1/consents, /api/v1/sensitive-decisions, /api/v1/automated-decisions,
/api/v1/releases, /api/v1/extracts and /api/v1/complaints: personal-information protection
over HTTP (thin: parse, call a service, shape)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import FileResponse

from hutong.core.db import Database, RowId
from hutong.identity.authz import Actor
from hutong.privacy import complaints, consent, decisions, extracts, ledger, notices, sensitive
from hutong.privacy import statistics as stats
from hutong.privacy.schemas import (
    AnswerIn,
    AutomatedDecisionIn,
    AutomatedDecisionOut,
    CheckIn,
    CheckOut,
    ComplaintOut,
    ConsentIn,
    ConsentOut,
    ConsentReceiptOut,
    ExtractDecisionIn,
    ExtractIn,
    ExtractOut,
    FairnessIn,
    ImportOut,
    NoticeIn,
    NoticeOut,
    ReleaseIn,
    SensitiveDecisionIn,
    SensitiveDecisionOut,
)
from hutong.web.deps import Code, current_actor, database
from hutong.web.openapi import ERRORS, downloads

PARQUET = "application/vnd.apache.parquet"
router = APIRouter(prefix="/api/v1", tags=["privacy"], responses=ERRORS)
Who = Annotated[Actor, Depends(current_actor)]
Db = Annotated[Database, Depends(database)]


# --- notices ----------------------------------------------------------------------------------
@router.get(
    "/collection-notices", response_model=list[NoticeOut], summary="Current collection notices"
)
def list_notices(db: Db) -> list[NoticeOut]:
    with db.sessions() as session:
        return [notices.out(n) for n in notices.current_notices(session)]


@router.post(
    "/collection-notices", response_model=NoticeOut, status_code=201, summary="Publish a notice"
)
def publish_notice(body: NoticeIn, actor: Who, db: Db) -> NoticeOut:
    with db.transaction() as session:
        return notices.out(notices.publish(session, actor, body))


@router.get(
    "/collection-notices/{system_id}/versions",
    response_model=list[NoticeOut],
    summary="Every version of a system's notice",
)
def notice_versions(system_id: RowId, db: Db) -> list[NoticeOut]:
    with db.sessions() as session:
        return [notices.out(n) for n in notices.history(session, system_id)]


# --- consents ---------------------------------------------------------------------------------
@router.post(
    "/consents", response_model=ConsentReceiptOut, status_code=201, summary="Record one consent"
)
def give_consent(body: ConsentIn, actor: Who, db: Db) -> ConsentReceiptOut:
    with db.transaction() as session:
        row, code = consent.give(session, actor, body)
        return ConsentReceiptOut(consent=consent.out(session, row), receipt_code=code)


@router.get("/consents", response_model=list[ConsentOut], summary="A system's consents")
def list_consents(
    actor: Who, db: Db, system_id: RowId, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[ConsentOut]:
    with db.transaction() as session:
        return consent.list_for_system(session, actor, system_id, limit)


@router.post(
    "/consents/import", response_model=ImportOut, status_code=201, summary="Import a CSV file"
)
def import_consents(
    actor: Who,
    db: Db,
    system_id: Annotated[RowId, Form()],
    notice_version: Annotated[RowId, Form()],
    file: Annotated[UploadFile, File()],
) -> ImportOut:
    content = file.file.read()
    with db.transaction() as session:
        count, receipts = consent.import_file(session, actor, system_id, notice_version, content)
    return ImportOut(consents=count, receipts=receipts)


@router.post(
    "/consents/{consent_id}/withdraw", response_model=ConsentOut, summary="Withdraw a consent"
)
def withdraw_consent(consent_id: RowId, actor: Who, db: Db) -> ConsentOut:
    with db.transaction() as session:
        return consent.out(session, consent.withdraw(session, actor, consent_id))


@router.post(
    "/consents/check",
    response_model=CheckOut,
    summary="May these subjects be processed for this purpose? (bulk, one join)",
)
def check_consents(body: CheckIn, actor: Who, db: Db) -> CheckOut:
    with db.transaction() as session:
        consents = ledger.open_check(
            session, actor, body.system_id, body.purpose, body.sensitive_categories
        )
    flags = ledger.check(body.subject_ids, consents)
    allowed = sum(flags)
    return CheckOut(
        subjects=len(flags), allowed=allowed, refused=len(flags) - allowed, allowed_flags=flags
    )


# --- sensitive PI and automated decisions -----------------------------------------------------
@router.post(
    "/sensitive-decisions",
    response_model=SensitiveDecisionOut,
    status_code=201,
    summary="Record a collective leadership decision on a sensitive item",
)
def decide_sensitive(body: SensitiveDecisionIn, actor: Who, db: Db) -> SensitiveDecisionOut:
    with db.transaction() as session:
        return sensitive.out(sensitive.decide(session, actor, body))


@router.get(
    "/sensitive-decisions",
    response_model=list[SensitiveDecisionOut],
    summary="Decisions on an entry's sensitive items",
)
def list_sensitive(resource_code: Code, actor: Who, db: Db) -> list[SensitiveDecisionOut]:
    with db.transaction() as session:
        return [sensitive.out(r) for r in sensitive.for_resource(session, actor, resource_code)]


@router.get(
    "/automated-decisions",
    response_model=list[AutomatedDecisionOut],
    summary="The register of automated decision-making",
)
def list_automated(actor: Who, db: Db) -> list[AutomatedDecisionOut]:
    with db.transaction() as session:
        return [decisions.out(r) for r in decisions.list_all(session, actor)]


@router.post(
    "/automated-decisions",
    response_model=AutomatedDecisionOut,
    status_code=201,
    summary="Register automated decision-making",
)
def register_automated(body: AutomatedDecisionIn, actor: Who, db: Db) -> AutomatedDecisionOut:
    with db.transaction() as session:
        return decisions.out(decisions.register(session, actor, body))


@router.post(
    "/automated-decisions/{decision_id}/fairness",
    response_model=AutomatedDecisionOut,
    summary="Record a fairness check",
)
def fairness_check(
    decision_id: RowId, body: FairnessIn, actor: Who, db: Db
) -> AutomatedDecisionOut:
    with db.transaction() as session:
        return decisions.out(decisions.check_fairness(session, actor, decision_id, body))


# --- statistical release ----------------------------------------------------------------------
@router.post(
    "/statistical-releases",
    summary="An aggregate table with small cells suppressed (optional DP)",
)
def statistical_release(body: ReleaseIn, actor: Who, db: Db) -> dict[str, object]:
    return stats.release_table(db, actor, body).as_dict()


# --- research extracts ------------------------------------------------------------------------
@router.post("/extracts", response_model=ExtractOut, status_code=201, summary="Request an extract")
def request_extract(body: ExtractIn, actor: Who, db: Db) -> ExtractOut:
    with db.transaction() as session:
        return extracts.out(extracts.request(session, actor, body))


@router.get("/extracts/{number}", response_model=ExtractOut, summary="One extract")
def get_extract(number: Code, actor: Who, db: Db) -> ExtractOut:
    with db.transaction() as session:
        return extracts.out(extracts.read(session, actor, number))


@router.post(
    "/extracts/{number}/decision",
    response_model=ExtractOut,
    summary="The owner unit approves (and the extract is produced) or refuses",
)
def decide_extract(number: Code, body: ExtractDecisionIn, actor: Who, db: Db) -> ExtractOut:
    with db.transaction() as session:
        row = extracts.out(extracts.decide(session, actor, number, body))
    return extracts.produce(db, actor, number) if body.approve else row


@router.get(
    "/extracts/{number}/file",
    summary="Download a produced extract (Parquet)",
    response_class=FileResponse,
    responses=downloads(PARQUET),
)
def download_extract(number: Code, actor: Who, db: Db) -> FileResponse:
    with db.transaction() as session:
        path = extracts.download(session, actor, number)
    return FileResponse(path, media_type=PARQUET, filename=f"{number}.parquet")


# --- complaints -------------------------------------------------------------------------------
@router.get("/complaints", response_model=list[ComplaintOut], summary="PI complaints")
def list_complaints(actor: Who, db: Db, state: Code | None = None) -> list[ComplaintOut]:
    with db.transaction() as session:
        return complaints.list_all(session, actor, state)


@router.get("/complaints/{number}", response_model=ComplaintOut, summary="One complaint, opened")
def get_complaint(number: Code, actor: Who, db: Db) -> ComplaintOut:
    with db.transaction() as session:
        return complaints.read(session, actor, number)


@router.post(
    "/complaints/{number}/answer", response_model=ComplaintOut, summary="Answer a complaint"
)
def answer_complaint(number: Code, body: AnswerIn, actor: Who, db: Db) -> ComplaintOut:
    with db.transaction() as session:
        complaints.answer(session, actor, number, body)
        return complaints.read(session, actor, number)
