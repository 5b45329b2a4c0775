"""/api/v1/catalog: the catalog as a whole over HTTP (maintenance tasks, the revision queue, the
annual review, the classification tree, 一数一源 overlaps, export and import)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile
from pydantic import BaseModel, Field

from hutong.catalog import (
    aggregate,
    overlaps,
    revisions,
    tasks,
    transfer,
    workbook,
)
from hutong.catalog.schemas import (
    OverlapPage,
    RevisionOut,
)
from hutong.core.db import Database
from hutong.core.errors import InvalidInput
from hutong.identity.authz import Actor
from hutong.web.deps import Natural, SearchText, current_actor, database
from hutong.web.openapi import ERRORS, downloads

router = APIRouter(prefix="/api/v1", tags=["catalog"], responses=ERRORS)
MAX_UPLOAD = 50 * 1024 * 1024


class TaskOut(BaseModel):
    id: int
    kind: str
    resource_code: str | None
    description: str
    due_date: str
    status: str
    overdue: bool


class TreeNode(BaseModel):
    code: str
    name: str
    own: int
    total: int
    children: list[TreeNode]


class ImportResult(BaseModel):
    imported: int
    codes: list[str]
    pending_review: list[str] = Field(
        default_factory=list,
        description="已发布资源中放宽保护、须经目录审核员审核后才生效的资源代码",
    )


class PendingRevision(BaseModel):
    """A revision awaiting review, with the entry it would change."""

    code: str
    name: str
    provider_unit_name: str
    revision: RevisionOut


def task_out(task, code: str | None) -> TaskOut:  # type: ignore[no-untyped-def]
    return TaskOut(
        id=task.id,
        kind=task.kind,
        resource_code=code,
        description=task.description,
        due_date=task.due_date.isoformat(),
        status=task.status,
        overdue=tasks.overdue(task),
    )


@router.get(
    "/catalog/tasks", response_model=list[TaskOut], summary="Open maintenance tasks with due dates"
)
def list_tasks(
    actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> list[TaskOut]:
    with db.transaction() as session:
        return [task_out(task, code) for task, code in tasks.open_tasks(session, actor)]


@router.get(
    "/catalog/revisions",
    response_model=list[PendingRevision],
    summary="Revisions awaiting review (all for reviewers and the security administrator)",
)
def revision_queue(
    actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> list[PendingRevision]:
    with db.transaction() as session:
        return [
            PendingRevision(
                code=r.code, name=r.name, provider_unit_name=r.provider_unit.name, revision=rev
            )
            for r, rev in revisions.queue(session, actor)
        ]


@router.post(
    "/catalog/annual-review",
    response_model=TaskOut,
    status_code=201,
    summary="Record the unit's yearly full catalog review (M2018 §30)",
)
def annual_review(
    actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> TaskOut:
    with db.transaction() as session:
        return task_out(tasks.complete_annual_review(session, actor, actor.unit_id), None)


@router.get(
    "/catalog/tree",
    response_model=list[TreeNode],
    summary="The ministry catalog by unit or classification",
)
def catalog_tree(
    by: Literal["unit", "classification"] = "unit",
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> list[TreeNode]:
    with db.transaction() as session:
        return [
            TreeNode.model_validate(n, from_attributes=True)
            for n in aggregate.tree(session, actor, by)
        ]


@router.get(
    "/catalog/overlaps",
    response_model=OverlapPage,
    summary="一数一源: items that another unit's earlier entry already provides, with justifications",
)
def list_overlaps(
    missing: bool = Query(False, description="only overlaps without a recorded justification"),
    offset: Natural = 0,
    limit: int = Query(100, ge=1, le=1000),
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> OverlapPage:
    with db.transaction() as session:
        total, rows = overlaps.listing(session, actor, missing, offset, limit)
    return OverlapPage(total=total, overlaps=rows)


EXPORT_MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
}


@router.get(
    "/catalog/export",
    summary="Export published entries (xlsx workbook, JSON or CSV)",
    response_class=Response,
    responses=downloads(*EXPORT_MEDIA.values()),
)
def export(
    format: Literal["xlsx", "json", "csv"] = "xlsx",
    q: SearchText = "",
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        entries = transfer.export_entries(session, actor, q, format)
    return Response(
        workbook.export(entries, format),
        media_type=EXPORT_MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="hutong-catalog.{format}"'},
    )


@router.post(
    "/catalog/import",
    response_model=ImportResult,
    summary="Import a workbook, JSON or CSV (all or nothing)",
)
async def import_file(
    file: Annotated[UploadFile, File()],
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> ImportResult:
    content = await file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise InvalidInput("文件超过 50 MB", "file larger than 50 MB", field="file")
    suffix = (file.filename or "").rsplit(".", 1)[-1].lower()
    parsed = workbook.parse(content, suffix)
    with db.transaction() as session:
        saved = transfer.import_entries(session, actor, parsed, suffix)
        pending = revisions.awaiting_review(session, actor, saved)
        return ImportResult(
            imported=len(saved), codes=[r.code for r in saved], pending_review=pending
        )
