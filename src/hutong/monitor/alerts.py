"""Alerts: raised by the detector, grouped one per rule and subject while active, and
handled by people — acknowledged, assigned, silenced for a period with a reason, escalated
to incident response, resolved (issue 16). Each step is an explicit transition that checks,
changes and audits in the caller's transaction, like ``catalog/workflow.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, EventInput, record, record_many
from hutong.core.clock import as_utc, from_us, utcnow
from hutong.core.errors import Conflict, InvalidInput, NotFound
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.models import User
from hutong.identity.roles import WATCHERS, Action
from hutong.monitor.engine import Firing
from hutong.monitor.models import Alert, AlertAction
from hutong.monitor.schemas import AlertActionOut, AlertDetail, AlertOut
from hutong.monitor.vocab import ACTIVE, AlertState, Level

#: evidence event numbers an alert keeps (the newest); its count goes on
EVIDENCE_KEPT = 100
#: the longest an alert may be silenced in one go
MAX_SILENCE = timedelta(days=30)
NOTE_MAX = 2000
OPEN, ACKNOWLEDGED = AlertState.OPEN, AlertState.ACKNOWLEDGED
ESCALATED, RESOLVED = AlertState.ESCALATED, AlertState.RESOLVED


def target(alert_id: int | None = None) -> Target:
    return Target("alert", str(alert_id) if alert_id is not None else None)


# --- raised by the detector ---------------------------------------------------------------


def _new(firing: Firing) -> Alert:
    rule, at = firing.rule, from_us(firing.ts_us)
    return Alert(
        rule_id=rule.id,
        title=rule.title[:256],
        level=rule.level,
        article=rule.article[:128],
        description=rule.description,
        subject=firing.subject,
        subject_label=firing.label,
        state=OPEN.value,
        count=1,
        evidence=firing.evidence[-EVIDENCE_KEPT:],
        first_seq=firing.seq,
        last_seq=firing.seq,
        first_at=at,
        last_at=at,
        assignee="",
        resolution="",
        silence_reason="",
    )


def _repeat(alert: Alert, firing: Firing) -> None:
    seen = set(alert.evidence)
    alert.evidence = [*alert.evidence, *(s for s in firing.evidence if s not in seen)][
        -EVIDENCE_KEPT:
    ]
    alert.count += 1
    alert.last_seq = firing.seq
    alert.last_at = from_us(firing.ts_us)


def raise_alerts(session: Session, actor: Actor, firings: Sequence[Firing]) -> tuple[int, int]:
    """Fold firings into the active alert of their rule and subject, or raise one; every
    alert touched is audited (``alert.raise`` / ``alert.repeat``). Returns (raised, repeated)."""
    if not firings:
        return 0, 0
    active = session.scalars(
        select(Alert).where(
            Alert.rule_id.in_({f.rule.id for f in firings}),
            Alert.state.in_([s.value for s in ACTIVE]),
        )
    )
    by_key = {(a.rule_id, a.subject): a for a in active}
    touched: dict[int, tuple[Alert, bool]] = {}
    for firing in firings:
        alert = by_key.get((firing.rule.id, firing.subject))
        if alert is None:
            alert = by_key[(firing.rule.id, firing.subject)] = _new(firing)
            session.add(alert)
            touched[id(alert)] = (alert, True)
        else:
            _repeat(alert, firing)
            touched.setdefault(id(alert), (alert, False))
    session.flush()
    record_many(
        session,
        [
            EventInput(
                actor,
                "alert.raise" if new else "alert.repeat",
                Category.INSERT if new else Category.UPDATE,
                target(alert.id),
                rows=1,
                details={"rule": alert.rule_id, "count": alert.count, "last_seq": alert.last_seq},
            )
            for alert, new in touched.values()
        ],
    )
    raised = sum(1 for _, new in touched.values() if new)
    return raised, len(touched) - raised


# --- handled by people ----------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    sources: frozenset[AlertState]
    target: AlertState | None  # None: the state stays
    action: Action
    label: str
    needs_reason: bool = False


STEPS: dict[str, Step] = {
    "acknowledge": Step(frozenset({OPEN}), ACKNOWLEDGED, Action.ALERT_HANDLE, "确认"),
    "assign": Step(ACTIVE, None, Action.ALERT_HANDLE, "指派"),
    "silence": Step(ACTIVE, None, Action.ALERT_SILENCE, "静默", needs_reason=True),
    "escalate": Step(
        frozenset({OPEN, ACKNOWLEDGED}), ESCALATED, Action.ALERT_ESCALATE, "升级为事件"
    ),
    "resolve": Step(ACTIVE, RESOLVED, Action.ALERT_HANDLE, "处置完毕", needs_reason=True),
}


def _by_id(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound("告警不存在", "unknown alert", field="alert_id")
    return alert


def _step(
    session: Session,
    actor: Actor,
    alert_id: int,
    name: str,
    note: str = "",
    change: Callable[[Alert], dict[str, object]] | None = None,
) -> Alert:
    """Check, change, keep the history row and audit — one transition of an alert. The
    step's own checks run inside ``change``, after the permission and state checks."""
    step = STEPS[name]
    authorize(session, actor, step.action, target(alert_id))
    alert = _by_id(session, alert_id)
    current = AlertState(alert.state)
    if current not in step.sources:
        raise Conflict(
            f"「{current.zh}」的告警不能{step.label}",
            f"cannot {name} an alert that is {current.value}",
            field="state",
        )
    note = note.strip()
    if step.needs_reason and not note:
        raise InvalidInput(f"{step.label}须说明理由", f"{name} needs a reason", field="reason")
    if len(note) > NOTE_MAX:
        raise InvalidInput(
            f"说明不能超过 {NOTE_MAX} 字", f"the note exceeds {NOTE_MAX} characters", field="reason"
        )
    details = change(alert) if change else {}
    if step.target is not None:
        alert.state = step.target.value
    session.add(AlertAction(alert_id=alert.id, actor_name=actor.name, step=name, note=note))
    record(
        session,
        actor,
        f"alert.{name}",
        category=Category.DECISION,
        target=target(alert.id),
        rows=1,
        details={"rule": alert.rule_id, "from": current.value, "to": alert.state, **details},
    )
    return alert


