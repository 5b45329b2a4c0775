"""The one runner: apply rules and reconcile their failing subjects into findings.

For each rule the check's rows go into a scratch table with one INSERT … SELECT; three
set-based statements then open new findings, re-open closed ones that fail again and close
open ones that pass; one more writes the history of everything this run changed. Nothing
loops over rows in Python, so a run costs a few statements per rule whatever the platform's
size (M2018 §40–41: findings are opened once per rule and subject and closed by themselves).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import case, delete, exists, func, insert, literal, select, update
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.compliance.models import CheckResult, ComplianceRun, Finding, FindingEvent
from hutong.compliance.rules import Context, Rule, Subject, selected
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.roles import Action

Progress = Callable[[Rule], None]


def run(
    session: Session,
    actor: Actor,
    rule_ids: Iterable[str] | None = None,
    subjects: Iterable[Subject | str] | None = None,
    *,
    trigger: str = "manual",
    progress: Progress | None = None,
    now: datetime | None = None,
) -> ComplianceRun:
    """Apply the chosen rules (all by default) in the caller's transaction; audited.
    ``now`` judges the platform as of another moment (tests, back-dated reports)."""
    authorize(session, actor, Action.COMPLIANCE_RUN, Target("compliance"))
    rules = selected(rule_ids, subjects)
    ctx = Context.build(session, now)
    started = time.perf_counter()
    this_run = ComplianceRun(
        trigger=trigger, actor=actor.name, rules=len(rules), started_at=ctx.now
    )
    session.add(this_run)
    session.flush()
    for one in rules:
        _apply(session, this_run.id, one, ctx)
        if progress is not None:
            progress(one)
    _write_history(session, this_run, ctx)
    this_run.seconds = round(time.perf_counter() - started, 3)
    record(
        session,
        actor,
        "compliance.run",
        category=Category.UPDATE,
        target=Target("compliance", str(this_run.id)),
        rows=this_run.failing,
        details={
            "trigger": trigger,
            "rules": len(rules),
            "opened": this_run.opened,
            "reopened": this_run.reopened,
            "closed": this_run.closed,
        },
    )
    return this_run


def _apply(session: Session, run_id: int, one: Rule, ctx: Context) -> None:
    """Evaluate one rule into the scratch table, then reconcile its findings."""
    checked = one.check(ctx).subquery()
    session.execute(
        insert(CheckResult).from_select(
            ["run_id", "rule_id", "subject_id", "unit_id", "detail"],
            select(
                literal(run_id),
                literal(one.id),
                checked.c.subject_id,
                checked.c.unit_id,
                func.substr(func.coalesce(checked.c.detail, ""), 1, 500),
            ),
        )
    )
    C, F = CheckResult, Finding
    mine = (C.run_id == run_id) & (C.rule_id == one.id)
    fails = exists().where(mine, C.subject_id == F.subject_id)
    from_scratch = select(C.detail).where(mine, C.subject_id == F.subject_id).scalar_subquery()
    unit_now = select(C.unit_id).where(mine, C.subject_id == F.subject_id).scalar_subquery()
    session.execute(
        update(F)
        .where(F.rule_id == one.id, F.status == "closed", fails)
        .values(
            status="open",
            opened_at=ctx.now,
            closed_at=None,
            times_opened=F.times_opened + 1,
            changed_run_id=run_id,
            detail=from_scratch,
            unit_id=unit_now,
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(F)
        .where(F.rule_id == one.id, F.status == "open", ~fails)
        .values(status="closed", closed_at=ctx.now, changed_run_id=run_id)
        .execution_options(synchronize_session=False)
    )
    known = exists().where(F.rule_id == one.id, F.subject_id == C.subject_id)
    session.execute(
        insert(F).from_select(
            [
                "rule_id",
                "subject_kind",
                "subject_id",
                "unit_id",
                "severity",
                "status",
                "detail",
                "times_opened",
                "first_opened_at",
                "opened_at",
                "changed_run_id",
            ],
            select(
                literal(one.id),
                literal(one.subject.value),
                C.subject_id,
                C.unit_id,
                literal(one.severity.value),
                literal("open"),
                C.detail,
                literal(1),
                literal(ctx.now),
                literal(ctx.now),
                literal(run_id),
            ).where(mine, ~known),
        )
    )


def _write_history(session: Session, this_run: ComplianceRun, ctx: Context) -> None:
    F = Finding
    change = case(
        (F.status == "closed", "closed"), (F.times_opened == 1, "opened"), else_="reopened"
    )
    session.execute(
        insert(FindingEvent).from_select(
            ["finding_id", "run_id", "change", "at"],
            select(F.id, literal(this_run.id), change, literal(ctx.now)).where(
                F.changed_run_id == this_run.id
            ),
        )
    )
    counts = dict(
        session.execute(
            select(FindingEvent.change, func.count())
            .where(FindingEvent.run_id == this_run.id)
            .group_by(FindingEvent.change)
        ).all()
    )
    this_run.opened = counts.get("opened", 0)
    this_run.reopened = counts.get("reopened", 0)
    this_run.closed = counts.get("closed", 0)
    this_run.failing = session.scalar(
        select(func.count()).select_from(CheckResult).where(CheckResult.run_id == this_run.id)
    )
    session.execute(delete(CheckResult).where(CheckResult.run_id == this_run.id))
    session.flush()
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Finding):
            session.expire(loaded)  # ORM copies of findings predate the bulk statements
