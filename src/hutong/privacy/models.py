"""Privacy tables: collection notices, consents and their ledger, receipts, sensitive-PI
leadership decisions, the register of automated decision-making, research extracts and
PI complaints (N2021 tasks 4, 6, 8–11, 14)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hutong.catalog.models import InformationSystem, Resource
from hutong.core.clock import utcnow
from hutong.core.db import Base, UtcDateTime
from hutong.identity.models import Unit


class CollectionNotice(Base):
    """收集使用规则: one version of an information system's collection notice (N2021 task 8).
    ``material_change`` is set when purposes, method or PI categories differ from the previous
    version: consents given under earlier versions no longer suffice until renewed."""

    __tablename__ = "privacy_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("information_systems.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    #: [{"code": "enrolment", "name": "学籍管理"}, …]; each is consented separately
    purposes: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    method: Mapped[str] = mapped_column(Text)
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    retention: Mapped[str] = mapped_column(String(200))
    recipients: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(String(16), default="consent")
    contact: Mapped[str] = mapped_column(String(200), default="")
    material_change: Mapped[bool] = mapped_column(Boolean, default=False)
    published_by: Mapped[str] = mapped_column(String(128))
    published_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    system: Mapped[InformationSystem] = relationship()

    __table_args__ = (UniqueConstraint("system_id", "version"),)


class Consent(Base):
    """The current state of one consent: one subject, one system, ONE purpose or ONE sensitive
    category (never bundled). The subject and guardian are keyed pseudonyms, never clear IDs.
    History is in the audit log and the consent ledger."""

    __tablename__ = "privacy_consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("information_systems.id"))
    notice_id: Mapped[int] = mapped_column(ForeignKey("privacy_notices.id"), index=True)
    notice_version: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # purpose | sensitive
    code: Mapped[str] = mapped_column(String(64))
    given_by: Mapped[str] = mapped_column(String(16))  # subject | guardian
    guardian: Mapped[str] = mapped_column(String(64), default="")
    guardian_relation: Mapped[str] = mapped_column(String(16), default="")
    #: the subject was under 14 when the consent was given (N2021 task 10)
    child: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(16))  # api | import | console | portal
    given_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    recorded_by: Mapped[str] = mapped_column(String(128))

    notice: Mapped[CollectionNotice] = relationship()
    system: Mapped[InformationSystem] = relationship()

    __table_args__ = (
        UniqueConstraint("system_id", "subject", "kind", "code"),
        Index("ix_privacy_consents_subject", "subject"),
    )


class ConsentBatch(Base):
    """One Parquet file of the consent ledger (decision 0011): every change of consents is
    also written as a file the data plane joins in bulk; a file counts only while its row
    exists, so a rolled-back change leaves a file nobody reads."""

    __tablename__ = "privacy_consent_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("information_systems.id"), index=True)
    file: Mapped[str] = mapped_column(String(300))
    rows: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ConsentReceipt(Base):
    """A receipt code handed to the subject or guardian when consent is recorded; with the ID
    number it opens the public page of one's consents. Only a keyed digest is stored."""

    __tablename__ = "privacy_consent_receipts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), index=True)
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class SensitiveDecision(Base):
    """单位领导班子集体决策 (N2021 task 11): the justification of processing one sensitive item
    of a catalog entry and the leadership meeting's outcome."""

    __tablename__ = "privacy_sensitive_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id"), index=True)
    item_name: Mapped[str] = mapped_column(String(128))
    category: Mapped[str] = mapped_column(String(16))
    necessity: Mapped[str] = mapped_column(Text)
    scientific: Mapped[str] = mapped_column(Text)
    ethics: Mapped[str] = mapped_column(Text)
    meeting: Mapped[str] = mapped_column(String(200))
    meeting_date: Mapped[date] = mapped_column(Date)
    attendees: Mapped[list[str]] = mapped_column(JSON, default=list)
    outcome: Mapped[str] = mapped_column(String(16))  # approved | rejected
    recorded_by: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    resource: Mapped[Resource] = relationship()


class AutomatedDecision(Base):
    """The register of automated decision-making that uses PI (N2021 task 8): what it decides,
    its logic in plain words, and the latest fairness check."""

    __tablename__ = "privacy_automated_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    system_id: Mapped[int | None] = mapped_column(ForeignKey("information_systems.id"))
    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    logic: Mapped[str] = mapped_column(Text)
    pi_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    effects: Mapped[str] = mapped_column(Text, default="")
    human_review: Mapped[str] = mapped_column(Text, default="")
    fairness: Mapped[dict[str, object] | None] = mapped_column(JSON)
    fairness_passed: Mapped[bool | None] = mapped_column(Boolean)
    fairness_checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    recorded_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    unit: Mapped[Unit] = relationship()


class Extract(Base):
    """A research or statistics extract (N2021 task 6): requested for a named purpose, approved
    by the owner unit, produced de-identified with its risk report attached."""

    __tablename__ = "privacy_extracts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id"), index=True)
    requester_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    requested_by: Mapped[str] = mapped_column(String(128))
    purpose: Mapped[str] = mapped_column(Text)
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: {item: mask spec} for direct identifiers, quasi-identifiers and k
    masks: Mapped[dict[str, dict[str, object]]] = mapped_column(JSON, default=dict)
    quasi: Mapped[list[str]] = mapped_column(JSON, default=list)
    k: Mapped[int] = mapped_column(Integer, default=5)
    state: Mapped[str] = mapped_column(String(16), default="requested")
    decided_by: Mapped[str] = mapped_column(String(128), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decision_note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int | None] = mapped_column(Integer)
    location: Mapped[str] = mapped_column(String(300), default="")
    rows: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, object] | None] = mapped_column(JSON)
    produced_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    resource: Mapped[Resource] = relationship()
    requester_unit: Mapped[Unit] = relationship()


class Complaint(Base):
    """A complaint about the handling of personal information (N2021 task 14), filed on the
    public form; the complainant's contact and text are sealed at rest."""

    __tablename__ = "privacy_complaints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    system_id: Mapped[int | None] = mapped_column(ForeignKey("information_systems.id"))
    category: Mapped[str] = mapped_column(String(32))
    contact_sealed: Mapped[str] = mapped_column(Text)
    text_sealed: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="received")  # received | answered
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str] = mapped_column(String(128), default="")
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    system: Mapped[InformationSystem | None] = relationship()
