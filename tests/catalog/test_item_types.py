"""数据类型 is a choice from the vocabulary, and an item whose length or precision its type
cannot hold is refused when the entry is saved (a 日期型 of length 4 set every row aside)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pydantic import ValidationError
from sqlalchemy import func, select

from hutong.catalog import service, workbook
from hutong.catalog.models import Resource
from hutong.catalog.rules import normalise, violations
from hutong.catalog.schemas import ItemIn
from hutong.catalog.vocab import ItemType
from hutong.core.errors import ImportRejected, InvalidInput
from tests.support import entry

FIRST = {"name": "姓名", "data_type": "字符型", "length": 50, "pi_category": "identity"}


def with_item(org, **item):
    """The standard entry with one more item, the one under test, third in the list."""
    return entry(org, items=[FIRST, {"name": "任教学科", "data_type": "字符型"}, item])


def found(data) -> dict[str, str]:
    return {v.field: v.zh for v in violations(normalise(data))}


@pytest.mark.parametrize(
    ("data_type", "length", "precision", "field"),
    [
        ("日期型", 4, None, "length"),
        ("日期型", 7, None, "length"),
        ("日期时间型", 10, None, "length"),
        ("时间型", 4, None, "length"),
        ("数值型", 39, None, "length"),
        ("整数型", 40, None, "length"),
        ("字符型", 10, 2, "precision"),
        ("整数型", 10, 2, "precision"),
        ("日期型", 8, 1, "precision"),
        ("数值型", 3, 5, "precision"),
    ],
)
def test_a_length_or_precision_the_type_cannot_hold_is_refused(
    org, data_type, length, precision, field
):
    item = {"name": "入职日期", "data_type": data_type, "length": length, "precision": precision}
    problems = found(with_item(org, **item))
    assert list(problems) == [f"items.2.{field}"]
    assert "信息项「入职日期」" in problems[f"items.2.{field}"]


@pytest.mark.parametrize(
    ("data_type", "length", "precision"),
    [
        ("日期型", 8, None),
        ("日期型", 10, None),
        ("日期型", 20, None),
        ("日期型", None, None),
        ("日期时间型", 19, None),
        ("时间型", 8, None),
        ("数值型", 5, 1),
        ("数值型", 5, 5),
        ("数值型", None, 2),
        ("整数型", 10, 0),
        ("浮点型", 12, 4),
        ("布尔型", 1, None),
        ("代码型", 6, None),
        ("字符型", 200, None),
    ],
)
def test_combinations_that_hold_data_are_accepted(org, data_type, length, precision):
    item = {"name": "入职日期", "data_type": data_type, "length": length, "precision": precision}
    assert found(with_item(org, **item)) == {}


def test_the_data_type_is_a_choice_from_the_vocabulary():
    assert ItemIn(name="出生日期", data_type="日期型").data_type is ItemType.DATE
    with pytest.raises(ValidationError) as info:
        ItemIn(name="出生日期", data_type="日期")  # free text is no longer accepted
    assert info.value.errors()[0]["loc"] == ("data_type",)


def test_saving_an_impossible_item_changes_nothing(db, org, classes, actors):
    bad = with_item(org, name="入职日期", data_type="日期型", length=4)
    with pytest.raises(InvalidInput) as info, db.transaction() as session:
        service.create(session, actors["data_steward"], bad)
    assert info.value.field == "items.2.length"
    assert "日期型的长度至少为 8（YYYYMMDD 为 8 位" in info.value.zh and "不能为 4" in info.value.zh
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Resource)) == 0


def _workbook_with(db, actors, org, cells: dict[str, object]) -> bytes:
    """An exported workbook of one entry whose last item (任教学科, 字符型 of length 20) has
    the ``cells`` (column header → value) changed."""
    with db.transaction() as session:
        service.create(session, actors["data_steward"], entry(org))
    with db.sessions() as session:
        entries = [service.out(r) for r in session.scalars(select(Resource))]
    book = load_workbook(io.BytesIO(workbook.export_xlsx(entries)))
    sheet = book["信息项"]
    headers = [c.value for c in sheet[1]]
    for column, value in cells.items():
        sheet.cell(row=sheet.max_row, column=headers.index(column) + 1, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_workbook_import_names_the_item_that_cannot_hold_data(db, org, classes, actors):
    content = _workbook_with(db, actors, org, {"数据类型": "日期型", "数据长度": 4})
    with pytest.raises(ImportRejected) as info:
        workbook.parse_xlsx(content)
    messages = [p["message"] for p in info.value.problems]
    assert len(messages) == 1 and "信息项「任教学科」：日期型的长度至少为 8" in messages[0]
    assert info.value.problems[0]["column"] == "信息项"


def test_workbook_import_refuses_a_free_text_data_type(db, org, classes, actors):
    content = _workbook_with(db, actors, org, {"数据类型": "文字"})
    with pytest.raises(ImportRejected) as info:
        workbook.parse_xlsx(content)
    problem = info.value.problems[0]
    assert (problem["sheet"], problem["column"]) == ("信息项", "数据类型")
    assert "不是有效取值" in problem["message"] and "日期时间型" in problem["message"]


def test_precision_survives_the_workbook_round_trip(db, org, classes, actors):
    content = _workbook_with(db, actors, org, {"精度": 2})
    with pytest.raises(ImportRejected):  # 任教学科 is 字符型: no decimal places
        workbook.parse_xlsx(content)
    book = load_workbook(io.BytesIO(content))
    sheet = book["信息项"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=sheet.max_row, column=headers.index("数据类型") + 1, value="数值型")
    buffer = io.BytesIO()
    book.save(buffer)
    ((_code, data),) = workbook.parse_xlsx(buffer.getvalue()).entries
    assert (data.items[-1].data_type, data.items[-1].length, data.items[-1].precision) == (
        ItemType.NUMBER,
        20,
        2,
    )
