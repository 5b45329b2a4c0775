"""One clock: UTC for storage, Asia/Shanghai for what people see (DESIGN rule 5)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """Timezone-aware current UTC time."""
    return datetime.now(UTC)


def now_us() -> int:
    """Microseconds since the Unix epoch: the audit chain's portable timestamp."""
    return time.time_ns() // 1000


def from_us(micros: int) -> datetime:
    return datetime.fromtimestamp(micros / 1_000_000, UTC)


def to_us(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def local(moment: datetime) -> datetime:
    return as_utc(moment).astimezone(SHANGHAI)


def today_local() -> date:
    """Today's date in Asia/Shanghai, where working days are counted."""
    return utcnow().astimezone(SHANGHAI).date()
