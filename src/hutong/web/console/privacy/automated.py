"""/console/privacy/automated: the register of automated decisions and their fairness check."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.core.db import Database, RowId
from hutong.core.errors import InvalidInput
from hutong.privacy import decisions
from hutong.privacy.schemas import (
    AutomatedDecisionIn,
    FairnessIn,
)
from hutong.web.console.base import (
    checked_form,
    console_router,
    done,
    fails_back_to,
    staff,
)
from hutong.web.console.privacy.common import (
    BASE,
    section,
    split_lines,
)
from hutong.web.deps import ConsoleIdentity, database

router = console_router()


@router.get(f"{BASE}/automated")
def automated_page(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    with db.transaction() as session:
        rows = [decisions.out(r) for r in decisions.list_all(session, identity.actor)]
    return section(
        request,
        identity,
        "automated.html",
        {"rows": rows, "unit_code": identity.actor.unit_code or ""},
    )


@router.post(f"{BASE}/automated")
async def automated_register(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    form = await checked_form(request, identity)
    back = f"{BASE}/automated"
    fails_back_to(request, back)
    data = AutomatedDecisionIn.model_validate(
        {
            "unit_code": identity.actor.unit_code or "",
            **{
                k: str(form.get(k, "")).strip()
                for k in ("name", "purpose", "logic", "effects", "human_review")
            },
            "pi_items": split_lines(str(form.get("pi_items", ""))),
        }
    )
    with db.transaction() as session:
        decisions.register(session, identity.actor, data)
    return done(request, back, "自动化决策已登记")


def parse_groups(text: str) -> dict[str, tuple[int, int]]:
    """Lines ``组 有利结果数 总数`` (e.g. ``男 420 500``) → {组: (有利, 总数)}."""
    groups: dict[str, tuple[int, int]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
            raise InvalidInput(
                f"第 {number} 行应为“组 有利结果数 总数”", "bad group line", field="groups"
            )
        groups[parts[0]] = (int(parts[1]), int(parts[2]))
    return groups


@router.post(f"{BASE}/automated/{{decision_id}}/fairness")
async def automated_fairness(
    request: Request, decision_id: RowId, identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:  # fmt: skip
    form = await checked_form(request, identity)
    back = f"{BASE}/automated"
    fails_back_to(request, back)
    data = FairnessIn.model_validate(
        {
            "attribute": str(form.get("attribute", "")).strip(),
            "groups": parse_groups(str(form.get("groups", ""))),
            "threshold": str(form.get("threshold", "0.8")) or "0.8",
        }
    )
    with db.transaction() as session:
        decisions.check_fairness(session, identity.actor, decision_id, data)
    return done(request, back, "公平性评估已记录")
