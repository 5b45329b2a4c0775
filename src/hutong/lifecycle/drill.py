"""Restore drills (N2021 task 5: a recovery strategy that is known to work).

A drill restores the latest backup into a scratch folder with this platform's keys, runs the
migrations, recomputes the audit chain and matches it with the last signed checkpoint, opens
a sample of sealed dataset versions and counts their rows, and compares every table's row
count with the manifest. Its duration is the measured RTO, the age of the restored data the
RPO; the report is signed with the audit key and kept, with its audit event, whether the
drill passed or not.
"""

from __future__ import annotations

import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from sqlalchemy import text

from hutong.audit.service import Category, Outcome, record, signed_message
from hutong.audit.verify import verify_chain
from hutong.core.clock import as_utc, utcnow
from hutong.core.db import Database
from hutong.core.errors import Conflict, HutongError
from hutong.core.keys import public_key_id, signing_key
from hutong.core.settings import Settings
from hutong.data.access import open_version
from hutong.data.engine import count_rows
from hutong.data.models import DatasetVersion
from hutong.identity.authz import Actor, authorize
from hutong.identity.roles import Action
from hutong.lifecycle import manifest, service
from hutong.lifecycle.keys import KeyMaterial
from hutong.lifecycle.models import BackupDrill
from hutong.lifecycle.snapshot import PG_DUMP_FILE, load_dump
from hutong.migrations import upgrade


@dataclass(frozen=True)
class DrillResult:
    drill: BackupDrill
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def restored_settings(settings: Settings, data_dir: Path) -> Settings:
    """Settings of a platform restored into ``data_dir`` (datasets local, beside it). A
    PostgreSQL backup is loaded into the scratch database ``backup_drill_database_url``."""
    url = None
    if (data_dir / PG_DUMP_FILE).exists():
        url = settings.backup_drill_database_url
        if not url:
            raise Conflict(
                "PostgreSQL 备份的演练须配置 backup_drill_database_url（一个可清空的临时库）",
                "a drill of a PostgreSQL backup needs backup_drill_database_url",
                field="backup_drill_database_url",
            )
        load_dump(data_dir / PG_DUMP_FILE, url)
    values = settings.model_dump(exclude={"data_dir", "database_url", "dataset_store"})
    return Settings(**values, data_dir=data_dir, database_url=url, dataset_store="")


def check_restored(restored: Database, body: dict[str, Any], sample: int) -> list[str]:
    """Problems of a restored platform against its manifest (empty: it holds)."""
    upgrade(restored)
    problems = _chain_problems(restored, body)
    with restored.engine.connect() as connection:
        for table, expected in body["counts"].items():
            found = connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
            if found != expected:
                problems.append(f"表 {table} 行数不符：清单 {expected}，恢复后 {found}")
    sealed = [v for v in body["versions"] if v["sealed"]]
    for version in random.sample(sealed, min(sample, len(sealed))):
        problems += _version_problems(restored, version)
    return problems


def _chain_problems(restored: Database, body: dict[str, Any]) -> list[str]:
    report = verify_chain(restored.engine, restored.settings, workers=1)
    problems = [f"审计链第 {p.seq} 条：{p.reason_zh}" for p in report.problems]
    head = body["audit_head"] or {"seq": 0}
    if report.head_seq != head["seq"]:
        problems.append(f"审计链末尾为第 {report.head_seq} 条，清单为第 {head['seq']} 条")
    checkpoint = body["checkpoint"]
    if checkpoint:
        public = signing_key(restored.settings.keys_dir).public_key()
        with restored.engine.connect() as connection:
            stored = connection.execute(
                text("SELECT hash FROM audit_events WHERE seq = :seq"), {"seq": checkpoint["seq"]}
            ).scalar()
        try:
            public.verify(
                bytes.fromhex(checkpoint["signature"]),
                signed_message(checkpoint["seq"], checkpoint["hash"]),
            )
            signed = stored == checkpoint["hash"]
        except (InvalidSignature, ValueError):
            signed = False
        if not signed:
            problems.append(f"审计链与最后一个签名检查点（第 {checkpoint['seq']} 条）不符")
    return problems


def _version_problems(restored: Database, version: dict[str, Any]) -> list[str]:
    with restored.sessions() as session:
        row = session.get(DatasetVersion, version["id"])
        try:
            files = open_version(session, row) if row else None
        except HutongError as error:
            return [f"数据版本 {version['location']} 无法打开：{error.zh}"]
    if files is None:
        return [f"数据版本 {version['location']} 不在恢复后的数据库中"]
    try:
        rows = count_rows(files)
    except HutongError as error:
        return [f"数据版本 {version['location']} 无法读取：{error.zh}"]
    if rows != version["rows"]:
        return [f"数据版本 {version['location']} 行数不符：清单 {version['rows']}，读出 {rows}"]
    return []


def drill(db: Database, actor: Actor, target: str | None = None) -> DrillResult:
    """Restore the latest backup into a scratch folder and check it; recorded either way."""
    settings = db.settings
    with db.transaction() as session:
        authorize(session, actor, Action.BACKUP_DRILL, service.backup_target())
        backup = service.latest(session)
        name = target or next(c.target for c in backup.copies if c.ok)
        moment = as_utc(backup.moment)
    started, clock = utcnow(), time.perf_counter()
    problems = _restore_and_check(db, name, backup.id)
    rto = time.perf_counter() - clock
    report = {
        "backup": backup.id,
        "target": name,
        "started_at": started.isoformat(),
        "moment": moment.isoformat(),
        "rto_seconds": round(rto, 3),
        "rpo_seconds": round((started - moment).total_seconds(), 3),
        "ok": not problems,
        "problems": problems,
    }
    key = signing_key(settings.keys_dir)
    with db.transaction() as session:
        row = BackupDrill(
            backup_id=backup.id,
            target=name,
            started_at=started,
            rto_seconds=report["rto_seconds"],
            rpo_seconds=report["rpo_seconds"],
            ok=not problems,
            problems=problems,
            report=report,
            key_id=public_key_id(key.public_key()),
            signature=key.sign(manifest.canonical(report)).hex(),
            drilled_by=actor.name,
        )
        session.add(row)
        record(
            session,
            actor,
            "backup.drill",
            category=Category.QUERY,
            target=service.backup_target(backup.id),
            outcome=Outcome.ALLOWED if not problems else Outcome.FAILED,
            rows=len(problems),
            details={k: report[k] for k in ("target", "rto_seconds", "rpo_seconds", "ok")}
            | {"problems": problems[:10]},
        )
    return DrillResult(row, problems)


def _restore_and_check(db: Database, name: str, backup_id: str) -> list[str]:
    settings = db.settings
    material = KeyMaterial.from_dir(settings.keys_dir)
    with tempfile.TemporaryDirectory(dir=settings.data_dir, prefix=".drill-") as folder:
        scratch = Path(folder) / "data"
        try:
            _target, body = service.find_manifest(settings, [name], backup_id, material)
            service.unpack(settings, name, body, material, scratch)
            restored = Database(restored_settings(settings, scratch))
        except HutongError as error:
            return [error.zh]
        try:
            return check_restored(restored, body, settings.backup_drill_sample)
        finally:
            restored.dispose()
