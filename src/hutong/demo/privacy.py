"""Demo personal-information protection (issue 8): a collection notice whose purposes changed
(so earlier consents need renewal), pupils' consents — guardians for the under-14s, a few
withdrawn —, one research extract produced de-identified, and two PI complaints. Everything
goes through the real services, audited like any user's work."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlalchemy import func, select

from hutong.catalog.models import InformationSystem, Resource
from hutong.core.db import Database
from hutong.core.identifiers import CITIZEN_CHECK, CITIZEN_WEIGHTS
from hutong.identity.auth import actor_for
from hutong.identity.authz import Actor, public_actor
from hutong.identity.service import user_by_name
from hutong.privacy import complaints, consent, extracts, notices
from hutong.privacy.models import CollectionNotice, Consent
from hutong.privacy.schemas import (
    ComplaintIn,
    ExtractDecisionIn,
    ExtractIn,
    NoticeIn,
    Purpose,
)

SYSTEM = "北京市中小学生综合素质评价系统"
OFFICER = "pio.bjjw"  # its owner unit's PI protection officer
PUPILS = 300
PURPOSES = [
    Purpose(code="evaluation", name="综合素质评价"),
    Purpose(code="enrolment", name="学籍管理"),
]


def _citizen_id(birth: date, sequence: int) -> str:
    """A valid 公民身份号码 of 北京市东城区 for the demo (check digit by GB 11643)."""
    first17 = f"110101{birth:%Y%m%d}{sequence % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(first17, CITIZEN_WEIGHTS, strict=True))
    return first17 + CITIZEN_CHECK[total % 11]


def _notice(system_id: int, purposes: list[Purpose]) -> NoticeIn:
    return NoticeIn(
        system_id=system_id,
        title="北京市中小学生综合素质评价系统个人信息收集使用规则",
        purposes=purposes,
        method="学校教师在系统中录入，学生及监护人可在线查看并提出更正",
        items=["姓名", "身份证件号", "出生日期", "学校", "年级", "综合素质评价记录"],
        categories=["identity", "education"],
        retention="学生毕业后 3 年",
        recipients="本市教育行政部门；不向其他单位提供，法律法规另有规定的除外",
        contact="北京市教育委员会个人信息保护负责人 010-00000000",
    )


def _consent_file(today: date) -> bytes:
    """One consent per pupil and purpose; the under-14s' given by a parent."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["subject_id", "purpose", "given_by", "guardian_id", "guardian_relation"])
    for n in range(PUPILS):
        birth = date(2009, 9, 1) + timedelta(days=(n * 13) % 2900)  # ages about 9 to 17
        pupil = _citizen_id(birth, n)
        child = (
            today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
        ) < 14
        parent = _citizen_id(date(1982, 1, 1) + timedelta(days=n * 7), 500 + n)
        for purpose in PURPOSES:
            if child:
                writer.writerow([pupil, purpose.code, "guardian", parent, "mother"])
            else:
                writer.writerow([pupil, purpose.code, "subject", "", ""])
    return out.getvalue().encode("utf-8")


def seed_privacy(db: Database) -> int:
    """Create the privacy demo once; returns the consents recorded (0 when already there)."""
    with db.transaction() as session:
        if session.scalar(select(func.count()).select_from(CollectionNotice)):
            return 0
        system = session.scalar(select(InformationSystem).where(InformationSystem.name == SYSTEM))
        if system is None:
            return 0
        officer = actor_for(user_by_name(session, OFFICER))
        notices.publish(session, officer, _notice(system.id, PURPOSES))
        written, _receipts = consent.import_file(
            session, officer, system.id, 1, _consent_file(date.today())
        )
        for row in session.scalars(select(Consent).order_by(Consent.id).limit(5)):
            consent.withdraw(session, officer, row.id)
        # A new purpose: the consents given to version 1 now call for renewal.
        notices.publish(
            session,
            officer,
            _notice(system.id, [*PURPOSES, Purpose(code="research", name="教育质量监测研究")]),
        )
        _complaints(session, system.id)
    _extract(db)
    return written


def _complaints(session, system_id: int) -> None:  # type: ignore[no-untyped-def]
    public = public_actor("127.0.0.1")
    for category, text in (
        ("use", "学校把我孩子的综合素质评价记录发到了家长群里，希望删除并说明处理情况。"),
        ("collection", "系统要求填写家庭收入，和综合素质评价有什么关系？请说明收集的必要性。"),
    ):
        complaints.file(
            session,
            public,
            ComplaintIn(system_id=system_id, category=category, contact="13800000000", text=text),
        )


def _extract(db: Database) -> None:
    """A research extract of the pupils' dataset: requested, approved by its owner, produced."""
    with db.transaction() as session:
        pupils = session.scalar(select(Resource).where(Resource.name == "全国中小学生学籍信息"))
        if pupils is None or not pupils.items:
            return
        requester: Actor = actor_for(user_by_name(session, "steward.bjjw"))
        owner: Actor = actor_for(user_by_name(session, "steward.jcjys"))
        names = {item.name for item in pupils.items}
        quasi = [n for n in ("出生日期", "性别", "民族") if n in names]
        wanted = [*quasi, *(n for n in ("年级",) if n in names)]
        row = extracts.request(
            session,
            requester,
            ExtractIn(
                resource_code=pupils.code,
                requester_unit_code=requester.unit_code,
                purpose="研究义务教育阶段学生年级分布与出生年月的关系（统计分析）",
                items=wanted,
                quasi=quasi,
                k=5,
            ),
        )
        number = row.number
        extracts.decide(
            session, owner, number, ExtractDecisionIn(approve=True, note="同意，仅用于研究")
        )
    extracts.produce(db, owner, number)
