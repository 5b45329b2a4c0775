"""The detector: reads the audit chain after its cursor, evaluates every rule on the new
events, raises alerts, and moves the cursor — with the rules' state — in the same commit.

Appends to the chain are serialised (BEGIN IMMEDIATE on SQLite, an advisory lock on
PostgreSQL, see audit/service.py), so event numbers commit in order and "every event after
the cursor" never skips one that commits later. The cursor moves by compare-and-set: if
another detector moved it meanwhile, this one discards its work and reloads, so no event is
evaluated twice. Reading is not audited (the detector reads its own input each second);
what it concludes is: every alert raised or repeated is an audit event.

``run_forever`` is the loop ``hutong serve`` starts in a thread; ``drain`` is one pass over
everything new (``hutong monitor run``).
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hutong.audit.models import AuditEvent
from hutong.audit.service import Category, record
from hutong.catalog.models import Resource
from hutong.core.calendar import WorkingCalendar
from hutong.core.clock import now_us, utcnow
from hutong.core.db import Database
from hutong.core.settings import Settings
from hutong.identity.authz import Actor, Target, authorize, system_actor
from hutong.identity.roles import Action
from hutong.monitor.alerts import raise_alerts
from hutong.monitor.engine import Engine
from hutong.monitor.events import COLUMNS, Context, Event
from hutong.monitor.models import MonitorCursor
from hutong.monitor.rulefile import SHIPPED, RuleSet, load_rules

log = logging.getLogger(__name__)

CURSOR = "audit"
#: the first start reads back this far so that the baselines have history to learn from
LEARN_BACK = timedelta(days=30)
TARGET = Target("monitor")
SELECTED = [getattr(AuditEvent, name) for name in COLUMNS]


def rule_directories(settings: Settings) -> list[Path]:
    """The shipped rules, then the deployment's own (``monitor_rules_dir``)."""
    extra = settings.monitor_rules_dir
    return [SHIPPED, *([extra] if extra is not None else [])]


@dataclass
class StepReport:
    """What one step did: events read, the cursor after it, gaps in the event numbers
    (only a purge leaves them), alerts raised and repeated."""

    read: int = 0
    cursor: int = 0
    gaps: int = 0
    raised: int = 0
    repeated: int = 0


class _CursorMoved(Exception):
    """Another detector moved the cursor first; this step's work is discarded."""


class Detector:
    """The rules, their engine and the cursor as this process last committed it."""

    def __init__(
        self, db: Database, rules: RuleSet | None = None, batch_size: int | None = None
    ) -> None:
        self.db = db
        self.rules = rules if rules is not None else load_rules(rule_directories(db.settings))
        self.engine = Engine(self.rules.rules)
        self.batch_size = batch_size or db.settings.monitor_batch_size
        self._cursor: int | None = None  # None: (re)load cursor and state from the database
        self._learn_until = 0

    def step(self, actor: Actor) -> StepReport:
        """Evaluate the next batch of events (at most ``batch_size``)."""
        with self.db.transaction() as session:
            authorize(session, actor, Action.MONITOR_RUN, TARGET)
            if self._cursor is None:
                self._load(session, actor)
            start = self._cursor or 0
            rows = session.execute(
                select(*SELECTED)
                .where(AuditEvent.seq > start)
                .order_by(AuditEvent.seq)
                .limit(self.batch_size)
            ).all()
            context = _context(session, rows)
        if not rows:
            return StepReport(cursor=start)
        events = [Event(tuple(row), context) for row in rows]
        firings = [f for f in self.engine.evaluate(events) if f.seq > self._learn_until]
        report = StepReport(read=len(rows), cursor=rows[-1][0], gaps=_gaps(start, rows))
        try:
            with self.db.transaction() as session:
                self._advance(session, start, report.cursor)
                report.raised, report.repeated = raise_alerts(session, actor, firings)
        except _CursorMoved:
            log.info("monitor cursor moved by another detector; reloading")
            self._cursor = None
            return StepReport(cursor=start)
        except BaseException:
            self._cursor = None  # the engine ran ahead of the database: reload both
            raise
        self._cursor = report.cursor
        return report

    def drain(self, actor: Actor) -> StepReport:
        """Steps until the detector has caught up with the chain; the totals."""
        total = StepReport()
        while True:
            report = self.step(actor)
            total.read += report.read
            total.gaps += report.gaps
            total.raised += report.raised
            total.repeated += report.repeated
            total.cursor = report.cursor
            if report.read < self.batch_size:
                return total

    def _load(self, session: Session, actor: Actor) -> None:
        """The cursor and the rules' saved state; created on the very first start."""
        row = session.get(MonitorCursor, CURSOR) or _create(session, actor)
        self.engine.restore(json.loads(row.state or "{}"))
        self._cursor, self._learn_until = row.seq, row.learn_until_seq

    def _advance(self, session: Session, start: int, end: int) -> None:
        moved = session.execute(
            update(MonitorCursor)
            .where(MonitorCursor.name == CURSOR, MonitorCursor.seq == start)
            .values(seq=end, state=json.dumps(self.engine.snapshot()), updated_at=utcnow())
        )
        if moved.rowcount != 1:
            raise _CursorMoved()


