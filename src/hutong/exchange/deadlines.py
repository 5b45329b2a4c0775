"""The provider's 10-working-day reply deadline (M2018 §20), with pauses.

The clock starts at submission (counted from its Shanghai date by the one working-day
calendar, so the Spring Festival and make-up working days count as the State Council
says). Asking the applicant for more information pauses it; the supplement resumes it, and
the working days spent waiting are added to the deadline.
"""

from __future__ import annotations

from datetime import date, datetime

from hutong.core.calendar import WorkingCalendar
from hutong.core.clock import local
from hutong.exchange.models import Application
from hutong.exchange.vocab import AppStatus

REPLY_WORKING_DAYS = 10  # M2018 §20


def due(calendar: WorkingCalendar, submitted_at: datetime, paused_workdays: int) -> date:
    return calendar.due_date(submitted_at, REPLY_WORKING_DAYS + paused_workdays)


def start(application: Application, calendar: WorkingCalendar, now: datetime) -> None:
    application.submitted_at = now
    application.paused_workdays = 0
    application.due_date = due(calendar, now, 0)


def pause(application: Application, now: datetime) -> None:
    application.paused_at = now
    application.due_date = None


def resume(application: Application, calendar: WorkingCalendar, now: datetime) -> None:
    """Add the working days spent waiting, (paused day, resumed day], to the deadline."""
    if application.paused_at is not None:
        waited = calendar.workdays_between(local(application.paused_at).date(), local(now).date())
        application.paused_workdays += waited
    application.paused_at = None
    application.due_date = due(calendar, application.submitted_at, application.paused_workdays)


def stop(application: Application, now: datetime) -> None:
    """The provider answered: no deadline any more."""
    application.answered_at = now
    application.due_date = None
    application.paused_at = None


def overdue(application: Application, today: date) -> bool:
    return (
        application.status == AppStatus.SUBMITTED
        and application.due_date is not None
        and today > application.due_date
    )
