"""The registry's parts: what a rule is (``Rule``, ``Context``, ``Subject``, ``Severity``), the
``@rule`` decorator that registers a check, ``failing()`` for the select list every check
returns, and the lookups over the registry. The rule modules build on this module and the
package's ``__init__`` imports them all, so the registry is complete once the package is."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Integer, Select, String, cast, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from hutong.core.clock import SHANGHAI, to_us, utcnow
from hutong.core.errors import InvalidInput
from hutong.core.settings import Settings
from hutong.identity.models import Unit


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


SEVERITY_ZH = {Severity.HIGH: "高", Severity.MEDIUM: "中", Severity.LOW: "低"}


class Subject(StrEnum):
    """What a rule judges; pending kinds (application, grant, consent, release) come later."""

    UNIT = "unit"
    USER = "user"
    SYSTEM = "system"
    RESOURCE = "resource"
    DATASET = "dataset"
    TASK = "task"
    PLATFORM = "platform"
    EXTRACT = "extract"  # research extracts (issue 8)
    COMPLAINT = "complaint"  # PI complaints (issue 8)
    DECISION = "decision"  # the register of automated decision-making (issue 8)
    RELEASE = "release"  # a dataset version on its way to the open portal (issue 7)
    DISCLOSURE = "disclosure"  # a 依申请公开 request (issue 7)
    APPLICATION = "application"  # a share application (issue 6)
    GRANT = "grant"  # a share grant (issue 6)
    PROVISION = "provision"  # a request to pass shared data on (issue 6, M2018 §22)
    CORRECTION = "correction"  # a consumer's correction report (issue 6, M2018 §23)


@dataclass(frozen=True)
class Context:
    """What a check may depend on besides the tables: the moment, the settings, and the unit
    answerable for platform-wide findings (the root of the unit tree, the operator)."""

    settings: Settings
    now: datetime
    platform_unit_id: int | None

    @classmethod
    def build(cls, session: Session, now: datetime | None = None) -> Context:
        root = session.scalar(select(func.min(Unit.id)).where(Unit.parent_id.is_(None)))
        return cls(session.info["settings"], now or utcnow(), root)

    @property
    def today(self) -> date:
        return self.now.astimezone(SHANGHAI).date()

    def days_ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def us_ago(self, days: float) -> int:
        """The audit log's microsecond timestamp of ``days`` ago."""
        return to_us(self.days_ago(days))


Check = Callable[[Context], Select[Any]]


@dataclass(frozen=True)
class Rule:
    id: str
    zh: str
    en: str
    article: str  # e.g. "N2021 task 9", "M2018 §30"
    severity: Severity
    subject: Subject
    check: Check


REGISTRY: dict[str, Rule] = {}


def rule(
    id: str, zh: str, en: str, article: str, severity: Severity, subject: Subject
) -> Callable[[Check], Check]:
    """Register the decorated check under ``id``; ids are unique."""

    def register(check: Check) -> Check:
        if id in REGISTRY:
            raise ValueError(f"duplicate rule id {id}")
        REGISTRY[id] = Rule(id, zh, en, article, severity, subject, check)
        return check

    return register


def failing(
    subject_id: ColumnElement[Any], unit_id: ColumnElement[Any] | Any, detail: Any = ""
) -> Select[Any]:
    """The select list every check returns: subject id as text, responsible unit, a note."""
    unit = literal(unit_id, Integer) if unit_id is None or isinstance(unit_id, int) else unit_id
    note = literal(detail) if isinstance(detail, str) else detail
    return select(
        cast(subject_id, String).label("subject_id"), unit.label("unit_id"), note.label("detail")
    )


def selected(
    ids: Iterable[str] | None = None, subjects: Iterable[Subject | str] | None = None
) -> list[Rule]:
    """Rules by id and/or by subject kind, in registry order; all when neither is given."""
    load()
    wanted_ids = set(ids or ())
    wanted_kinds = {Subject(s) for s in subjects or ()}
    unknown = wanted_ids - set(REGISTRY)
    if unknown:
        raise InvalidInput("未知的规则编号", "unknown rule id", field="rule")
    return [
        r
        for r in REGISTRY.values()
        if (not wanted_ids or r.id in wanted_ids)
        and (not wanted_kinds or r.subject in wanted_kinds)
    ]


def load() -> dict[str, Rule]:
    """Every registered rule by id; complete, since the package imports every rule module
    before anything under it can be used."""
    return REGISTRY
