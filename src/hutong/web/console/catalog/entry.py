"""/console/catalog/r/{code}: an entry with its versions, revisions, grade and datasets, and the
workflow steps, revision decisions and grade changes taken on it."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.catalog import overlaps, revisions, service, tasks, workflow
from hutong.catalog.schemas import GradeIn
from hutong.catalog.versions import in_chinese
from hutong.catalog.vocab import (
    Grade,
    ShareType,
    Status,
)
from hutong.core.db import Database
from hutong.data import service as data_service
from hutong.exchange import feedback as exchange_feedback
from hutong.identity.authz import is_allowed
from hutong.identity.roles import Action
from hutong.web.console.base import checked_form, console_router, done, fails_back_to, page, staff
from hutong.web.console.catalog.common import (
    entry_url,
    labels,
)
from hutong.web.deps import ConsoleIdentity, database

router = console_router()


@router.get("/console/catalog/r/{code:code}")
def entry_page(
    request: Request,
    code: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        resource = service.read(session, identity.actor, code)
        data = service.out(resource)
        history = service.history(session, identity.actor, code)
        target = service.target(resource)
        steps = [
            (name, workflow.TRANSITIONS[name])
            for name in workflow.available(resource)
            if is_allowed(identity.actor, workflow.TRANSITIONS[name].action, target)
        ]
        can_edit = Status(resource.status) in service.EDITABLE and is_allowed(
            identity.actor, Action.CATALOG_EDIT, target
        )
        datasets = data_service.versions(session, identity.actor, code)
        repeated = overlaps.of_entries(session, [resource]).get(resource.code, [])
        can_ingest = is_allowed(identity.actor, Action.DATA_INGEST, target)
        corrections = exchange_feedback.corrections(session, identity.actor, code)
        open_corrections = exchange_feedback.open_count(session, resource.id)
        can_apply = (
            resource.share_type != ShareType.NOT_SHARED.value
            and Status(resource.status) is Status.PUBLISHED
            and resource.provider_unit_id != identity.actor.unit_id
            and is_allowed(identity.actor, Action.SHARE_APPLY)
        )
        can_report = is_allowed(identity.actor, Action.FEEDBACK_FILE)
        can_answer = is_allowed(identity.actor, Action.FEEDBACK_ANSWER, target)
        open_tasks = [
            t
            for t, c in tasks.open_tasks(session, identity.actor, resource.provider_unit_id)
            if c == code
        ]
        entry_revisions = (
            revisions.of_entry(session, identity.actor, code)
            if revisions.may_see(identity.actor, resource)
            else []
        )
        can_decide = is_allowed(identity.actor, Action.CATALOG_REVIEW, target)
        can_grade = Status(resource.status) is Status.PUBLISHED and is_allowed(
            identity.actor, Action.GRADE_MANAGE, target
        )
    return page(
        request,
        identity,
        "console/catalog/entry.html",
        {
            "r": data,
            "labels": labels(),
            "history": history,
            "steps": steps,
            "can_edit": can_edit,
            "edit_url": entry_url(code, "/edit"),
            "step_url": entry_url(code, "/step"),
            "diff_url": entry_url(code, "/diff"),
            "tasks": open_tasks,
            "overlaps": repeated,
            "overdue": tasks.overdue,
            "datasets": datasets,
            "ingest_summary": data_service.summary(datasets[0]) if datasets else None,
            "open_corrections": open_corrections,
            "can_ingest": can_ingest,
            "can_apply": can_apply,
            "apply_url": f"/console/exchange/apply/{quote(code)}",
            "corrections": corrections,
            "can_report": can_report,
            "can_answer": can_answer,
            "corrections_url": entry_url(code, "/corrections"),
            "pending": next((r for r in entry_revisions if r.status == "pending"), None),
            "revisions": entry_revisions,
            "revision_steps": workflow.REVISION_TRANSITIONS if can_decide else {},
            "revision_url": entry_url(code, "/revisions"),
            "can_grade": can_grade,
            "grade_url": entry_url(code, "/grade"),
            "grades": [(m.value, m.zh) for m in Grade],
            "in_chinese": in_chinese,
            "upload_url": entry_url(code, "/datasets"),
            "quality_chart": {
                "versions": [f"v{d.version}" for d in reversed(datasets)],
                "scores": [d.quality_score for d in reversed(datasets)],
            },
        },
    )


@router.post("/console/catalog/r/{code:code}/step")
async def step(
    request: Request,
    code: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    form = await checked_form(request, identity)
    fails_back_to(request, entry_url(code))
    with db.transaction() as session:
        if form.get("transition") == "change":
            tasks.record_change(session, identity.actor, code, str(form.get("reason", "")))
        else:
            workflow.transition(
                session,
                identity.actor,
                code,
                str(form.get("transition", "")),
                str(form.get("reason", "")),
            )
    return done(request, entry_url(code), "操作已完成")


@router.post("/console/catalog/r/{code:code}/revisions/{number}")
async def decide_revision(
    request: Request,
    code: str,
    number: int,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """The catalog reviewer approves or returns (with a reason) the entry's revision."""
    form = await checked_form(request, identity)
    fails_back_to(request, entry_url(code, "#revision"))
    with db.transaction() as session:
        workflow.decide_revision(
            session,
            identity.actor,
            code,
            number,
            str(form.get("transition", "")),
            str(form.get("reason", "")),
        )
    return done(request, entry_url(code), "修订已处理", "#revision")


@router.post("/console/catalog/r/{code:code}/grade")
async def change_grade(
    request: Request,
    code: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """The security administrator's change of a published entry's grade."""
    form = await checked_form(request, identity)
    fails_back_to(request, entry_url(code, "#grade"))
    change = GradeIn.model_validate(
        {
            "grade": form.get("grade"),
            "general_level": form.get("general_level") or None,
            "reason": str(form.get("reason", "")).strip(),
        }
    )
    with db.transaction() as session:
        service.change_grade(session, identity.actor, code, change)
    return done(request, entry_url(code), "数据级别调整已提交", "#revision")
