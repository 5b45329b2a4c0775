"""Data keys wrapped by a master key: create, unwrap, rotate the master, destroy (N2021 tasks 5, 8).

Each dataset gets its own data key; only its wrapped form is stored. The master key's secret
is a file under ``<keys>/master/`` (mode 0600), never in the database, so a copy of the
database alone decrypts nothing. Rotation makes a new master key and re-wraps every live data
key in one transaction — no dataset file is rewritten. Destroying a dataset's keys erases
their wrapped form: every version sealed with them becomes unreadable for good.
"""

from __future__ import annotations

import base64
import os
import uuid
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.catalog.models import Resource
from hutong.catalog.service import by_code, target
from hutong.core.clock import utcnow
from hutong.core.errors import Conflict, InvalidInput
from hutong.core.keys import write_private
from hutong.data.crypto import DataKey, new_key, seal, unseal
from hutong.data.models import DataKey as DataKeyRow
from hutong.data.models import DatasetVersion, MasterKey
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.roles import Action


def _master_dir(session: Session) -> Path:
    return session.info["settings"].keys_dir / "master"


def _master_secret(session: Session, master_id: str) -> bytes:
    path = _master_dir(session) / f"{master_id}.key"
    if not path.exists():
        raise Conflict("主密钥不存在或已销毁", "the master key is missing or erased")
    return path.read_bytes()


def _current_master(session: Session) -> str:
    """The current master key's id, made on first use."""
    current = session.scalar(select(MasterKey.id).where(MasterKey.retired_at.is_(None)))
    if current:
        return current
    return _new_master(session)


def _new_master(session: Session) -> str:
    master_id = uuid.uuid4().hex
    write_private(_master_dir(session) / f"{master_id}.key", os.urandom(32))
    session.add(MasterKey(id=master_id))
    session.flush()
    return master_id


def _wrapping(cipher: str, master: bytes) -> bytes:
    """SM4 keys are wrapped with SM4 (a 128-bit key derived with HKDF-SM3), AES keys with AES."""
    if cipher == "sm4-gcm":
        return HKDF(hashes.SM3(), 16, None, b"hutong sm4 key wrap").derive(master)
    return master


def _wrap(key: DataKey, master: bytes) -> str:
    nonce = os.urandom(12)
    sealed = seal(key.cipher, _wrapping(key.cipher, master), nonce, key.secret, key.key_id.encode())
    return base64.b64encode(nonce + sealed).decode()


def _unwrap(row: DataKeyRow, master: bytes) -> DataKey:
    raw = base64.b64decode(row.wrapped)
    secret = unseal(
        row.cipher, _wrapping(row.cipher, master), raw[:12], raw[12:], row.key_id.encode()
    )
    return DataKey(row.key_id, row.cipher, secret)


def live_key(session: Session, resource_id: int, cipher: str) -> DataKey | None:
    """The dataset's newest usable data key of this cipher, in clear, or None."""
    row = session.scalar(
        select(DataKeyRow)
        .where(
            DataKeyRow.resource_id == resource_id,
            DataKeyRow.cipher == cipher,
            DataKeyRow.destroyed_at.is_(None),
        )
        .order_by(DataKeyRow.id.desc())
        .limit(1)
    )
    return _unwrap(row, _master_secret(session, row.master_key_id)) if row else None


def fresh_key(cipher: str) -> DataKey:
    """A new data key in memory; ``persist`` stores it (wrapped) when its version is published."""
    return new_key(uuid.uuid4().hex, cipher)


def persist(session: Session, resource_id: int, key: DataKey) -> DataKeyRow:
    """The stored row of ``key``, wrapping it under the current master if it is new."""
    row = session.scalar(select(DataKeyRow).where(DataKeyRow.key_id == key.key_id))
    if row is None:
        master_id = _current_master(session)
        row = DataKeyRow(
            key_id=key.key_id,
            resource_id=resource_id,
            cipher=key.cipher,
            wrapped=_wrap(key, _master_secret(session, master_id)),
            master_key_id=master_id,
        )
        session.add(row)
        session.flush()
    if row.destroyed_at is not None:
        raise Conflict("数据密钥已销毁", "the data key has been destroyed")
    return row


def key_of(session: Session, version: DatasetVersion) -> DataKey | None:
    """The clear data key of a sealed version (None for clear files)."""
    if version.data_key_id is None:
        return None
    row = session.get(DataKeyRow, version.data_key_id)
    if row is None or row.destroyed_at is not None:
        raise Conflict(
            "该版本的数据密钥已销毁，数据不可再读取",
            "the version's data key was destroyed; its data can no longer be read",
        )
    return _unwrap(row, _master_secret(session, row.master_key_id))


def rotate_master(session: Session, actor: Actor) -> tuple[str, int, list[str]]:
    """New master key; every live data key re-wrapped under it. Returns (new id, keys
    re-wrapped, retired ids); the caller erases the retired secrets once this commits."""
    authorize(session, actor, Action.KEY_MANAGE, Target("keys", "master"))
    retired = list(session.scalars(select(MasterKey.id).where(MasterKey.retired_at.is_(None))))
    rows = list(
        session.scalars(
            select(DataKeyRow).where(
                DataKeyRow.destroyed_at.is_(None), DataKeyRow.master_key_id.is_not(None)
            )
        )
    )
    wrapping = {row.master_key_id for row in rows} | set(retired)
    old_secrets = {master_id: _master_secret(session, master_id) for master_id in wrapping}
    session.execute(
        update(MasterKey).where(MasterKey.retired_at.is_(None)).values(retired_at=utcnow())
    )
    new_id = _new_master(session)
    new_secret = _master_secret(session, new_id)
    for row in rows:
        clear = _unwrap(row, old_secrets[row.master_key_id])
        row.wrapped, row.master_key_id = _wrap(clear, new_secret), new_id
    record(
        session,
        actor,
        "key.rotate",
        category=Category.CONFIG,
        target=Target("keys", new_id),
        rows=len(rows),
        details={"retired": retired, "rewrapped": len(rows)},
    )
    return new_id, len(rows), sorted(wrapping)


def erase_retired(session: Session, master_ids: list[str]) -> None:
    """Delete retired master secrets (after the rotation committed)."""
    for master_id in master_ids:
        (_master_dir(session) / f"{master_id}.key").unlink(missing_ok=True)


def destroy(session: Session, actor: Actor, code: str, reason: str) -> int:
    """Erase every data key of a dataset: all its sealed versions become unreadable."""
    if not reason.strip():
        raise InvalidInput("销毁数据密钥须说明原因", "a reason is required", field="reason")
    resource: Resource = by_code(session, code)
    authorize(session, actor, Action.KEY_MANAGE, target(resource))
    rows = list(
        session.scalars(
            select(DataKeyRow).where(
                DataKeyRow.resource_id == resource.id, DataKeyRow.destroyed_at.is_(None)
            )
        )
    )
    for row in rows:
        row.wrapped, row.destroyed_at, row.destroy_reason = "", utcnow(), reason.strip()
    record(
        session,
        actor,
        "key.destroy",
        category=Category.DELETE,
        target=target(resource),
        rows=len(rows),
        details={"keys": [row.key_id for row in rows], "reason": reason.strip()},
    )
    return len(rows)
