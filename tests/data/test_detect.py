"""Personal-information detection on a mixed sample, children under 14, and catalog mismatches."""

from __future__ import annotations

import csv
import random
from datetime import date

import pytest

from hutong.catalog import service
from hutong.core.identifiers import CITIZEN_CHECK, CITIZEN_WEIGHTS
from hutong.data.detect import by_name
from hutong.data.ingest import ingest_file
from tests.support import entry

COLUMNS = ["学生", "证件", "联系", "邮件", "卡号", "家庭地址", "民族", "备注", "年级"]


def citizen(born: date, seq: int) -> str:
    body = f"110105{born:%Y%m%d}{seq:03d}"
    return (
        body
        + CITIZEN_CHECK[sum(int(d) * w for d, w in zip(body, CITIZEN_WEIGHTS, strict=True)) % 11]
    )


def luhn_card(rng: random.Random) -> str:
    body = "622202" + "".join(str(rng.randrange(10)) for _ in range(12))
    total = 0
    for i, ch in enumerate(reversed(body + "0")):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


@pytest.fixture
def mixed_file(tmp_path):
    """Column names that say nothing useful; the content must give the PI away."""
    rng = random.Random(5)
    given = "伟芳娜敏静丽强磊军洋勇艳杰涛明超"
    path = tmp_path / "mixed.csv"
    today = date.today()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for i in range(400):
            born = date(
                today.year - (10 if i % 4 == 0 else 16), 1 + i % 12, 1 + i % 28
            )  # a quarter are children
            writer.writerow(
                [
                    rng.choice("王李张刘陈杨") + rng.choice(given) + rng.choice(given),
                    citizen(born, i),
                    f"13{rng.randrange(10**9):09d}",
                    f"user{i}@example.cn",
                    luhn_card(rng),
                    f"北京市海淀区学院路{i}号",
                    "01",
                    "无",
                    str(1 + i % 6),
                ]
            )
    return path


def test_name_synonyms():
    assert by_name("身份证件号").value == "identity" and by_name("Mobile").value == "contact"
    assert by_name("宗教信仰").value == "religion" and by_name("学校名称") is None
    assert by_name("家庭住址").value == "contact" and by_name("学校地址") is None  # organisation's


def test_detection_on_a_mixed_sample_and_mismatches(db, org, classes, actors, mixed_file):
    with db.transaction() as session:  # the steward registered it as holding no PI at all
        code = service.create(
            session,
            actors["data_steward"],
            entry(
                org,
                has_pi=False,
                grade="general",
                items=[{"name": c, "data_type": "字符型"} for c in COLUMNS],
            ),
        ).code
    found = ingest_file(db, actors["data_steward"], code, mixed_file).detection
    columns = found["columns"]
    assert {c: (f["category"], f["by"]) for c, f in columns.items()} == {
        "学生": ("identity", "content"),
        "证件": ("identity", "content"),
        "联系": ("contact", "content"),
        "邮件": ("contact", "content"),
        "卡号": ("financial", "content"),
        "家庭地址": ("contact", "content"),
        "民族": ("ethnicity", "name"),
    }
    assert (
        columns["卡号"]["sensitive"]
        and columns["民族"]["sensitive"]
        and not columns["联系"]["sensitive"]
    )
    assert found["children"] == 100 and found["persons"] == 400
    assert found["proposed_grade"] == "important"
    messages = " ".join(m["zh"] for m in found["mismatches"])
    assert (
        "登记为不含个人信息" in messages
        and "儿童" in messages
        and "“卡号”含敏感个人信息" in messages
    )


def test_mismatches_open_a_seven_day_catalog_task(db, org, classes, actors, mixed_file):
    from hutong.catalog import tasks

    with db.transaction() as session:
        code = service.create(
            session,
            actors["data_steward"],
            entry(
                org,
                has_pi=False,
                grade="general",
                items=[{"name": c, "data_type": "字符型"} for c in COLUMNS],
            ),
        ).code
    ingest_file(db, actors["data_steward"], code, mixed_file)
    with db.transaction() as session:
        open_tasks = tasks.open_tasks(session, actors["catalog_reviewer"])
    assert [(c, t.kind) for t, c in open_tasks] == [(code, "change")]
    assert "不含个人信息" in open_tasks[0][0].description and not tasks.overdue(open_tasks[0][0])
