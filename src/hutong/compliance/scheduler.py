"""Scheduled supervision inside ``hutong serve`` (APScheduler): every
``compliance_interval_minutes`` escalate overdue notices (通报) and apply every rule."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from hutong.compliance import notices, runner
from hutong.core.clock import SHANGHAI
from hutong.core.db import Database
from hutong.identity.authz import system_actor

log = logging.getLogger("hutong.compliance")
JOB_ID = "compliance"
FIRST_RUN_AFTER = timedelta(seconds=30)


def scheduled_pass(db: Database) -> int:
    """One pass in one transaction; returns the id of the rule run."""
    actor = system_actor("compliance-schedule")
    with db.transaction() as session:
        escalated = notices.escalate_overdue(session, actor)
        done = runner.run(session, actor, trigger="schedule")
        log.info(
            "compliance pass: %d rules, %d opened, %d closed, %d notices escalated",
            done.rules,
            done.opened,
            done.closed,
            len(escalated),
        )
        return done.id


def start(db: Database) -> BackgroundScheduler | None:
    """Start the background schedule (None when the interval setting is 0)."""
    minutes = db.settings.compliance_interval_minutes
    if minutes <= 0:
        return None
    scheduler = BackgroundScheduler(timezone=SHANGHAI)
    scheduler.add_job(
        scheduled_pass,
        "interval",
        minutes=minutes,
        args=[db],
        id=JOB_ID,
        next_run_time=datetime.now(SHANGHAI) + FIRST_RUN_AFTER,
        max_instances=1,
        coalesce=True,
    )
    scheduler.start()
    return scheduler
