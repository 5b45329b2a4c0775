"""Compliance tables: the system registry, findings and their history, rule runs,
rectification notices (整改通知单) and risk assessments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hutong.catalog.models import InformationSystem
from hutong.core.clock import utcnow
from hutong.core.db import Base, UtcDateTime
from hutong.identity.models import Unit


class SystemProfile(Base):
    """The registry record of one information system (N2021 tasks 2, 9, 15; M2018 §5, §6,
    §13, §37), 1:1 with ``information_systems``."""

    __tablename__ = "compliance_system_profiles"

    system_id: Mapped[int] = mapped_column(ForeignKey("information_systems.id"), primary_key=True)
    #: persons whose personal information the system stores (N2021 task 9's one million)
    persons_pi: Mapped[int] = mapped_column(Integer, default=0)
    pi_officer_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    responsible_person: Mapped[str] = mapped_column(String(64), default="")
    mlps_level: Mapped[int | None] = mapped_column(Integer)  # 等级保护 1–5
    third_party_platform: Mapped[str] = mapped_column(String(200), default="")
    third_party_agreement_ref: Mapped[str] = mapped_column(String(200), default="")
    third_party_agreement_date: Mapped[date | None] = mapped_column(Date)
    third_party_agreement_expires: Mapped[date | None] = mapped_column(Date)
    provincial_filing_date: Mapped[date | None] = mapped_column(Date)
    provincial_filing_ref: Mapped[str] = mapped_column(String(200), default="")
    security_rules_doc: Mapped[str] = mapped_column(String(200), default="")
    emergency_plan_doc: Mapped[str] = mapped_column(String(200), default="")
    emergency_plan_covers_data: Mapped[bool] = mapped_column(Boolean, default=False)
    confidentiality_review: Mapped[str] = mapped_column(String(16), default="")  # passed|failed
    confidentiality_review_date: Mapped[date | None] = mapped_column(Date)
    storage_plan_doc: Mapped[str] = mapped_column(String(200), default="")
    offsite_backup: Mapped[bool] = mapped_column(Boolean, default=False)
    stores_abroad: Mapped[bool] = mapped_column(Boolean, default=False)
    export_assessment_ref: Mapped[str] = mapped_column(String(200), default="")
    encrypts_at_rest: Mapped[bool] = mapped_column(Boolean, default=False)
    encrypts_in_transit: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    system: Mapped[InformationSystem] = relationship()


class SecurityAudit(Base):
    """A yearly security audit of a system's PI processing (N2021 task 9)."""

    __tablename__ = "compliance_security_audits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("information_systems.id"), index=True)
    audited_on: Mapped[date] = mapped_column(Date)
    auditor: Mapped[str] = mapped_column(String(200))
    conclusion: Mapped[str] = mapped_column(String(16))  # passed | issues
    report_ref: Mapped[str] = mapped_column(String(200), default="")
    recorded_by: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ComplianceRun(Base):
    """One application of rules: on demand, scheduled or incremental."""

    __tablename__ = "compliance_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trigger: Mapped[str] = mapped_column(String(16))  # manual | schedule | incremental
    actor: Mapped[str] = mapped_column(String(128))
    rules: Mapped[int] = mapped_column(Integer, default=0)
    failing: Mapped[int] = mapped_column(Integer, default=0)
    opened: Mapped[int] = mapped_column(Integer, default=0)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)


class CheckResult(Base):
    """Scratch rows: the failing subjects of one rule in one run, reconciled into findings
    by set-based statements and deleted in the same transaction."""

    __tablename__ = "compliance_check_results"

    run_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(String(500), default="")


class Finding(Base):
    """One (rule, subject) that failed at some run (M2018 §40); open while it fails."""

    __tablename__ = "compliance_findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(64))
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(128))
    #: the responsible unit: a rectification notice goes to it
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    severity: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(8), default="open")  # open | closed
    detail: Mapped[str] = mapped_column(String(500), default="")
    times_opened: Mapped[int] = mapped_column(Integer, default=1)
    first_opened_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    changed_run_id: Mapped[int | None] = mapped_column(Integer, index=True)

    __table_args__ = (
        UniqueConstraint("rule_id", "subject_id"),
        Index("ix_compliance_findings_status", "status", "unit_id", "rule_id"),
    )


class FindingEvent(Base):
    """History of a finding: opened, closed, reopened, each with the run that saw it."""

    __tablename__ = "compliance_finding_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("compliance_findings.id"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("compliance_runs.id"), index=True)
    change: Mapped[str] = mapped_column(String(8))  # opened | closed | reopened
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Notice(Base):
    """整改通知单 (M2018 §40–41): findings sent to the responsible unit with a deadline."""

    __tablename__ = "compliance_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    issuer_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    issued_by: Mapped[str] = mapped_column(String(128))
    requirements: Mapped[str] = mapped_column(Text, default="")
    working_days: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    deadline: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    findings: Mapped[list[Finding]] = relationship(
        secondary="compliance_notice_findings", order_by="Finding.id", lazy="selectin"
    )


class NoticeFinding(Base):
    __tablename__ = "compliance_notice_findings"

    notice_id: Mapped[int] = mapped_column(ForeignKey("compliance_notices.id"), primary_key=True)
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("compliance_findings.id"), primary_key=True, index=True
    )


class NoticeEvent(Base):
    """Each transition of a notice: who, when, from which state to which, and why."""

    __tablename__ = "compliance_notice_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("compliance_notices.id"), index=True)
    transition: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str] = mapped_column(String(16), default="")
    to_state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(128))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class NoticeEvidence(Base):
    """The unit's answer for one finding of a notice: what was done, and where it is shown."""

    __tablename__ = "compliance_notice_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("compliance_notices.id"), index=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("compliance_findings.id"))
    text: Mapped[str] = mapped_column(Text)
    submitted_by: Mapped[str] = mapped_column(String(128))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class NoticeAttachment(Base):
    """A file the unit uploaded with its answer (a scan, a revised plan), kept in the
    database so that it is saved, or refused, in the same transaction as the answer."""

    __tablename__ = "compliance_notice_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evidence_id: Mapped[int] = mapped_column(
        ForeignKey("compliance_notice_evidence.id"), index=True
    )
    notice_id: Mapped[int] = mapped_column(ForeignKey("compliance_notices.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(128))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Assessment(Base):
    """A risk assessment (N2021 task 13) of a system or of a PI processing activity."""

    __tablename__ = "compliance_assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(16))  # system | activity
    system_id: Mapped[int] = mapped_column(ForeignKey("information_systems.id"), index=True)
    activity: Mapped[str] = mapped_column(String(200), default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    answers: Mapped[dict[str, int]] = mapped_column(JSON)
    evidence: Mapped[dict[str, object]] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(Float)
    level: Mapped[str] = mapped_column(String(8))  # low | medium | high
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | reported
    assessed_by: Mapped[str] = mapped_column(String(128))
    assessed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    reported_to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    reported_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
