"""Catalog tables: classification tree, information systems, resources, items, versions,
and the maintenance tasks that M2018 §30 puts deadlines on."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hutong.core.clock import utcnow
from hutong.core.db import Base, UtcDateTime
from hutong.identity.models import Unit


class Classification(Base):
    """类 / 项 / 目 / 细目 of the catalog; ``code`` is the concatenation of the levels' codes."""

    __tablename__ = "catalog_classifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    level: Mapped[int] = mapped_column(Integer)  # 1 类, 2 项, 3 目, 4 细目
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalog_classifications.id"), index=True
    )


class InformationSystem(Base):
    """A statistical survey project or an administrative information system (N2021 task 2)."""

    __tablename__ = "information_systems"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    operator_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    #: M2018 §31: a new project is approved only with a pre-compiled catalog draft attached.
    approval_status: Mapped[str] = mapped_column(String(16), default="operating")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    owner_unit: Mapped[Unit] = relationship(foreign_keys=[owner_unit_id])
    operator_unit: Mapped[Unit] = relationship(foreign_keys=[operator_unit_id])


class Resource(Base):
    """A catalog entry (信息资源): the metadata of M2018 §27 plus the education extension."""

    __tablename__ = "catalog_resources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    classification_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_classifications.id"), index=True
    )
    attribute: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    provider_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    summary: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(16), index=True)
    share_type: Mapped[str] = mapped_column(String(16), index=True)
    share_conditions: Mapped[str] = mapped_column(Text, default="")
    share_method: Mapped[str] = mapped_column(String(200), default="")
    share_legal_basis: Mapped[str] = mapped_column(Text, default="")
    open_type: Mapped[str] = mapped_column(String(16), index=True)
    open_conditions: Mapped[str] = mapped_column(Text, default="")
    open_method: Mapped[str] = mapped_column(String(200), default="")
    update_cycle: Mapped[str] = mapped_column(String(16), index=True)
    release_date: Mapped[date | None] = mapped_column(Date)
    related_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    usage_requirements: Mapped[str] = mapped_column(Text, default="")
    responsible_person: Mapped[str] = mapped_column(String(64), default="")
    data_kind: Mapped[str] = mapped_column(String(16))
    source_system_id: Mapped[int | None] = mapped_column(
        ForeignKey("information_systems.id"), index=True
    )
    grade: Mapped[str] = mapped_column(String(16), index=True)
    general_level: Mapped[int | None] = mapped_column(Integer)
    has_pi: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    sensitive_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    has_child_pi: Mapped[bool] = mapped_column(Boolean, default=False)
    approx_persons: Mapped[int | None] = mapped_column(Integer)
    deidentified: Mapped[bool] = mapped_column(Boolean, default=False)
    retention_days: Mapped[int | None] = mapped_column(Integer)
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    provider_unit: Mapped[Unit] = relationship()
    classification: Mapped[Classification] = relationship()
    source_system: Mapped[InformationSystem | None] = relationship()
    items: Mapped[list[Item]] = relationship(
        cascade="all, delete-orphan", order_by="Item.position", lazy="selectin"
    )

    __table_args__ = (
        # Covering indexes: facet counts and the newest-first page read these, not the wide rows.
        Index(
            "ix_catalog_resources_facets",
            "status",
            "share_type",
            "open_type",
            "grade",
            "format",
            "update_cycle",
            "has_pi",
            "provider_unit_id",
            "classification_id",
        ),
        Index("ix_catalog_resources_recent", "status", "updated_at", "id"),
    )


def name_key(name: str) -> str:
    """An item name as 一数一源 compares it: NFKC (full-width → half-width), lower case,
    letters and digits only (so 身份证件号、"身份证件号 " and "身份证件号（）" agree)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", name).lower() if ch.isalnum())


def _name_key_default(context) -> str:  # type: ignore[no-untyped-def]
    return name_key(context.get_current_parameters()["name"])


class Item(Base):
    """An information item (信息项) of a resource."""

    __tablename__ = "catalog_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(128))
    #: ``name_key(name)``, set on insert (an item's name never changes: edits match by name).
    name_key: Mapped[str] = mapped_column(String(128), default=_name_key_default)
    data_type: Mapped[str] = mapped_column(String(32))
    length: Mapped[int | None] = mapped_column(Integer)
    #: Digits after the decimal point a 数值型 value may have (its 精度, 小数位数); ``length`` is
    #: its digits in all, so 长度 5 精度 1 holds at most 9999.9.
    precision: Mapped[int | None] = mapped_column(Integer)
    #: The declared range (取值范围) of a number; no bound means any value of the type.
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)
    element_ref: Mapped[str] = mapped_column(String(64), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    pi_category: Mapped[str] = mapped_column(String(16), default="none")
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    default_mask: Mapped[str] = mapped_column(String(16), default="none")

    __table_args__ = (
        UniqueConstraint("resource_id", "name"),
        Index("ix_catalog_items_name", "name"),
        Index("ix_catalog_items_name_key", "name_key", "data_type"),
        Index("ix_catalog_items_element_ref", "element_ref"),
    )


class OverlapJustification(Base):
    """一数一源 (M2018 §8, N2021 task 4): why an entry registers an item that another unit's
    entry already provides, recorded when the steward saves it."""

    __tablename__ = "catalog_overlap_justifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id"), index=True)
    item_name: Mapped[str] = mapped_column(String(128))
    matched_by: Mapped[str] = mapped_column(String(16))  # "element" | "name"
    source_resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id"))
    justification: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("resource_id", "item_name"),)


class ResourceVersion(Base):
    """A saved state of an entry: full snapshot, who and when (history and diffs)."""

    __tablename__ = "catalog_resource_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    snapshot: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("resource_id", "version"),)


class ResourceRevision(Base):
    """A change to a published entry that loosens its protection (a lower grade, a wider
    share or open type, a PI flag removed, items added or unmasked): filed, not applied,
    until the catalog reviewer approves it (M2018 §11, §30; N2021 task 3). Until then the
    published version stays in force everywhere, since nothing reads ``data`` but the
    approval."""

    __tablename__ = "catalog_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … within the entry
    status: Mapped[str] = mapped_column(String(16), index=True)
    #: the version in force when filed; the revision lapses when another one takes effect
    base_version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)  # the proposed ResourceIn, applied on approval
    snapshot: Mapped[dict] = mapped_column(JSON)  # the entry as it would read (for the diff)
    loosenings: Mapped[list[str]] = mapped_column(JSON)  # why it needs review, in Chinese
    note: Mapped[str] = mapped_column(Text, default="")
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    decided_by: Mapped[str] = mapped_column(String(64), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reason: Mapped[str] = mapped_column(Text, default="")

    resource: Mapped[Resource] = relationship()

    __table_args__ = (UniqueConstraint("resource_id", "number"),)


class MaintenanceTask(Base):
    """M2018 §30 deadlines: reflect a change within 7 working days; review yearly."""

    __tablename__ = "catalog_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "change" | "annual_review"
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_resources.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)


class CatalogState(Base):
    """One row: the generation number of the catalog, bumped by every change to an entry
    (catalog/facet_index.py), so in-memory facet snapshots know when they are stale."""

    __tablename__ = "catalog_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger, default=0)
