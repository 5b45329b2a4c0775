"""Rectification notices: the state machine, who may move it, bad input, escalation, and the
block on new project approvals (M2018 §40–41)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hutong.audit.service import Category, record
from hutong.catalog.models import Resource
from hutong.compliance import notices, runner
from hutong.compliance.models import Finding, Notice, NoticeEvidence
from hutong.core.calendar import WorkingCalendar
from hutong.core.clock import today_local
from hutong.core.errors import Conflict, InvalidInput, PermissionDenied
from tests.compliance import builders as b

RULE = "resource.not_shared.legal_basis"


@pytest.fixture
def open_findings(db, org, classes, system):
    """Two findings of 教师工作司 (the steward's unit) and one of 发展规划司."""
    with db.transaction() as session:
        for unit in ("MOE-JSGZS", "MOE-JSGZS", "MOE-FGS"):
            b.resource(session, unit, share_type="not_shared")
        record(session, system, "test.arrange", category=Category.INSERT)
    with db.transaction() as session:
        runner.run(session, system, [RULE])
    with db.sessions() as session:
        rows = session.execute(select(Finding.id, Finding.unit_id).order_by(Finding.id)).all()
    return [r.id for r in rows]


def _count(db, model) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_notice_needs_a_deadline_and_saves_nothing_without_one(db, people, open_findings):
    for days in (None, 0, 61):
        with pytest.raises(InvalidInput) as refused, db.transaction() as session:
            notices.issue(session, people["security.reviewer"], open_findings[:2], days)
        assert refused.value.field == "working_days"
    with pytest.raises(InvalidInput) as mixed, db.transaction() as session:
        notices.issue(session, people["security.reviewer"], open_findings, 10)
    assert mixed.value.field == "finding_ids"  # two responsible units in one notice
    assert _count(db, Notice) == 0


def test_deadline_comes_from_the_working_day_calendar(db, people, open_findings):
    with db.transaction() as session:
        notice = notices.issue(
            session, people["security.reviewer"], open_findings[:2], 10, "限期整改"
        )
        expected = WorkingCalendar.from_session(session).due_date(notice.issued_at, 10)
    assert notice.deadline == expected and notice.state == "issued"
    assert notice.number.startswith("整改〔") and notice.number.endswith("001号")


def test_who_may_issue_and_answer(db, people, open_findings):
    mine, theirs = open_findings[:2], open_findings[2:]
    for who in ("data.steward", "system.admin"):
        with pytest.raises(PermissionDenied), db.transaction() as session:
            notices.issue(session, people[who], mine, 10)
    # nobody supervises their own unit: the reviewers sit in 发展规划司
    with pytest.raises(PermissionDenied), db.transaction() as session:
        notices.issue(session, people["catalog.reviewer"], theirs, 10)
    with db.transaction() as session:
        notice = notices.issue(session, people["catalog.reviewer"], mine, 10)
    with pytest.raises(PermissionDenied), db.transaction() as session:
        notices.answer(session, people["security.reviewer"], notice.id, {})


def test_evidence_for_another_units_finding_is_refused(db, people, open_findings):
    with db.transaction() as session:
        notice = notices.issue(session, people["security.reviewer"], open_findings[:2], 10)
    evidence = {open_findings[0]: "已补充依据", open_findings[1]: "已补充", open_findings[2]: "x"}
    with pytest.raises(InvalidInput) as refused, db.transaction() as session:
        notices.answer(session, people["data.steward"], notice.id, evidence)
    assert refused.value.field == "finding_id" and "其他单位" in refused.value.zh
    with pytest.raises(InvalidInput) as partial, db.transaction() as session:
        notices.answer(session, people["data.steward"], notice.id, {open_findings[0]: "已补充"})
    assert partial.value.field == "evidence"
    assert _count(db, NoticeEvidence) == 0
    with db.sessions() as session:
        assert session.get(Notice, notice.id).state == "issued"


def test_full_cycle_blocks_approvals_until_accepted(db, people, open_findings, system):
    reviewer, steward = people["security.reviewer"], people["data.steward"]
    mine = open_findings[:2]
    with db.transaction() as session:
        notice = notices.issue(session, reviewer, mine, 10)
        unit_id = notice.unit_id
        assert notices.approval_blocked(session, unit_id)
    evidence = {fid: "已在目录中注明不予共享的法律依据" for fid in mine}
    with db.transaction() as session:
        notices.answer(session, steward, notice.id, evidence)
    with pytest.raises(Conflict) as refused, db.transaction() as session:
        notices.accept(session, reviewer, notice.id)  # the rule still fails
    assert "2 项" in refused.value.zh
    with pytest.raises(InvalidInput), db.transaction() as session:
        notices.return_answer(session, reviewer, notice.id, "  ")
    with db.transaction() as session:
        notices.return_answer(session, reviewer, notice.id, "未实际整改")
    with db.transaction() as session:
        for row in session.scalars(select(Resource).where(Resource.provider_unit_id == unit_id)):
            row.share_legal_basis = "依据《中华人民共和国统计法》"
        record(session, system, "test.repair", category=Category.UPDATE)
    with db.transaction() as session:
        notices.answer(session, steward, notice.id, evidence)
    with db.transaction() as session:
        closed = notices.accept(session, reviewer, notice.id, "验收通过")
        assert closed.state == "closed"
        assert not notices.approval_blocked(session, unit_id)
        assert {f.status for f in closed.findings} == {"closed"}
    with pytest.raises(Conflict), db.transaction() as session:
        notices.answer(session, steward, notice.id, evidence)


def test_overdue_notices_are_escalated_and_listed(db, people, open_findings, system):
    reviewer = people["security.reviewer"]
    with db.transaction() as session:
        notice = notices.issue(session, reviewer, open_findings[:2], 1)
    with pytest.raises(Conflict), db.transaction() as session:
        notices.escalate(session, reviewer, notice.id)  # not due yet
    with db.transaction() as session:
        session.get(Notice, notice.id).deadline = today_local() - timedelta(days=1)
        record(session, system, "test.arrange", category=Category.UPDATE)
    with db.transaction() as session:
        escalated = notices.escalate_overdue(session, system)
    assert [n.id for n in escalated] == [notice.id]
    with db.transaction() as session:
        listed = notices.list_notices(session, reviewer, state="escalated")
        assert [n.number for n in listed] == [notice.number]
        assert listed[0].escalated_at is not None
        # the steward's own list has it; an escalated notice can still be answered
        assert notices.list_notices(session, people["data.steward"], overdue_only=True)
