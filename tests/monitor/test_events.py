"""How rules read an audit event: derived fields, and details that the audit log cut short."""

from __future__ import annotations

import json
from datetime import datetime

from hutong.core.clock import SHANGHAI, to_us
from hutong.monitor.events import Context, Event


def test_details_cut_at_4000_characters_read_as_empty_instead_of_stopping_the_detector():
    # audit/service.py keeps at most 4,000 characters of details: long JSON arrives cut short
    cut = json.dumps({"items": ["姓名"] * 2000, "grant": "G1"}, ensure_ascii=False)[:4000]
    event = Event.of({"details": cut}, Context())
    assert event.get("details.grant") is None


def test_derived_fields():
    saturday_night = to_us(datetime(2026, 3, 7, 23, 30, tzinfo=SHANGHAI))
    event = Event.of(
        {
            "ts_us": saturday_night,
            "actor_id": "client:4",
            "actor_roles": "data_consumer,pi_officer",
            "target_type": "resource",
            "target_id": "R1",
            "details": {"grant": "G1"},
        },
        Context(child_pi=frozenset({"R1"})),
    )
    assert event.get("actor_kind") == "client"
    assert (event.get("local_hour"), event.get("workday")) == (23, False)
    assert event.get("target_child_pi") is True
    assert event.get("actor_roles") == ["data_consumer", "pi_officer"]
    assert event.get("details.grant") == "G1"
