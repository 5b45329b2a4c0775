"""Issue 3's browser journey: a steward creates and submits an entry, the reviewer approves
it, the steward publishes it and uploads its data through the column mapping, and a consumer
finds it by a Chinese search term."""

from __future__ import annotations

import pytest

from tests.e2e.test_console_journeys import sign_in

pytestmark = pytest.mark.e2e


def sign_out(page):
    page.get_by_role("button", name="退出").click()


def test_steward_creates_reviewer_approves_and_search_finds_it(
    live_server, page, org, classes, tmp_path
):
    sign_in(page, live_server, "data.steward", org.password)
    page.get_by_role("link", name="资源目录").first.click()
    page.get_by_role("button", name="新建信息资源").click()
    page.get_by_label("信息资源名称").fill("全国乡村学校少年宫建设情况")
    page.get_by_label("分类").select_option("302")
    page.get_by_label("摘要").fill("乡村学校少年宫的建设、运行与经费投入情况。")
    page.get_by_label("共享类型").select_option("not_shared")
    page.locator("input[name=item_name]").nth(0).fill("学校标识码")
    page.locator("input[name=item_name]").nth(1).fill("建成年份")
    page.get_by_role("button", name="保存").click()
    # the save rule: not shared needs a cited legal basis; nothing typed is lost
    assert "不予共享须注明" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("信息资源名称").input_value() == "全国乡村学校少年宫建设情况"
    page.get_by_label("共享类型").select_option("conditional")
    page.get_by_role("button", name="保存").click()
    assert (
        page.get_by_role("heading", level=1).inner_text().startswith("全国乡村学校少年宫建设情况")
    )
    page.get_by_role("button", name="提交审核").click()
    assert "待审核" in page.locator("h1 .badge").inner_text()
    sign_out(page)

    sign_in(page, live_server, "catalog.reviewer", org.password)
    page.goto(f"{live_server}/console/catalog?view=review")
    page.get_by_role("link", name="全国乡村学校少年宫建设情况").click()
    page.get_by_role("button", name="审核通过").click()
    assert "已审核" in page.locator("h1 .badge").inner_text()
    sign_out(page)

    sign_in(page, live_server, "data.steward", org.password)
    page.goto(f"{live_server}/console/catalog?view=mine")
    page.get_by_role("link", name="全国乡村学校少年宫建设情况").click()
    page.get_by_role("button", name="发布").click()
    assert "已发布" in page.locator("h1 .badge").inner_text()
    # data behind it: the upload (htmx) leads to the column mapping, proposed by synonym
    upload = tmp_path / "少年宫.csv"
    upload.write_text("学校代码,建成年份\n4111010001,2015\n", encoding="gbk")
    page.locator("input[type=file]").set_input_files(upload)
    page.get_by_role("button", name="上传").click()
    page.wait_for_url("**/datasets/map/**")
    assert page.get_by_label("学校代码").input_value() == "学校标识码"
    assert page.get_by_label("建成年份").input_value() == "建成年份"
    page.get_by_role("button", name="按此对应关系导入").click()
    page.wait_for_url("**#datasets")
    assert page.locator("#datasets td").first.inner_text() == "v1"
    sign_out(page)

    sign_in(page, live_server, "data.consumer", org.password)
    page.goto(f"{live_server}/console/catalog")
    page.get_by_role("searchbox").fill("少年宫")
    page.get_by_role("button", name="查询").click()
    assert page.get_by_role("link", name="全国乡村学校少年宫建设情况").count() == 1
    assert "共 1 条信息资源" in page.content()
