"""Handling alerts: acknowledge, assign, silence for a period with a reason, escalate,
resolve — each checked, audited in its own transaction and kept in the alert's history;
who may do what; and the clear refusals of bad input (issue 16)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hutong.audit.models import AuditEvent
from hutong.core.clock import utcnow
from hutong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from hutong.monitor import alerts
from tests.monitor.conftest import denied


@pytest.fixture
def alert_id(db, actors, detector, watcher) -> int:
    denied(db, actors["data_consumer"], 10)
    detector.drain(watcher)
    with db.sessions() as session:
        [alert] = alerts.list_alerts(session, actors["security_admin"])
    return alert.id


def step(db, name, actor, *args, **kwargs):
    with db.transaction() as session:
        return getattr(alerts, name)(session, actor, *args, **kwargs)


def audited(db, event: str) -> list[AuditEvent]:
    with db.sessions() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.event == event)))


def test_the_life_of_an_alert_is_audited_step_by_step(db, actors, alert_id):
    admin, reviewer = actors["security_admin"], actors["security_reviewer"]
    assert step(db, "acknowledge", reviewer, alert_id).state == "acknowledged"
    assert step(db, "assign", admin, alert_id, "security.reviewer").assignee == "security.reviewer"
    until = utcnow() + timedelta(days=2)
    step(db, "silence", admin, alert_id, until, "已知的压力测试")
    assert step(db, "escalate", reviewer, alert_id, "疑似泄露").state == "escalated"
    assert step(db, "resolve", admin, alert_id, "账号已停用，确认为误操作").state == "resolved"
    for name in ("acknowledge", "assign", "silence", "escalate", "resolve"):
        [event] = audited(db, f"alert.{name}")
        assert event.target_type == "alert" and event.target_id == str(alert_id)
    with db.transaction() as session:
        detail = alerts.detail(session, admin, alert_id)
    assert [h.step_zh for h in detail.history] == ["确认", "指派", "静默", "升级为事件", "处置完毕"]
    assert detail.resolution == "账号已停用，确认为误操作"
    assert detail.silence_reason == "已知的压力测试" and detail.state_zh == "已处置"
    assert audited(db, "alert.read")


def test_a_silenced_alert_still_counts_but_is_muted(db, actors, alert_id, detector, watcher):
    admin = actors["security_admin"]
    step(db, "silence", admin, alert_id, utcnow() + timedelta(hours=4), "演练期间")
    denied(db, actors["data_consumer"], 10)
    detector.drain(watcher)
    with db.transaction() as session:
        [alert] = alerts.list_alerts(session, admin)
    assert alert.id == alert_id and alert.count == 2 and alert.muted


def test_after_resolution_the_next_firing_raises_a_new_alert(
    db, actors, alert_id, detector, watcher
):
    step(db, "resolve", actors["security_admin"], alert_id, "已处置")
    denied(db, actors["data_consumer"], 10)
    assert detector.drain(watcher).raised == 1
    with db.transaction() as session:
        active = alerts.list_alerts(session, actors["security_admin"])
        everything = alerts.list_alerts(session, actors["security_admin"], state=None)
    assert [a.id for a in active] != [alert_id] and len(everything) == 2


@pytest.mark.parametrize("role", ["system_admin", "auditor", "data_consumer", "data_steward"])
def test_only_security_officers_see_or_handle_alerts(db, actors, alert_id, role):
    with pytest.raises(PermissionDenied), db.transaction() as session:
        alerts.list_alerts(session, actors[role])
    with pytest.raises(PermissionDenied), db.transaction() as session:
        alerts.acknowledge(session, actors[role], alert_id)
    assert [e.outcome for e in audited(db, "alert.handle")] == ["denied"]


def test_only_the_security_administrator_silences(db, actors, alert_id):
    with pytest.raises(PermissionDenied), db.transaction() as session:
        alerts.silence(
            session, actors["security_reviewer"], alert_id, utcnow() + timedelta(hours=1), "x"
        )


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda s, a, i: alerts.resolve(s, a, i, "  "), "reason"),
        (lambda s, a, i: alerts.silence(s, a, i, utcnow() + timedelta(hours=1), ""), "reason"),
        (lambda s, a, i: alerts.silence(s, a, i, utcnow() - timedelta(hours=1), "x"), "until"),
        (lambda s, a, i: alerts.silence(s, a, i, utcnow() + timedelta(days=31), "x"), "until"),
        (lambda s, a, i: alerts.assign(s, a, i, "data.consumer"), "assignee"),
        (lambda s, a, i: alerts.assign(s, a, i, "nobody"), "assignee"),
        (lambda s, a, i: alerts.resolve(s, a, i, "长" * 2001), "reason"),
    ],
)
def test_bad_input_is_refused_with_its_field_and_changes_nothing(db, actors, alert_id, call, field):
    with pytest.raises(InvalidInput) as refused, db.transaction() as session:
        call(session, actors["security_admin"], alert_id)
    assert refused.value.field == field and refused.value.zh
    with db.transaction() as session:
        detail = alerts.detail(session, actors["security_admin"], alert_id)
    assert detail.state == "open" and detail.history == [] and detail.assignee == ""


def test_a_step_the_state_does_not_allow_is_a_conflict(db, actors, alert_id):
    admin = actors["security_admin"]
    step(db, "acknowledge", admin, alert_id)
    with pytest.raises(Conflict) as refused, db.transaction() as session:
        alerts.acknowledge(session, admin, alert_id)
    assert refused.value.zh == "「已确认」的告警不能确认"


def test_unknown_alert_and_unknown_filters(db, actors, alert_id):
    admin = actors["security_admin"]
    with pytest.raises(NotFound), db.transaction() as session:
        alerts.acknowledge(session, admin, alert_id + 1000)
    with pytest.raises(InvalidInput) as refused, db.transaction() as session:
        alerts.list_alerts(session, admin, state="closed")
    assert refused.value.field == "state"
    with pytest.raises(InvalidInput) as refused, db.transaction() as session:
        alerts.list_alerts(session, admin, level="urgent")
    assert refused.value.field == "level"
