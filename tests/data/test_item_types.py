"""Values are checked against their item's data type, length, precision and declared range,
in one vectorized pass; rows that fail are set aside with their reasons (issue 12)."""

from __future__ import annotations

import csv
import io
import json

import duckdb
import pytest
from sqlalchemy import func, select

from hutong.audit.models import AuditEvent
from hutong.catalog import service
from hutong.catalog.models import Item
from hutong.core.errors import InvalidInput
from hutong.data.ingest import current, ingest_file
from hutong.data.models import DatasetVersion
from hutong.data.quality import Checks, invalid_rows
from hutong.data.rules import checks_for
from hutong.data.service import rejects_file
from hutong.data.validators import install
from tests.support import entry, version_rows

#: (data type, length, precision, min, max, value, accepted). One row is one case.
CASES = [
    # 数值型 长度 5: at most five digits, any sign unless a range is declared (the issue's values).
    ("数值型", 5, None, None, None, "48", True),
    ("数值型", 5, None, None, None, "四十八", False),
    ("数值型", 5, None, None, None, "abc", False),
    ("数值型", 5, None, None, None, "-5", True),
    ("数值型", 5, None, None, None, "1234567", False),
    ("数值型", 5, None, None, None, "12345", True),
    ("数值型", 5, None, None, None, "1,234", False),
    ("数值型", 5, None, None, None, "1e3", False),
    ("数值型", 5, None, 0, 99999, "-5", False),
    ("数值型", 5, None, 0, 99999, "0", True),
    ("数值型", 5, None, 0, 100, "100.5", False),
    # 长度 5 精度 1: like DECIMAL(5, 1), at most 9999.9.
    ("数值型", 5, 1, None, None, "9999.9", True),
    ("数值型", 5, 1, None, None, "12.34", False),
    ("数值型", 5, 1, None, None, "12345", False),
    ("数值型", 5, 0, None, None, "12.5", False),
    ("货币型", 16, 2, 0, None, "1234567.89", True),
    ("货币型", 16, 2, 0, None, "-0.01", False),
    ("整型", 3, None, None, None, "120", True),
    ("整型", 3, None, None, None, "12.0", False),
    ("整型", 3, None, None, None, "1200", False),
    ("整数", None, None, 1, 12, "13", False),
    ("整数", None, None, 1, 12, "+7", True),
    ("浮点型", None, None, None, None, "6.02e23", True),
    ("浮点型", None, None, None, None, "NaN", False),
    ("日期型", 8, None, None, None, "2024-09-01", True),
    ("日期型", 8, None, None, None, "20240230", False),
    ("日期时间型", None, None, None, None, "2024-09-01 08:30:00", True),
    ("日期时间型", None, None, None, None, "2024-09-01T08:30:00", True),
    ("日期时间型", None, None, None, None, "2024-09-01", False),
    ("时间型", None, None, None, None, "08:30", True),
    ("时间型", None, None, None, None, "25:00", False),
    ("字符型", 4, None, None, None, "北京大学", True),
    ("字符型", 4, None, None, None, "北京师范大学", False),
    ("代码型", 2, None, None, None, "011", False),
    ("逻辑型", None, None, None, None, "是", True),
    ("逻辑型", None, None, None, None, "TRUE", True),
    ("布尔", None, None, None, None, "也许", False),
]


def test_every_item_type_in_one_vectorized_pass():
    """All cases go through the checks as one table, as ingest runs them: column by column."""
    connection = duckdb.connect()
    install(connection)
    checks: Checks = {}
    selects = []
    for n, (data_type, length, precision, low, high, _value, _ok) in enumerate(CASES):
        column = f"c{n}"
        item = Item(
            name="值",
            data_type=data_type,
            length=length,
            precision=precision,
            min_value=low,
            max_value=high,
            element_ref="",
        )
        checks[column] = checks_for(item)
        selects.append(f"CAST(? AS VARCHAR) AS {column}")
    connection.execute(
        f"CREATE TABLE t AS SELECT 2 AS __row, {', '.join(selects)}", [c[5] for c in CASES]
    )
    failed = {column for _row, column, _msg in invalid_rows(connection, "t", checks)}
    wrong = [case for n, case in enumerate(CASES) if (f"c{n}" not in failed) is not case[-1]]
    assert wrong == []


