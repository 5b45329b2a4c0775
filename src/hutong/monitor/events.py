"""An audit event as the detection rules see it: its columns, a few derived fields and the
keys of its ``details``.

Derived fields answer what a rule cannot read off one column: what kind of actor acted
(``actor_kind``), the Shanghai hour and whether that day is a working day (``local_hour``,
``workday``, from the one working-day calendar), and whether the target is a catalog entry
holding children's personal information (``target_child_pi``, looked up once per batch).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from hutong.audit.chain import CHAINED_COLUMNS
from hutong.core.calendar import WorkingCalendar
from hutong.core.clock import SHANGHAI

#: audit_events columns in the order the detector selects them: the chain's own order
COLUMNS = CHAINED_COLUMNS
INDEX = {name: i for i, name in enumerate(COLUMNS)}
DERIVED = frozenset({"actor_kind", "local_hour", "workday", "target_child_pi"})
#: every field a rule may name besides ``details.<key>``
FIELDS = frozenset(COLUMNS[:-1]) | DERIVED
DETAILS_PREFIX = "details."

#: how a subject's fields read on a page (alerts show these, never a raw column name)
FIELD_LABELS = {
    "actor_name": "账号",
    "actor_unit": "单位",
    "client_addr": "来源地址",
    "target_id": "对象",
    "target_type": "对象类型",
    "event": "操作",
    "details.grant": "共享授权",
}


def number(value: object) -> float | None:
    """A numeric reading of a field (booleans and words are not numbers)."""
    if isinstance(value, bool):
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def is_field(name: str) -> bool:
    return name in FIELDS or (name.startswith(DETAILS_PREFIX) and len(name) > len(DETAILS_PREFIX))


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, "字段")


@dataclass
class Context:
    """What the derived fields need beyond the event: the calendar and the catalog entries
    that hold children's personal information."""

    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    child_pi: frozenset[str] = frozenset()


def actor_kind(actor_id: str) -> str:
    """user, client (a unit's system), public (open portal), anonymous (an unknown login
    name or client id) or system (Hutong's own jobs); see identity/authz.py."""
    if actor_id == "system":
        return "system"
    if actor_id == "anonymous":
        return "public"
    if actor_id == "-":
        return "anonymous"
    if actor_id.startswith("client:"):
        return "client"
    return "user"


class Event:
    """One audit row with lazily computed derived fields and details."""

    __slots__ = ("_details", "_local", "context", "row")

    def __init__(self, row: tuple, context: Context) -> None:
        self.row = row
        self.context = context
        self._details: dict | None = None
        self._local: datetime | None = None

    @classmethod
    def of(cls, values: Mapping[str, object], context: Context) -> Event:
        """An event from named values (rule fixtures); missing columns are empty."""
        details = values.get("details", "")
        if isinstance(details, dict):
            details = json.dumps(details, ensure_ascii=False)
        numeric = {"seq", "ts_us", "rows"}
        row = tuple(
            details if name == "details" else values.get(name, 0 if name in numeric else "")
            for name in COLUMNS
        )
        return cls(row, context)

    @property
    def seq(self) -> int:
        return self.row[0]

    @property
    def ts_us(self) -> int:
        return self.row[1]

    def get(self, name: str) -> object:
        index = INDEX.get(name)
        if index is not None:
            value = self.row[index]
            return value.split(",") if name == "actor_roles" and value else value
        if name.startswith(DETAILS_PREFIX):
            return self.details().get(name[len(DETAILS_PREFIX) :])
        return DERIVERS[name](self)

    def details(self) -> dict:
        """The event's details; empty when the audit log cut them short (it keeps 4,000
        characters), since one unreadable event must not stop the detector."""
        if self._details is None:
            try:
                parsed = json.loads(self.row[INDEX["details"]] or "{}")
            except ValueError:
                parsed = {}
            self._details = parsed if isinstance(parsed, dict) else {}
        return self._details

    def local(self) -> datetime:
        if self._local is None:
            self._local = datetime.fromtimestamp(self.ts_us / 1_000_000, SHANGHAI)
        return self._local


DERIVERS = {
    "actor_kind": lambda e: actor_kind(e.row[INDEX["actor_id"]]),
    "local_hour": lambda e: e.local().hour,
    "workday": lambda e: e.context.calendar.is_workday(e.local().date()),
    "target_child_pi": lambda e: (
        e.row[INDEX["target_type"]] == "resource"
        and e.row[INDEX["target_id"]] in e.context.child_pi
    ),
}
