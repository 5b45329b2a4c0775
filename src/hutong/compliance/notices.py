"""Rectification notices (整改通知单, M2018 §40–41) as an explicit state machine.

    issued ──answer──▶ answered ──accept──▶ closed
      │  ▲                │
      │  └────return──────┘
      └──escalate (deadline passed: 通报)──▶ escalated ──answer──▶ answered

A security or catalog reviewer issues a notice for open findings of one responsible unit,
with a deadline in working days from the one calendar. The unit's data steward answers with
evidence for each finding. The reviewer accepts only when the rules now pass for every
finding (they are re-run at that moment), or returns the answer with reasons. Notices past
their deadline are escalated (通报) by the reviewer or by the scheduler and listed. A unit with
an open notice gets no new collection-project approval (M2018 §41): ``ensure_may_approve``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hutong.audit.service import Category, record
from hutong.compliance import attachments, hooks
from hutong.compliance.findings import scoped, sees_all
from hutong.compliance.models import (
    Finding,
    Notice,
    NoticeAttachment,
    NoticeEvent,
    NoticeEvidence,
    NoticeFinding,
)
from hutong.compliance.schemas import NoticeOut
from hutong.core.calendar import WorkingCalendar
from hutong.core.clock import SHANGHAI, today_local, utcnow
from hutong.core.errors import Conflict, InvalidInput, NotFound
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.models import Unit
from hutong.identity.roles import Action

ISSUED, ANSWERED, ESCALATED, CLOSED = "issued", "answered", "escalated", "closed"
OPEN_STATES = (ISSUED, ANSWERED, ESCALATED)
STATE_ZH = {ISSUED: "待整改", ANSWERED: "已反馈", ESCALATED: "已通报", CLOSED: "已办结"}
MAX_WORKING_DAYS = 60


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    action: Action
    label: str


TRANSITIONS: dict[str, Transition] = {
    "answer": Transition(
        frozenset({ISSUED, ESCALATED}), ANSWERED, Action.NOTICE_ANSWER, "反馈整改情况"
    ),
    "return": Transition(frozenset({ANSWERED}), ISSUED, Action.NOTICE_REVIEW, "退回重新整改"),
    "accept": Transition(frozenset({ANSWERED}), CLOSED, Action.NOTICE_REVIEW, "整改验收"),
    "escalate": Transition(frozenset({ISSUED}), ESCALATED, Action.NOTICE_ESCALATE, "逾期通报"),
}


def target(notice: Notice) -> Target:
    return Target("notice", notice.number, notice.unit_id)


def by_id(session: Session, notice_id: int) -> Notice:
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise NotFound("整改通知单不存在", "unknown rectification notice", field="notice_id")
    return notice


def overdue(notice: Notice, today=None) -> bool:  # type: ignore[no-untyped-def]
    return notice.state in (ISSUED, ESCALATED) and notice.deadline < (today or today_local())


def _log(session: Session, actor: Actor, notice: Notice, name: str, before: str, note: str) -> None:
    session.add(
        NoticeEvent(
            notice_id=notice.id,
            transition=name,
            from_state=before,
            to_state=notice.state,
            actor=actor.name,
            note=note,
        )
    )
    record(
        session,
        actor,
        f"notice.{name}",
        category=Category.DECISION if name != "issue" else Category.INSERT,
        target=target(notice),
        rows=1,
        details={"from": before, "to": notice.state},
    )


def _next_number(session: Session, now: datetime) -> str:
    year = now.astimezone(SHANGHAI).year
    prefix = f"整改〔{year}〕"
    count = session.scalar(select(func.count()).where(Notice.number.startswith(prefix)))
    return f"{prefix}{(count or 0) + 1:03d}号"


def _working_days(value: int | None) -> int:
    if value is None:
        raise InvalidInput(
            "整改通知单必须规定整改期限（工作日）",
            "a rectification notice needs a deadline in working days",
            field="working_days",
        )
    if not 1 <= value <= MAX_WORKING_DAYS:
        raise InvalidInput(
            f"整改期限须为 1–{MAX_WORKING_DAYS} 个工作日",
            f"the deadline must be 1–{MAX_WORKING_DAYS} working days",
            field="working_days",
        )
    return value


def _open_findings_of_one_unit(session: Session, finding_ids: Iterable[int]) -> list[Finding]:
    ids = sorted(set(finding_ids))
    if not ids:
        raise InvalidInput("须列出至少一项问题", "list at least one finding", field="finding_ids")
    findings = list(session.scalars(select(Finding).where(Finding.id.in_(ids))))
    if len(findings) != len(ids):
        raise NotFound("问题不存在", "unknown finding", field="finding_ids")
    if any(f.status != "open" for f in findings):
        raise InvalidInput(
            "只能对未关闭的问题下发通知单", "only open findings", field="finding_ids"
        )
    units = {f.unit_id for f in findings}
    if len(units) != 1 or None in units:
        raise InvalidInput(
            "一份通知单只能发给一个责任单位",
            "all findings of a notice must have the same responsible unit",
            field="finding_ids",
        )
    busy = session.scalar(
        select(func.count())
        .select_from(NoticeFinding)
        .join(Notice, Notice.id == NoticeFinding.notice_id)
        .where(NoticeFinding.finding_id.in_(ids), Notice.state.in_(OPEN_STATES))
    )
    if busy:
        raise Conflict(
            "问题已在未办结的通知单中",
            "a finding is already in an open notice",
            field="finding_ids",
        )
    return findings


def issue(
    session: Session,
    actor: Actor,
    finding_ids: Iterable[int],
    working_days: int | None,
    requirements: str = "",
) -> Notice:
    """Send findings of one unit to that unit with a deadline of n working days."""
    days = _working_days(working_days)
    findings = _open_findings_of_one_unit(session, finding_ids)
    unit = session.get(Unit, findings[0].unit_id)
    assert unit is not None
    authorize(session, actor, Action.NOTICE_ISSUE, Target("unit", unit.code, unit.id))
    now = utcnow()
    notice = Notice(
        number=_next_number(session, now),
        unit_id=unit.id,
        issuer_unit_id=actor.unit_id,
        issued_by=actor.name,
        requirements=requirements.strip(),
        working_days=days,
        issued_at=now,
        deadline=WorkingCalendar.from_session(session).due_date(now, days),
        state=ISSUED,
    )
    session.add(notice)
    session.flush()
    session.add_all(NoticeFinding(notice_id=notice.id, finding_id=f.id) for f in findings)
    session.flush()
    _log(session, actor, notice, "issue", "", requirements.strip())
    return notice


def _step(session: Session, actor: Actor, notice_id: int, name: str) -> tuple[Notice, str]:
    """Authorize and check the source state of a transition; returns (notice, old state)."""
    step = TRANSITIONS.get(name)
    if step is None:
        raise NotFound("未知的操作", "unknown transition", field="transition")
    notice = by_id(session, notice_id)
    authorize(session, actor, step.action, target(notice))
    if notice.state not in step.sources:
        raise Conflict(
            f"「{STATE_ZH[notice.state]}」状态不能执行「{step.label}」",
            f"cannot {name} a notice in state {notice.state}",
            field="state",
        )
    return notice, notice.state


def _recheck(session: Session, notice: Notice) -> int:
    """Re-run the rules of the notice's findings now; returns how many still fail."""
    hooks.after_change(session, rule_ids=sorted({f.rule_id for f in notice.findings}))
    ids = [f.id for f in notice.findings]
    return (
        session.scalar(select(func.count()).where(Finding.id.in_(ids), Finding.status == "open"))
        or 0
    )


