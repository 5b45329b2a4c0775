"""Anonymous rate limits per client address (abuse limits of the open portal).

A sliding one-minute window per (bucket, address), kept in memory by the process that serves
the requests; past the limit a request is refused with ``429`` and ``Retry-After``. Signed-in
staff are not limited here (their own limits come from their grants).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque

from hutong.core.errors import TooManyRequests

WINDOW = 60.0


class RateLimiter:
    def __init__(self, clock=time.monotonic) -> None:  # type: ignore[no-untyped-def]
        self._clock = clock
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, bucket: str, address: str, per_minute: int) -> None:
        """Count one request, or raise ``TooManyRequests`` with the seconds until a slot frees."""
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault((bucket, address), deque())
            while hits and hits[0] <= now - WINDOW:
                hits.popleft()
            if len(hits) >= per_minute:
                raise TooManyRequests(max(1, math.ceil(hits[0] + WINDOW - now)))
            hits.append(now)
            if len(self._hits) > 100_000:  # forget idle addresses
                for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - WINDOW]:
                    del self._hits[key]
