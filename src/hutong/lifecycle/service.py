"""Backups (M2018 §13: stored in different places; N2021 task 5: a backup and recovery
strategy): create, list, verify and restore. Drills are in ``drill.py``, key escrow in
``escrow.py``; decision 0015 says what is backed up and why it is built this way.

Long work runs between two short transactions, as ingest does: the first authorizes, the
second records the outcome with its audit event, so the database is never held while files
are copied.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from fsspec.implementations.local import LocalFileSystem
from sqlalchemy import select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, Outcome, record
from hutong.core.clock import utcnow
from hutong.core.db import Database
from hutong.core.errors import Conflict, InvalidInput, NotFound
from hutong.core.keys import signing_key
from hutong.core.settings import Settings
from hutong.data.crypto import DataKey, decrypted_chunks
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.roles import Action
from hutong.lifecycle import manifest, snapshot
from hutong.lifecycle.escrow import EscrowFile
from hutong.lifecycle.inventory import Source, sources
from hutong.lifecycle.keys import KeyMaterial
from hutong.lifecycle.models import Backup, BackupCopy, BackupObject
from hutong.lifecycle.targets import TargetFailed, TargetStore, chosen, open_target
from hutong.lifecycle.transfer import Transfer

LOCAL = LocalFileSystem()


def backup_target(backup_id: str | None = None) -> Target:
    return Target("backup", backup_id or "latest")


# --- create -------------------------------------------------------------------------------


def create(db: Database, actor: Actor, to: list[str] | None = None) -> Backup:
    """Back up the platform as of one moment to the named targets (default: all, at least
    ``backup_min_targets``). A failing target fails alone; the manifest and the record say
    which targets hold the backup."""
    settings = db.settings
    with db.transaction() as session:
        authorize(session, actor, Action.BACKUP_CREATE, backup_target())
        targets = chosen(settings, to)
        known = {
            row.name: (row.sha256, row.stored_size) for row in session.scalars(select(BackupObject))
        }
    backup_id = uuid.uuid4().hex
    key = KeyMaterial.from_dir(settings.keys_dir).backup_key(settings.dataset_cipher)
    with tempfile.TemporaryDirectory(dir=settings.data_dir, prefix=".backup-") as folder:
        work = Path(folder)
        taken = snapshot.take(db, work)
        transfer = Transfer(targets, key, known, work)
        transfer.scan()
        database = Source(taken.name, None, str(taken.path))
        entries = [
            transfer.send(s) for s in (database, *sources(settings, taken.facts["versions"]))
        ]
        body = {
            "format": manifest.FORMAT,
            "id": backup_id,
            "moment": taken.moment.isoformat(),
            "dialect": taken.dialect,
            "database": taken.name,
            "cipher": settings.dataset_cipher,
            "backup_key_id": key.key_id,
            "digest": "sha256",
            "objects": entries,
            "targets": {t.name: t.name not in transfer.failed for t in targets},
            **taken.facts,
        }
        document = manifest.sign(body, signing_key(settings.keys_dir))
        transfer.finish(backup_id, document)
    with db.transaction() as session:
        return _record_backup(session, actor, body, document, transfer, taken.moment)


def _record_backup(
    session: Session,
    actor: Actor,
    body: dict[str, Any],
    document: bytes,
    transfer: Transfer,
    moment: datetime,
) -> Backup:
    """The backup, its copy per target and its new objects, with the audit event."""
    targets = transfer.targets
    live = {t.name for t in transfer.live}
    status = "complete" if len(live) == len(targets) else "partial" if live else "failed"
    backup = Backup(
        id=body["id"],
        moment=moment,
        created_by=actor.name,
        dialect=body["dialect"],
        objects=len(body["objects"]),
        bytes_total=sum(int(e["stored"]) for e in body["objects"]),
        status=status,
        manifest_sha256=hashlib.sha256(document).hexdigest(),
        audit_seq=(body["audit_head"] or {}).get("seq", 0),
    )
    backup.copies = [
        BackupCopy(
            target=t.name,
            ok=t.name in live,
            error=transfer.failed.get(t.name, ""),
            bytes_written=transfer.written.get(t.name, 0),
        )
        for t in targets
    ]
    session.add(backup)
    for name, (sha, size) in transfer.new.items():
        session.merge(BackupObject(name=name, sha256=sha, stored_size=size))
    record(
        session,
        actor,
        "backup.create",
        category=Category.EXPORT,
        target=backup_target(backup.id),
        outcome=Outcome.FAILED if status == "failed" else Outcome.ALLOWED,
        rows=backup.objects,
        details={
            "status": status,
            "targets": {t.name: t.name in live for t in targets},
            "bytes_written": sum(transfer.written.values()),
        },
    )
    session.flush()
    return backup


# --- list ---------------------------------------------------------------------------------


def list_backups(session: Session, actor: Actor, limit: int = 50) -> list[Backup]:
    """The newest backups with their copies, for the security administrator."""
    authorize(session, actor, Action.BACKUP_READ, backup_target())
    rows = list(session.scalars(select(Backup).order_by(Backup.moment.desc()).limit(limit)))
    record(session, actor, "backup.list", category=Category.QUERY, rows=len(rows))
    return rows


def latest(session: Session) -> Backup:
    """The newest backup that reached at least one target."""
    found = session.scalar(
        select(Backup).where(Backup.status != "failed").order_by(Backup.moment.desc()).limit(1)
    )
    if found is None:
        raise NotFound("尚无可用的备份", "there is no usable backup yet", field="backup")
    return found


def _backup(session: Session, backup_id: str | None) -> Backup:
    if backup_id is None:
        return latest(session)
    found = session.get(Backup, backup_id)
    if found is None:
        raise NotFound("备份不存在", "no such backup", field="backup")
    return found


# --- verify -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """What is wrong, and with which object (its path in the restored data directory)."""

    path: str
    zh: str
    en: str


@dataclass
class TargetCheck:
    target: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_target(
    settings: Settings, name: str, backup_id: str, material: KeyMaterial
) -> TargetCheck:
    """Re-read one target: the manifest's signature, then every object's SHA-256 (restic's
    ``check --read-data``). Every bad object is named."""
    check = TargetCheck(name)
    target = open_target(settings, name)
    try:
        body = manifest.signed_body(target.manifest(backup_id), material.public_key())
    except TargetFailed as error:
        check.problems.append(Problem("", f"无法读取清单：{error.reason}", "manifest unreadable"))
        return check
    except Conflict as error:
        check.problems.append(Problem("", error.zh, error.en))
        return check
    seen: dict[str, str] = {}
    for entry in body["objects"]:
        name_, path = str(entry["object"]), str(entry["path"])
        if name_ not in seen:
            try:
                seen[name_] = target.digest(name_)
            except TargetFailed:
                seen[name_] = "missing"
        if seen[name_] == "missing":
            check.problems.append(Problem(path, f"备份对象缺失：{path}", f"object missing: {path}"))
        elif seen[name_] != entry["sha256"]:
            check.problems.append(
                Problem(path, f"备份对象已损坏（摘要不符）：{path}", f"object corrupted: {path}")
            )
    return check


def verify(
    db: Database, actor: Actor, backup_id: str | None = None, target: str | None = None
) -> list[TargetCheck]:
    """Verify a backup (default: the latest) on one target or on every target holding it;
    the result is kept on each copy and audited."""
    with db.transaction() as session:
        authorize(session, actor, Action.BACKUP_VERIFY, backup_target(backup_id))
        backup = _backup(session, backup_id)
        names = [target] if target else [c.target for c in backup.copies if c.ok]
    material = KeyMaterial.from_dir(db.settings.keys_dir)
    checks = [check_target(db.settings, name, backup.id, material) for name in names]
    with db.transaction() as session:
        now = utcnow()
        for copy in session.scalars(select(BackupCopy).where(BackupCopy.backup_id == backup.id)):
            for check in checks:
                if copy.target == check.target:
                    copy.verified_at, copy.verified_ok = now, check.ok
        bad = sum(len(c.problems) for c in checks)
        record(
            session,
            actor,
            "backup.verify",
            category=Category.QUERY,
            target=backup_target(backup.id),
            outcome=Outcome.ALLOWED if bad == 0 else Outcome.FAILED,
            rows=bad,
            details={c.target: [p.path or p.en for p in c.problems][:20] for c in checks},
        )
    return checks


# --- restore ------------------------------------------------------------------------------


def _inside(root: Path, relative: str) -> Path:
    """A manifest path under ``root``; anything that would leave it is refused."""
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise Conflict(
            "备份清单含有非法路径", "the manifest holds an unsafe path", field="manifest"
        )
    return root.joinpath(*pure.parts)


def _require_empty(into: Path) -> None:
    if into.exists() and (not into.is_dir() or any(into.iterdir())):
        raise Conflict(
            "恢复目录不是空目录，为防止覆盖，不写入任何内容",
            "the restore directory is not empty; nothing was written",
            field="into",
        )


def find_manifest(
    settings: Settings, names: list[str], backup_id: str | None, material: KeyMaterial
) -> tuple[str, dict[str, Any]]:
    """(target, verified manifest) of the backup — or, without an id, of the newest backup
    whose signature holds on any of ``names`` (an altered or missing manifest on one target
    does not hide a newer backup on another). Targets that fail are skipped."""
    public = material.public_key()
    found: list[tuple[str, dict[str, Any]]] = []
    for name in names:
        target = open_target(settings, name)
        try:
            documents = [target.manifest(backup_id)] if backup_id else target.manifests()
        except TargetFailed:
            continue
        for document in documents:
            try:
                found.append((name, manifest.signed_body(document, public)))
            except Conflict:
                continue
        if backup_id and found:
            break
    if not found:
        raise NotFound(
            "在所选备份目标上找不到可用本平台密钥验证的备份（新服务器须提供密钥托管文件）",
            "no backup on the chosen targets verifies with these keys (a new server needs the "
            "escrow file)",
            field="backup",
        )
    return max(found, key=lambda pair: str(pair[1]["moment"]))


def unpack(
    settings: Settings, name: str, body: dict[str, Any], material: KeyMaterial, into: Path
) -> None:
    """Write every object of a verified manifest into the empty folder ``into``, each checked
    against its digest and decrypted; then the keys. On any failure, what was written goes."""
    material.require(body["master_keys"], body["backup_key_id"], body["cipher"])
    key = material.backup_key(str(body["cipher"])).data_key
    target = open_target(settings, name)
    into.mkdir(parents=True, exist_ok=True)
    into.chmod(0o700)
    try:
        with tempfile.TemporaryDirectory(dir=into, prefix=".restore-") as folder:
            fetched = Path(folder) / "object"
            for entry in body["objects"]:
                _unpack_one(target, entry, key, fetched, into)
        material.install(into / "keys")
    except BaseException:
        for child in into.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise


def _unpack_one(
    target: TargetStore, entry: dict[str, Any], key: DataKey, fetched: Path, into: Path
) -> None:
    """One object: fetched, checked against its digest (named if it fails), decrypted."""
    path = str(entry["path"])
    destination = _inside(into, path)
    try:
        digest = target.fetch(str(entry["object"]), fetched)
    except TargetFailed:
        raise Conflict(
            f"备份对象缺失或目标不可用：{path}",
            f"object missing or target unavailable: {path}",
            field="object",
            path=path,
        ) from None
    if digest != entry["sha256"]:
        raise Conflict(
            f"备份对象已损坏（摘要不符）：{path}",
            f"object corrupted: {path}",
            field="object",
            path=path,
        )
    destination.parent.mkdir(parents=True, exist_ok=True)
    with destination.open("wb") as out:
        for piece in decrypted_chunks(LOCAL, str(fetched), key):
            out.write(piece)


def restore(
    db: Database,
    actor: Actor,
    into: Path,
    backup_id: str | None = None,
    target: str | None = None,
    escrow: EscrowFile | None = None,
) -> dict[str, Any]:
    """Restore a backup (default: the newest) into an empty folder, a complete data directory.

    On a new server the keys come from the ``escrow`` file (a wrong passphrase stops here,
    before anything is written); by default from this platform's ``keys/``. ``db`` is the
    platform doing the restore (on a new server, its fresh one), where the restore is
    audited. Returns the verified manifest."""
    settings = db.settings
    with db.transaction() as session:
        authorize(session, actor, Action.BACKUP_RESTORE, backup_target(backup_id))
    _require_empty(into)
    material = escrow.open() if escrow else KeyMaterial.from_dir(settings.keys_dir)
    names = [target] if target else sorted(settings.backup_targets)
    if target and target not in settings.backup_targets:
        raise InvalidInput(f"未配置的备份目标：{target}", "unknown backup target", field="target")
    name, body = find_manifest(settings, names, backup_id, material)
    unpack(settings, name, body, material, into)
    with db.transaction() as session:
        record(
            session,
            actor,
            "backup.restore",
            category=Category.EXPORT,
            target=backup_target(str(body["id"])),
            rows=len(body["objects"]),
            details={"target": name, "moment": body["moment"]},
        )
    return body
