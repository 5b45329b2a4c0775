"""Browser journeys through the console over a real HTTP server and Debian's Chromium."""

from __future__ import annotations

import pytest

from tests.support import enrol_totp

pytestmark = pytest.mark.e2e


def sign_in(page, base, username, password, code=""):
    page.goto(f"{base}/console/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    if code:
        page.get_by_label("动态验证码").fill(code)
    page.get_by_role("button", name="登录").click()


def test_auditor_signs_in_with_totp_and_exports_the_log(live_server, page, db, org):
    totp = enrol_totp(db, "auditor")
    sign_in(page, live_server, "data.steward", "wrong-password")
    assert page.get_by_role("alert").inner_text() == "用户名或密码错误"
    sign_in(page, live_server, "auditor", org.password, totp.now())
    page.get_by_role("link", name="审计日志").click()
    page.get_by_label("结果", exact=False).and_(page.locator("select")).select_option("failed")
    page.get_by_role("button", name="查询").click()
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and "auth.login" in rows.first.inner_text()
    with page.expect_download() as download:
        page.get_by_role("button", name="导出 CSV").click()
    text = download.value.path().read_text(encoding="utf-8")
    assert text.startswith("seq,ts_us") and "auth.login" in text
    assert page.locator("#audit-chart canvas").count() == 1  # ECharts drew the chart


def test_system_admin_cannot_open_the_audit_log(live_server, page, db, org):
    totp = enrol_totp(db, "system.admin")
    sign_in(page, live_server, "system.admin", org.password, totp.now())
    assert page.get_by_role("link", name="审计日志").count() == 0
    response = page.goto(f"{live_server}/console/audit")
    assert response.status == 403 and "无权执行此操作" in page.content()
