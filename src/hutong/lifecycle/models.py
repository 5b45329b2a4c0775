"""Backup records: each backup, its copy on each target, the objects already stored, drills."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hutong.core.clock import utcnow
from hutong.core.db import Base, UtcDateTime

STATUS_ZH = {"complete": "全部成功", "partial": "部分成功", "failed": "失败"}


class Backup(Base):
    """One backup: the platform as it was at ``moment`` (M2018 §13, N2021 task 5). Its signed
    manifest is on every target of ``copies`` that succeeded."""

    __tablename__ = "backups"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    #: the consistent moment the backup restores to (its database snapshot)
    moment: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    created_by: Mapped[str] = mapped_column(String(128))
    dialect: Mapped[str] = mapped_column(String(16))
    objects: Mapped[int] = mapped_column(Integer)
    bytes_total: Mapped[int] = mapped_column(BigInteger)
    #: complete (every chosen target), partial (some) or failed (none)
    status: Mapped[str] = mapped_column(String(16), index=True)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    audit_seq: Mapped[int] = mapped_column(BigInteger)

    copies: Mapped[list[BackupCopy]] = relationship(
        back_populates="backup", order_by="BackupCopy.id", lazy="selectin"
    )

    @property
    def status_zh(self) -> str:
        return STATUS_ZH[self.status]


class BackupCopy(Base):
    """A backup on one target: whether it arrived, what was written, its last verification."""

    __tablename__ = "backup_copies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    backup_id: Mapped[str] = mapped_column(ForeignKey("backups.id"), index=True)
    target: Mapped[str] = mapped_column(String(64))
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str] = mapped_column(Text, default="")
    bytes_written: Mapped[int] = mapped_column(BigInteger, default=0)
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    verified_ok: Mapped[bool | None] = mapped_column(Boolean)

    backup: Mapped[Backup] = relationship(back_populates="copies")

    __table_args__ = (UniqueConstraint("backup_id", "target"),)


class BackupObject(Base):
    """An object already stored (by its keyed content hash): later backups only reference it.
    Encryption is deterministic per content, so its digest is the same on every target."""

    __tablename__ = "backup_objects"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    stored_size: Mapped[int] = mapped_column(BigInteger)


class BackupDrill(Base):
    """A restore drill: the latest backup restored and checked in a scratch directory.
    ``rto_seconds`` is how long it took, ``rpo_seconds`` how old the restored data was."""

    __tablename__ = "backup_drills"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    backup_id: Mapped[str] = mapped_column(ForeignKey("backups.id"), index=True)
    target: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    rto_seconds: Mapped[float] = mapped_column(Float)
    rpo_seconds: Mapped[float] = mapped_column(Float)
    ok: Mapped[bool] = mapped_column(Boolean, index=True)
    problems: Mapped[list[str]] = mapped_column(JSON)
    report: Mapped[dict[str, object]] = mapped_column(JSON)
    key_id: Mapped[str] = mapped_column(String(32))
    signature: Mapped[str] = mapped_column(String(128))
    drilled_by: Mapped[str] = mapped_column(String(128))
