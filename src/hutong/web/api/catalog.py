"""/api/v1/resources and /api/v1/catalog: the catalog over HTTP (thin: parse, call, shape)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Path, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field

from hutong.catalog import (
    aggregate,
    overlaps,
    revisions,
    search,
    service,
    tasks,
    workbook,
    workflow,
)
from hutong.catalog.schemas import (
    FieldChange,
    GradeIn,
    OverlapPage,
    ResourceIn,
    ResourceOut,
    RevisionOut,
    VersionOut,
)
from hutong.catalog.vocab import Status
from hutong.core.db import Database, RowId
from hutong.core.errors import InvalidInput
from hutong.identity.authz import Actor
from hutong.web.deps import Code, Natural, SearchText, current_actor, database
from hutong.web.openapi import ERRORS, downloads

router = APIRouter(prefix="/api/v1", tags=["catalog"], responses=ERRORS)
MAX_UPLOAD = 50 * 1024 * 1024


class ResourceSummary(BaseModel):
    code: str
    name: str
    status: Status
    provider_unit_name: str
    share_type: str
    open_type: str
    grade: str
    update_cycle: str
    has_pi: bool


class FacetValue(BaseModel):
    value: str
    label: str
    count: int


class ResourcePage(BaseModel):
    total: int
    items: list[ResourceSummary]
    facets: dict[str, list[FacetValue]]


class TransitionIn(BaseModel):
    reason: str = Field("", max_length=2000)


class ChangeIn(BaseModel):
    description: str = Field(min_length=2, max_length=2000)


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


Number = Annotated[int, Path(ge=1, le=2**31 - 1, description="修订编号")]


def summary(resource) -> ResourceSummary:  # type: ignore[no-untyped-def]
    return ResourceSummary(
        code=resource.code,
        name=resource.name,
        status=resource.status,
        provider_unit_name=resource.provider_unit.name,
        share_type=resource.share_type,
        open_type=resource.open_type,
        grade=resource.grade,
        update_cycle=resource.update_cycle,
        has_pi=resource.has_pi,
    )


FACET_PARAMS = tuple(name for name in search.FACETS if name != "status")


@router.get(
    "/resources",
    response_model=ResourcePage,
    summary="Search the catalog (Chinese full text + facets)",
)
def list_resources(
    request: Request,
    q: SearchText = "",
    status: Annotated[list[Status] | None, Query()] = None,
    offset: Natural = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> ResourcePage:
    filters = {k: request.query_params[k] for k in FACET_PARAMS if request.query_params.get(k)}
    statuses = tuple(s.value for s in status) if status else (Status.PUBLISHED.value,)
    with db.transaction() as session:
        page = search.search(session, actor, search.Query(q, filters, statuses, offset, limit))
        return ResourcePage(
            total=page.total,
            items=[summary(r) for r in page.resources],
            facets={
                k: [FacetValue(value=v, label=lbl, count=n) for v, lbl, n in vals]
                for k, vals in page.facets.items()
            },
        )


@router.post(
    "/resources", response_model=ResourceOut, status_code=201, summary="Create a draft entry"
)
def create_resource(
    body: ResourceIn, actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> ResourceOut:
    with db.transaction() as session:
        return service.out(service.create(session, actor, body))


@router.get(
    "/resources/{code:code}/versions", response_model=list[VersionOut], summary="Version history"
)
def versions(
    code: Code, actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> list[VersionOut]:
    with db.transaction() as session:
        return service.history(session, actor, code)


@router.get(
    "/resources/{code:code}/diff",
    response_model=list[FieldChange],
    summary="Changes between two versions",
)
def version_diff(
    code: Code,
    from_: Annotated[RowId, Query(alias="from")],
    to: RowId,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> list[FieldChange]:
    with db.transaction() as session:
        return service.compare(session, actor, code, from_, to)


@router.get(
    "/resources/{code:code}/revisions",
    response_model=list[RevisionOut],
    summary="Revisions of a published entry (changes that loosen protection), newest first",
)
def list_revisions(
    code: str, actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> list[RevisionOut]:
    with db.transaction() as session:
        return revisions.of_entry(session, actor, code)


@router.get(
    "/resources/{code:code}/revisions/{number}",
    response_model=RevisionOut,
    summary="One revision with its changes and why it needs review",
)
def get_revision(
    code: str,
    number: Number,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> RevisionOut:
    with db.transaction() as session:
        return revisions.one(session, actor, code, number)


@router.post(
    "/resources/{code:code}/revisions/{number}/transitions/{name}",
    response_model=RevisionOut,
    summary="Catalog reviewer: approve (it takes effect) or return (reason) a revision",
)
def decide_revision(
    code: str,
    number: Number,
    name: Literal["approve", "return"],
    body: TransitionIn,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> RevisionOut:
    with db.transaction() as session:
        revision = workflow.decide_revision(session, actor, code, number, name, body.reason)
        return revisions.out(session, revision)


@router.post(
    "/resources/{code:code}/transitions/{name}",
    response_model=ResourceOut,
    summary="Workflow step: submit, approve, return, publish, retire",
)
def transition(
    code: Code,
    name: Code,
    body: TransitionIn,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> ResourceOut:
    with db.transaction() as session:
        return service.out(workflow.transition(session, actor, code, name, body.reason))


@router.post(
    "/resources/{code:code}/grade",
    response_model=ResourceOut,
    summary="Security administrator: change a published entry's grade (a lowering is a "
    "revision, 202)",
)
def change_grade(
    code: str,
    body: GradeIn,
    response: Response,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> ResourceOut:
    with db.transaction() as session:
        resource = service.change_grade(session, actor, code, body)
        return _in_force(session, actor, resource, response)


def _in_force(session, actor: Actor, resource, response: Response) -> ResourceOut:  # type: ignore[no-untyped-def]
    """The entry as in force, and 202 when a change of it waits for review."""
    pending = revisions.pending_number(session, actor, resource)
    if pending is not None:
        response.status_code = 202
    return service.out(resource, pending)


@router.post(
    "/resources/{code:code}/changes",
    response_model=TaskOut,
    status_code=201,
    summary="Record a change to reflect within 7 working days (M2018 §30)",
)
def record_change(
    code: Code,
    body: ChangeIn,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> TaskOut:
    with db.transaction() as session:
        return task_out(tasks.record_change(session, actor, code, body.description), code)


@router.get("/resources/{code:code}", response_model=ResourceOut, summary="One catalog entry")
def get_resource(
    code: Code, actor: Actor = Depends(current_actor), db: Database = Depends(database)
) -> ResourceOut:
    with db.transaction() as session:
        resource = service.read(session, actor, code)
        return service.out(resource, revisions.pending_number(session, actor, resource))


@router.put(
    "/resources/{code:code}",
    response_model=ResourceOut,
    summary="Edit an entry (a new version; on a published entry a change that loosens "
    "protection is filed as a revision for review: 202)",
)
def update_resource(
    code: Code,
    body: ResourceIn,
    response: Response,
    actor: Actor = Depends(current_actor),
    db: Database = Depends(database),
) -> ResourceOut:
    with db.transaction() as session:
        resource = service.update(session, actor, code, body)
        return _in_force(session, actor, resource, response)


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
        entries = service.export_entries(session, actor, q, format)
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
        saved = service.import_entries(session, actor, parsed, suffix)
        pending = revisions.awaiting_review(session, actor, saved)
        return ImportResult(
            imported=len(saved), codes=[r.code for r in saved], pending_review=pending
        )
