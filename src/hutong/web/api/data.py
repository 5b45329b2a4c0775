"""/api/v1/resources/{code}/datasets: upload (streamed) and list dataset versions."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from hutong.core.db import Database, RowId
from hutong.data import service
from hutong.data.ingest import ingest_file
from hutong.data.mapping import from_pairs
from hutong.exchange import feedback
from hutong.identity.authz import Actor
from hutong.web.deps import Code, current_actor, database
from hutong.web.openapi import ERRORS, downloads
from hutong.web.uploads import spooled

router = APIRouter(prefix="/api/v1", tags=["data"], responses=ERRORS)


class ReasonOut(BaseModel):
    item: str
    check: str = Field(description="the failed check's stable id, e.g. decimal, digits, minimum")
    zh: str = Field(description="what the failing values are, in Chinese")
    rows: int


class SummaryOut(BaseModel):
    """What the steward reads after an ingest."""

    imported: int
    set_aside: int
    reasons: list[ReasonOut] = Field(description="every failed check, the most frequent first")
    zh: str = Field(description="the summary as one Chinese sentence")
    rejects_url: str | None = Field(None, description="the set-aside rows with their reasons")


class VersionOut(BaseModel):
    version: int
    rows: int
    rejected: int
    quality_score: float
    quality: dict[str, object]
    detection: dict[str, object]
    source_name: str
    source_encoding: str
    content_sha256: str
    ingested_by: str
    ingested_at: datetime
    encrypted: bool  # sealed at rest with the dataset's data key (N2021 tasks 5, 8)
    open_corrections: int = Field(
        0,
        description="consumer correction reports on the entry still unanswered (M2018 §23); "
        "quality_score measures the version's own checks and does not include them",
    )
    summary: SummaryOut


def version_out(row, code: str, open_corrections: int = 0) -> VersionOut:  # type: ignore[no-untyped-def]
    computed = ("encrypted", "open_corrections", "summary")
    told = service.summary(row)
    rejects = f"/api/v1/resources/{code}/datasets/{row.version}/rejects" if row.rejected else None
    return VersionOut.model_validate(
        {
            **{f: getattr(row, f) for f in VersionOut.model_fields if f not in computed},
            "encrypted": row.data_key_id is not None,
            "open_corrections": open_corrections,
            "summary": {**asdict(told), "zh": told.zh, "rejects_url": rejects},
        }
    )


@router.post(
    "/resources/{code:code}/datasets",
    response_model=VersionOut,
    status_code=201,
    summary="Upload a CSV (UTF-8 or GBK) as a new dataset version",
)
def upload(
    code: Code,
    file: Annotated[UploadFile, File()],
    on_invalid: Literal["reject", "quarantine"] = "reject",
    key: Annotated[list[str] | None, Query()] = None,
    pairs: Annotated[
        list[str] | None,
        Query(alias="map", description="列名=信息项名, repeatable: columns named otherwise"),
    ] = None,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> VersionOut:
    mapping = from_pairs(pairs)
    with spooled(file, db.settings.data_dir) as path:
        version = ingest_file(
            db, actor, code, path, mapping, on_invalid, key, fmt=file.filename or "csv"
        )
    return version_out(version, code)


@router.get(
    "/resources/{code:code}/datasets/{version}/rejects",
    response_class=StreamingResponse,
    responses=downloads("text/csv; charset=utf-8"),
    summary="Download a version's rejected rows",
)
def rejects(
    code: Code,
    version: RowId,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> StreamingResponse:
    with db.transaction() as session:
        chunks = service.rejects_file(session, actor, code, version)
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="rejects-v{version}.csv"'},
    )


@router.get(
    "/resources/{code:code}/datasets",
    response_model=list[VersionOut],
    summary="Dataset versions of an entry, newest first, with quality and PI detection",
)
def list_versions(
    code: Code, actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> list[VersionOut]:
    with db.transaction() as session:
        rows = service.versions(session, actor, code)
        reports = feedback.open_count(session, rows[0].resource_id) if rows else 0
        return [version_out(v, code, reports) for v in rows]
