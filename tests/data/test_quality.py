"""Validation on ingest (reject or quarantine) and the per-version quality report."""

from __future__ import annotations

import csv
import io

import pytest

from hutong.catalog import service
from hutong.core.errors import InvalidInput
from hutong.data.ingest import ingest_file
from hutong.data.service import rejects_file, versions
from tests.support import entry

GOOD_ID, BAD_ID = "11010519491231002X", "110105194912310021"


@pytest.fixture
def student_entry(db, org, classes, actors):
    with db.transaction() as session:
        return service.create(
            session,
            actors["data_steward"],
            entry(
                org,
                items=[
                    {"name": "姓名", "data_type": "字符型", "pi_category": "identity"},
                    {"name": "身份证件号", "data_type": "字符型", "pi_category": "identity"},
                    {"name": "民族", "data_type": "代码型", "pi_category": "ethnicity"},
                    {"name": "入学日期", "data_type": "日期型"},
                ],
            ),
        ).code


def write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["姓名", "身份证件号", "民族", "入学日期"])
        writer.writerows(rows)
    return path


ROWS = [
    ["张伟", GOOD_ID, "01", "2024-09-01"],
    ["李娜", BAD_ID, "01", "2024-09-01"],  # file line 3: wrong check digit
    ["王芳", GOOD_ID, "57", "2024-09-01"],  # line 4: no such 民族 code
    ["赵强", "", "01", "20240230"],
]  # line 5: empty ID (completeness), impossible date


def test_reject_mode_names_line_and_column_but_never_the_value(db, actors, student_entry, tmp_path):
    with pytest.raises(InvalidInput) as info:
        ingest_file(db, actors["data_steward"], student_entry, write(tmp_path / "s.csv", ROWS))
    message = info.value.zh
    assert (
        "第 3 行“身份证件号”" in message
        and "第 4 行“民族”" in message
        and "第 5 行“入学日期”" in message
    )
    assert BAD_ID not in message and "57" not in message.replace("共 3 个值", "")
    assert not list(db.settings.datasets_dir.rglob("part-*"))


def test_quarantine_publishes_good_rows_and_a_rejects_file(db, actors, student_entry, tmp_path):
    version = ingest_file(
        db,
        actors["data_steward"],
        student_entry,
        write(tmp_path / "s.csv", ROWS),
        on_invalid="quarantine",
    )
    assert (version.rows, version.rejected) == (1, 3)
    with db.transaction() as session:
        chunks = rejects_file(session, actors["data_steward"], student_entry, version.version)
    rejects = list(csv.DictReader(io.StringIO(b"".join(chunks).decode("utf-8"))))
    assert [r["行号"] for r in rejects] == ["3", "4", "5"]
    assert (
        "公民身份号码无效" in rejects[0]["错误"]
        and "民族代码" in rejects[1]["错误"]
        and "日期无效" in rejects[2]["错误"]
    )


def test_quality_report(db, actors, student_entry, tmp_path):
    rows = [
        ["张伟", GOOD_ID, "01", "2024-09-01"],
        ["张伟", GOOD_ID, "01", "2024-09-01"],  # duplicate row
        ["李娜", "", "02", "2024-09-01"],
        ["王芳", "", "", "2024-09-01"],
    ]
    version = ingest_file(
        db,
        actors["data_steward"],
        student_entry,
        write(tmp_path / "q.csv", rows),
        key=["身份证件号"],
    )
    report = version.quality
    by_name = {c["name"]: c for c in report["columns"]}
    assert report["rows"] == 4 and report["duplicates"] == 1 and report["key_duplicates"] == 1
    assert by_name["身份证件号"]["completeness"] == 0.5 and by_name["身份证件号"]["checks"] == [
        "citizen_id"
    ]
    assert by_name["民族"]["completeness"] == 0.75 and by_name["姓名"]["checks"] == []
    assert 0 < version.quality_score < 100


def test_bad_options_are_refused(db, actors, student_entry, tmp_path):
    path = write(tmp_path / "s.csv", ROWS[:1])
    for kwargs, field in (({"on_invalid": "ignore"}, "on_invalid"), ({"key": ["学号"]}, "key")):
        with pytest.raises(InvalidInput) as info:
            ingest_file(db, actors["data_steward"], student_entry, path, **kwargs)
        assert info.value.field == field


def test_quarantine_of_every_row_publishes_no_empty_version(db, actors, student_entry, tmp_path):
    rows = [["李娜", BAD_ID, "01", "2024-09-01"], ["王芳", GOOD_ID, "57", "2024-09-01"]]
    with pytest.raises(InvalidInput) as info:
        ingest_file(
            db,
            actors["data_steward"],
            student_entry,
            write(tmp_path / "s.csv", rows),
            on_invalid="quarantine",
        )
    assert "全部 2 行均未通过校验，未发布新版本" in info.value.zh
    assert "“身份证件号”公民身份号码无效" in info.value.zh and "“民族”民族代码" in info.value.zh
    with db.transaction() as session:
        assert versions(session, actors["data_steward"], student_entry) == []
    assert not list(db.settings.datasets_dir.rglob("*.parquet*"))
