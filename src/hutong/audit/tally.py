"""Anonymous refusals, counted per client address, operation and minute (issue 12).

Every refusal is audited (DESIGN rule 3), but one event per anonymous refusal would let a
flood of calls fill the log. So refusals of callers with no valid identity — no credentials
on a protected API operation, an unknown or expired bearer token, an unknown session cookie,
a failed CSRF check before sign-in — are counted in memory per (minute, client address,
operation) and written as one denied event per window, carrying the count and the reasons,
once its minute is over: by the web app's periodic flush and at shutdown. The delay is
bounded by the minute plus the flush interval, like the group commit DESIGN rule 3 allows
for anonymous reads; a crash loses at most the windows not yet written. A window holds the
address, the operation (method and route template, never a path with values in it) and
reason codes: no token, cookie or name.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime

from hutong.audit.service import Category, EventInput, Outcome, record_many
from hutong.core import clock
from hutong.core.actors import Actor, Target
from hutong.core.db import Database

EVENT = "auth.refused"
#: seconds between flushes of the windows that are over (``web/app.py``)
FLUSH_SECONDS = 10

Key = tuple[datetime, str, str]  # minute, client address, operation


def _minute() -> datetime:
    return clock.utcnow().replace(second=0, microsecond=0)


def _anonymous(address: str) -> Actor:
    return Actor(
        kind="anonymous", id="-", name="anonymous", unit_id=None, unit_code=None,
        client_address=address,
    )  # fmt: skip


def _event(key: Key, reasons: Counter[str]) -> EventInput:
    minute, address, operation = key
    count = sum(reasons.values())
    return EventInput(
        _anonymous(address),
        EVENT,
        Category.ACCESS,
        Target("operation", operation),
        Outcome.DENIED,
        rows=count,
        details={"count": count, "minute": minute.isoformat(), "reasons": dict(reasons)},
    )


class RefusalTally:
    """The open windows of one process; ``count`` is called from request threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[Key, Counter[str]] = {}

    def count(self, address: str | None, operation: str, reason: str) -> None:
        key = (_minute(), address or "-", operation)
        with self._lock:
            self._windows.setdefault(key, Counter())[reason] += 1

    def flush(self, db: Database, everything: bool = False) -> int:
        """Write the windows whose minute is over (every window at shutdown) as one denied
        event each, in one transaction; returns how many. Windows that could not be written
        are kept for the next flush."""
        now = _minute()
        with self._lock:
            due = {k: v for k, v in self._windows.items() if everything or k[0] < now}
            for key in due:
                del self._windows[key]
        if not due:
            return 0
        try:
            with db.transaction() as session:
                record_many(session, [_event(key, reasons) for key, reasons in sorted(due.items())])
        except Exception:
            with self._lock:
                for key, reasons in due.items():
                    self._windows.setdefault(key, Counter()).update(reasons)
            raise
        return len(due)
