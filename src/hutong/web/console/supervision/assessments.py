"""/console/supervision/assessments: risk assessments of a unit's systems, their questionnaire
and the report sent to the superior department."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from hutong.compliance import (
    assessment,
    listings,
    reports,
)
from hutong.core.db import Database, RowId
from hutong.core.errors import HutongError, InvalidInput
from hutong.identity.authz import Target, is_allowed
from hutong.identity.roles import Action
from hutong.web.console.base import checked_form, console_router, staff
from hutong.web.console.supervision.common import (
    BASE,
    back,
    section,
)
from hutong.web.deps import ConsoleIdentity, database

router = console_router()


@router.get(f"{BASE}/assessments")
def assessments_page(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    with db.transaction() as session:
        listed = listings.assessment_list(session, identity.actor)
    return section(
        request,
        identity,
        "console/supervision/assessments.html",
        {"rows": listed.rows, "systems": listed.systems, "levels": assessment.LEVEL_ZH},
    )


def _questionnaire(
    request: Request,
    identity: ConsoleIdentity,
    db: Database,
    system_id: RowId,
    values: dict[str, Any],
    error: HutongError | None = None,
) -> Response:
    from hutong.compliance.registry import read

    with db.transaction() as session:
        system = read(session, identity.actor, system_id)
    return section(
        request,
        identity,
        "console/supervision/assessment_form.html",
        {
            "system": system,
            "questions": assessment.QUESTIONS,
            "values": values,
            "error": error.zh if error else None,
            "error_field": error.field if error else None,
        },
        error.status if error else 200,
    )


@router.get(f"{BASE}/assessments/new")
def assessment_form(
    request: Request,
    system_id: RowId,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    return _questionnaire(request, identity, db, system_id, {})


@router.post(f"{BASE}/assessments/new")
async def assessment_create(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    form = await checked_form(request, identity)
    system_id = int(str(form.get("system_id", "0")) or 0)
    values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    answers: dict[str, int] = {}
    try:
        for question in assessment.QUESTIONS:
            raw = values.get(f"answer_{question.id}", "").strip()
            if raw:
                if not raw.lstrip("-").isdigit():
                    raise InvalidInput(
                        f"「{question.zh}」的答案须为 0–{question.high} 的整数",
                        "answers are whole numbers",
                        field=f"answers.{question.id}",
                    )
                answers[question.id] = int(raw)
        with db.transaction() as session:
            row = assessment.assess(
                session, identity.actor, system_id, answers, values.get("activity", "")
            )
            target = f"{BASE}/assessments/{row.id}"
    except HutongError as error:
        return _questionnaire(request, identity, db, system_id, values, error)
    return RedirectResponse(target, status_code=303)


@router.get(f"{BASE}/assessments/{{assessment_id}}")
def assessment_page(
    request: Request,
    assessment_id: RowId,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        doc = reports.assessment_report_data(session, identity.actor, assessment_id)
        row = assessment.by_id(session, assessment_id)
    can_report = doc["status"] == "draft" and is_allowed(
        identity.actor, Action.ASSESSMENT_EDIT, Target("assessment", str(row.id), row.unit_id)
    )
    return section(
        request,
        identity,
        "console/supervision/assessment.html",
        {"doc": doc, "can_report": can_report},
    )


@router.post(f"{BASE}/assessments/{{assessment_id}}/report")
async def assessment_report(
    request: Request,
    assessment_id: RowId,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    await checked_form(request, identity)
    url = f"{BASE}/assessments/{assessment_id}"
    try:
        with db.transaction() as session:
            assessment.report(session, identity.actor, assessment_id)
    except HutongError as error:
        return back(db, url, error)
    return RedirectResponse(url, status_code=303)
