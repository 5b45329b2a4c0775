"""A system with a published collection notice, and the owner unit's PI officer."""

from __future__ import annotations

from datetime import date

import pytest

from hutong.core.identifiers import CITIZEN_CHECK, CITIZEN_WEIGHTS
from hutong.identity.auth import actor_for
from hutong.identity.service import user_by_name
from hutong.privacy import notices
from hutong.privacy.schemas import NoticeIn
from tests.compliance import builders as b


def citizen(born: date, seq: int = 1, region: str = "110105") -> str:
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    total = sum(int(d) * w for d, w in zip(body, CITIZEN_WEIGHTS, strict=True))
    return body + CITIZEN_CHECK[total % 11]


def notice_in(system_id: int, **changes) -> NoticeIn:
    base = dict(
        system_id=system_id,
        title="学籍管理系统个人信息收集使用规则",
        purposes=[
            {"code": "enrolment", "name": "学籍管理"},
            {"code": "aid", "name": "学生资助"},
        ],
        method="学校在入学报到时通过纸质表格和学籍系统录入",
        items=["姓名", "身份证件号", "出生日期", "民族", "健康状况"],
        categories=["identity", "ethnicity", "health"],
        retention="学生毕业后 3 年",
        recipients="上级教育行政部门（学籍管理）",
        contact="个人信息保护负责人 010-66096114",
    )
    base.update(changes)
    return NoticeIn.model_validate(base)


@pytest.fixture
def officer(db, org):
    with db.sessions() as session:
        return actor_for(user_by_name(session, "pi.officer"))


def make_system(db, system) -> int:
    """A registered system of 教师工作司 (the PI officer's unit) that passes every system rule."""
    from hutong.audit.service import Category, record

    with db.transaction() as session:
        row = b.system(session, "MOE-JSGZS")
        record(session, system, "test.arrange", category=Category.INSERT)
        return row.id


@pytest.fixture
def system_id(db, org, system):
    return make_system(db, system)


@pytest.fixture
def notice(db, officer, system_id):
    with db.transaction() as session:
        return notices.publish(session, officer, notice_in(system_id)).version
