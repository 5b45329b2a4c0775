"""``hutong calendar load``: the official holiday schedule for a year not yet known."""

from __future__ import annotations

from tests.cli.support import hutong


def test_calendar_load(settings, db, tmp_path):
    from datetime import date

    from hutong.core.calendar import WorkingCalendar

    schedule = tmp_path / "2031.csv"
    schedule.write_text(
        "date,is_workday,note\n2031-10-01,0,国庆节\n2031-09-27,1,调休上班\n", encoding="utf-8"
    )
    result = hutong(settings, "calendar", "load", str(schedule))
    assert result.exit_code == 0 and "已载入 2 个日期" in result.output
    with db.sessions() as session:
        assert WorkingCalendar.from_session(session).is_workday(date(2031, 9, 27))
    bad = tmp_path / "bad.csv"
    bad.write_text("date,is_workday\n2031-13-01,1\n", encoding="utf-8")
    assert hutong(settings, "calendar", "load", str(bad)).exit_code == 2


def test_a_schedule_not_in_utf8_is_refused_with_its_encoding(settings, db, tmp_path):
    schedule = tmp_path / "2031.csv"
    schedule.write_text("date,is_workday,note\n2031-10-01,0,国庆节\n", encoding="gbk")
    result = hutong(settings, "calendar", "load", str(schedule))
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "文件 2031.csv 须为 UTF-8 编码" in result.output
