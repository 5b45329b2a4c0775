"""What one compilation is for: the grant, the moment, the engine and the day's usage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hutong.policy.grant import GrantPolicy


@dataclass(frozen=True)
class Request:
    grant: GrantPolicy
    now: datetime
    #: sqlglot dialect of the engine that runs the statement: ``duckdb`` or ``spark``.
    dialect: str = "duckdb"
    #: Rows already returned under this grant today (the exchange counts them).
    rows_used_today: int = 0
