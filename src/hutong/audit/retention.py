"""Retention: purge events older than the retention period (never under 180 days, N2021 task
6), after exporting them to a signed archive, leaving a signed anchor so the remaining chain
still verifies from where the purged part ended."""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hutong.audit.models import AuditAnchor, AuditEvent
from hutong.audit.query import EXPORT_COLUMNS
from hutong.audit.service import Category, record, signed_message
from hutong.core.actors import Actor, Target
from hutong.core.clock import from_us, now_us
from hutong.core.errors import InvalidInput
from hutong.core.keys import public_key_id, public_key_pem, signing_key
from hutong.core.settings import MIN_AUDIT_RETENTION_DAYS
from hutong.identity.authz import authorize
from hutong.identity.roles import Action


@dataclass
class PurgeResult:
    purged: int
    first_seq: int | None = None
    last_seq: int | None = None
    archive: Path | None = None


def archive_dir(session: Session) -> Path:
    return session.info["settings"].data_dir / "audit-archive"


def purge(session: Session, actor: Actor, retention_days: int | None = None) -> PurgeResult:
    """Archive, anchor and delete the oldest events that are past retention."""
    authorize(session, actor, Action.AUDIT_PURGE, Target("audit"))
    settings = session.info["settings"]
    days = settings.audit_retention_days if retention_days is None else retention_days
    if days < MIN_AUDIT_RETENTION_DAYS:
        raise InvalidInput(
            f"审计日志保留期不得少于 {MIN_AUDIT_RETENTION_DAYS} 天（N2021 重点任务 6）",
            f"audit retention cannot be below {MIN_AUDIT_RETENTION_DAYS} days (N2021 task 6)",
            field="retention_days",
        )
    cutoff = now_us() - days * 86_400_000_000
    # Only a prefix of the chain may go: stop at the first event that is still young.
    first_young = session.scalar(select(func.min(AuditEvent.seq)).where(AuditEvent.ts_us >= cutoff))
    stmt = select(*(getattr(AuditEvent, c) for c in EXPORT_COLUMNS)).order_by(AuditEvent.seq)
    if first_young is not None:
        stmt = stmt.where(AuditEvent.seq < first_young)
    rows = session.execute(stmt).all()
    if not rows:
        record(session, actor, "audit.purge", category=Category.DELETE, target=Target("audit"))
        return PurgeResult(0)
    first_seq, last_seq, last_hash = rows[0][0], rows[-1][0], rows[-1][-1]
    path = _write_archive(session, rows, first_seq, last_seq)
    key = signing_key(settings.keys_dir)
    file_hash = hashlib.sha256(path.read_bytes()).hexdigest()
    session.add(
        AuditAnchor(
            seq=last_seq,
            hash=last_hash,
            first_seq=first_seq,
            archive=path.name,
            archive_sha256=file_hash,
            ts_us=now_us(),
            key_id=public_key_id(key.public_key()),
            signature=key.sign(signed_message(last_seq, last_hash)).hex(),
        )
    )
    session.flush()  # the anchor must exist before the DELETE trigger allows the delete
    session.execute(delete(AuditEvent).where(AuditEvent.seq <= last_seq))
    record(
        session,
        actor,
        "audit.purge",
        category=Category.DELETE,
        target=Target("audit"),
        rows=len(rows),
        details={"first_seq": first_seq, "last_seq": last_seq, "archive": path.name},
    )
    return PurgeResult(len(rows), first_seq, last_seq, path)


def _write_archive(session: Session, rows, first_seq: int, last_seq: int) -> Path:  # type: ignore[no-untyped-def]
    """A gzip JSONL file of the events plus a signed manifest naming its SHA-256."""
    settings = session.info["settings"]
    folder = archive_dir(session)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"audit-{first_seq:012d}-{last_seq:012d}.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for row in rows:
            handle.write(
                json.dumps(dict(zip(EXPORT_COLUMNS, row, strict=True)), ensure_ascii=False)
            )
            handle.write("\n")
    key = signing_key(settings.keys_dir)
    manifest = {
        "archive": path.name,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "first_seq": first_seq,
        "last_seq": last_seq,
        "last_hash": rows[-1][-1],
        "oldest": from_us(rows[0][1]).isoformat(),
        "newest": from_us(rows[-1][1]).isoformat(),
        "hash_algorithm": settings.audit_hash,
        "public_key": public_key_pem(key.public_key()),
    }
    body = json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode()
    signed = {"manifest": manifest, "signature": key.sign(body).hex()}
    path.with_suffix("").with_suffix(".manifest.json").write_text(
        json.dumps(signed, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return path
