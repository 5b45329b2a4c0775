"""Restore drills: the latest backup restored and checked, RTO and RPO measured, signed."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from hutong.audit.models import AuditEvent
from hutong.core.errors import NotFound
from hutong.core.keys import signing_key
from hutong.lifecycle import drill, manifest, service
from hutong.lifecycle.models import BackupDrill
from tests.lifecycle.conftest import ingest, people
from tests.lifecycle.test_backups import corrupt_a_dataset_object


def drill_events(db) -> list[tuple[str, dict]]:
    with db.sessions() as session:
        rows = session.execute(
            select(AuditEvent.outcome, AuditEvent.details).where(AuditEvent.event == "backup.drill")
        ).all()
    return [(outcome, json.loads(details)) for outcome, details in rows]


def test_a_drill_restores_the_latest_backup_and_signs_its_report(db, actors, pi_entry, tmp_path):
    admin = actors["security_admin"]
    for start in (0, 40, 80):
        ingest(db, actors["data_steward"], pi_entry, tmp_path / "in", people(40, start))
    service.create(db, admin)
    latest = service.create(db, admin)
    result = drill.drill(db, admin)
    assert result.ok, result.problems
    row = result.drill
    assert row.backup_id == latest.id and row.target == "local"
    assert row.rto_seconds > 0 and row.rpo_seconds >= 0
    public = signing_key(db.settings.keys_dir).public_key()
    public.verify(bytes.fromhex(row.signature), manifest.canonical(row.report))
    [(outcome, details)] = drill_events(db)
    assert outcome == "allowed" and details["ok"] is True
    assert not any(p.name.startswith(".drill-") for p in db.settings.data_dir.iterdir())


def test_a_drill_fails_when_one_object_is_corrupted_and_names_it(db, actors, pi_entry, tmp_path):
    admin = actors["security_admin"]
    ingest(db, actors["data_steward"], pi_entry, tmp_path / "in")
    backup = service.create(db, admin)
    path = corrupt_a_dataset_object(db, backup.id, "local")
    result = drill.drill(db, admin)
    assert not result.ok
    assert any(path in problem for problem in result.problems)
    with db.sessions() as session:
        stored = session.scalars(select(BackupDrill)).one()
    assert stored.ok is False and stored.problems == result.problems
    [(outcome, details)] = drill_events(db)
    assert outcome == "failed" and any(path in p for p in details["problems"])


def test_the_drill_checks_compare_with_the_manifest(db, actors, pi_entry, tmp_path):
    """Counts and sealed versions that disagree with the manifest are each reported."""
    from hutong.core.db import Database

    admin = actors["security_admin"]
    ingest(db, actors["data_steward"], pi_entry, tmp_path / "in")
    backup = service.create(db, admin)
    into = tmp_path / "restored"
    body = service.restore(db, admin, into, backup.id)
    body["counts"]["catalog_resources"] += 1
    body["versions"][0]["rows"] += 1
    restored = Database(drill.restored_settings(db.settings, into))
    try:
        problems = drill.check_restored(restored, body, sample=5)
    finally:
        restored.dispose()
    location = body["versions"][0]["location"]
    assert len(problems) == 2
    assert "catalog_resources" in problems[0] and location in problems[1]


def test_only_the_security_administrator_drills_or_verifies(db, actors):
    """Refused before anything is looked up, even whether a backup exists."""
    from hutong.core.errors import PermissionDenied

    for role in ("system_admin", "auditor", "data_steward"):
        with pytest.raises(PermissionDenied):
            drill.drill(db, actors[role])
        with pytest.raises(PermissionDenied):
            service.verify(db, actors[role])
    with pytest.raises(NotFound):
        drill.drill(db, actors["security_admin"])
