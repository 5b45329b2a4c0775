"""The register of automated decision-making that uses PI (N2021 task 8: transparent, with
fair and reasonable results): what is decided, its logic in plain words, the PI it uses,
its effects and human review, and the latest fairness check.

The fairness check is the disparate-impact ratio: the favourable-outcome rate of each group
(e.g. by 性别 or 民族) divided by the highest group's rate; the check passes when the lowest
ratio is at least ``threshold`` (0.8, the four-fifths rule)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.core.clock import utcnow
from hutong.core.errors import NotFound
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.roles import Action
from hutong.identity.service import unit_by_code
from hutong.privacy import notices
from hutong.privacy.models import AutomatedDecision
from hutong.privacy.schemas import AutomatedDecisionIn, AutomatedDecisionOut, FairnessIn


def target(row: AutomatedDecision) -> Target:
    return Target("automated_decision", str(row.id), row.unit_id)


def register(session: Session, actor: Actor, data: AutomatedDecisionIn) -> AutomatedDecision:
    unit = unit_by_code(session, data.unit_code, "unit_code")
    authorize(
        session, actor, Action.AUTOMATED_DECISION_EDIT, Target("automated_decision", None, unit.id)
    )
    if data.system_id is not None:
        notices.system_by_id(session, data.system_id)
    row = AutomatedDecision(
        unit_id=unit.id, recorded_by=actor.name, **data.model_dump(exclude={"unit_code"})
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        "automated_decision.register",
        category=Category.INSERT,
        target=target(row),
        rows=1,
    )
    return row


def fairness(data: FairnessIn) -> dict[str, object]:
    """Rates per group, the ratio of each to the highest, and whether the lowest passes."""
    rates = {g: fav / total for g, (fav, total) in data.groups.items()}
    best = max(rates.values())
    ratios = {g: (r / best if best else 1.0) for g, r in rates.items()}
    lowest = min(ratios, key=ratios.__getitem__)
    return {
        "attribute": data.attribute,
        "threshold": data.threshold,
        "rates": {g: round(r, 4) for g, r in rates.items()},
        "ratios": {g: round(r, 4) for g, r in ratios.items()},
        "lowest_group": lowest,
        "lowest_ratio": round(ratios[lowest], 4),
        "passed": ratios[lowest] >= data.threshold,
    }


def check_fairness(
    session: Session, actor: Actor, decision_id: int, data: FairnessIn
) -> AutomatedDecision:
    row = session.get(AutomatedDecision, decision_id)
    if row is None:
        raise NotFound("自动化决策登记不存在", "unknown automated decision", field="decision_id")
    authorize(session, actor, Action.AUTOMATED_DECISION_EDIT, target(row))
    result = fairness(data)
    row.fairness, row.fairness_passed, row.fairness_checked_at = (
        result,
        bool(result["passed"]),
        utcnow(),
    )
    record(
        session,
        actor,
        "automated_decision.fairness",
        category=Category.UPDATE,
        target=target(row),
        rows=1,
        details={
            "attribute": data.attribute,
            "passed": result["passed"],
            "lowest_ratio": result["lowest_ratio"],
        },
    )
    return row


def list_all(session: Session, actor: Actor) -> list[AutomatedDecision]:
    authorize(session, actor, Action.COMPLIANCE_READ)
    return list(session.scalars(select(AutomatedDecision).order_by(AutomatedDecision.id)))


def out(row: AutomatedDecision) -> AutomatedDecisionOut:
    return AutomatedDecisionOut(
        id=row.id,
        unit_code=row.unit.code,
        system_id=row.system_id,
        name=row.name,
        purpose=row.purpose,
        logic=row.logic,
        pi_items=row.pi_items,
        effects=row.effects,
        human_review=row.human_review,
        fairness=row.fairness,
        fairness_passed=row.fairness_passed,
        fairness_checked_at=row.fairness_checked_at,
    )
