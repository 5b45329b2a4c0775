"""``record()``: the one way to write an audit event, inside the caller's transaction.

Every service calls it in the same transaction as the work it records (DESIGN rule 3), so a
rolled-back operation leaves no event and a committed one always has its event; the session
guard in ``core/db.py`` refuses a commit that changed data without calling it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from hutong.audit.chain import CHAINED_COLUMNS, GENESIS, clean, hasher, link
from hutong.audit.models import AuditAnchor, AuditCheckpoint, AuditEvent
from hutong.core.actors import NO_TARGET, Actor, Target
from hutong.core.clock import now_us
from hutong.core.db import AUDITED
from hutong.core.keys import public_key_id, signing_key
from hutong.core.settings import Settings

#: PostgreSQL advisory lock that serialises appends to the chain.
CHAIN_LOCK = 0x48555447  # "HUTG"
HEAD_KEY = "hutong.chain_head"


class Outcome(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    FAILED = "failed"


class Category(StrEnum):
    """What kind of operation (N2021 task 6 names query, insert, update, delete, export)."""

    QUERY = "query"
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    LOGIN = "login"
    LOGOUT = "logout"
    GRANT = "grant"
    DECISION = "decision"
    CONFIG = "config"
    ACCESS = "access"  # an authorization check that was denied


@dataclass
class EventInput:
    """An event before it is chained; used for single and batched appends."""

    actor: Actor
    event: str
    category: Category
    target: Target = NO_TARGET
    outcome: Outcome = Outcome.ALLOWED
    rows: int = 0
    purpose: str | None = None
    details: dict[str, object] = field(default_factory=dict)


def _settings(session: Session) -> Settings:
    return session.info["settings"]


def _chain_head(session: Session) -> tuple[int, str]:
    """(seq, hash) of the newest event, under the writer lock of this transaction."""
    cached = session.info.get(HEAD_KEY)
    if cached is not None:
        return cached
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK})
    row = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    if row is None:
        row = session.execute(
            select(AuditAnchor.seq, AuditAnchor.hash).order_by(AuditAnchor.seq.desc()).limit(1)
        ).first()
    head = (int(row[0]), str(row[1])) if row else (0, GENESIS)
    session.info[HEAD_KEY] = head
    return head


def _values(seq: int, ts: int, item: EventInput) -> list[object]:
    actor, target = item.actor, item.target
    return [
        seq,
        ts,
        clean(actor.id, 64),
        clean(actor.name, 128),
        clean(actor.unit_code, 64),
        clean(",".join(sorted(actor.roles)), 256),
        clean(item.event, 64),
        item.category.value,
        clean(target.type, 32),
        clean(target.id, 128),
        clean(item.purpose, 256),
        item.outcome.value,
        int(item.rows),
        clean(actor.client_address, 64),
        clean(actor.request_id, 64),
        clean(json.dumps(item.details, ensure_ascii=False, sort_keys=True, default=str), 4000)
        if item.details
        else "",
    ]


def record_many(session: Session, items: Sequence[EventInput]) -> int:
    """Append events to the chain in one INSERT; returns the new head sequence number."""
    settings = _settings(session)
    digest = hasher(settings.audit_hash)
    seq, prev = _chain_head(session)
    first_seq = seq
    rows = []
    ts = now_us()
    for item in items:
        seq += 1
        values = _values(seq, ts, item)
        current = link(digest, prev, values)
        row = dict(zip(CHAINED_COLUMNS, values, strict=True))
        row["prev_hash"] = prev
        row["hash"] = current
        rows.append(row)
        prev = current
    session.execute(insert(AuditEvent), rows)
    session.info[HEAD_KEY] = (seq, prev)
    session.info[AUDITED] = True
    every = settings.audit_checkpoint_every
    if every > 0 and seq // every > first_seq // every:
        _checkpoint(session, settings, seq, prev)
    return seq


def record(
    session: Session,
    actor: Actor,
    event: str,
    *,
    category: Category = Category.ACCESS,
    target: Target = NO_TARGET,
    outcome: Outcome = Outcome.ALLOWED,
    rows: int = 0,
    purpose: str | None = None,
    details: dict[str, object] | None = None,
) -> int:
    """Append one event in the caller's transaction; returns its sequence number."""
    item = EventInput(actor, event, category, target, outcome, rows, purpose, details or {})
    return record_many(session, [item])


def signed_message(seq: int, chain_hash: str) -> bytes:
    return f"hutong-audit-checkpoint|{seq}|{chain_hash}".encode()


def _checkpoint(session: Session, settings: Settings, seq: int, chain_hash: str) -> None:
    key = signing_key(settings.keys_dir)
    session.add(
        AuditCheckpoint(
            seq=seq,
            hash=chain_hash,
            ts_us=now_us(),
            key_id=public_key_id(key.public_key()),
            signature=key.sign(signed_message(seq, chain_hash)).hex(),
        )
    )


def checkpoint_now(session: Session) -> int:
    """Sign the current head on demand (``hutong audit checkpoint``); returns its seq."""
    seq, chain_hash = _chain_head(session)
    _checkpoint(session, _settings(session), seq, chain_hash)
    return seq


def iter_checkpoints(session: Session) -> Iterable[AuditCheckpoint]:
    return session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq))
