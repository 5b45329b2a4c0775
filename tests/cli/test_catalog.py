"""``hutong catalog``: search, export and import as a named user; the 一数一源 overlaps."""

from __future__ import annotations

from openpyxl import load_workbook

from tests.cli.support import hutong


def test_catalog_commands_act_as_a_named_user(settings, db, org, classes, actors, tmp_path):
    from tests.support import entry, published

    code = published(db, actors, entry(org))
    found = hutong(settings, "catalog", "search", "教师", "--as", "data.consumer")
    assert found.exit_code == 0 and "全国教师基本信息" in found.output
    target = tmp_path / "目录.xlsx"
    assert (
        hutong(settings, "catalog", "export", str(target), "--as", "catalog.reviewer").exit_code
        == 0
    )
    imported = hutong(settings, "catalog", "import", str(target), "--as", "data.steward")
    assert imported.exit_code == 0 and "已导入 1 条" in imported.output
    assert "已提交目录审核员审核" not in imported.output
    book = load_workbook(target)
    headers = [c.value for c in book["信息资源"][1]]
    book["信息资源"].cell(row=2, column=headers.index("公开类型") + 1, value="依申请公开")
    book.save(target)
    loosened = hutong(settings, "catalog", "import", str(target), "--as", "data.steward")
    assert loosened.exit_code == 0 and f"已提交目录审核员审核，审核通过前不生效：{code}" in (
        loosened.output
    )
    refused = hutong(settings, "catalog", "import", str(target), "--as", "data.consumer")
    assert refused.exit_code == 2 and "第 1 条信息资源" in refused.output
    assert hutong(settings, "catalog", "show", code, "--as", "no.such.user").exit_code == 2


def test_catalog_overlaps_lists_repeated_items_for_the_reviewer(
    settings, db, org, classes, actors, province_steward
):
    from hutong.catalog import service
    from tests.support import entry, published

    published(db, actors, entry(org))
    with db.transaction() as session:
        service.create(
            session,
            province_steward,
            entry(
                org,
                name="北京市教师信息",
                provider_unit_code=org.province,
                overlap_justification="本市系统为数据源",
            ),
        )
    listed = hutong(settings, "catalog", "overlaps", "--as", "catalog.reviewer")
    assert listed.exit_code == 0, listed.output
    assert "共 4 个重复登记的信息项" in listed.output and "说明：本市系统为数据源" in listed.output
    assert "北京市教师信息（北京市教育委员会）：姓名、性别、出生日期、任教学科" in listed.output
    assert (
        "共 0 个"
        in hutong(settings, "catalog", "overlaps", "--missing", "--as", "catalog.reviewer").output
    )
    assert hutong(settings, "catalog", "overlaps", "--as", "steward.bj").exit_code == 2
