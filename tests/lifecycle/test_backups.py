"""Backups in two places (M2018 §13, N2021 task 5): encrypted objects under a signed manifest,
incremental by content, verified by re-reading a target, restorable into an empty folder."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from hutong.audit.models import AuditEvent
from hutong.core.errors import Conflict, InvalidInput, PermissionDenied
from hutong.lifecycle import service
from hutong.lifecycle.models import Backup
from hutong.lifecycle.targets import open_target
from tests.lifecycle.conftest import ingest


def manifest_of(db, backup_id: str, target: str = "local") -> dict:
    document = open_target(db.settings, target).manifest(backup_id)
    return json.loads(document)["manifest"]


def test_a_backup_goes_to_both_targets_sealed_and_verifies(db, actors, pi_entry, tmp_path):
    ingest(db, actors["data_steward"], pi_entry, tmp_path / "in")
    backup = service.create(db, actors["security_admin"])
    assert backup.status == "complete", [c.error for c in backup.copies]
    assert {(c.target, c.ok) for c in backup.copies} == {("local", True), ("s3", True)}
    body = manifest_of(db, backup.id, "s3")
    paths = [entry["path"] for entry in body["objects"]]
    assert paths[0] in ("hutong.db", "hutong.pgdump")
    assert any(p.startswith("datasets/") and p.endswith(".parquet.enc") for p in paths)
    assert not any(p.startswith("keys") for p in paths)  # keys travel apart, in the escrow
    local = open_target(db.settings, "local")
    local.scan()
    stored = {name: local.fs.cat_file(local.object_path(name)) for name in local.present}
    assert all(not blob.startswith((b"SQLite", b"PAR1", b"PGDMP")) for blob in stored.values())
    assert "张伟".encode() not in b"".join(stored.values())
    checks = service.verify(db, actors["security_admin"], backup.id)
    assert [(c.target, c.ok) for c in checks] == [("local", True), ("s3", True)]
