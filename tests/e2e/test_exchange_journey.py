"""Issue 6's browser journey: a consumer applies for a conditional entry from its catalog
page, the provider's steward approves it with a mask, and the consumer's query under the
grant shows the masked values."""

from __future__ import annotations

import pytest

from hutong.catalog.schemas import ItemIn
from tests.e2e.test_catalog_journey import sign_out
from tests.e2e.test_console_journeys import sign_in
from tests.exchange.conftest import ingest, people, publish  # noqa: F401  (people: fixture)

pytestmark = pytest.mark.e2e

SCHOOLS = [("第一中学", "110105", "1200"), ("第二中学", "110108", "980")]


@pytest.fixture
def schools(db, people, org, tmp_path):  # noqa: F811
    code = publish(
        db,
        people,
        org,
        name="中小学校基本情况",
        has_pi=False,
        grade="general",
        approx_persons=None,
        items=[
            ItemIn(name="学校名称", data_type="字符型"),
            ItemIn(name="行政区划", data_type="代码型", default_mask="generalize"),
            ItemIn(name="在校生数", data_type="数值型"),
        ],
    )
    ingest(db, people, code, tmp_path, SCHOOLS, ["学校名称", "行政区划", "在校生数"])
    return code


def test_conditional_application_from_submission_to_approval_to_a_masked_query(
    live_server, page, org, schools
):
    sign_in(page, live_server, "data.consumer", org.password)
    page.goto(f"{live_server}/console/catalog/r/{schools}")
    page.get_by_role("button", name="申请共享").click()
    page.get_by_label("用途", exact=True).fill("统计本省学校规模")
    page.get_by_label("学校名称").check()
    page.get_by_label("行政区划").check()
    page.get_by_label("安全保护措施").fill("专网访问，专人负责")
    page.get_by_role("button", name="提交申请").click()
    assert "待提供方答复" in page.locator("h1 .badge").inner_text()
    assert "答复期限" in page.content()
    sign_out(page)

    sign_in(page, live_server, "data.steward", org.password)
    page.get_by_role("link", name="共享交换").first.click()
    page.get_by_role("link", name="待我处理").click()
    page.get_by_role("link", name="中小学校基本情况").click()
    page.get_by_role("button", name="同意共享").click()
    assert "已授权" in page.locator("h1 .badge").inner_text()
    sign_out(page)

    sign_in(page, live_server, "data.consumer", org.password)
    page.goto(f"{live_server}/console/exchange/grants")
    page.get_by_role("link", name="查询").click()
    page.get_by_role("button", name="查询").click()
    table = page.locator("#result")
    assert table.locator("thead").inner_text().split() == ["学校名称", "行政区划"]
    cells = table.locator("tbody tr").first.locator("td").all_inner_texts()
    assert cells == ["第一中学", "110000"]  # 行政区划 generalized to the province
    assert "在校生数" not in table.inner_text()