@pytest.fixture
def counts_entry(db, org, classes, actors):
    """The issue's entry: a 数值型 item of 长度 5 declared as a count (取值下限 0)."""
    with db.transaction() as session:
        return service.create(
            session,
            actors["data_steward"],
            entry(
                org,
                has_pi=False,
                approx_persons=None,
                grade="general",
                items=[
                    {"name": "学校名称", "data_type": "字符型", "length": 20},
                    {"name": "在校生数", "data_type": "数值型", "length": 5, "min_value": 0},
                ],
            ),
        ).code


def write(path, values):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["学校名称", "在校生数"])
        writer.writerows([f"第{n}小学", v] for n, v in enumerate(values, start=1))
    return path


def test_the_issues_numbers_are_set_aside_with_reasons(db, actors, counts_entry, tmp_path):
    steward = actors["data_steward"]
    path = write(tmp_path / "counts.csv", ["48", "四十八", "abc", "-5", "1234567"])
    version = ingest_file(db, steward, counts_entry, path, on_invalid="quarantine")
    assert (version.rows, version.rejected) == (1, 4)
    assert version_rows(db, version, "SELECT 在校生数 FROM dataset") == [("48",)]
    assert version.quality_score < 100
    reasons = {(r["check"], r["rows"]) for r in version.quality["reasons"]}
    assert reasons == {("decimal", 2), ("minimum", 1), ("digits", 1)}
    with db.transaction() as session:
        chunks = rejects_file(session, steward, counts_entry, version.version)
    rejects = list(csv.DictReader(io.StringIO(b"".join(chunks).decode("utf-8"))))
    assert [(r["行号"], r["错误"]) for r in rejects] == [
        ("3", "在校生数：不是数值（应为阿拉伯数字，可带正负号和小数点）"),
        ("4", "在校生数：不是数值（应为阿拉伯数字，可带正负号和小数点）"),
        ("5", "在校生数：小于取值下限 0"),
        ("6", "在校生数：超过 5 位数字"),
    ]


def test_reject_mode_refuses_the_file_naming_reasons(db, actors, counts_entry, tmp_path):
    with pytest.raises(InvalidInput) as info:
        ingest_file(
            db, actors["data_steward"], counts_entry, write(tmp_path / "c.csv", ["48", "abc"])
        )
    assert "第 3 行“在校生数”：不是数值" in info.value.zh
    assert "“在校生数”不是数值" in info.value.zh and "（1 行）" in info.value.zh


def _versions(db) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(DatasetVersion))


def _failed_ingests(db) -> list[AuditEvent]:
    with db.sessions() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(
                    AuditEvent.event == "data.ingest", AuditEvent.outcome == "failed"
                )
            )
        )


def test_a_file_with_no_valid_row_publishes_nothing(db, actors, counts_entry, tmp_path):
    steward = actors["data_steward"]
    first = ingest_file(db, steward, counts_entry, write(tmp_path / "ok.csv", ["48"]))
    with pytest.raises(InvalidInput) as info:
        ingest_file(
            db,
            steward,
            counts_entry,
            write(tmp_path / "bad.csv", ["四十八", "-5", "abc"]),
            on_invalid="quarantine",
        )
    assert info.value.field == "rows" and "全部 3 行均未通过校验，未发布新版本" in info.value.zh
    assert "“在校生数”不是数值（应为阿拉伯数字，可带正负号和小数点）（2 行）" in info.value.zh
    assert "四十八" not in info.value.zh and "abc" not in info.value.zh
    assert _versions(db) == 1
    with db.sessions() as session:
        assert current(session, first.resource_id).version == first.version
    assert not list(db.settings.datasets_dir.rglob("rejects.csv"))
    [event] = _failed_ingests(db)
    details = json.loads(event.details)
    assert event.actor_name == steward.name and details["failing_rows"] == 3
    assert {r["check"] for r in details["reasons"]} == {"decimal", "minimum"}