def _create(session: Session, actor: Actor) -> MonitorCursor:
    """Start LEARN_BACK before now; events already written teach but raise nothing."""
    head = session.scalar(select(func.coalesce(func.max(AuditEvent.seq), 0)))
    cutoff = now_us() - int(LEARN_BACK.total_seconds() * 1_000_000)
    before = session.scalar(
        select(func.coalesce(func.max(AuditEvent.seq), 0)).where(AuditEvent.ts_us < cutoff)
    )
    row = MonitorCursor(name=CURSOR, seq=before, learn_until_seq=head, state="{}")
    session.add(row)
    record(
        session,
        actor,
        "monitor.start",
        category=Category.CONFIG,
        target=TARGET,
        details={"from_seq": before, "learn_until_seq": head},
    )
    return row


def _context(session: Session, rows) -> Context:  # type: ignore[no-untyped-def]
    """The calendar, and which of the batch's target entries hold children's PI (one query)."""
    resource_at, id_at = COLUMNS.index("target_type"), COLUMNS.index("target_id")
    codes = {r[id_at] for r in rows if r[resource_at] == "resource"}
    child = (
        session.scalars(
            select(Resource.code).where(Resource.code.in_(codes), Resource.has_child_pi.is_(True))
        ).all()
        if codes
        else []
    )
    return Context(WorkingCalendar.from_session(session), frozenset(child))


def _gaps(start: int, rows) -> int:  # type: ignore[no-untyped-def]
    gaps, previous = 0, start
    for row in rows:
        gaps += row[0] != previous + 1
        previous = row[0]
    return gaps


def monitor_actor() -> Actor:
    return system_actor("monitor")


def run_forever(
    db: Database,
    stop: threading.Event,
    actor: Actor | None = None,
    poll_seconds: float | None = None,
    detector: Detector | None = None,
) -> None:
    """Poll the chain until ``stop`` is set; a failed step is logged (by kind only — an
    error's text may quote event values) and retried on the next poll."""
    actor = actor or monitor_actor()
    detector = detector or Detector(db)
    poll = poll_seconds or db.settings.monitor_poll_seconds
    while not stop.is_set():
        try:
            report = detector.step(actor)
        except Exception as error:  # keep watching: a locked or restarting database passes
            log.error("monitor step failed: %s", type(error).__name__)
            report = StepReport()
        if report.read < detector.batch_size:
            stop.wait(poll)


@dataclass
class Running:
    """A detector loop in a background thread, as ``hutong serve`` keeps it."""

    thread: threading.Thread
    stopping: threading.Event

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        self.thread.join(timeout)


def start(db: Database, actor: Actor | None = None, poll_seconds: float | None = None) -> Running:
    stopping = threading.Event()
    thread = threading.Thread(
        target=run_forever,
        args=(db, stopping, actor, poll_seconds),
        name="hutong-monitor",
        daemon=True,
    )
    thread.start()
    return Running(thread, stopping)
