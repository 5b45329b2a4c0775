"""Dataset versions: the data behind a catalog entry, each version immutable Parquet."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hutong.core.clock import utcnow
from hutong.core.db import Base


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
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("resource_id", "version"),)


class ColumnMapping(Base):
    """An entry's remembered column → item mapping, from its last console upload."""

    __tablename__ = "data_column_mappings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id"), index=True)
    source_column: Mapped[str] = mapped_column(String(256))
    item: Mapped[str] = mapped_column(String(128))
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("resource_id", "source_column"),)
