"""Open-portal tables: releases of dataset versions through the gate, daily download counts,
and disclosure requests with their public history."""

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
)
from sqlalchemy.orm import Mapped, mapped_column

from hutong.core.clock import utcnow
from hutong.core.db import Base, UtcDateTime


class Release(Base):
    """One dataset version on its way to the public (N2021 task 7): the automatic check, the
    publisher's approval, the security reviewer's approval with a policy-risk note. States and
    transitions are in ``openportal/release.py``."""

    __tablename__ = "portal_releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("dataset_versions.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(24))
    check_passed: Mapped[bool] = mapped_column(Boolean, default=False)
    check_report: Mapped[dict[str, object]] = mapped_column(JSON)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    approved_by: Mapped[str] = mapped_column(String(64), default="")
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    approval_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[str] = mapped_column(String(64), default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    risk_note: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_by: Mapped[str] = mapped_column(String(64), default="")
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    close_reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_portal_releases_state", "state", "resource_id"),)


class DownloadCount(Base):
    """Downloads of a public dataset per day and format (the chart on its page)."""

    __tablename__ = "portal_download_counts"

    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resources.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    format: Mapped[str] = mapped_column(String(8), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class DisclosureRequest(Base):
    """依申请公开 (M2018 §24; 《政府信息公开条例》 2019 第二十七—三十三条). The applicant's
    name, ID and contact are sealed (AES-256-GCM) in ``applicant_sealed``; ``applicant_key``
    is a keyed pseudonym of the ID number (same applicant, no clear value)."""

    __tablename__ = "disclosure_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tracking_no: Mapped[str] = mapped_column(String(32), unique=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    applicant_sealed: Mapped[str] = mapped_column(Text)
    applicant_key: Mapped[str] = mapped_column(String(64), index=True)
    #: the office (行政机关) applied to, whose staff handle the request (第二十九条)
    office_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    id_type: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text, default="")
    preferred_format: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    correction_asked_on: Mapped[date | None] = mapped_column(Date)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    extension_approver: Mapped[str] = mapped_column(String(64), default="")
    decision: Mapped[str] = mapped_column(String(16), default="")
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    answer: Mapped[str] = mapped_column(Text, default="")
    other_office: Mapped[str] = mapped_column(String(200), default="")
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    handled_by: Mapped[str] = mapped_column(String(64), default="")


class DisclosureEvent(Base):
    """What happened to a request, in words the applicant may read on the status page."""

    __tablename__ = "disclosure_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("disclosure_requests.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")
