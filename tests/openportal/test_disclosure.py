"""依申请公开: tracking number, 20 working days, 补正 pauses the clock, one extension,
decisions with their required reasons, applicant PI sealed and read only by handling staff."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from hutong.audit.models import AuditEvent
from hutong.core.calendar import WorkingCalendar
from hutong.core.errors import Conflict, InvalidInput, PermissionDenied
from hutong.identity.authz import public_actor
from hutong.openportal import disclosure
from hutong.openportal.models import DisclosureRequest

CITIZEN_ID = "11010519491231002X"
PUBLIC = public_actor("198.51.100.7")


def application(**changes) -> disclosure.Application:
    base = dict(
        name="李四",
        id_type="citizen_id",
        id_number=CITIZEN_ID,
        contact="13800138000",
        description="2025 年本市普通高中招生计划分校明细",
        purpose="学术研究",
        preferred_format="electronic",
    )
    return disclosure.Application(**{**base, **changes})


def filed(db, when: datetime | None = None) -> str:
    with db.transaction() as session:
        request = disclosure.submit(session, PUBLIC, application())
        if when is not None:
            request.received_at = when
            request.due_date = disclosure._calendar(session).due_date(when, 20)
        return request.tracking_no


def test_due_date_is_twenty_working_days_across_national_day(db):
    number = filed(db, datetime(2026, 9, 28, 2, tzinfo=UTC))
    with db.sessions() as session:
        request = session.scalar(
            select(DisclosureRequest).where(DisclosureRequest.tracking_no == number)
        )
    # received Monday 2026-09-28: the National Day holidays push the 20th working day past
    # four calendar weeks (the calendar itself is tested in tests/core/test_calendar.py)
    assert request.due_date == WorkingCalendar().add_workdays(date(2026, 9, 28), 20)
    assert (request.due_date - date(2026, 9, 28)).days > 28


def test_applicant_pi_is_sealed_and_only_handling_staff_read_it(db, actors):
    number = filed(db)
    with db.sessions() as session:
        row = session.scalar(
            select(DisclosureRequest).where(DisclosureRequest.tracking_no == number)
        )
        assert CITIZEN_ID not in row.applicant_sealed and "李四" not in row.applicant_sealed
        assert CITIZEN_ID not in row.applicant_key and len(row.applicant_key) == 64
    with db.transaction() as session:
        assert disclosure.applicant(session, actors["publisher"], number)["id_number"] == CITIZEN_ID
    for other in ("data_steward", "security_admin", "auditor"):
        with pytest.raises(PermissionDenied), db.transaction() as session:
            disclosure.applicant(session, actors[other], number)
    with db.sessions() as session:
        events = session.scalars(
            select(AuditEvent.details).where(AuditEvent.event.like("disclosure.%"))
        ).all()
        assert not any(CITIZEN_ID in (d or "") or "李四" in (d or "") for d in events)
        reads = session.scalars(
            select(AuditEvent.event).where(AuditEvent.event == "disclosure.applicant_read")
        ).all()
        assert len(reads) == 1


def test_an_invalid_id_number_is_refused_without_echoing_it(db):
    with pytest.raises(InvalidInput) as refused, db.transaction() as session:
        disclosure.submit(session, PUBLIC, application(id_number="110105194912310021"))
    assert refused.value.field == "id_number" and "110105194912310021" not in str(
        refused.value.zh + refused.value.en
    )
    with db.sessions() as session:
        assert session.scalar(select(DisclosureRequest.id)) is None


def test_correction_pauses_the_clock_and_extension_is_once_with_approval(db, actors):
    number = filed(db)
    with db.sessions() as session:
        due = session.scalar(
            select(DisclosureRequest.due_date).where(DisclosureRequest.tracking_no == number)
        )
    handler = actors["publisher"]
    with db.transaction() as session:
        disclosure.ask_correction(session, handler, number, "请明确所需信息的年份与学校范围")
    with pytest.raises(Conflict), db.transaction() as session:
        disclosure.decide(session, handler, number, "disclose", answer="x")
    with db.transaction() as session:
        disclosure.answer_correction(session, PUBLIC, number, "2025 年，全市公办普通高中")
    with pytest.raises(InvalidInput), db.transaction() as session:
        disclosure.extend(session, handler, number, 10, "需要汇总多个部门的数据", "")
    with db.transaction() as session:
        request = disclosure.extend(
            session, handler, number, 10, "需要汇总多个部门的数据", "王处长"
        )
        extended_due = request.due_date
    assert extended_due > due
    with pytest.raises(Conflict), db.transaction() as session:
        disclosure.extend(session, handler, number, 5, "再延", "王处长")
    with pytest.raises(InvalidInput), db.transaction() as session:
        disclosure.decide(session, handler, number, "refuse")
    with db.transaction() as session:
        disclosure.decide(
            session, handler, number, "refuse", reason="《政府信息公开条例》第十五条：涉及个人隐私"
        )
    with db.transaction() as session:
        status = disclosure.status(session, PUBLIC, number)
    assert status.state == "answered" and status.decision == "refuse" and status.extended
    kinds = [kind for _when, kind, _note in status.events]
    assert kinds == ["received", "correction", "corrected", "extended", "answered"]
    assert any("需要汇总多个部门的数据" in note for *_x, note in status.events)


def test_not_ours_names_the_office(db, actors):
    number = filed(db)
    with pytest.raises(InvalidInput), db.transaction() as session:
        disclosure.decide(session, actors["publisher"], number, "not_ours")
    with db.transaction() as session:
        request = disclosure.decide(
            session, actors["publisher"], number, "not_ours", other_office="北京市教育委员会"
        )
        assert request.other_office == "北京市教育委员会"
