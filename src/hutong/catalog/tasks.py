"""M2018 §30 deadlines: a recorded change is reflected in the catalog within 7 working days,
and every unit reviews its whole catalog at least once a year."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.catalog.entries import by_code, target
from hutong.catalog.models import MaintenanceTask, Resource
from hutong.core.calendar import WorkingCalendar
from hutong.core.clock import today_local, utcnow
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.roles import Action

CHANGE_WORKING_DAYS = 7  # M2018 §30
ANNUAL = timedelta(days=365)


def record_change(
    session: Session, actor: Actor, code: str, description: str, *, detected_by: str | None = None
) -> MaintenanceTask:
    """Open a 7-working-day task for a change in a published entry's data or elements.

    Stewards record changes themselves; the data plane opens one as the ingesting user when a
    new dataset version disagrees with the catalog (``detected_by``)."""
    resource = by_code(session, code)
    authorize(session, actor, Action.CATALOG_EDIT, target(resource))
    calendar = WorkingCalendar.from_session(session)
    task = MaintenanceTask(
        kind="change",
        unit_id=resource.provider_unit_id,
        resource_id=resource.id,
        description=description.strip()[:2000],
        due_date=calendar.due_date(utcnow(), CHANGE_WORKING_DAYS),
    )
    session.add(task)
    session.flush()
    record(
        session,
        actor,
        "catalog.change_recorded",
        category=Category.INSERT,
        target=target(resource),
        rows=1,
        details={"due": task.due_date.isoformat(), "detected_by": detected_by or "steward"},
    )
    return task


def close_change_tasks(session: Session, resource: Resource) -> int:
    """A published update reflects every open change of that entry."""
    open_tasks = session.scalars(
        select(MaintenanceTask).where(
            MaintenanceTask.resource_id == resource.id,
            MaintenanceTask.kind == "change",
            MaintenanceTask.status == "open",
        )
    ).all()
    for task in open_tasks:
        task.status, task.closed_at = "done", utcnow()
    return len(open_tasks)


def complete_annual_review(session: Session, actor: Actor, unit_id: int) -> MaintenanceTask:
    """Record that a unit reviewed its whole catalog; the next one is due a year later."""
    authorize(session, actor, Action.CATALOG_SUBMIT, Target("catalog", str(unit_id), unit_id))
    now = utcnow()
    for task in session.scalars(
        select(MaintenanceTask).where(
            MaintenanceTask.unit_id == unit_id,
            MaintenanceTask.kind == "annual_review",
            MaintenanceTask.status == "open",
        )
    ):
        task.status, task.closed_at = "done", now
    task = MaintenanceTask(
        kind="annual_review",
        unit_id=unit_id,
        resource_id=None,
        description="全面维护本单位资源目录（M2018 第三十条）",
        due_date=today_local() + ANNUAL,
        status="open",
    )
    session.add(task)
    session.flush()
    record(
        session,
        actor,
        "catalog.annual_review",
        category=Category.DECISION,
        target=Target("catalog", str(unit_id), unit_id),
        rows=1,
    )
    return task


def open_tasks(
    session: Session, actor: Actor, unit_id: int | None = None
) -> list[tuple[MaintenanceTask, str | None]]:
    """Open tasks, soonest due first, each with its resource code (None for annual reviews)."""
    authorize(session, actor, Action.CATALOG_READ)
    stmt = (
        select(MaintenanceTask, Resource.code)
        .outerjoin(Resource, Resource.id == MaintenanceTask.resource_id)
        .where(MaintenanceTask.status == "open")
        .order_by(MaintenanceTask.due_date)
    )
    if unit_id is not None:
        stmt = stmt.where(MaintenanceTask.unit_id == unit_id)
    tasks = [(task, code) for task, code in session.execute(stmt)]
    record(
        session,
        actor,
        "catalog.tasks",
        category=Category.QUERY,
        target=Target("catalog"),
        rows=len(tasks),
    )
    return tasks


def overdue(task: MaintenanceTask, today: date | None = None) -> bool:
    return task.status == "open" and task.due_date < (today or today_local())
