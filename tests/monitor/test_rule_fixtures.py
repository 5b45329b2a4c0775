"""Every shipped rule against its fixture: events that must fire it and events that must not
(tests/monitor/fixtures/<rule id>.yml). Events carry the fields audit/service.py writes; a
field a case leaves out takes an ordinary value (an allowed query by a consumer's account
from an office address on a working morning), so a quiet case is quiet for its own reason."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from hutong.core.calendar import WorkingCalendar
from hutong.core.clock import SHANGHAI, to_us
from hutong.monitor.correlation import timespan
from hutong.monitor.engine import Engine
from hutong.monitor.events import Context, Event
from hutong.monitor.rulefile import load_rules

FIXTURES = Path(__file__).parent / "fixtures"
START = datetime(2026, 3, 3, 10, 0, tzinfo=SHANGHAI)  # a Tuesday morning, a working day
DEFAULTS = {
    "actor_id": "5",
    "actor_name": "data.consumer",
    "actor_unit": "11110000000012345X",
    "actor_roles": "data_consumer",
    "category": "query",
    "outcome": "allowed",
    "target_type": "none",
    "client_addr": "10.0.0.5",
}
SHIPPED = {rule.id for rule in load_rules().rules}


def _moment(value: object, previous: datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    text = str(value)
    if text.startswith("+"):
        return previous + timedelta(microseconds=timespan(text[1:], 0))
    return datetime.fromisoformat(text)


def expand(entries: list[dict], context: Context) -> list[Event]:
    """Fixture entries (with ``at``, ``repeat``, ``every`` and ``{i}`` in values) as events."""
    events, moment = [], START
    for entry in entries:
        fields = dict(entry)
        repeat = fields.pop("repeat", 1)
        every = timedelta(microseconds=timespan(fields.pop("every", "1s"), 0))
        if "at" in fields:
            moment = _moment(fields.pop("at"), moment)
        for i in range(repeat):
            values = {k: v.format(i=i) if isinstance(v, str) else v for k, v in fields.items()}
            values = {**DEFAULTS, **values, "seq": len(events) + 1, "ts_us": to_us(moment)}
            events.append(Event.of(values, context))
            moment += every
    return events


def cases(kind: str) -> list:
    found = []
    for path in sorted(FIXTURES.glob("*.yml")):
        fixture = yaml.safe_load(path.read_text(encoding="utf-8"))
        rule = fixture["rule"]
        found += [
            pytest.param(rule, fixture, case, id=f"{rule}:{case['name']}")
            for case in fixture.get(kind, [])
        ]
    return found


def run(rule_id: str, fixture: dict, case: dict) -> list:
    """A fresh copy of the rule (no state from other cases) over the case's events."""
    rule = next(r for r in load_rules().rules if r.id == rule_id)
    context = Context(WorkingCalendar(), frozenset(fixture.get("child_pi", [])))
    return Engine([rule]).evaluate(expand(case["events"], context))


def test_every_shipped_rule_has_fixtures_that_fire_and_that_stay_quiet():
    fired = {case.values[0] for case in cases("fires")}
    quiet = {case.values[0] for case in cases("quiet")}
    assert SHIPPED == fired == quiet


@pytest.mark.parametrize(("rule_id", "fixture", "case"), cases("fires"))
def test_fires(rule_id, fixture, case):
    firings = run(rule_id, fixture, case)
    assert firings, case["name"]
    if "subject" in case:
        assert firings[0].label == case["subject"]


@pytest.mark.parametrize(("rule_id", "fixture", "case"), cases("quiet"))
def test_stays_quiet(rule_id, fixture, case):
    assert run(rule_id, fixture, case) == [], case["name"]
