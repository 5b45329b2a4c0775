"""The detector over the real audit chain: a persisted cursor (nothing skipped, nothing read
twice, state kept across restarts), alerts raised from real services' events, and the loop
in a thread raising an alert within 5 s of its event (issue 16)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from hutong.audit.models import AuditEvent
from hutong.audit.service import record
from hutong.audit.verify import Problem, VerifyReport, record_verification
from hutong.catalog import service as catalog
from hutong.catalog.models import Resource
from hutong.core import clock
from hutong.core.errors import AuthenticationFailed, HutongError
from hutong.exchange import access
from hutong.exchange.schemas import QueryIn
from hutong.identity.auth import authenticate
from hutong.monitor.detector import CURSOR, Detector, start
from hutong.monitor.models import Alert, MonitorCursor
from tests.exchange.conftest import granted
from tests.monitor.conftest import denied


def alerts(db, rule_id: str | None = None) -> list[Alert]:
    with db.sessions() as session:
        stmt = select(Alert).order_by(Alert.id)
        if rule_id:
            stmt = stmt.where(Alert.rule_id == rule_id)
        return list(session.scalars(stmt))


def head(db) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.max(AuditEvent.seq)))


def events_named(db, name: str) -> list[int]:
    with db.sessions() as session:
        return list(session.scalars(select(AuditEvent.seq).where(AuditEvent.event == name)))


def test_first_start_learns_the_events_already_written_without_alarm(db, actors, watcher):
    denied(db, actors["data_consumer"], 12)
    report = Detector(db).drain(watcher)
    assert report.read > 12 and report.raised == 0 and alerts(db) == []
    with db.sessions() as session:
        cursor = session.get(MonitorCursor, CURSOR)
    assert cursor.learn_until_seq >= max(events_named(db, "key.manage"))
    assert events_named(db, "monitor.start")


def test_an_alert_names_its_rule_subject_and_evidence(db, actors, detector, watcher):
    denied(db, actors["data_consumer"], 10)
    report = detector.drain(watcher)
    assert report.raised == 1
    [alert] = alerts(db)
    assert alert.rule_id == "access.repeated_denials"
    assert alert.subject_label == "账号 data.consumer"
    assert alert.evidence == events_named(db, "key.manage")
    assert alert.level == "medium" and alert.article.startswith("N2021 task 6")
    raised = events_named(db, "alert.raise")
    assert len(raised) == 1 and raised[0] > alert.last_seq


def test_repeated_firings_fold_into_the_active_alert(db, actors, detector, watcher):
    denied(db, actors["data_consumer"], 10)
    detector.drain(watcher)
    denied(db, actors["data_consumer"], 10)
    report = detector.drain(watcher)
    assert (report.raised, report.repeated) == (0, 1)
    [alert] = alerts(db)
    assert alert.count == 2 and len(alert.evidence) == 20
    assert events_named(db, "alert.repeat")


def test_state_and_cursor_survive_a_restart(db, actors, watcher):
    first = Detector(db)
    start_at = first.drain(watcher).cursor
    read = 0
    denied(db, actors["data_consumer"], 6)
    read += first.drain(watcher).read
    assert alerts(db) == []
    restarted = Detector(db)  # a new process: cursor and counts come from the database
    denied(db, actors["data_consumer"], 4)
    report = restarted.drain(watcher)
    read += report.read
    assert report.raised == 1  # 6 before the restart + 4 after reach the threshold of 10
    read += restarted.drain(watcher).read  # its own alert.raise event
    assert read == head(db) - start_at  # every event once: none skipped, none read twice


def test_a_second_detector_never_evaluates_the_same_events_again(db, actors, watcher):
    one, other = Detector(db), Detector(db)
    one.drain(watcher)
    other.drain(watcher)
    denied(db, actors["data_consumer"], 10)
    assert one.step(watcher).raised == 1
    assert other.step(watcher).read == 0  # the cursor moved under it: work discarded
    assert other.drain(watcher).raised == 0  # reloaded after the move: only new events
    [alert] = alerts(db)
    assert alert.count == 1


def test_brute_force_and_success_after_failures_from_real_logins(db, org, detector, watcher):
    address = "203.0.113.7"
    for name in ("a.1", "a.2", "a.3", "data.consumer", "publisher"):
        with pytest.raises(AuthenticationFailed), db.transaction() as session:
            authenticate(session, name, "wrong-password-1", client_address=address)
    with db.transaction() as session:
        authenticate(session, "data.steward", org.password, client_address=address)
    detector.drain(watcher)
    [brute] = alerts(db, "auth.brute_force_accounts")
    [sequence] = alerts(db, "auth.failures_then_success")
    assert brute.subject_label == sequence.subject_label == f"来源地址 {address}"
    assert sequence.last_seq == max(events_named(db, "auth.login"))


def test_system_administrator_touching_business_data(db, actors, students, detector, watcher):
    with pytest.raises(HutongError), db.transaction() as session:
        catalog.read(session, actors["system_admin"], students)
    detector.drain(watcher)
    [alert] = alerts(db, "officer.sysadmin_business_read")
    assert alert.subject_label == "账号 system.admin" and alert.level == "high"


def test_failed_audit_verification(db, detector, watcher, system):
    report = VerifyReport()
    report.problems.append(Problem(3, "第 3 条事件哈希不符", "hash mismatch at 3"))
    with db.transaction() as session:
        record_verification(session, system, report)
    detector.drain(watcher)
    [alert] = alerts(db, "audit.verification_failed")
    assert alert.level == "critical"


def test_grant_used_after_its_period(
    db, people, students, tmp_path, detector, watcher, monkeypatch
):
    code = granted(db, people, students, tmp_path)
    later = datetime.now(UTC) + timedelta(days=400)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    with pytest.raises(HutongError):
        access.run_query(db, people["consumer"], students, QueryIn())
    detector.drain(watcher)
    [alert] = alerts(db, "grant.used_outside_period")
    assert alert.subject_label == f"共享授权 {code}"


def test_children_data_is_recognised_from_the_catalog(db, people, students, tmp_path, watcher):
    """target_child_pi comes from the entry's flag, looked up per batch; checked through a
    deployment rule (monitor_rules_dir) that needs nothing else, since the shipped rule
    also needs the hour."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "child_any.yml").write_text(
        "title: 任何时间访问含儿童信息的数据\nid: local.child_any\nlevel: low\n"
        "article: N2021 task 10\nsubject: [actor_name]\n"
        "detection:\n  child:\n    event: data.query\n    target_child_pi: true\n"
        "  condition: child\n",
        encoding="utf-8",
    )
    db.settings.monitor_rules_dir = rules
    granted(db, people, students, tmp_path)
    detector = Detector(db)
    detector.drain(watcher)
    b"".join(access.run_query(db, people["consumer"], students, QueryIn()).chunks)
    detector.drain(watcher)
    assert alerts(db, "local.child_any") == []  # the entry holds no children's data
    with db.transaction() as session:
        entry = session.scalar(select(Resource).where(Resource.code == students))
        entry.has_child_pi = True
        record(session, people["steward"], "test.flag_child", target=catalog.target(entry))
    b"".join(access.run_query(db, people["consumer"], students, QueryIn()).chunks)
    detector.drain(watcher)
    [alert] = alerts(db, "local.child_any")
    assert alert.subject_label == "账号 data.consumer"


def test_the_loop_raises_an_alert_within_5_seconds(db, system):
    running = start(db, poll_seconds=0.5)
    try:
        _wait(lambda: _cursor_exists(db), 10)  # the loop's first step learned the past
        report = VerifyReport()
        report.problems.append(Problem(1, "x", "x"))
        with db.transaction() as session:
            record_verification(session, system, report)
        committed = time.monotonic()
        _wait(lambda: alerts(db, "audit.verification_failed"), 10)
        assert time.monotonic() - committed < 5
    finally:
        running.stop()
    assert not running.thread.is_alive()


def _cursor_exists(db) -> bool:
    with db.sessions() as session:
        return session.get(MonitorCursor, CURSOR) is not None


def _wait(condition, seconds: float):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    raise AssertionError("condition not met in time")
