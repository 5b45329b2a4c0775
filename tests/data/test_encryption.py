"""Encryption at rest (N2021 tasks 5, 8): PI versions are sealed, unreadable without their key,
readable after the master key is rotated, and gone for good once their key is destroyed."""

from __future__ import annotations

import hashlib
import struct

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fsspec.implementations.local import LocalFileSystem
from sqlalchemy import select

from hutong.audit.models import AuditEvent
from hutong.core.db import Database
from hutong.core.errors import Conflict, InvalidInput, PermissionDenied
from hutong.data import crypto, keys
from hutong.data.access import open_version
from hutong.data.ingest import ingest_file
from hutong.data.models import DataKey, MasterKey
from tests.support import created, version_rows

LOCAL = LocalFileSystem()
GOOD_ID = "11010519491231002X"
ROWS = [("张伟", GOOD_ID, "01"), ("李娜", "110105194912310021", "02")]


@pytest.fixture
def pi_entry(db, org, classes, actors):
    return created(
        db,
        actors["data_steward"],
        org,
        items=[
            {"name": "姓名", "data_type": "字符型", "pi_category": "identity"},
            {"name": "身份证件号", "data_type": "字符型", "pi_category": "identity"},
            {"name": "民族", "data_type": "代码型", "pi_category": "ethnicity"},
        ],
    )


def write(path, rows=ROWS, header=("姓名", "身份证件号", "民族")):
    path.write_text(
        ",".join(header) + "\n" + "\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8"
    )
    return path


def files_of(db, version):
    return sorted((db.settings.datasets_dir / version.location).iterdir())


def test_a_pi_version_is_sealed_and_unreadable_without_its_key(db, actors, pi_entry, tmp_path):
    version = ingest_file(
        db, actors["data_steward"], pi_entry, write(tmp_path / "s.csv"), on_invalid="quarantine"
    )
    [sealed] = [p for p in files_of(db, version) if p.name.startswith("part-")]
    raw = sealed.read_bytes()
    assert sealed.name == "part-0.parquet.enc" and version.data_key_id is not None
    assert (
        not raw.startswith(b"PAR1") and GOOD_ID.encode() not in raw and "张伟".encode() not in raw
    )
    with pytest.raises(pa.ArrowInvalid):  # neither Arrow nor DuckDB can read it as Parquet
        pq.read_table(sealed)
    with pytest.raises(duckdb.Error):
        duckdb.sql(f"SELECT * FROM read_parquet('{sealed}')").fetchall()
    # A wrong key of the same id is refused by authentication, not silently misread.
    with db.sessions() as session:
        files = open_version(session, version)
    forged = crypto.DataKey(files.key.key_id, files.key.cipher, bytes(32))
    with pytest.raises(Conflict):
        crypto.DecryptingReader(LOCAL, str(sealed), forged).read()
    assert version_rows(db, version, "SELECT 姓名, 身份证件号 FROM dataset ORDER BY 姓名") == [
        ("张伟", GOOD_ID)
    ]


def test_rejected_rows_are_sealed_too(db, actors, pi_entry, tmp_path):
    version = ingest_file(
        db, actors["data_steward"], pi_entry, write(tmp_path / "s.csv"), on_invalid="quarantine"
    )
    names = [p.name for p in files_of(db, version)]
    assert version.rejected == 1 and "rejects.csv.enc" in names and "rejects.csv" not in names


def test_a_general_entry_without_pi_stays_clear_unless_all_are_sealed(
    db, org, classes, actors, tmp_path
):
    code = created(
        db,
        actors["data_steward"],
        org,
        name="全国教育统计年鉴学校数",
        grade="general",
        general_level=1,
        has_pi=False,
        approx_persons=None,
        items=[
            {"name": "统计年度", "data_type": "字符型"},
            {"name": "学校数", "data_type": "数值型"},
        ],
    )
    path = write(tmp_path / "y.csv", [("2024", "498300")], header=("统计年度", "学校数"))
    clear = ingest_file(db, actors["data_steward"], code, path)
    assert clear.data_key_id is None
    assert [p.name for p in files_of(db, clear)] == ["part-0.parquet"]
    everything = Database(db.settings.model_copy(update={"encrypt_all_datasets": True}))
    try:
        sealed = ingest_file(everything, actors["data_steward"], code, path)
    finally:
        everything.dispose()
    assert sealed.data_key_id is not None and version_rows(db, sealed) == [("2024", "498300")]


def test_sm4_gcm_seals_and_reads_back(db, actors, pi_entry, tmp_path):
    sm4 = Database(db.settings.model_copy(update={"dataset_cipher": "sm4-gcm"}))
    try:
        version = ingest_file(
            sm4, actors["data_steward"], pi_entry, write(tmp_path / "s.csv", ROWS[:1])
        )
    finally:
        sm4.dispose()
    with db.sessions() as session:
        assert session.get(DataKey, version.data_key_id).cipher == "sm4-gcm"
    assert version_rows(db, version, "SELECT 身份证件号 FROM dataset") == [(GOOD_ID,)]


