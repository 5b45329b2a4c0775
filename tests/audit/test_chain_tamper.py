"""Tampering with stored audit events is detected and the first bad event is named."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from hutong.audit.checkpoints import export_checkpoints, read_exported
from hutong.audit.service import Category, EventInput, checkpoint_now, record_many
from hutong.audit.verify import verify_chain
from hutong.cli import app
from hutong.core.errors import InvalidInput
from hutong.identity.authz import Target


def seed_events(db, system, n: int = 30) -> None:
    with db.transaction() as session:
        record_many(
            session,
            [
                EventInput(system, "test.event", Category.INSERT, Target("thing", str(i)), rows=i)
                for i in range(1, n + 1)
            ],
        )


@pytest.fixture
def unguarded(db):
    """What an intruder with database access does first: switch off the append-only
    triggers. PostgreSQL's test database outlives the test, so they come back afterwards."""
    with db.engine.begin() as connection:
        if db.dialect == "sqlite":
            connection.exec_driver_sql("DROP TRIGGER audit_events_no_update")
            connection.exec_driver_sql("DROP TRIGGER audit_events_no_delete")
        else:
            connection.exec_driver_sql(
                "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"
            )
    yield db
    if db.dialect != "sqlite":
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only"
            )


def cli_verify(settings):
    return CliRunner().invoke(
        app, ["audit", "verify", "--data-dir", str(settings.data_dir)], env=_env(settings)
    )


def _env(settings):
    env = {"HUTONG_ARGON2_TIME_COST": "1", "HUTONG_ARGON2_MEMORY_KIB": "1024"}
    if settings.database_url:
        env["HUTONG_DATABASE_URL"] = settings.database_url
    return env


def test_untouched_chain_verifies(db, system, settings):
    seed_events(db, system)
    report = verify_chain(db.engine, settings)
    assert report.ok and report.events == 30 and report.head_seq == 30
    result = cli_verify(settings)
    assert result.exit_code == 0, result.output
    assert "审计链完整" in result.output


def test_triggers_refuse_update_and_delete(db, system):
    seed_events(db, system, 3)
    for statement in (
        "UPDATE audit_events SET rows = 99 WHERE seq = 2",
        "DELETE FROM audit_events WHERE seq = 2",
    ):
        with pytest.raises(Exception, match=r"append-only|retention purge"), db.engine.begin() as c:
            c.exec_driver_sql(statement)


@pytest.mark.parametrize(
    ("tamper", "first_bad"),
    [
        ("UPDATE audit_events SET rows = 999 WHERE seq = 12", 12),
        ("DELETE FROM audit_events WHERE seq = 7", 7),
        # swap the contents of two neighbouring events, keeping their sequence numbers
        ("swap", 20),
        # re-hash an edited event so its own hash fits: the next link still breaks
        ("rehash", 16),
    ],
)
@pytest.mark.parametrize("workers", [1, 3])
def test_tampering_is_reported_with_first_bad_event(
    db, system, settings, tamper, first_bad, workers, unguarded
):
    seed_events(db, system)
    with db.engine.begin() as connection:
        if tamper == "swap":
            a, b = (
                connection.execute(
                    text(
                        "SELECT event, target_id, rows, hash, prev_hash FROM audit_events WHERE seq = :s"
                    ),
                    {"s": s},
                ).one()
                for s in (20, 21)
            )
            for seq, row in ((20, b), (21, a)):
                connection.execute(
                    text(
                        "UPDATE audit_events SET event=:e, target_id=:t, rows=:r, hash=:h, prev_hash=:p "
                        "WHERE seq=:s"
                    ),
                    {"e": row[0], "t": row[1], "r": row[2], "h": row[3], "p": row[4], "s": seq},
                )
        elif tamper == "rehash":
            connection.execute(
                text("UPDATE audit_events SET rows = 0, hash = :h WHERE seq = 15"), {"h": "ab" * 32}
            )
        else:
            connection.exec_driver_sql(tamper)
    report = verify_chain(db.engine, settings, workers=workers)
    assert not report.ok
    assert report.first_bad.seq == (15 if tamper == "rehash" else first_bad)
    result = cli_verify(settings)
    assert result.exit_code == 1
    assert f"第一个异常事件序号 {report.first_bad.seq}" in result.output


