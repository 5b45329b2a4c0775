"""The public portal at / : no sign-in, Chinese by default with an English switch, readable
without JavaScript; search with facets, dataset pages, downloads, organisations."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook

from hutong.web.public import portal
from tests.openportal.builders import public_dataset


@pytest.fixture
def names(db, actors, org, classes, tmp_path):
    return [
        public_dataset(db, actors, org, tmp_path, name=t).replace("/", "-")
        for t in ("各校在校生人数", "各校教职工人数")
    ]


def test_home_shows_counts_and_newest_in_chinese_without_sign_in(client, names):
    html = client.get("/").text
    assert '<html lang="zh-CN"' in html and "教育数据开放平台" in html
    counts = dict(re.findall(r"<dt>([^<]+)</dt><dd>([\d,]+)</dd>", html))
    assert counts["公开数据集"] == "2" and counts["数据行数"] == "80"
    assert html.index("各校教职工人数") < html.index("各校在校生人数")  # newest first
    english = client.get("/?lang=en").text
    assert '<html lang="en"' in english and "Newest datasets" in english


def test_search_in_chinese_with_facets_that_narrow(client, names):
    html = client.get("/datasets", params={"q": "教职工"}).text
    assert "共找到 1 个数据集" in html and "各校教职工人数" in html and "各校在校生人数" not in html
    everything = client.get("/datasets").text
    assert "共找到 2 个数据集" in everything
    link = re.search(r'href="(/datasets\?update_cycle=annual)"', everything.replace("&amp;", "&"))
    assert link and "共找到 2 个数据集" in client.get(link.group(1)).text
    assert "共找到 0 个数据集" in client.get("/datasets?format=database").text


def test_dataset_page_has_metadata_items_quality_preview_chart_and_api_examples(client, names):
    html = client.get(f"/dataset/{names[0]}").text
    for part in (
        "数据项说明",
        "质量得分",
        "数据预览",
        "下载量趋势",
        "接口调用示例",
        "datastore_search",
        "echarts.min.js",
    ):
        assert part in html, part
    assert html.count("<tr>") >= 20 and "第1中学" in html
    assert f"/dataset/{names[0]}/download.csv" in html
    assert client.get("/dataset/no-such").status_code == 404


def test_downloads_in_three_formats_are_counted_for_the_chart(client, names):
    response = client.get(f"/dataset/{names[0]}/download.csv")
    assert response.status_code == 200 and response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["学校名称", "年级", "性别", "学生人数"] and len(rows) == 41
    records = json.loads(client.get(f"/dataset/{names[0]}/download.json").content)
    assert len(records) == 40 and records[0]["学校名称"] == "第1中学"
    sheet = load_workbook(
        io.BytesIO(client.get(f"/dataset/{names[0]}/download.xlsx").content)
    ).active
    assert sheet.max_row == 41
    html = client.get(f"/dataset/{names[0]}").text
    assert "近 30 天下载 3 次" in html
    assert client.get(f"/dataset/{names[0]}/download.exe").status_code == 422


def test_downloads_are_rate_limited_per_address(client, settings, names):
    client.app.state.settings = settings.model_copy(update={"portal_downloads_per_minute": 1})
    assert client.get(f"/dataset/{names[0]}/download.json").status_code == 200
    refused = client.get(f"/dataset/{names[0]}/download.json")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


def test_organisation_pages(client, names):
    html = client.get("/organization").text
    assert "教师工作司" in html
    page = client.get("/organization/moe-jsgzs").text
    assert "公开数据集 2 个" in page
    assert client.get("/organization/moe-fgs").status_code == 404  # publishes nothing


def test_search_pages_are_numbered_with_previous_and_next(client, names, monkeypatch):
    monkeypatch.setattr(portal, "PAGE_SIZE", 1)
    first = client.get("/datasets").text
    assert "第 1 页，共 2 页" in first and 'href="/datasets?page=2"' in first
    assert 'rel="prev"' not in first
    second = client.get("/datasets?page=2").text
    assert "第 2 页，共 2 页" in second and 'href="/datasets?page=1"' in second
    assert 'rel="next"' not in second
