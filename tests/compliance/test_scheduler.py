"""The schedule inside ``hutong serve``: configurable interval, one pass runs every rule."""

from __future__ import annotations

from sqlalchemy import select

from hutong.compliance import scheduler
from hutong.compliance.models import ComplianceRun
from hutong.compliance.rules import load
from hutong.core.db import Database
from tests.conftest import make_settings


def test_schedule_follows_the_interval_setting_and_a_pass_runs_every_rule(settings, db, org):
    schedule = scheduler.start(db)
    try:
        job = schedule.get_job(scheduler.JOB_ID)
        assert job.trigger.interval.total_seconds() == settings.compliance_interval_minutes * 60
    finally:
        schedule.shutdown(wait=False)
    run_id = scheduler.scheduled_pass(db)
    with db.sessions() as session:
        run = session.get(ComplianceRun, run_id)
        assert (run.trigger, run.rules) == ("schedule", len(load()))
        assert session.scalar(select(ComplianceRun.id)) is not None


def test_interval_zero_means_no_schedule(tmp_path, settings):
    off = make_settings(tmp_path / "off", settings.database_url, compliance_interval_minutes=0)
    db = Database(off)
    try:
        assert scheduler.start(db) is None
    finally:
        db.dispose()
