"""XLSX, JSON Lines and Parquet ingest the same way as CSV; broken files get clear errors."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest
from openpyxl import Workbook

from hutong.catalog import service
from hutong.core.errors import InvalidInput
from hutong.data.ingest import ingest_file
from tests.support import entry, version_rows

ROWS = [("张伟", "1", "2012-03-04"), ("李娜", "2", "2011-11-30")]


@pytest.fixture
def code(db, org, classes, actors):
    with db.transaction() as session:
        return service.create(
            session,
            actors["data_steward"],
            entry(
                org,
                items=[
                    {"name": "姓名", "data_type": "字符型"},
                    {"name": "性别", "data_type": "代码型"},
                    {"name": "出生日期", "data_type": "日期型"},
                ],
            ),
        ).code


def xlsx(path, header=("姓名", "性别", "出生日期"), rows=ROWS, merge=False, extra=False):
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for name, sex, born in rows:
        sheet.append([name, int(sex), date.fromisoformat(born)] + (["多余"] if extra else []))
    if merge:
        sheet.merge_cells("B1:C1")
    book.save(path)
    return path


def read_back(db, version):
    return sorted(version_rows(db, version, "SELECT 姓名, 性别, 出生日期 FROM dataset"))


@pytest.mark.parametrize("kind", ["xlsx", "jsonl", "parquet"])
def test_other_formats(db, actors, code, tmp_path, kind):
    path = tmp_path / f"data.{kind}"
    if kind == "xlsx":
        xlsx(path)
    elif kind == "jsonl":
        path.write_text(
            "\n".join(
                json.dumps({"姓名": n, "性别": int(s), "出生日期": b}, ensure_ascii=False)
                for n, s, b in ROWS
            ),
            encoding="utf-8",
        )
    else:
        duckdb.sql(
            "SELECT * FROM (VALUES ('张伟', 1, DATE '2012-03-04'), ('李娜', 2, DATE '2011-11-30')) "
            "t(姓名, 性别, 出生日期)"
        ).write_parquet(str(path))
    version = ingest_file(db, actors["data_steward"], code, path)
    assert version.source_encoding == kind and version.rows == 2
    assert read_back(db, version) == sorted(ROWS)


@pytest.mark.parametrize(
    ("options", "message"), [({"merge": True}, "合并单元格"), ({"extra": True}, "超出表头")]
)
def test_broken_workbooks(db, actors, code, tmp_path, options, message):
    path = xlsx(tmp_path / "bad.xlsx", **options)
    with pytest.raises(InvalidInput) as info:
        ingest_file(db, actors["data_steward"], code, path)
    assert message in info.value.zh


def test_unsupported_and_unreadable_files(db, actors, code, tmp_path):
    for name, content, message in (
        ("a.txt", b"x", "仅支持"),
        ("a.xlsx", b"not a zip", "不是有效的 Excel"),
        ("a.parquet", b"not parquet", "无法读取 parquet"),
    ):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(InvalidInput) as info:
            ingest_file(db, actors["data_steward"], code, path)
        assert message in info.value.zh
