"""Dataset versions: the data behind a catalog entry, each version immutable Parquet."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hutong.core.clock import utcnow
from hutong.core.db import Base, UtcDateTime


class DatasetVersion(Base):
    """One published version; it exists only once its files are complete (atomic publish)."""

    __tablename__ = "dataset_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    location: Mapped[str] = mapped_column(String(256))  # folder under the dataset store
    rows: Mapped[int] = mapped_column(BigInteger)
    columns: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    content_sha256: Mapped[str] = mapped_column(String(64))
    source_name: Mapped[str] = mapped_column(String(256))
    source_encoding: Mapped[str] = mapped_column(String(16))
    rejected: Mapped[int] = mapped_column(BigInteger, default=0)  # rows quarantined to rejects.csv
    quality: Mapped[dict[str, object]] = mapped_column(JSON)  # data/quality.py QualityReport
    quality_score: Mapped[float] = mapped_column(Float)
    detection: Mapped[dict[str, object]] = mapped_column(JSON)  # data/detect.py Detection
    ingested_by: Mapped[str] = mapped_column(String(64))
    ingested_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    #: The data key its files are sealed with (N2021 tasks 5, 8); None for clear files.
    data_key_id: Mapped[int | None] = mapped_column(ForeignKey("data_keys.id"), index=True)

    __table_args__ = (UniqueConstraint("resource_id", "version"),)


class MasterKey(Base):
    """A key-encryption key. Its secret lives outside the database (``<keys>/master/<id>.key``);
    exactly one is current, the others are retired by rotation and then erased."""

    __tablename__ = "master_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class DataKey(Base):
    """A dataset's data key, stored only wrapped by a master key. Erasing ``wrapped`` (destroy)
    makes every version sealed with it unreadable, for good (crypto-shredding)."""

    __tablename__ = "data_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id"), index=True)
    cipher: Mapped[str] = mapped_column(String(16))
    wrapped: Mapped[str] = mapped_column(Text, default="")
    master_key_id: Mapped[str | None] = mapped_column(ForeignKey("master_keys.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    destroyed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    destroy_reason: Mapped[str] = mapped_column(Text, default="")


class ColumnMapping(Base):
    """An entry's remembered column → item mapping, from its last console upload."""

    __tablename__ = "data_column_mappings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id"), index=True)
    source_column: Mapped[str] = mapped_column(String(256))
    item: Mapped[str] = mapped_column(String(128))
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("resource_id", "source_column"),)