def acknowledge(session: Session, actor: Actor, alert_id: int, note: str = "") -> Alert:
    """Someone has seen it and is on it."""
    return _step(session, actor, alert_id, "acknowledge", note)


def assign(session: Session, actor: Actor, alert_id: int, username: str, note: str = "") -> Alert:
    """Hand it to a security administrator or security reviewer (an enabled account)."""

    def change(alert: Alert) -> dict[str, object]:
        user = session.scalar(select(User).where(User.username == username.strip()))
        if user is None or not user.enabled or not user.roles & {r.value for r in WATCHERS}:
            raise InvalidInput(
                "只能指派给在用的安全保密管理员或安全审核员",
                "alerts go to an enabled security administrator or security reviewer",
                field="assignee",
            )
        alert.assignee = user.username
        return {"assignee": user.username}

    return _step(session, actor, alert_id, "assign", note, change)


def silence(session: Session, actor: Actor, alert_id: int, until: datetime, reason: str) -> Alert:
    """Mute it until ``until`` (at most MAX_SILENCE ahead), with a reason. A silenced alert
    still counts its firings; it is just not announced."""

    def change(alert: Alert) -> dict[str, object]:
        now, end = utcnow(), as_utc(until)
        if not now < end <= now + MAX_SILENCE:
            raise InvalidInput(
                f"静默截止时间须在此刻之后、{MAX_SILENCE.days} 天之内",
                f"silence must end after now and within {MAX_SILENCE.days} days",
                field="until",
            )
        alert.silenced_until = end
        alert.silence_reason = reason.strip()
        return {"until": end.isoformat()}

    return _step(session, actor, alert_id, "silence", reason, change)


