"""/api/v1/resources: catalog entries over HTTP (search with facets, one entry, create and
update, versions and their differences, revisions, workflow steps, grade changes). Thin:
parse, call a catalog service, shape the answer."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field

from hutong.catalog import (
    revisions,
    search,
    service,
    tasks,
    workflow,
)
from hutong.catalog.schemas import (
    FieldChange,
    GradeIn,
    ResourceIn,
    ResourceOut,
    RevisionOut,
    VersionOut,
)
from hutong.catalog.vocab import Status
from hutong.core.db import Database, RowId
from hutong.identity.authz import Actor
from hutong.web.api.catalog import TaskOut, task_out
from hutong.web.deps import Code, Natural, SearchText, current_actor, database
from hutong.web.openapi import ERRORS

router = APIRouter(prefix="/api/v1", tags=["catalog"], responses=ERRORS)


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


Number = Annotated[int, Path(ge=1, le=2**31 - 1, description="修订编号")]
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
