"""``hutong audit``: retention purge with a chain that still verifies, checkpoint export."""

from __future__ import annotations

import gzip
import json

import pytest
from sqlalchemy import func, select

from hutong.audit.models import AuditAnchor, AuditEvent
from hutong.audit.verify import verify_chain
from hutong.core.clock import now_us
from tests.cli.support import hutong


def age_events(db, days: int, up_to_seq: int) -> None:
    """Back-date events as if they were written `days` ago (rewrites their hashes too)."""
    from hutong.audit.chain import CHAINED_COLUMNS, GENESIS, hasher, link

    with db.engine.begin() as connection:
        trigger = "audit_events_no_update" if db.dialect == "sqlite" else None
        if trigger:
            connection.exec_driver_sql(f"DROP TRIGGER {trigger}")
        else:
            connection.exec_driver_sql(
                "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"
            )
        rows = connection.execute(
            select(*(getattr(AuditEvent, c) for c in CHAINED_COLUMNS)).order_by(AuditEvent.seq)
        ).all()
        digest, prev = hasher(db.settings.audit_hash), GENESIS
        old = now_us() - days * 86_400_000_000
        for row in rows:
            values = list(row)
            if values[0] <= up_to_seq:
                values[1] = old + values[0]
            current = link(digest, prev, values)
            connection.execute(
                AuditEvent.__table__.update()
                .where(AuditEvent.seq == values[0])
                .values(ts_us=values[1], prev_hash=prev, hash=current)
            )
            prev = current
        if trigger:
            connection.exec_driver_sql(
                "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
            )
        else:
            connection.exec_driver_sql(
                "ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only"
            )


def test_purge_archives_then_deletes_only_expired_events_and_chain_still_verifies(
    settings, db, org
):
    age_events(db, 200, up_to_seq=10)
    with db.sessions() as session:
        total = session.scalar(select(func.count()).select_from(AuditEvent))
    assert hutong(settings, "audit", "purge", "--retention-days", "179").exit_code == 2
    result = hutong(settings, "audit", "purge", "--retention-days", "180")
    assert result.exit_code == 0, result.output
    with db.sessions() as session:
        remaining = session.scalar(select(func.min(AuditEvent.seq)))
        anchor = session.scalar(select(AuditAnchor))
        assert remaining == 11 and anchor.seq == 10
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == total - 10 + 1
    archive = settings.data_dir / "audit-archive" / anchor.archive
    with gzip.open(archive, "rt", encoding="utf-8") as handle:
        archived = [json.loads(line) for line in handle]
    assert [e["seq"] for e in archived] == list(range(1, 11))
    manifest = json.loads(
        archive.with_suffix("").with_suffix(".manifest.json").read_text(encoding="utf-8")
    )
    assert manifest["manifest"]["last_seq"] == 10 and manifest["signature"]
    assert verify_chain(db.engine, settings).ok
    verified = hutong(settings, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    # nothing younger than the retention can be deleted, even directly, while guards stand
    with pytest.raises(Exception, match="retention purge"), db.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM audit_events WHERE seq = 11")


def test_export_checkpoints(settings, db, org, tmp_path):
    assert hutong(settings, "audit", "checkpoint").exit_code == 0
    target = tmp_path / "cp.json"
    assert hutong(settings, "audit", "export-checkpoints", str(target)).exit_code == 0
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["checkpoints"] and "BEGIN PUBLIC KEY" in document["public_key"]
