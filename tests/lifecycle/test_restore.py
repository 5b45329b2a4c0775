"""A lost server comes back from the second target and the escrow file, to one moment."""

from __future__ import annotations

import shutil
import threading

import pytest
from sqlalchemy import select

from hutong.audit.models import AuditEvent
from hutong.audit.service import Category, record
from hutong.audit.verify import verify_chain
from hutong.catalog import search
from hutong.catalog.vocab import Status
from hutong.core.db import Database
from hutong.core.errors import Conflict, InvalidInput, NotFound
from hutong.data.models import DatasetVersion
from hutong.identity.authz import system_actor
from hutong.lifecycle import service
from hutong.lifecycle.drill import restored_settings
from hutong.lifecycle.escrow import EscrowFile, Unlock, export_escrow
from tests.lifecycle.conftest import ingest, people
from tests.support import version_rows

PASSPHRASE = "长城-Great-Wall-2026"


class Writer(threading.Thread):
    """Writes until told to stop: audit events as fast as they commit, or (``ingests``)
    a new dataset version after another."""

    def __init__(self, db, steward, code, folder, ingests: bool) -> None:
        super().__init__(daemon=True)
        self.db, self.steward, self.code, self.folder = db, steward, code, folder
        self.ingests = ingests
        self.stop, self.started_writing = threading.Event(), threading.Event()
        self.rounds = 0

    def run(self) -> None:
        while not self.stop.is_set():
            if self.ingests:
                ingest(self.db, self.steward, self.code, self.folder, people(20, self.rounds))
            else:
                with self.db.transaction() as session:
                    record(session, self.steward, "test.write", category=Category.INSERT)
            self.rounds += 1
            if self.rounds >= 2:
                self.started_writing.set()


def chain(db) -> dict[int, str]:
    with db.sessions() as session:
        return dict(session.execute(select(AuditEvent.seq, AuditEvent.hash)).all())


def all_version_rows(db) -> dict[int, list[tuple]]:
    with db.sessions() as session:
        versions = session.scalars(select(DatasetVersion)).all()
    return {v.id: sorted(version_rows(db, v)) for v in versions}


def catalog_answer(db, actor) -> tuple[int, list[str]]:
    """What catalog search answers (total and codes) for every entry mentioning 教师."""
    query = search.Query(q="教师", statuses=tuple(s.value for s in Status))
    with db.transaction() as session:
        page = search.search(session, actor, query)
        return page.total, [r.code for r in page.resources]


def escrow_of(db, actor, path) -> EscrowFile:
    with db.transaction() as session:
        export_escrow(session, actor, path, Unlock(passphrase=PASSPHRASE))
    return EscrowFile(path, Unlock(passphrase=PASSPHRASE))


def test_a_backup_under_writes_restores_from_the_second_target_to_one_moment(
    db, actors, pi_entry, tmp_path, settings, new_server, targets
):
    steward, admin = actors["data_steward"], actors["security_admin"]
    ingest(db, steward, pi_entry, tmp_path / "in", people(50))
    escrow = escrow_of(db, admin, tmp_path / "escrow.json")
    writers = [Writer(db, steward, pi_entry, tmp_path / "in", i) for i in (False, True)]
    for writer in writers:
        writer.start()
    assert all(writer.started_writing.wait(60) for writer in writers)
    backup = service.create(db, admin)
    for writer in writers:
        writer.stop.set()
        writer.join(60)
    live_search = catalog_answer(db, actors["data_steward"])
    live_chain, live_rows = chain(db), all_version_rows(db)
    assert backup.status == "complete"

    shutil.rmtree(settings.data_dir)  # the server is lost …
    shutil.rmtree(targets["local"]["url"])  # … and so is the first target
    into = tmp_path / "restored"
    body = service.restore(new_server, system_actor("restore"), into, backup.id, "s3", escrow)

    restored = Database(restored_settings(new_server.settings, into))
    try:
        report = verify_chain(restored.engine, restored.settings)
        assert report.ok, report.first_bad
        head = body["audit_head"]["seq"]
        assert report.head_seq == head < max(live_chain)  # writes went on after the moment
        assert chain(restored) == {s: h for s, h in live_chain.items() if s <= head}
        restored_rows = all_version_rows(restored)
        assert restored_rows and len(restored_rows) < len(live_rows)
        assert restored_rows == {v: rows for v, rows in live_rows.items() if v in restored_rows}
        assert catalog_answer(restored, actors["data_steward"]) == live_search != (0, [])
    finally:
        restored.dispose()
    with new_server.sessions() as session:
        assert session.scalar(select(AuditEvent.event).order_by(AuditEvent.seq.desc())) == (
            "backup.restore"
        )


