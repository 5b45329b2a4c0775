"""M2018 §30 deadlines: changes reflected within 7 working days; a yearly full review."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hutong.catalog import service, tasks, workflow
from hutong.catalog.models import MaintenanceTask
from hutong.core.calendar import WorkingCalendar
from hutong.core.clock import SHANGHAI
from tests.support import entry


@pytest.fixture
def published(db, org, classes, actors) -> str:
    steward, reviewer = actors["data_steward"], actors["catalog_reviewer"]
    with db.transaction() as session:
        code = service.create(session, steward, entry(org)).code
    for actor, step in ((steward, "submit"), (reviewer, "approve"), (steward, "publish")):
        with db.transaction() as session:
            workflow.transition(session, actor, code, step)
    return code


def test_change_due_in_seven_working_days_across_national_day():
    recorded = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)  # 10:00 in Beijing on 30 September
    assert WorkingCalendar().due_date(recorded, tasks.CHANGE_WORKING_DAYS) == date(2026, 10, 15)


def test_recorded_change_is_tracked_and_closed_by_the_next_published_update(
    db, org, actors, published
):
    with db.transaction() as session:
        task = tasks.record_change(session, actors["data_steward"], published, "新增“学历”信息项")
        opened_local = task.opened_at.astimezone(SHANGHAI).date()
        expected = WorkingCalendar.from_session(session).add_workdays(opened_local, 7)
        assert task.due_date == expected and task.status == "open"
    with db.transaction() as session:
        listed = tasks.open_tasks(session, actors["catalog_reviewer"])
        assert [(t.id, code) for t, code in listed] == [(task.id, published)]
    with db.transaction() as session:
        service.update(
            session, actors["data_steward"], published, entry(org, update_cycle="weekly")
        )
    with db.sessions() as session:
        assert session.get(MaintenanceTask, task.id).status == "done"


def test_overdue_is_judged_against_the_due_date(db, org, actors, published):
    with db.transaction() as session:
        task = tasks.record_change(session, actors["data_steward"], published, "口径调整")
    assert not tasks.overdue(task, today=task.due_date)
    assert tasks.overdue(task, today=date(task.due_date.year + 1, 1, 1))


def test_only_the_owning_steward_records_changes(db, org, actors, published):
    from hutong.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied), db.transaction() as session:
        tasks.record_change(session, actors["data_consumer"], published, "x")


def test_annual_review_is_due_a_year_after_it_was_done(db, org, actors):
    steward = actors["data_steward"]
    with db.transaction() as session:
        first = tasks.complete_annual_review(session, steward, steward.unit_id)
    with db.transaction() as session:
        second = tasks.complete_annual_review(session, steward, steward.unit_id)
    with db.sessions() as session:
        assert session.get(MaintenanceTask, first.id).status == "done"
        assert session.get(MaintenanceTask, second.id).status == "open"
    assert (second.due_date - date.today()).days in (364, 365, 366)
