"""Backups in two places (M2018 §13, N2021 task 5): encrypted objects under a signed manifest,
incremental by content, verified by re-reading a target, restorable into an empty folder."""

from __future__ import annotations

import json
import socket

import pytest
from sqlalchemy import select

from hutong.audit.models import AuditEvent
from hutong.core.errors import Conflict, InvalidInput, PermissionDenied
from hutong.core.settings import BackupTarget
from hutong.lifecycle import service
from hutong.lifecycle.models import Backup
from hutong.lifecycle.targets import open_target
from tests.lifecycle.conftest import ingest, people, s3_target


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


def test_a_later_backup_writes_only_what_is_new(db, actors, pi_entry, tmp_path):
    steward, admin = actors["data_steward"], actors["security_admin"]
    ingest(db, steward, pi_entry, tmp_path / "in", people(200))
    first = service.create(db, admin)
    second = service.create(db, admin)
    database = {c.target: c.bytes_written for c in second.copies}
    body = manifest_of(db, second.id)
    [db_entry] = [e for e in body["objects"] if e["path"] == body["database"]]
    assert database == {"local": db_entry["stored"], "s3": db_entry["stored"]}
    assert first.copies[0].bytes_written > db_entry["stored"]  # the first wrote the data too
    version = ingest(db, steward, pi_entry, tmp_path / "in", people(300, start=200))
    third = service.create(db, admin)
    body = manifest_of(db, third.id)
    fresh = {e["path"]: e["stored"] for e in body["objects"]}
    new_files = [p for p in fresh if p.startswith(f"datasets/{version.location}/")]
    assert new_files
    expected = sum(fresh[p] for p in [*new_files, body["database"]])
    assert {c.bytes_written for c in third.copies} == {expected}


def test_a_failing_target_fails_alone_and_the_manifest_says_which(
    db, actors, pi_entry, tmp_path, settings
):
    """Unreachable (S3 endpoint where nothing listens) and full (ENOSPC): the backup goes on to
    the local folder; the manifest and the record name the failed targets."""
    ingest(db, actors["data_steward"], pi_entry, tmp_path / "in")
    db.settings.backup_targets.update(
        unreachable=BackupTarget.model_validate(unreachable_s3()),
        full=BackupTarget(url="hutong-full://backups"),
    )
    backup = service.create(db, actors["security_admin"], ["local", "unreachable", "full"])
    copies = {c.target: c for c in backup.copies}
    assert backup.status == "partial"
    assert copies["local"].ok and not copies["unreachable"].ok and not copies["full"].ok
    assert "No space left" in copies["full"].error
    assert "Connect" in copies["unreachable"].error  # refused at the port, not misconfigured
    assert manifest_of(db, backup.id)["targets"] == {
        "local": True,
        "unreachable": False,
        "full": False,
    }
    with db.sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.event == "backup.create")).one()
    assert json.loads(event.details)["targets"] == {
        "local": True,
        "unreachable": False,
        "full": False,
    }
    service.restore(db, actors["security_admin"], tmp_path / "restored", backup.id, "local")
    assert (tmp_path / "restored" / body_database(db, backup.id)).exists()


def body_database(db, backup_id: str) -> str:
    return manifest_of(db, backup_id)["database"]


def unreachable_s3() -> dict[str, object]:
    """An S3 target on a loopback port where nothing listens, giving up after one try."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    target = s3_target(f"http://127.0.0.1:{port}", "nowhere")
    target["options"] |= {"config_kwargs": {"retries": {"max_attempts": 1}, "connect_timeout": 1}}
    return target


def test_a_backup_needs_two_targets(db, actors):
    with pytest.raises(InvalidInput) as refused:
        service.create(db, actors["security_admin"], ["local"])
    assert refused.value.field == "to"
    with pytest.raises(InvalidInput) as unknown:
        service.create(db, actors["security_admin"], ["local", "elsewhere"])
    assert unknown.value.field == "to"


def test_only_the_security_administrator_backs_up(db, actors):
    for role in ("data_steward", "system_admin", "auditor"):
        with pytest.raises(PermissionDenied):
            service.create(db, actors[role])
    with db.sessions() as session:
        denied = session.scalars(
            select(AuditEvent.actor_name).where(
                AuditEvent.event == "backup.create", AuditEvent.outcome == "denied"
            )
        ).all()
        assert sorted(denied) == ["auditor", "data.steward", "system.admin"]
        assert session.scalar(select(Backup)) is None


def test_verify_names_a_corrupted_object(db, actors, pi_entry, tmp_path):
    ingest(db, actors["data_steward"], pi_entry, tmp_path / "in")
    backup = service.create(db, actors["security_admin"])
    path = corrupt_a_dataset_object(db, backup.id, "s3")
    checks = {c.target: c for c in service.verify(db, actors["security_admin"], backup.id)}
    assert checks["local"].ok
    assert [p.path for p in checks["s3"].problems] == [path]
    assert path in checks["s3"].problems[0].zh
    with db.sessions() as session:
        copies = {c.target: c.verified_ok for c in session.get(Backup, backup.id).copies}
    assert copies == {"local": True, "s3": False}


def corrupt_a_dataset_object(db, backup_id: str, target: str) -> str:
    """Flip one byte of a sealed dataset object on ``target``; returns its path."""
    body = manifest_of(db, backup_id, target)
    entry = next(e for e in body["objects"] if e["path"].startswith("datasets/"))
    store = open_target(db.settings, target)
    store.scan()
    location = store.object_path(entry["object"])
    blob = bytearray(store.fs.cat_file(location))
    blob[len(blob) // 2] ^= 0xFF
    store.fs.pipe_file(location, bytes(blob))
    return entry["path"]


def test_restore_refuses_a_non_empty_directory(db, actors, pi_entry, tmp_path):
    service.create(db, actors["security_admin"])
    into = tmp_path / "occupied"
    into.mkdir()
    (into / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(Conflict) as refused:
        service.restore(db, actors["security_admin"], into)
    assert refused.value.field == "into"
    assert [p.name for p in into.iterdir()] == ["notes.txt"]


def test_the_list_shows_newest_first_with_each_target(db, actors):
    admin = actors["security_admin"]
    first, second = service.create(db, admin), service.create(db, admin)
    with db.transaction() as session:
        listed = service.list_backups(session, admin)
        assert [b.id for b in listed] == [second.id, first.id]
        assert [c.target for c in listed[0].copies] == ["local", "s3"]
        assert listed[0].status_zh == "全部成功"
    with pytest.raises(PermissionDenied), db.transaction() as session:
        service.list_backups(session, actors["auditor"])
