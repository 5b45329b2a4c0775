"""Exchange tables: applications and their steps, gate documents, grants and their daily
usage, file deliveries, notifications, external-provision requests and correction reports."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hutong.catalog.models import Resource
from hutong.core.clock import utcnow
from hutong.core.db import Base, UtcDateTime
from hutong.identity.models import Unit


class Application(Base):
    """A share application (M2018 §20): what a consumer unit asks of a provider, and where
    the decision stands. ``due_date`` is the provider's 10-working-day deadline; it is NULL
    while the clock is paused and once the provider has answered."""

    __tablename__ = "exchange_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id"), index=True)
    applicant_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    provider_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    applicant_name: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(24), index=True)
    purpose: Mapped[str] = mapped_column(Text)
    purpose_category: Mapped[str] = mapped_column(String(24))
    #: items asked for, and a reason per sensitive item when everything is asked for
    items: Mapped[list[str]] = mapped_column(JSON)
    item_reasons: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    row_filter: Mapped[list[dict]] = mapped_column(JSON, default=list)
    period_from: Mapped[date] = mapped_column(Date)
    period_until: Mapped[date] = mapped_column(Date)
    access_mode: Mapped[str] = mapped_column(String(16))
    security_measures: Mapped[str] = mapped_column(Text)
    rows_per_day: Mapped[int | None] = mapped_column(Integer)
    #: the provider's approval: the items/masks, rows, period and mode it grants
    decision: Mapped[dict | None] = mapped_column(JSON)
    #: the provider asked for an agreement although the data is not PI (commercial data)
    require_agreement: Mapped[bool] = mapped_column(Boolean, default=False)
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    paused_workdays: Mapped[int] = mapped_column(Integer, default=0)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    overdue_flagged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    resource: Mapped[Resource] = relationship()
    applicant_unit: Mapped[Unit] = relationship(foreign_keys=[applicant_unit_id])
    provider_unit: Mapped[Unit] = relationship(foreign_keys=[provider_unit_id])
    steps: Mapped[list[Step]] = relationship(order_by="Step.id", lazy="selectin")
    documents: Mapped[list[Document]] = relationship(order_by="Document.id", lazy="selectin")


class Step(Base):
    """One transition of an application: who, when, from and to, and what they wrote."""

    __tablename__ = "exchange_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("exchange_applications.id"), index=True)
    name: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    actor_name: Mapped[str] = mapped_column(String(128))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Document(Base):
    """A gate document: the security and confidentiality agreement (M2018 §21), the
    provincial department's approval (N2021 task 9) or the children's-data assessment and
    responsibility letter (N2021 task 10), with the scanned file's digest."""

    __tablename__ = "exchange_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("exchange_applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    signatories: Mapped[list[str]] = mapped_column(JSON, default=list)
    signed_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(200), default="")
    conclusion: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str] = mapped_column(String(256))
    file_sha256: Mapped[str] = mapped_column(String(64))
    file_size: Mapped[int] = mapped_column(BigInteger)
    recorded_by: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Grant(Base):
    """What a consumer unit may read of one resource (``grants.policy`` turns it into the
    compiler's ``GrantPolicy``). Narrowing bumps ``revision``; revoking or suspending sets
    ``status``; each takes effect on the next query."""

    __tablename__ = "exchange_grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("exchange_applications.id"), index=True
    )
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id"), index=True)
    consumer_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    provider_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    #: optionally only these usernames / API client ids of the consumer unit
    users: Mapped[list[str]] = mapped_column(JSON, default=list)
    clients: Mapped[list[str]] = mapped_column(JSON, default=list)
    items: Mapped[list[dict]] = mapped_column(JSON)  # [{"name", "mask": MaskSpec}]
    row_filter: Mapped[list[dict]] = mapped_column(JSON, default=list)
    purpose: Mapped[str] = mapped_column(Text)
    purpose_category: Mapped[str] = mapped_column(String(24))
    access_mode: Mapped[str] = mapped_column(String(16))
    max_rows_per_query: Mapped[int] = mapped_column(Integer)
    rows_per_day: Mapped[int | None] = mapped_column(Integer)
    requests_per_minute: Mapped[int | None] = mapped_column(Integer)
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime())
    valid_until: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoke_reason: Mapped[str] = mapped_column(Text, default="")
    #: a catalog change that the grant no longer fits suspends it (``grants.suspend_unfit``)
    suspended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    suspend_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    #: legal basis consent (N2021 task 8): the system whose notice and consent ledger
    #: count, the purpose code of that notice, sensitive categories also needing consent,
    #: and the item holding the subject's ID; rows of subjects without consent are left out
    consent_system_id: Mapped[int | None] = mapped_column(
        ForeignKey("information_systems.id"), index=True
    )
    consent_purpose: Mapped[str] = mapped_column(String(64), default="")
    consent_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    consent_subject_item: Mapped[str] = mapped_column(String(128), default="")

    resource: Mapped[Resource] = relationship()
    consumer_unit: Mapped[Unit] = relationship(foreign_keys=[consumer_unit_id])

    __table_args__ = (Index("ix_exchange_grants_lookup", "resource_id", "consumer_unit_id"),)


class GrantUsage(Base):
    """Rows and bytes served under a grant on one Shanghai day, and the current one-minute
    window of calls (rate limit)."""

    __tablename__ = "exchange_grant_usage"

    grant_id: Mapped[int] = mapped_column(ForeignKey("exchange_grants.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    queries: Mapped[int] = mapped_column(Integer, default=0)
    denied: Mapped[int] = mapped_column(Integer, default=0)
    rows: Mapped[int] = mapped_column(BigInteger, default=0)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    window_start: Mapped[datetime | None] = mapped_column(UtcDateTime())
    window_calls: Mapped[int] = mapped_column(Integer, default=0)


class Delivery(Base):
    """A file delivered under a grant, with the fingerprint it carries (``trace``)."""

    __tablename__ = "exchange_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("exchange_grants.id"), index=True)
    format: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(128))
    rows: Mapped[int] = mapped_column(BigInteger, default=0)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="", index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    grant: Mapped[Grant] = relationship()


class Notification(Base):
    """A console notification to one user (e-mailed too when SMTP is configured)."""

    __tablename__ = "exchange_notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    #: What it is about, ``kind:id`` (``core/refs.py``); the console turns it into a link.
    subject: Mapped[str] = mapped_column(String(256), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ExternalProvision(Base):
    """M2018 §22: a consumer's written request to hand shared data to others or publish it;
    the provider approves or refuses in writing."""

    __tablename__ = "exchange_external_provisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("exchange_grants.id"), index=True)
    applicant_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    provider_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str] = mapped_column(String(128), default="")
    filed_by: Mapped[str] = mapped_column(String(128))
    filed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    grant: Mapped[Grant] = relationship()


class Correction(Base):
    """M2018 §23: a reported error in shared data (row keys, item, description); the provider
    must answer, and open reports show on the resource page."""

    __tablename__ = "exchange_corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id"), index=True)
    reporter_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    provider_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    row_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    item: Mapped[str] = mapped_column(String(128))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str] = mapped_column(String(128), default="")
    filed_by: Mapped[str] = mapped_column(String(128))
    filed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    resource: Mapped[Resource] = relationship()
    reporter_unit: Mapped[Unit] = relationship(foreign_keys=[reporter_unit_id])