def answer(
    session: Session,
    actor: Actor,
    notice_id: int,
    evidence: dict[int, str],
    note: str = "",
    uploads: dict[int, list[attachments.Upload]] | None = None,
) -> Notice:
    """The unit's data steward reports what was done, with evidence for every finding and
    optionally files (scans, revised documents) for some of them."""
    notice, before = _step(session, actor, notice_id, "answer")
    listed = {f.id: f for f in notice.findings}
    uploads = {fid: files for fid, files in (uploads or {}).items() if files}
    for finding_id in [*evidence, *uploads]:
        if finding_id in listed:
            continue
        other = session.get(Finding, finding_id)
        if other is not None and other.unit_id != notice.unit_id:
            raise InvalidInput(
                "不能为其他单位的问题提交整改材料",
                "evidence for another unit's finding is refused",
                field="finding_id",
            )
        raise InvalidInput("该问题不在本通知单中", "finding not in this notice", field="finding_id")
    missing = [fid for fid in listed if not (evidence.get(fid) or "").strip()]
    if missing:
        raise InvalidInput(
            f"还有 {len(missing)} 项问题未提交整改材料",
            f"{len(missing)} findings have no evidence",
            field="evidence",
        )
    attachments.check(uploads)
    rows = {
        fid: NoticeEvidence(
            notice_id=notice.id, finding_id=fid, text=text.strip(), submitted_by=actor.name
        )
        for fid, text in evidence.items()
    }
    session.add_all(rows.values())
    session.flush()
    attachments.save(session, actor, rows, uploads)
    _recheck(session, notice)
    notice.state = ANSWERED
    _log(session, actor, notice, "answer", before, note)
    return notice


