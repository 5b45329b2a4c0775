"""Excel workbook round trip, all-or-nothing import with every error named, JSON and CSV."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from hutong.catalog import service, transfer, workbook
from hutong.catalog.models import Resource
from hutong.catalog.rules import normalise, violations
from hutong.catalog.schemas import ItemIn
from hutong.core.errors import ImportRejected
from tests.support import entry


def save_entries(db, actors, org, n=3):
    with db.transaction() as session:
        for i in range(n):
            service.create(
                session,
                actors["data_steward"],
                entry(
                    org,
                    name=f"教师信息资源{i}",
                    share_type=["conditional", "not_shared", "conditional"][i % 3],
                    share_legal_basis="《中华人民共和国统计法》" if i % 3 == 1 else "",
                    open_type=["not_open", "on_request", "not_open"][i % 3],
                    items=[
                        *entry(org).items,
                        {
                            "name": "教龄",
                            "data_type": "数值型",
                            "length": 3,
                            "precision": 1,
                            "min_value": 0,
                            "max_value": 60.5,
                        },
                        {
                            "name": "民族",
                            "data_type": "代码型",
                            "pi_category": "ethnicity",
                            "description": "GB/T 3304",
                        },
                    ],
                ),
            )


def exported(db, actors) -> list[service.ResourceOut]:
    with db.sessions() as session:
        rows = session.scalars(select(Resource).order_by(Resource.code)).all()
        return [service.out(r) for r in rows]


def sheet_values(content: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}


def test_excel_round_trip_is_lossless(db, org, classes, actors):
    save_entries(db, actors, org)
    first = workbook.export_xlsx(exported(db, actors))
    # wipe the entries and import the file back (the same units and classification exist)
    with db.engine.begin() as connection:
        for table in ("catalog_items", "catalog_resource_versions", "catalog_resources"):
            connection.exec_driver_sql(f"DELETE FROM {table}")
    parsed = workbook.parse_xlsx(first)
    with db.transaction() as session:
        transfer.import_entries(session, actors["data_steward"], parsed, "xlsx")
    second = workbook.export_xlsx(exported(db, actors))
    assert sheet_values(first) == sheet_values(second)
    assert len(sheet_values(first)["信息项"]) == 1 + 3 * 6
    header, *rows = sheet_values(first)["信息项"]
    declared = next(dict(zip(header, r, strict=True)) for r in rows if r[1] == "教龄")
    assert (declared["精度"], declared["取值下限"], declared["取值上限"]) == (1, 0, 60.5)


def test_item_declarations_that_admit_no_value_are_refused(org):
    with pytest.raises(ValueError, match="取值下限大于取值上限"):
        ItemIn(name="教龄", data_type="数值型", min_value=10, max_value=1)
    # more decimals than digits is a save rule that names the item (tests/catalog/test_item_types)
    data = entry(org, items=[{"name": "教龄", "data_type": "数值型", "length": 2, "precision": 3}])
    assert [v.field for v in violations(normalise(data))] == ["items.0.precision"]


def test_import_reports_every_error_and_imports_nothing(db, org, classes, actors):
    save_entries(db, actors, org)
    content = workbook.export_xlsx(exported(db, actors))
    book = load_workbook(io.BytesIO(content))
    entries = book["信息资源"]
    headers = [c.value for c in entries[1]]
    entries.cell(row=2, column=headers.index("共享类型") + 1, value="随便共享")
    entries.cell(row=3, column=headers.index("不予共享依据") + 1, value="")
    entries.cell(row=4, column=headers.index("信息资源名称") + 1).value = None
    book["信息项"].cell(row=2, column=1, value=99)
    buffer = io.BytesIO()
    book.save(buffer)
    with db.engine.begin() as connection:
        before = connection.execute(select(func.count()).select_from(Resource)).scalar()
    with pytest.raises(ImportRejected) as info:
        parsed = workbook.parse_xlsx(buffer.getvalue())
        with db.transaction() as session:
            transfer.import_entries(session, actors["data_steward"], parsed, "xlsx")
    where = {(p["sheet"], p["row"], p["column"]) for p in info.value.problems}
    assert ("信息资源", 2, "共享类型") in where
    assert ("信息资源", 3, "不予共享依据") in where
    assert ("信息资源", 4, "信息资源名称") in where
    assert ("信息项", 2, "序号") in where
    assert all("第" in p["message"] and "行" in p["message"] for p in info.value.problems)
    with db.engine.begin() as connection:
        assert connection.execute(select(func.count()).select_from(Resource)).scalar() == before


def test_unknown_unit_at_save_rejects_the_whole_file(db, org, classes, actors):
    parsed = workbook.Parsed(
        [(None, entry(org, name="好的条目")), (None, entry(org, provider_unit_code="NO-SUCH"))]
    )
    with pytest.raises(ImportRejected) as info, db.transaction() as session:
        transfer.import_entries(session, actors["data_steward"], parsed, "xlsx")
    assert info.value.problems[0]["row"] == 2
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Resource)) == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"not a workbook", "不是有效的 Excel 工作簿"),
        ("sheet", "缺少该工作表"),
        ("header", "缺少该列"),
    ],
)
def test_broken_workbooks(content, expected):
    if content in ("sheet", "header"):
        from openpyxl import Workbook

        book = Workbook()
        book.active.title = "信息资源"
        if content == "header":
            book.create_sheet("信息项")
            book.active.append(["序号", "信息资源名称"])
        buffer = io.BytesIO()
        book.save(buffer)
        content = buffer.getvalue()
    with pytest.raises(ImportRejected) as info:
        workbook.parse_xlsx(content)
    assert expected in info.value.problems[0]["message"]


def test_json_round_trip(db, org, classes, actors):
    save_entries(db, actors, org, 2)
    text = workbook.export_json(exported(db, actors))
    parsed = workbook.parse_json(text)
    assert [e[1].name for e in parsed.entries] == ["教师信息资源0", "教师信息资源1"]
    assert parsed.entries[0][1].items[-1].pi_category == "ethnicity"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "gb18030"])
def test_csv_import_in_utf8_and_gbk(db, org, classes, actors, encoding):
    save_entries(db, actors, org, 2)
    text = workbook.export_csv(exported(db, actors)).lstrip("\ufeff")
    parsed = workbook.parse_csv(text.encode(encoding))
    assert [e[1].name for e in parsed.entries] == ["教师信息资源0", "教师信息资源1"]
    assert "民族" in [i.name for i in parsed.entries[0][1].items]


def test_csv_in_an_unknown_encoding_is_refused():
    with pytest.raises(ImportRejected) as info:
        workbook.parse_csv("资源代码".encode("utf-16"))
    assert "编码" in info.value.problems[0]["message"]


def test_bulk_import_matches_single_saves(db, org, classes, actors):
    """Imported drafts get the same snapshot, audit event and search index as single saves."""
    from hutong.audit.models import AuditEvent
    from hutong.catalog import search
    from hutong.catalog.models import ResourceVersion
    from hutong.catalog.versions import snapshot

    parsed = workbook.Parsed(
        [(None, entry(org, name=f"批量导入资源{i}", grade="general")) for i in range(3)]
    )
    with db.transaction() as session:
        codes = [
            r.code for r in transfer.import_entries(session, actors["data_steward"], parsed, "xlsx")
        ]
    assert codes == ["30101/000001", "30101/000002", "30101/000003"]
    with db.sessions() as session:
        for resource in session.scalars(select(Resource)):
            stored = session.scalar(
                select(ResourceVersion.snapshot).where(ResourceVersion.resource_id == resource.id)
            )
            assert stored == snapshot(resource)
        events = session.scalars(
            select(AuditEvent.target_id).where(AuditEvent.event == "catalog.create")
        ).all()
        assert sorted(events) == codes
    with db.transaction() as session:
        page = search.search(
            session, actors["data_steward"], search.Query(q="批量导入", statuses=("draft",))
        )
    assert page.total == 3


def test_import_without_permission_for_the_unit_is_rejected(db, org, classes, actors):
    parsed = workbook.Parsed([(None, entry(org, provider_unit_code=org.dept_b))])
    with pytest.raises(ImportRejected) as info, db.transaction() as session:
        transfer.import_entries(session, actors["data_steward"], parsed, "xlsx")
    assert "无权" in info.value.problems[0]["message"]