def test_a_wrong_escrow_passphrase_writes_nothing(db, actors, pi_entry, tmp_path, new_server):
    ingest(db, actors["data_steward"], pi_entry, tmp_path / "in")
    escrow_of(db, actors["security_admin"], tmp_path / "escrow.json")
    backup = service.create(db, actors["security_admin"])
    into = tmp_path / "restored"
    wrong = EscrowFile(tmp_path / "escrow.json", Unlock(passphrase="not-the-passphrase"))
    with pytest.raises(InvalidInput) as refused:
        service.restore(new_server, system_actor("restore"), into, backup.id, "s3", wrong)
    assert refused.value.field == "passphrase" and "口令" in refused.value.zh
    assert not into.exists()
    with new_server.sessions() as session:
        assert (
            session.scalar(select(AuditEvent).where(AuditEvent.event == "backup.restore")) is None
        )


def test_a_data_backup_alone_decrypts_nothing(db, actors, pi_entry, tmp_path, new_server):
    """Without the escrow a new server has other keys: no manifest verifies, nothing written."""
    ingest(db, actors["data_steward"], pi_entry, tmp_path / "in")
    backup = service.create(db, actors["security_admin"])
    into = tmp_path / "restored"
    with pytest.raises(NotFound):
        service.restore(new_server, system_actor("restore"), into, backup.id, "s3")
    assert not into.exists()


def test_an_escrow_older_than_a_master_rotation_is_refused_before_writing(
    db, actors, pi_entry, tmp_path, new_server
):
    from hutong.data import keys

    admin = actors["security_admin"]
    ingest(db, actors["data_steward"], pi_entry, tmp_path / "in")
    escrow = escrow_of(db, admin, tmp_path / "escrow.json")
    with db.transaction() as session:
        keys.rotate_master(session, admin)
    backup = service.create(db, admin)
    into = tmp_path / "restored"
    with pytest.raises(Conflict) as refused:
        service.restore(new_server, system_actor("restore"), into, backup.id, "s3", escrow)
    assert refused.value.field == "escrow" and "主密钥" in refused.value.zh
    assert not into.exists() or not any(into.iterdir())


def test_a_new_server_restores_the_newest_manifest_whose_signature_holds(
    db, actors, pi_entry, tmp_path, new_server
):
    import json

    from hutong.lifecycle.targets import open_target

    admin = actors["security_admin"]
    escrow = escrow_of(db, admin, tmp_path / "escrow.json")
    older, newer = service.create(db, admin), service.create(db, admin)
    body = service.restore(new_server, system_actor("restore"), tmp_path / "a", escrow=escrow)
    assert body["id"] == newer.id
    target = open_target(db.settings, "local")
    document = json.loads(target.manifest(newer.id))
    document["manifest"]["moment"] = "2099-01-01T00:00:00+00:00"  # made to look newest
    target.put_manifest(newer.id, json.dumps(document).encode())
    body = service.restore(new_server, system_actor("restore"), tmp_path / "b", escrow=escrow)
    assert body["id"] == newer.id  # still signed on the second target
    body = service.restore(
        new_server, system_actor("restore"), tmp_path / "c", target="local", escrow=escrow
    )
    assert body["id"] == older.id  # the altered manifest is not trusted
