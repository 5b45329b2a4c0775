"""The key escrow: master keys never in a data backup, sealed apart by passphrase or shares."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hutong.audit.models import AuditEvent
from hutong.core.errors import Conflict, InvalidInput, PermissionDenied
from hutong.identity.authz import system_actor
from hutong.lifecycle.escrow import Unlock, export_escrow, install_escrow, open_escrow
from hutong.lifecycle.keys import KeyMaterial
from tests.lifecycle.conftest import ingest


def test_an_escrow_holds_every_key_and_opens_only_with_its_passphrase(
    db, actors, pi_entry, tmp_path
):
    ingest(db, actors["data_steward"], pi_entry, tmp_path / "in")  # makes the master key
    path = tmp_path / "escrow.json"
    with db.transaction() as session:
        assert (
            export_escrow(session, actors["security_admin"], path, Unlock("足够长的托管口令-2026"))
            == []
        )
    material = open_escrow(path, Unlock("足够长的托管口令-2026"))
    assert material == KeyMaterial.from_dir(db.settings.keys_dir)
    assert len(material.master_ids) == 1
    master = next(v for k, v in material.files.items() if k.startswith("master/"))
    assert master not in path.read_bytes()
    with pytest.raises(InvalidInput) as wrong:
        open_escrow(path, Unlock("足够长的托管口令-2025"))
    assert wrong.value.field == "passphrase"
    with db.sessions() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.event == "key.escrow.export")
        ).one()
    assert event.actor_name == "security.admin" and "足够长" not in event.details


def test_two_of_three_shares_open_the_escrow(db, actors, tmp_path):
    path = tmp_path / "escrow.json"
    with db.transaction() as session:
        shares = export_escrow(session, actors["security_admin"], path, Unlock())
    assert len(shares) == 3
    expected = KeyMaterial.from_dir(db.settings.keys_dir)
    for pair in ((0, 1), (0, 2), (1, 2)):
        assert open_escrow(path, Unlock(shares=tuple(shares[i] for i in pair))) == expected
    with pytest.raises(InvalidInput) as one:
        open_escrow(path, Unlock(shares=(shares[0],)))
    assert one.value.field == "shares"


def test_a_short_passphrase_is_refused_and_nothing_is_written(db, actors, tmp_path):
    path = tmp_path / "escrow.json"
    with pytest.raises(InvalidInput) as short, db.transaction() as session:
        export_escrow(session, actors["security_admin"], path, Unlock("short"))
    assert short.value.field == "passphrase" and not path.exists()


def test_only_the_security_administrator_exports_the_escrow(db, actors, tmp_path):
    for role in ("system_admin", "auditor", "data_steward"):
        with pytest.raises(PermissionDenied), db.transaction() as session:
            export_escrow(
                session, actors[role], tmp_path / "e.json", Unlock("足够长的托管口令-2026")
            )
    assert not (tmp_path / "e.json").exists()


def test_installing_an_escrow_writes_missing_keys_and_refuses_different_ones(
    db, actors, tmp_path, new_server
):
    path = tmp_path / "escrow.json"
    with db.transaction() as session:
        export_escrow(session, actors["security_admin"], path, Unlock("足够长的托管口令-2026"))
    material = open_escrow(path, Unlock("足够长的托管口令-2026"))
    with new_server.transaction() as session:
        assert install_escrow(session, system_actor("restore"), material) == len(material.files)
    assert KeyMaterial.from_dir(new_server.settings.keys_dir) == material
    other = KeyMaterial({**material.files, "backup.key": b"\0" * 32})
    with pytest.raises(Conflict), new_server.transaction() as session:
        install_escrow(session, system_actor("restore"), other)
    assert KeyMaterial.from_dir(new_server.settings.keys_dir) == material