def accept(session: Session, actor: Actor, notice_id: int, note: str = "") -> Notice:
    """Close the notice; only when every finding passes its rule again (checked now)."""
    notice, before = _step(session, actor, notice_id, "accept")
    still = _recheck(session, notice)
    if still:
        raise Conflict(
            f"仍有 {still} 项问题未通过复查，不能验收",
            f"{still} findings still fail their rules",
            field="findings",
        )
    notice.state, notice.closed_at = CLOSED, utcnow()
    _log(session, actor, notice, "accept", before, note)
    return notice


def return_answer(session: Session, actor: Actor, notice_id: int, reason: str) -> Notice:
    """Send the answer back with reasons; the original deadline stands."""
    if not reason.strip():
        raise InvalidInput("退回须说明理由", "a return needs a reason", field="reason")
    notice, before = _step(session, actor, notice_id, "return")
    notice.state = ISSUED
    _log(session, actor, notice, "return", before, reason.strip())
    return notice


def escalate(session: Session, actor: Actor, notice_id: int, note: str = "") -> Notice:
    """通报: a notice past its deadline and not answered (M2018 §41)."""
    notice, before = _step(session, actor, notice_id, "escalate")
    if not overdue(notice):
        raise Conflict("整改期限未到，不能通报", "the deadline has not passed", field="deadline")
    notice.state = ESCALATED
    notice.escalated_at = notice.escalated_at or utcnow()
    _log(session, actor, notice, "escalate", before, note)
    return notice


def escalate_overdue(session: Session, actor: Actor) -> list[Notice]:
    """The scheduler's sweep: escalate every issued notice whose deadline has passed."""
    due = session.scalars(
        select(Notice.id).where(Notice.state == ISSUED, Notice.deadline < today_local())
    ).all()
    return [escalate(session, actor, notice_id) for notice_id in due]


STEPS: dict[str, Callable[..., Notice]] = {
    "accept": accept,
    "return": return_answer,
    "escalate": escalate,
}


def attachment(
    session: Session, actor: Actor, notice_id: int, attachment_id: int
) -> NoticeAttachment:
    """A file attached to the notice's answer, for those who may read the notice; the
    download is audited as an export."""
    notice = by_id(session, notice_id)
    authorize(session, actor, Action.COMPLIANCE_READ, target(notice))
    row = session.get(NoticeAttachment, attachment_id)
    if (
        row is None
        or row.notice_id != notice.id
        or not (sees_all(actor) or notice.unit_id == actor.unit_id)
    ):
        raise NotFound("附件不存在", "unknown attachment", field="attachment_id")
    record(
        session,
        actor,
        "notice.attachment",
        category=Category.EXPORT,
        target=target(notice),
        rows=1,
        details={"attachment": row.id, "sha256": row.sha256},
    )
    return row


def open_notices(session: Session, unit_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(Notice.unit_id == unit_id, Notice.state.in_(OPEN_STATES))
        )
        or 0
    )


def approval_blocked(session: Session, unit_id: int) -> bool:
    """M2018 §41: a unit with an open rectification notice gets no new project approval."""
    return open_notices(session, unit_id) > 0


def ensure_may_approve(session: Session, unit_id: int) -> None:
    count = open_notices(session, unit_id)
    if count:
        raise Conflict(
            f"该单位有 {count} 份未办结的整改通知单，暂不予立项（M2018 第四十一条）",
            f"the unit has {count} open rectification notices; no new approval (M2018 §41)",
            field="owner_unit",
        )


def list_notices(
    session: Session, actor: Actor, *, state: str | None = None, overdue_only: bool = False
) -> list[Notice]:
    """Notices, newest first: all of them for supervisors, the unit's own for its staff.
    ``state="escalated"`` is the list of units publicly notified (通报)."""
    authorize(session, actor, Action.COMPLIANCE_READ, Target("notice"))
    stmt = scoped(actor, select(Notice), Notice.unit_id).order_by(Notice.id.desc())
    if state:
        stmt = stmt.where(Notice.state == state)
    if overdue_only:
        stmt = stmt.where(Notice.state.in_((ISSUED, ESCALATED)), Notice.deadline < today_local())
    rows = list(session.scalars(stmt))
    record(
        session,
        actor,
        "notice.list",
        category=Category.QUERY,
        target=Target("notice"),
        rows=len(rows),
    )
    return rows


def out(notice: Notice) -> NoticeOut:
    """The notice as the API answers it."""
    return NoticeOut(
        id=notice.id,
        number=notice.number,
        unit_code=notice.unit.code,
        unit_name=notice.unit.name,
        state=notice.state,
        working_days=notice.working_days,
        issued_at=notice.issued_at,
        deadline=notice.deadline,
        overdue=overdue(notice),
        escalated_at=notice.escalated_at,
        closed_at=notice.closed_at,
        finding_ids=[f.id for f in notice.findings],
    )