def escalate(session: Session, actor: Actor, alert_id: int, note: str = "") -> Alert:
    """Hand it to incident response. Until the incident record exists (issue 16,
    "Incidents"), this marks the alert as escalated and keeps it active."""
    return _step(session, actor, alert_id, "escalate", note)


def resolve(session: Session, actor: Actor, alert_id: int, reason: str) -> Alert:
    """Close it with what was found and done; the next firing raises a new alert."""

    def change(alert: Alert) -> dict[str, object]:
        alert.resolved_at = utcnow()
        alert.resolution = reason.strip()
        return {}

    return _step(session, actor, alert_id, "resolve", reason, change)


# --- reading ------------------------------------------------------------------------------

STATE_FILTERS = {
    "active": [s.value for s in ACTIVE],
    **{s.value: [s.value] for s in AlertState},
}


def muted(alert: Alert, now: datetime) -> bool:
    return alert.silenced_until is not None and as_utc(alert.silenced_until) > now


def out(alert: Alert, now: datetime) -> AlertOut:
    return AlertOut(
        id=alert.id,
        rule_id=alert.rule_id,
        title=alert.title,
        level=alert.level,
        level_zh=Level(alert.level).zh,
        article=alert.article,
        subject=alert.subject_label,
        state=alert.state,
        state_zh=AlertState(alert.state).zh,
        count=alert.count,
        first_at=as_utc(alert.first_at),
        last_at=as_utc(alert.last_at),
        assignee=alert.assignee,
        silenced_until=as_utc(alert.silenced_until) if alert.silenced_until else None,
        muted=muted(alert, now),
    )


def list_alerts(
    session: Session,
    actor: Actor,
    *,
    state: str | None = "active",
    level: str | None = None,
    rule_id: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[AlertOut]:
    """Alerts newest first; ``state`` is active (default), one state, or None for all."""
    authorize(session, actor, Action.ALERT_READ, target())
    stmt = select(Alert)
    if state is not None:
        if state not in STATE_FILTERS:
            raise InvalidInput("未知的告警状态", "unknown alert state", field="state")
        stmt = stmt.where(Alert.state.in_(STATE_FILTERS[state]))
    if level is not None:
        if level not in {lv.value for lv in Level}:
            raise InvalidInput("未知的告警级别", "unknown alert level", field="level")
        stmt = stmt.where(Alert.level == level)
    if rule_id is not None:
        stmt = stmt.where(Alert.rule_id == rule_id)
    limit = max(1, min(limit, 500))
    rows = list(
        session.scalars(
            stmt.order_by(Alert.last_at.desc(), Alert.id.desc()).offset(offset).limit(limit)
        )
    )
    record(session, actor, "alert.list", category=Category.QUERY, target=target(), rows=len(rows))
    now = utcnow()
    return [out(a, now) for a in rows]


def detail(session: Session, actor: Actor, alert_id: int) -> AlertDetail:
    """One alert with its evidence and handling history."""
    authorize(session, actor, Action.ALERT_READ, target(alert_id))
    alert = _by_id(session, alert_id)
    history = session.scalars(
        select(AlertAction).where(AlertAction.alert_id == alert.id).order_by(AlertAction.id)
    )
    record(session, actor, "alert.read", category=Category.QUERY, target=target(alert.id), rows=1)
    return AlertDetail(
        **out(alert, utcnow()).model_dump(),
        description=alert.description,
        evidence=list(alert.evidence),
        silence_reason=alert.silence_reason,
        resolution=alert.resolution,
        resolved_at=as_utc(alert.resolved_at) if alert.resolved_at else None,
        history=[
            AlertActionOut(
                at=as_utc(h.at),
                actor_name=h.actor_name,
                step=h.step,
                step_zh=STEPS[h.step].label,
                note=h.note,
            )
            for h in history
        ],
    )
