"""Domain events (``core/events.py``) and ``wire()``: every required event has its subscriber
once wired, wiring twice changes nothing, handlers run in the publisher's transaction, and a
required event that nobody hears fails loudly instead of skipping its consequence."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

import hutong
from hutong.audit.models import AuditEvent
from hutong.audit.service import Category, record
from hutong.catalog import service
from hutong.compliance.models import ComplianceRun
from hutong.core import events
from hutong.core.events import Event, Unwired, publish, subscribe, subscribers
from hutong.data.ingest import ingest_file
from hutong.data.models import DatasetVersion
from hutong.wiring import SUBSCRIPTIONS, wire
from tests.support import entry

#: Modules that run on import: alembic's env and versions, and the command line entry points.
NOT_IMPORTABLE = (
    "hutong.migrations.env",
    "hutong.migrations.versions",
    "hutong.__main__",
    "hutong.cli.__main__",
)


@dataclass(frozen=True)
class Noted(Event):
    """A test event nobody has to hear."""

    text: str


@dataclass(frozen=True)
class MustBeHeard(Event):
    required = True


@pytest.fixture
def unwired():
    """No subscriptions for the test's duration; the wired ones come back afterwards."""
    saved = events.reset()
    yield
    events.restore(saved)


def every_event_type() -> set[type[Event]]:
    for info in pkgutil.walk_packages(hutong.__path__, "hutong."):
        if not info.name.startswith(NOT_IMPORTABLE):
            importlib.import_module(info.name)
    found, pending = set(), list(Event.__subclasses__())
    while pending:
        kind = pending.pop()
        pending.extend(kind.__subclasses__())
        if kind.__module__.startswith("hutong."):
            found.add(kind)
    return found


def test_every_required_domain_event_has_a_subscriber_once_wired():
    wire()
    required = {kind for kind in every_event_type() if kind.required}
    assert {kind.__name__ for kind in required} >= {"DatasetIngested", "VersionTookEffect"}
    assert [kind.__name__ for kind in required if not subscribers(kind)] == []


def test_wiring_twice_subscribes_each_handler_once(unwired):
    wire()
    wire()
    for event_type, handler in SUBSCRIPTIONS:
        assert subscribers(event_type) == [h for t, h in SUBSCRIPTIONS if t is event_type]
        assert subscribers(event_type).count(handler) == 1


def test_a_required_event_nobody_hears_fails_loudly(unwired, db):
    with db.sessions() as session, pytest.raises(Unwired, match="MustBeHeard"):
        publish(session, MustBeHeard())


def test_an_optional_event_nobody_hears_is_dropped(unwired, db):
    with db.sessions() as session:
        publish(session, Noted("nobody listens"))


def test_an_unwired_ingest_is_refused_and_stores_nothing(
    unwired, db, org, classes, actors, tmp_path
):
    """Without its compliance subscriber an ingest would store a version the dataset rules
    never judged; it fails instead, and its transaction leaves no version behind."""
    steward = actors["data_steward"]
    with db.transaction() as session:
        items = [{"name": "姓名", "data_type": "字符型"}]
        code = service.create(
            session, steward, entry(org, has_pi=False, grade="general", items=items)
        ).code
    path = tmp_path / "t.csv"
    path.write_text("姓名\n张伟\n", encoding="utf-8")
    with pytest.raises(Unwired, match="DatasetIngested"):
        ingest_file(db, steward, code, path)
    with db.sessions() as session:
        assert session.scalar(select(func.count(DatasetVersion.id))) == 0
        assert session.scalar(select(func.count(ComplianceRun.id))) == 0


def test_handlers_run_in_order_inside_the_publishers_transaction(unwired, db, system):
    seen: list[str] = []

    def first(session, event: Noted) -> None:
        seen.append("first:" + event.text)
        record(session, system, "test.noted", category=Category.INSERT)

    def second(session, event: Noted) -> None:
        seen.append("second:" + event.text)

    subscribe(Noted, first)
    subscribe(Noted, second)
    with pytest.raises(RuntimeError), db.transaction() as session:
        publish(session, Noted("a"))
        raise RuntimeError("the publisher fails after publishing")
    assert seen == ["first:a", "second:a"]
    with db.sessions() as session:  # the handler's audit event rolled back with the work
        assert session.scalar(select(func.count()).where(AuditEvent.event == "test.noted")) == 0


def test_a_failing_handler_fails_the_publisher(unwired, db):
    def broken(session, event: Noted) -> None:
        raise ValueError(event.text)

    subscribe(Noted, broken)
    with db.sessions() as session, pytest.raises(ValueError, match="boom"):
        publish(session, Noted("boom"))
