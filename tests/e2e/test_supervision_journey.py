"""Issue 5's browser journey (M2018 §40–41): the security reviewer issues a rectification
notice for a finding, the unit's data steward fixes the system's registry record and answers
with a file, the reviewer accepts; and the supervision dashboard draws its charts."""

from __future__ import annotations

import pytest

from tests.e2e.test_catalog_journey import sign_out
from tests.e2e.test_console_journeys import sign_in
from tests.web.test_console_supervision import failing_system  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e


def test_reviewer_issues_steward_answers_with_evidence_reviewer_accepts(
    live_server,
    page,
    org,
    failing_system,  # noqa: F811
    tmp_path,
):
    system_id, finding = failing_system
    sign_in(page, live_server, "security.reviewer", org.password)
    page.get_by_role("link", name="监督检查").click()
    page.wait_for_load_state("load")
    for chart in ("chart-units", "chart-rules", "chart-trend", "chart-notices"):
        assert page.locator(f"#{chart} canvas").count() == 1  # ECharts drew every chart
    page.get_by_role("link", name="问题", exact=True).click()
    page.get_by_label("规则").select_option("system.emergency_plan")
    page.get_by_role("button", name="查询").click()
    page.get_by_label(f"选择问题 {finding}").check()
    page.get_by_role("button", name="下发通知单").click()
    # no deadline: refused in Chinese, nothing issued
    assert "整改通知单必须规定整改期限" in page.get_by_role("alert").inner_text()
    page.get_by_label(f"选择问题 {finding}").check()
    page.get_by_label("整改期限（工作日）").fill("5")
    page.get_by_label("整改要求").fill("修订应急预案，纳入数据安全事件。")
    page.get_by_role("button", name="下发通知单").click()
    page.wait_for_url("**/console/supervision/notices/*")
    notice_url = page.url
    assert "待整改" in page.locator("h2 .badge").first.inner_text()
    sign_out(page)

    sign_in(page, live_server, "data.steward", org.password)
    page.goto(f"{live_server}/console/systems/{system_id}")
    page.get_by_role("button", name="修改登记信息").click()
    page.get_by_label("应急预案涵盖数据安全事件").check()
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/console/systems/{system_id}?*")  # with the confirmation
    page.goto(notice_url)
    evidence = tmp_path / "应急预案（修订稿）.pdf"
    evidence.write_bytes(b"%PDF-1.7\n% revised plan\n")
    page.get_by_label("整改情况及佐证说明").fill(
        "已修订应急预案，纳入数据泄露等数据安全事件的处置。"
    )
    page.get_by_label("佐证材料（可选）").set_input_files(evidence)
    page.get_by_role("button", name="提交整改反馈").click()
    assert "已反馈" in page.locator("h2 .badge").first.inner_text()
    assert page.get_by_role("link", name="📎 应急预案（修订稿）.pdf").count() == 1
    sign_out(page)

    sign_in(page, live_server, "security.reviewer", org.password)
    page.goto(notice_url)
    page.get_by_role("button", name="整改验收").click()
    assert "已办结" in page.locator("h2 .badge").first.inner_text()
    with page.expect_download() as download:
        page.get_by_role("button", name="下载 PDF").click()
    assert download.value.suggested_filename.startswith("整改通知单-整改〔")
    assert download.value.path().read_bytes().startswith(b"%PDF")
