"""Auditor-only search and export of the audit log; an export is itself audited."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from hutong.audit.chain import CHAINED_COLUMNS
from hutong.audit.models import AuditEvent
from hutong.audit.service import Category, record
from hutong.core.actors import Actor, Target
from hutong.core.clock import SHANGHAI, from_us, local, now_us, to_us
from hutong.core.errors import InvalidInput
from hutong.identity.authz import authorize
from hutong.identity.roles import Action

EXPORT_COLUMNS = (*CHAINED_COLUMNS, "prev_hash", "hash")
OUTCOMES = ("allowed", "denied", "failed")


@dataclass
class AuditFilter:
    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    unit: str | None = None
    event: str | None = None
    category: str | None = None
    target: str | None = None
    outcome: str | None = None
    before_seq: int | None = None  # cursor: events older than this one

    @classmethod
    def parse(cls, **raw: str | int | None) -> AuditFilter:
        """Build from query-string values: blanks are "any"; times without a zone are
        Asia/Shanghai (what the console's date pickers send); bad values name their field."""
        values = {k: (None if v in ("", None) else v) for k, v in raw.items()}
        for name in ("since", "until"):
            if values.get(name) is not None:
                try:
                    moment = datetime.fromisoformat(str(values[name]))
                except ValueError:
                    raise InvalidInput("时间格式无效", "invalid date-time", field=name) from None
                values[name] = moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)
        if values.get("outcome") not in (None, *OUTCOMES):
            raise InvalidInput(
                "结果须为 allowed、denied 或 failed",
                "outcome must be allowed, denied or failed",
                field="outcome",
            )
        if values.get("category") not in (None, *(c.value for c in Category)):
            raise InvalidInput("操作类别无效", "unknown category", field="category")
        return cls(**values)  # type: ignore[arg-type]

    def statement(self) -> Select[tuple[AuditEvent]]:
        if self.since and self.until and self.since > self.until:
            raise InvalidInput("开始时间晚于结束时间", "start is after end", field="since")
        stmt = select(AuditEvent)
        conditions = [
            (self.since, lambda v: AuditEvent.ts_us >= to_us(v)),
            (self.until, lambda v: AuditEvent.ts_us <= to_us(v)),
            (self.actor, lambda v: AuditEvent.actor_name == v),
            (self.unit, lambda v: AuditEvent.actor_unit == v),
            (self.event, lambda v: AuditEvent.event.startswith(v, autoescape=True)),
            (self.category, lambda v: AuditEvent.category == v),
            (self.target, lambda v: AuditEvent.target_id == v),
            (self.outcome, lambda v: AuditEvent.outcome == v),
            (self.before_seq, lambda v: AuditEvent.seq < v),
        ]
        for value, condition in conditions:
            if value not in (None, ""):
                stmt = stmt.where(condition(value))
        return stmt.order_by(AuditEvent.seq.desc())


def search(session: Session, actor: Actor, flt: AuditFilter, limit: int = 100) -> list[AuditEvent]:
    authorize(session, actor, Action.AUDIT_READ, Target("audit"))
    limit = max(1, min(limit, 1000))
    events = list(session.scalars(flt.statement().limit(limit)))
    record(
        session,
        actor,
        "audit.search",
        category=Category.QUERY,
        target=Target("audit"),
        rows=len(events),
    )
    return events


def daily_counts(session: Session, actor: Actor, days: int = 14) -> dict[str, dict[str, int]]:
    """Events per Shanghai day and outcome for the console chart: SQL groups by UTC hour
    (at most 24 × days × 3 rows), which folds exactly into local days here."""
    authorize(session, actor, Action.AUDIT_READ, Target("audit"))
    since = now_us() - days * 86_400_000_000
    bucket = AuditEvent.ts_us // 3_600_000_000
    rows = session.execute(
        select(bucket, AuditEvent.outcome, func.count())
        .where(AuditEvent.ts_us >= since)
        .group_by(bucket, AuditEvent.outcome)
    ).all()
    counts: dict[str, dict[str, int]] = {}
    for hour_no, outcome, n in rows:
        day = local(from_us(int(hour_no) * 3_600_000_000)).date().isoformat()
        counts.setdefault(day, {}).setdefault(outcome, 0)
        counts[day][outcome] += n
    return counts


def export(session: Session, actor: Actor, flt: AuditFilter, fmt: str) -> Iterator[str]:
    """Stream matching events as CSV or JSON Lines, recording the export and its row count."""
    authorize(session, actor, Action.AUDIT_EXPORT, Target("audit"))
    if fmt not in ("csv", "jsonl"):
        raise InvalidInput(
            "导出格式须为 csv 或 jsonl", "format must be csv or jsonl", field="format"
        )
    stmt = flt.statement()
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    record(
        session,
        actor,
        "audit.export",
        category=Category.EXPORT,
        target=Target("audit"),
        rows=total or 0,
        details={"format": fmt},
    )
    rows = session.execute(
        stmt.with_only_columns(*(getattr(AuditEvent, c) for c in EXPORT_COLUMNS))
    )
    return _render(rows, fmt)


def _render(rows, fmt: str) -> Iterator[str]:  # type: ignore[no-untyped-def]
    if fmt == "jsonl":
        for row in rows:
            yield json.dumps(dict(zip(EXPORT_COLUMNS, row, strict=True)), ensure_ascii=False) + "\n"
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > 65536:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
