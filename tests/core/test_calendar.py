"""The working-day calendar: China's holidays, make-up working days and loaded schedules."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hutong.core.calendar import OfficialDay, WorkingCalendar, load_schedule, parse_schedule_csv
from hutong.core.errors import InvalidInput

CAL = WorkingCalendar()


def test_2026_national_day_holiday_and_its_make_up_saturday():
    assert not any(CAL.is_workday(date(2026, 10, d)) for d in range(1, 8))  # 10月1日–7日放假
    assert CAL.is_workday(date(2026, 10, 10))  # Saturday, make-up working day (调休上班)
    assert CAL.is_workday(date(2026, 9, 20))  # Sunday, make-up working day
    assert not CAL.is_workday(date(2026, 10, 11))  # an ordinary Sunday


def test_seven_working_days_across_national_day():
    # Recorded Wednesday 30 Sep 2026: 8, 9, 10 (Sat, make-up), 12, 13, 14, 15 October.
    assert CAL.add_workdays(date(2026, 9, 30), 7) == date(2026, 10, 15)
    assert CAL.workdays_between(date(2026, 9, 30), date(2026, 10, 15)) == 7


def test_ten_working_days_across_spring_festival_2026():
    # Received Friday 13 Feb 2026: 14 (Sat, make-up), 24, 25, 26, 27, 28 (Sat, make-up), 2–5 March.
    assert CAL.is_workday(date(2026, 2, 14)) and CAL.is_workday(date(2026, 2, 28))
    assert not CAL.is_workday(date(2026, 2, 23))
    assert CAL.add_workdays(date(2026, 2, 13), 10) == date(2026, 3, 5)


def test_due_date_counts_from_the_shanghai_date():
    late_evening_utc = datetime(2026, 9, 29, 17, 0, tzinfo=UTC)  # already 30 Sep in Shanghai
    assert WorkingCalendar().due_date(late_evening_utc, 7) == date(2026, 10, 15)


def test_overrides_win_over_the_library():
    cal = WorkingCalendar({date(2026, 10, 10): False, date(2026, 10, 5): True})
    assert not cal.is_workday(date(2026, 10, 10)) and cal.is_workday(date(2026, 10, 5))


def test_zero_and_negative():
    assert CAL.add_workdays(date(2026, 10, 1), 0) == date(2026, 10, 1)
    with pytest.raises(ValueError):
        CAL.add_workdays(date(2026, 10, 1), -1)


def test_schedule_csv_for_a_year_the_library_does_not_know(db, system):
    rows = parse_schedule_csv(
        "\ufeffdate,is_workday,note\n2031-10-01,否,国庆节\n2031-09-28,是,调休上班\n"
    )
    assert rows == [(date(2031, 10, 1), False, "国庆节"), (date(2031, 9, 28), True, "调休上班")]
    with db.transaction() as session:
        from hutong.audit.service import Category, record

        load_schedule(session, rows)
        record(session, system, "calendar.load", category=Category.CONFIG, rows=len(rows))
    with db.sessions() as session:
        cal = WorkingCalendar.from_session(session)
        assert session.get(OfficialDay, date(2031, 10, 1)).note == "国庆节"
    assert not cal.is_workday(date(2031, 10, 1)) and cal.is_workday(date(2031, 9, 28))


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("day,flag\n", "header"),
        ("date,is_workday\n2031-02-30,1\n", "date"),
        ("date,is_workday\n2031-02-03,maybe\n", "is_workday"),
    ],
)
def test_bad_schedule_lines_are_named(text, field):
    with pytest.raises(InvalidInput) as info:
        parse_schedule_csv(text)
    assert info.value.field == field
