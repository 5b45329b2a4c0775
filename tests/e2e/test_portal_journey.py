"""Issue 7's browser journey: a member of the public searches in Chinese, opens a dataset,
downloads its CSV and files a disclosure request; a staff member extends it once and answers
it; the applicant sees the answer with the tracking number."""

from __future__ import annotations

import pytest

from tests.e2e.test_console_journeys import sign_in
from tests.openportal.builders import public_dataset

pytestmark = pytest.mark.e2e


def test_public_searches_opens_downloads_and_files_a_request_staff_extend_and_answer(
    live_server, page, db, actors, org, classes, tmp_path
):
    public_dataset(db, actors, org, tmp_path, name="各校在校生人数")
    public_dataset(db, actors, org, tmp_path, name="各校教职工人数")
    page.goto(live_server + "/")
    page.get_by_label("检索数据集").fill("在校生")
    page.get_by_role("button", name="查询", exact=True).click()
    assert page.get_by_role("heading", name="共找到 1 个数据集").is_visible()
    page.get_by_role("link", name="各校在校生人数").click()
    assert page.get_by_role("heading", name="数据项说明").is_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 CSV").click()
    saved = tmp_path / "download.csv"
    info.value.save_as(saved)
    assert saved.read_text(encoding="utf-8-sig").startswith("学校名称,年级,性别,学生人数")

    page.get_by_role("link", name="依申请公开").first.click()
    page.get_by_label("姓名或名称").fill("赵六")
    page.get_by_label("证件类型").select_option("citizen_id")
    page.get_by_label("证件号码").fill("11010519491231002X")
    page.get_by_label("联系方式（电话、电子邮箱或通信地址）").fill("zhao@example.cn")
    page.get_by_label("所需信息的内容描述").fill("2025 年各区义务教育学校招生计划")
    page.get_by_role("button", name="提交申请").click()
    number = page.locator(".tracking-no").inner_text()
    assert number.startswith("YSQ-") and "11010519491231002X" not in page.content()

    staff = page.context.browser.new_context(locale="zh-CN").new_page()
    sign_in(staff, live_server, "publisher", org.password)
    staff.goto(live_server + "/console/disclosure")
    staff.get_by_role("link", name=number).click()
    assert staff.get_by_text("11010519491231002X").is_visible()
    staff.get_by_label("延长的工作日数（最多 20 个，仅一次）").fill("10")
    staff.get_by_label("延期理由（将告知申请人）").fill("需要汇总各区数据")
    staff.get_by_label("批准延期的负责人").fill("办公厅负责人")
    staff.get_by_role("button", name="延期").click()
    assert staff.get_by_text("已延期").first.is_visible()
    assert staff.get_by_role("heading", name="延长答复期限").count() == 0  # only once
    staff.get_by_label("答复类型").select_option("disclose")
    staff.get_by_label("公开的内容及获取方式").fill("招生计划见附件，已通过电子邮件发送。")
    staff.get_by_role("button", name="发送答复").click()
    assert staff.get_by_text("答复：予以公开").is_visible()
    staff.context.close()

    page.goto(f"{live_server}/disclosure/status?no={number}")
    assert page.locator(".decision").inner_text() == "予以公开"
    assert page.get_by_text("需要汇总各区数据").is_visible()
