"""Monitor tables: the detector's cursor over the audit chain, alerts and their handling."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from hutong.core.clock import utcnow
from hutong.core.db import Base, UtcDateTime


class MonitorCursor(Base):
    """How far the detector has read the audit chain, with the rules' correlation state as
    of that event, written together so that a restart neither skips nor re-reads an event.

    Advancing it is the detector's own bookkeeping, not a business change: the alerts it
    raises are audited, the position itself is not (an audit event per poll would feed the
    detector its own writes for ever)."""

    __tablename__ = "monitor_cursors"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    #: events up to here (present when the cursor was created) teach the baselines but
    #: raise no alert: the first start learns the last 30 days instead of alarming on them
    learn_until_seq: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(Text, default="{}")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Alert(Base):
    """One alert per (rule, subject) while it is active: later firings add to its count
    and evidence instead of raising another (issue 16)."""

    __tablename__ = "monitor_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(256))
    level: Mapped[str] = mapped_column(String(16), index=True)
    article: Mapped[str] = mapped_column(String(128))
    description: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str] = mapped_column(String(256))
    subject_label: Mapped[str] = mapped_column(String(512))
    state: Mapped[str] = mapped_column(String(16), index=True, default="open")
    #: how many times the rule fired for this subject while the alert was active
    count: Mapped[int] = mapped_column(Integer, default=1)
    #: audit event numbers of the evidence, the newest EVIDENCE_KEPT of them
    evidence: Mapped[list[int]] = mapped_column(JSON, default=list)
    first_seq: Mapped[int] = mapped_column(BigInteger)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    first_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_at: Mapped[datetime] = mapped_column(UtcDateTime())
    assignee: Mapped[str] = mapped_column(String(128), default="")
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    silenced_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    silence_reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        # the database itself keeps one active alert per rule and subject
        Index(
            "uq_monitor_alerts_active",
            "rule_id",
            "subject",
            unique=True,
            sqlite_where=text("state != 'resolved'"),
            postgresql_where=text("state != 'resolved'"),
        ),
    )


class AlertAction(Base):
    """An alert's handling history for the console: who acknowledged, assigned, silenced,
    escalated or resolved it, when, and why. The audit chain records the same steps."""

    __tablename__ = "monitor_alert_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("monitor_alerts.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    actor_name: Mapped[str] = mapped_column(String(128))
    step: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
