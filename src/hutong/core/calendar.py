"""The one working-day calendar (DESIGN rule 5): every deadline in the documents counts
working days — 10 for share replies (M2018 §20), 7 for catalog updates (M2018 §30), 20 for
disclosure requests (《政府信息公开条例》第三十三条).

China's official holidays and make-up working days (调休) come from the ``holidays``
package; an administrator can load the State Council's schedule for a year the library does
not know yet into ``official_days``, and those rows win.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import Boolean, Date, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hutong.core.clock import SHANGHAI, as_utc
from hutong.core.db import Base
from hutong.core.errors import InvalidInput

TRUE_WORDS = {"1", "true", "yes", "是", "上班", "工作日"}
FALSE_WORDS = {"0", "false", "no", "否", "休息", "放假", "节假日"}


class OfficialDay(Base):
    """A day the official schedule declares a working day or a day off."""

    __tablename__ = "official_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(128), default="")


@lru_cache(maxsize=64)
def _library_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(days off, weekend days that are make-up working days) for one year."""
    china = holidays.China(years=year)
    return frozenset(china), frozenset(china.weekend_workdays)


class WorkingCalendar:
    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self._overrides = dict(overrides or {})

    @classmethod
    def from_session(cls, session: Session) -> WorkingCalendar:
        rows = session.execute(select(OfficialDay.day, OfficialDay.is_workday)).all()
        return cls({day: is_workday for day, is_workday in rows})

    def is_workday(self, day: date) -> bool:
        if day in self._overrides:
            return self._overrides[day]
        days_off, make_up = _library_year(day.year)
        if day in make_up:
            return True
        return day.weekday() < 5 and day not in days_off

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (day 1 is the first working day after it)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day = start
        while n:
            day += timedelta(days=1)
            if self.is_workday(day):
                n -= 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]."""
        return sum(
            self.is_workday(start + timedelta(days=i)) for i in range(1, (end - start).days + 1)
        )

    def due_date(self, received_at: datetime, n: int) -> date:
        """Deadline of n working days counted from a UTC moment's Shanghai date."""
        return self.add_workdays(as_utc(received_at).astimezone(SHANGHAI).date(), n)


def parse_schedule_csv(text: str) -> list[tuple[date, bool, str]]:
    """Rows of ``date,is_workday,note``; every bad line is named in the error."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or not {"date", "is_workday"} <= set(reader.fieldnames):
        raise InvalidInput(
            "表头须为 date,is_workday,note", "header must be date,is_workday,note", field="header"
        )
    rows: list[tuple[date, bool, str]] = []
    for line, row in enumerate(reader, start=2):
        try:
            day = date.fromisoformat((row.get("date") or "").strip())
        except ValueError:
            raise InvalidInput(
                f"第 {line} 行日期无效（应为 YYYY-MM-DD）",
                f"line {line}: invalid date",
                field="date",
                line=line,
            ) from None
        flag = (row.get("is_workday") or "").strip().lower()
        if flag not in TRUE_WORDS | FALSE_WORDS:
            raise InvalidInput(
                f"第 {line} 行 is_workday 无效（1/0、是/否）",
                f"line {line}: invalid is_workday",
                field="is_workday",
                line=line,
            )
        rows.append((day, flag in TRUE_WORDS, (row.get("note") or "").strip()[:128]))
    return rows


def load_schedule(session: Session, rows: Iterable[tuple[date, bool, str]]) -> int:
    """Insert or replace official days; the caller authorizes and audits."""
    count = 0
    for day, is_workday, note in rows:
        existing = session.get(OfficialDay, day)
        if existing is None:
            session.add(OfficialDay(day=day, is_workday=is_workday, note=note))
        else:
            existing.is_workday, existing.note = is_workday, note
        count += 1
    return count
