"""Column mapping: headers read cheaply from every format, proposals by name, normalised name,
synonym and the entry's remembered mapping, one column per item."""

from __future__ import annotations

import duckdb
import pytest
from openpyxl import Workbook

from hutong.core.errors import InvalidInput
from hutong.data.mapping import checked, propose, read_header

ITEMS = ["姓名", "公民身份号码", "全国学籍号", "出生日期", "家庭住址"]


def test_proposal_prefers_exact_then_normalised_then_synonym():
    header = ["学生姓名", "身份证号", "全国学籍号 ", "出生日期", "备注"]
    assert propose(header, ITEMS) == {
        "学生姓名": "姓名",  # synonym
        "身份证号": "公民身份号码",  # synonym
        "全国学籍号 ": "全国学籍号",  # normalised name
        "出生日期": "出生日期",  # same name
        "备注": "",  # nothing obvious
    }


def test_an_item_is_proposed_once_and_the_remembered_mapping_wins():
    assert propose(["姓名", "名字"], ITEMS) == {"姓名": "姓名", "名字": ""}
    assert propose(["住址", "备注"], ITEMS, {"备注": "家庭住址"}) == {
        "住址": "",
        "备注": "家庭住址",
    }
    assert propose(["x"], ITEMS, {"x": "已删除的信息项"}) == {"x": ""}


def test_checked_refuses_one_item_for_two_columns():
    assert checked({"a": "姓名", "b": ""}) == {"a": "姓名"}
    with pytest.raises(InvalidInput) as info:
        checked({"a": "姓名", "b": "姓名"})
    assert "姓名" in info.value.zh and info.value.field == "columns"


def test_header_of_every_format(tmp_path):
    csv = tmp_path / "a.csv"
    csv.write_bytes("学籍号,姓名\r\nG1,张三\r\n".encode("gbk"))
    assert read_header(csv, "csv") == ["学籍号", "姓名"]
    book = Workbook()
    book.active.append(["姓名", "出生日期", None])
    book.active.append(["张三", "2012-01-01"])
    book.save(tmp_path / "a.xlsx")
    assert read_header(tmp_path / "a.xlsx", "xlsx") == ["姓名", "出生日期"]
    (tmp_path / "a.jsonl").write_text('{"姓名": "张三", "民族": "01"}\n', encoding="utf-8")
    assert read_header(tmp_path / "a.jsonl", "jsonl") == ["姓名", "民族"]
    duckdb.sql(f"COPY (SELECT 1 AS 学校代码) TO '{tmp_path / 'a.parquet'}' (FORMAT parquet)")
    assert read_header(tmp_path / "a.parquet", "parquet") == ["学校代码"]
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InvalidInput):
        read_header(tmp_path / "empty.csv", "csv")
    with pytest.raises(InvalidInput):
        read_header(tmp_path / "a.txt", "txt")
