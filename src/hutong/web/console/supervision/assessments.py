"""/console/supervision/assessments: risk assessments of a unit's systems, their questionnaire
and the report sent to the superior department."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.compliance import (
    assessment,
    listings,
    registry,
    reports,
)
from hutong.core.db import Database, RowId
from hutong.core.errors import HutongError, InvalidInput
from hutong.identity.authz import Target, is_allowed
from hutong.identity.roles import Action
from hutong.web.console.base import (
    checked_form,
    console_router,
    done,
    fails_again,
    fails_back_to,
    form_number,
    staff,
)
from hutong.web.console.supervision.common import (
    BASE,
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
    with db.transaction() as session:
        system = registry.read(session, identity.actor, system_id)
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
    system_id = form_number(form, "system_id", "信息系统")
    values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    answers: dict[str, int] = {}
    fails_again(request, lambda e: _questionnaire(request, identity, db, system_id, values, e))
    for question in assessment.QUESTIONS:
        raw = values.get(f"answer_{question.id}", "").strip()
        if raw:
            if not raw.lstrip("-").isdigit() or len(raw) > 6:
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
    return done(request, target, "风险评估已保存")


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
    fails_back_to(request, url)
    with db.transaction() as session:
        assessment.report(session, identity.actor, assessment_id)
    return done(request, url, "评估报告已报送")