def test_a_whole_deleted_range_is_caught_when_verifying_in_parallel(
    db, system, settings, unguarded
):
    seed_events(db, system, 30)
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM audit_events WHERE seq BETWEEN 11 AND 20")
    report = verify_chain(db.engine, settings, workers=3)  # ranges 1-10, 11-20 (empty), 21-30
    assert not report.ok and report.first_bad.seq in (11, 21)


def test_truncating_the_tail_is_caught_by_a_signed_checkpoint(db, system, settings, unguarded):
    settings.audit_checkpoint_every = 10
    seed_events(db, system, 25)
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM audit_events WHERE seq > 15")
    report = verify_chain(db.engine, settings)
    assert not report.ok
    assert report.first_bad.seq == 16


def test_forged_checkpoint_signature_is_reported(db, system, settings):
    settings.audit_checkpoint_every = 10
    seed_events(db, system, 12)
    with db.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE audit_checkpoints SET signature = '00' || substr(signature, 3)"
        )
    report = verify_chain(db.engine, settings)
    # one batch of 12 crossed the 10-event mark, so the checkpoint signs the head, seq 12
    assert not report.ok and report.first_bad.seq == 12
    assert "签名" in report.first_bad.reason_zh


def test_an_empty_chain_fails_unless_it_is_expected(db, settings):
    assert not verify_chain(db.engine, settings).ok
    refused = cli_verify(settings)
    assert refused.exit_code == 1 and "审计链为空" in refused.output
    allowed = CliRunner().invoke(
        app, ["audit", "verify", "--allow-empty", "--data-dir", str(settings.data_dir)],
        env=_env(settings),
    )  # fmt: skip
    assert allowed.exit_code == 0, allowed.output


def test_a_replaced_database_with_a_rebuilt_chain_disagrees_with_exported_checkpoints(
    db, system, settings, unguarded, tmp_path
):
    """The intruder swaps the database for one with a new, internally valid chain and its own
    checkpoints; only the checkpoints exported before and kept elsewhere tell."""
    seed_events(db, system, 30)
    with db.transaction() as session:
        signed = checkpoint_now(session)
        export_checkpoints(session, tmp_path / "checkpoints.json")
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM audit_events")
        connection.exec_driver_sql("DELETE FROM audit_checkpoints")
    seed_events(db, system, 40)
    with db.transaction() as session:
        checkpoint_now(session)
    assert cli_verify(settings).exit_code == 0  # on its own, the rebuilt chain holds
    result = CliRunner().invoke(
        app,
        ["audit", "verify", "--checkpoints", str(tmp_path / "checkpoints.json"),
         "--data-dir", str(settings.data_dir)],
        env=_env(settings),
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert f"第一个异常事件序号 {signed}" in result.output and "导出" in result.output


def test_an_untouched_chain_agrees_with_its_exported_checkpoints(db, system, settings, tmp_path):
    seed_events(db, system, 12)
    with db.transaction() as session:
        checkpoint_now(session)
        export_checkpoints(session, tmp_path / "checkpoints.json")
    report = verify_chain(
        db.engine, settings, exported=read_exported(tmp_path / "checkpoints.json")
    )
    assert report.ok and report.exported == 1


def test_an_altered_checkpoint_export_is_refused(db, system, settings, tmp_path):
    seed_events(db, system, 12)
    path = tmp_path / "checkpoints.json"
    with db.transaction() as session:
        checkpoint_now(session)
        export_checkpoints(session, path)
    document = json.loads(path.read_text(encoding="utf-8"))
    document["checkpoints"][0]["hash"] = "ab" * 32
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(InvalidInput) as refused:
        read_exported(path)
    assert refused.value.field == "checkpoints"