def test_master_rotation_rewraps_keys_without_rewriting_data(db, actors, pi_entry, tmp_path):
    version = ingest_file(db, actors["data_steward"], pi_entry, write(tmp_path / "s.csv", ROWS[:1]))
    [sealed] = [p for p in files_of(db, version) if p.name.startswith("part-")]
    before = hashlib.sha256(sealed.read_bytes()).hexdigest()
    with db.sessions() as session:
        old_master = session.scalar(select(MasterKey.id).where(MasterKey.retired_at.is_(None)))
        old_wrapped = session.get(DataKey, version.data_key_id).wrapped
    with db.transaction() as session:
        new_master, rewrapped, retired = keys.rotate_master(session, actors["security_admin"])
    with db.sessions() as session:
        keys.erase_retired(session, retired)
        row = session.get(DataKey, version.data_key_id)
        assert (row.master_key_id, rewrapped, retired) == (new_master, 1, [old_master])
        assert row.wrapped != old_wrapped
        event = session.scalar(select(AuditEvent).where(AuditEvent.event == "key.rotate"))
        assert event is not None and event.actor_name == "security.admin"
    assert not (db.settings.keys_dir / "master" / f"{old_master}.key").exists()
    assert hashlib.sha256(sealed.read_bytes()).hexdigest() == before  # data not rewritten
    assert version_rows(db, version, "SELECT 身份证件号 FROM dataset") == [(GOOD_ID,)]
    # The next version of the same dataset uses the same data key, now under the new master.
    again = ingest_file(db, actors["data_steward"], pi_entry, write(tmp_path / "t.csv", ROWS[:1]))
    assert again.data_key_id == version.data_key_id


def test_only_the_security_administrator_manages_keys(db, actors, pi_entry):
    for role in ("system_admin", "data_steward", "auditor"):
        with pytest.raises(PermissionDenied), db.transaction() as session:
            keys.rotate_master(session, actors[role])
        with pytest.raises(PermissionDenied), db.transaction() as session:
            keys.destroy(session, actors[role], pi_entry, "到期销毁")


def test_destroying_the_key_makes_every_version_unreadable(db, actors, pi_entry, tmp_path):
    version = ingest_file(db, actors["data_steward"], pi_entry, write(tmp_path / "s.csv", ROWS[:1]))
    with db.transaction() as session:
        assert (
            keys.destroy(session, actors["security_admin"], pi_entry, "超过保存期限，依规销毁") == 1
        )
    with db.sessions() as session, pytest.raises(Conflict):
        open_version(session, version)
    with db.sessions() as session:
        row = session.get(DataKey, version.data_key_id)
        assert row.wrapped == "" and row.destroyed_at is not None
    with pytest.raises(InvalidInput), db.transaction() as session:
        keys.destroy(session, actors["security_admin"], pi_entry, "  ")


def test_sealed_chunks_cannot_be_truncated_or_reordered(tmp_path):
    clear = tmp_path / "clear.bin"
    clear.write_bytes(bytes(range(256)) * (crypto.CHUNK // 256) * 2 + b"tail")
    key = crypto.new_key("ab" * 16, "aes-256-gcm")
    sealed = tmp_path / "sealed.bin"
    crypto.encrypt_file(clear, sealed, key)
    reader = crypto.DecryptingReader(LOCAL, str(sealed), key)
    reader.seek(crypto.CHUNK - 2)  # random access across a chunk boundary
    assert reader.read(6) == clear.read_bytes()[crypto.CHUNK - 2 : crypto.CHUNK + 4]
    raw = sealed.read_bytes()
    body = crypto.CHUNK + crypto.TAG
    header, chunks = raw[: crypto.HEADER.size], raw[crypto.HEADER.size :]
    truncated = tmp_path / "truncated.bin"
    truncated.write_bytes(header + chunks[: 2 * body])  # the short last chunk dropped
    swapped = tmp_path / "swapped.bin"
    swapped.write_bytes(header + chunks[body : 2 * body] + chunks[:body] + chunks[2 * body :])
    for damaged in (truncated, swapped):
        with pytest.raises(Conflict):
            crypto.DecryptingReader(LOCAL, str(damaged), key).read()
    assert struct.unpack(">8s", header[:8])[0] == crypto.MAGIC


@pytest.mark.parametrize("sealed", [True, False])
def test_versions_in_an_fsspec_object_store_are_published_and_read_back(
    db, org, classes, actors, tmp_path, sealed
):
    """``dataset_store`` may name any fsspec file system; fsspec's in-memory one stands in for
    S3-compatible object storage here (same code path: upload, glob, ranged reads)."""
    import fsspec

    root = f"memory://hutong-{tmp_path.name}"
    remote = Database(db.settings.model_copy(update={"dataset_store": root}))
    items = [{"name": "统计年度", "data_type": "字符型"}, {"name": "学校数", "data_type": "数值型"}]
    code = created(
        db,
        actors["data_steward"],
        org,
        name="分省学校数",
        grade="important" if sealed else "general",
        general_level=None if sealed else 1,
        has_pi=False,
        approx_persons=None,
        items=items,
    )
    path = write(
        tmp_path / "y.csv", [("2024", "498300"), ("2023", "")], header=("统计年度", "学校数")
    )
    try:
        version = ingest_file(remote, actors["data_steward"], code, path)
        assert (version.data_key_id is not None) is sealed
        fs = fsspec.filesystem("memory")
        stored = fs.glob(f"/hutong-{tmp_path.name}/**")
        assert any(p.endswith("part-0.parquet" + (".enc" if sealed else "")) for p in stored)
        assert not list(db.settings.datasets_dir.rglob("part-*"))  # nothing left locally
        assert sorted(version_rows(remote, version)) == [("2023", None), ("2024", "498300")]
    finally:
        remote.dispose()
