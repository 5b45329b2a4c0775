"""Audit tables: the hash-chained events, signed checkpoints, and anchors left by purges."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hutong.core.db import Base


class AuditEvent(Base):
    """One audited operation (N2021 task 6). Append-only: triggers refuse UPDATE, and DELETE
    of any event not yet covered by a purge anchor (see the initial migration)."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    ts_us: Mapped[int] = mapped_column(BigInteger, index=True)
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(128), index=True)
    actor_unit: Mapped[str] = mapped_column(String(64), index=True)
    actor_roles: Mapped[str] = mapped_column(String(256))
    event: Mapped[str] = mapped_column(String(64), index=True)
    category: Mapped[str] = mapped_column(String(16), index=True)
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(128))
    purpose: Mapped[str] = mapped_column(String(256))
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    rows: Mapped[int] = mapped_column(BigInteger)
    client_addr: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_events_target", "target_type", "target_id"),)


class AuditCheckpoint(Base):
    """An Ed25519 signature over (seq, hash) of the chain head at that moment."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    hash: Mapped[str] = mapped_column(String(64))
    ts_us: Mapped[int] = mapped_column(BigInteger)
    key_id: Mapped[str] = mapped_column(String(32))
    signature: Mapped[str] = mapped_column(String(128))


class AuditAnchor(Base):
    """Where the chain resumes after a purge: the last purged event and its signed archive."""

    __tablename__ = "audit_anchors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    first_seq: Mapped[int] = mapped_column(BigInteger)
    archive: Mapped[str] = mapped_column(String(256))
    archive_sha256: Mapped[str] = mapped_column(String(64))
    ts_us: Mapped[int] = mapped_column(BigInteger)
    key_id: Mapped[str] = mapped_column(String(32))
    signature: Mapped[str] = mapped_column(String(128))
