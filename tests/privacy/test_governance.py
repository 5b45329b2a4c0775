"""Sensitive-PI leadership decisions, the automated-decision register with its fairness check,
research extracts (approval, de-identification, risk report) and PI complaints."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import duckdb
import pytest
from pydantic import ValidationError

from hutong.core.clock import today_local
from hutong.core.errors import Conflict, InvalidInput, PermissionDenied
from hutong.data.ingest import ingest_file
from hutong.identity.authz import Actor
from hutong.privacy import complaints, decisions, extracts, sensitive
from hutong.privacy.schemas import (
    AnswerIn,
    AutomatedDecisionIn,
    ComplaintIn,
    ExtractDecisionIn,
    ExtractIn,
    FairnessIn,
    SensitiveDecisionIn,
)
from tests.privacy.conftest import citizen
from tests.support import entry, published

PUBLIC = Actor(kind="public", id="public", name="public", unit_id=None, unit_code=None)
ITEMS = [
    {
        "name": "身份证件号",
        "data_type": "字符型",
        "length": 18,
        "pi_category": "identity",
        "default_mask": "partial",
    },
    {
        "name": "出生日期",
        "data_type": "日期型",
        "pi_category": "identity",
        "default_mask": "generalize",
    },
    {"name": "性别", "data_type": "代码型", "length": 1},
    {"name": "行政区划", "data_type": "代码型", "length": 6},
    {
        "name": "民族",
        "data_type": "代码型",
        "length": 2,
        "pi_category": "ethnicity",
        "sensitive": True,
        "default_mask": "null",
    },
    {
        "name": "联系电话",
        "data_type": "字符型",
        "length": 20,
        "pi_category": "contact",
        "default_mask": "partial",
    },
]


def decision_in(code: str, **changes) -> SensitiveDecisionIn:
    base = dict(
        resource_code=code,
        item_name="民族",
        necessity="落实民族地区学生资助政策需要按民族统计",
        scientific="仅用于统计口径，按最小必要原则收集",
        ethics="不用于对个人的差别对待，结果仅以汇总形式使用",
        meeting="2026 年第 12 次司务会",
        meeting_date=today_local() - timedelta(days=3),
        attendees=["王司长", "李副司长", "赵副司长"],
        outcome="approved",
    )
    base.update(changes)
    return SensitiveDecisionIn.model_validate(base)


@pytest.fixture
def students_code(db, actors, org, classes, tmp_path):
    """A published student entry with a dataset of 400 rows."""
    code = published(
        db,
        actors,
        entry(
            org,
            name="学生基本信息",
            classification_code="302",
            items=ITEMS,
            sensitive_categories=["ethnicity"],
            approx_persons=400,
        ),
    )
    rng = random.Random(5)
    lines = ["身份证件号,出生日期,性别,行政区划,民族,联系电话"]
    for i in range(400):
        born = date(2005, 1, 1) + timedelta(days=rng.randrange(3 * 365))
        region = rng.choice(["110101", "110102", "110105", "310101", "310104"])
        lines.append(
            f"{citizen(born, i % 999, region)},{born},{rng.choice('12')},{region},"
            f"{'01' if rng.random() < 0.9 else '02'},1380000{i:04d}"
        )
    path = tmp_path / "students.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    ingest_file(db, actors["data_steward"], code, path)
    return code


def test_a_sensitive_item_needs_a_justified_collective_decision(db, officer, students_code):
    with db.transaction() as session:
        assert not sensitive.enabled(session, 1, "民族")
    with pytest.raises(ValidationError):
        decision_in(students_code, attendees=["王司长"])
    with db.transaction() as session, pytest.raises(InvalidInput):
        sensitive.decide(session, officer, decision_in(students_code, item_name="性别"))
    with db.transaction() as session:
        row = sensitive.decide(session, officer, decision_in(students_code))
        assert sensitive.enabled(session, row.resource_id, "民族")
        sensitive.decide(session, officer, decision_in(students_code, outcome="rejected"))
        assert not sensitive.enabled(session, row.resource_id, "民族")


def test_fairness_check_uses_the_four_fifths_rule(db, officer, org):
    data = AutomatedDecisionIn(
        unit_code=org.dept_a,
        name="助学金自动初审",
        purpose="家庭经济困难学生资助初审",
        logic="按家庭人均收入与受助历史打分，高于 60 分进入人工复核",
        pi_items=["家庭人均收入", "受助历史"],
        human_review="全部结果经资助中心人工复核，学生可申诉",
    )
    with db.transaction() as session:
        row = decisions.register(session, officer, data)
        unfair = FairnessIn(attribute="民族", groups={"01": (80, 100), "02": (12, 20)})
        decisions.check_fairness(session, officer, row.id, unfair)
        assert row.fairness_passed is False and row.fairness["lowest_group"] == "02"
        fair = FairnessIn(attribute="性别", groups={"1": (70, 100), "2": (66, 100)})
        decisions.check_fairness(session, officer, row.id, fair)
        assert row.fairness_passed is True
    with pytest.raises(ValidationError):
        FairnessIn(attribute="性别", groups={"1": (5, 3), "2": (1, 2)})


def test_an_extract_needs_the_owner_units_approval_and_is_k_anonymous(
    db, actors, org, province_steward, students_code
):
    request = ExtractIn(
        resource_code=students_code,
        requester_unit_code=org.province,
        purpose="研究学生资助政策对不同地区的覆盖情况",
        items=["身份证件号", "出生日期", "性别", "行政区划", "联系电话"],
        quasi=["出生日期", "性别", "行政区划"],
        k=5,
    )
    with db.transaction() as session:
        number = extracts.request(session, province_steward, request).number
    # The requesting unit cannot approve it; the owner unit can.
    with db.transaction() as session, pytest.raises(PermissionDenied):
        extracts.decide(session, province_steward, number, ExtractDecisionIn(approve=True))
    with pytest.raises(Conflict):  # not approved yet
        extracts.produce(db, actors["data_steward"], number)
    with db.transaction() as session:
        extracts.decide(session, actors["data_steward"], number, ExtractDecisionIn(approve=True))
    result = extracts.produce(db, actors["data_steward"], number)
    assert result.state == "produced" and result.rows > 0
    report = result.report
    assert report["before"]["k_achieved"] < 5 <= report["after"]["k_achieved"]
    assert report["after"]["rows"] == result.rows
    with db.transaction() as session:
        path = extracts.download(session, province_steward, number)
        with pytest.raises(PermissionDenied):
            extracts.download(session, actors["data_steward"], number)
    rows = duckdb.sql(f"SELECT * FROM read_parquet('{path}')").fetchall()
    columns = duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
    names = [c[0] for c in columns]
    ids = [r[names.index("身份证件号")] for r in rows]
    assert all(len(v) == 64 for v in ids)  # pseudonyms, not ID numbers
    assert all(r[names.index("联系电话")] is None for r in rows)
    classes = Counter(
        (r[names.index("出生日期")], r[names.index("性别")], r[names.index("行政区划")])
        for r in rows
    )
    assert min(classes.values()) >= 5  # independent count


def test_a_refused_extract_needs_a_reason_and_cannot_be_produced(
    db, actors, org, province_steward, students_code
):
    request = ExtractIn(
        resource_code=students_code,
        requester_unit_code=org.province,
        purpose="统计分析学生性别结构的变化",
        items=["性别"],
    )
    with db.transaction() as session:
        number = extracts.request(session, province_steward, request).number
    with db.transaction() as session, pytest.raises(InvalidInput):
        extracts.decide(session, actors["data_steward"], number, ExtractDecisionIn(approve=False))
    with db.transaction() as session:
        extracts.decide(
            session,
            actors["data_steward"],
            number,
            ExtractDecisionIn(approve=False, note="用途不明确"),
        )
    with pytest.raises(Conflict):
        extracts.produce(db, actors["data_steward"], number)
    bad = request.model_copy(update={"quasi": ["身份证件号"], "items": ["身份证件号"]})
    with db.transaction() as session, pytest.raises(InvalidInput):
        extracts.request(session, province_steward, bad)


def test_complaints_are_due_in_working_days_sealed_and_seen_by_two_roles(db, actors, officer):
    data = ComplaintIn(
        category="use", contact="张女士 13800001111", text="学校把孩子的成绩单发到了家长群里。"
    )
    with db.transaction() as session:
        row = complaints.file(session, PUBLIC, data)
        number, due = row.number, row.due_date
        assert "13800001111" not in row.contact_sealed
    assert due > today_local()
    with db.transaction() as session:
        with pytest.raises(PermissionDenied):
            complaints.list_all(session, actors["data_steward"])
        (listed,) = complaints.list_all(session, officer)
        assert listed.contact is None  # the list does not open the sealed text
        full = complaints.read(session, actors["security_admin"], number)
        assert full.contact == data.contact and full.text == data.text
        complaints.answer(session, officer, number, AnswerIn(answer="已责令学校删除并致歉。"))
        with pytest.raises(Conflict):
            complaints.answer(session, officer, number, AnswerIn(answer="再次答复投诉人"))
        seen = complaints.status(session, PUBLIC, number)
    assert seen.state == "answered" and seen.contact is None and seen.answer
