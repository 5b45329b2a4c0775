"""Issue 8's browser journey (N2021 tasks 8–10 and 14): the PI officer publishes a new
version of a system's collection notice, imports consents from a CSV file (a bad file is
refused line by line in Chinese), runs the bulk check over an uploaded ID list and reads
the counts; a member of the public files a complaint on /privacy and the officer answers it
in the console."""

from __future__ import annotations

import re

import pytest

from hutong.core.clock import today_local
from tests.e2e.test_catalog_journey import sign_out
from tests.e2e.test_console_journeys import sign_in
from tests.privacy.conftest import citizen, make_system

pytestmark = pytest.mark.e2e
SHOTS = None  # set to a folder path to keep screenshots while working on the pages


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_officer_publishes_imports_checks_and_answers_a_complaint(
    live_server, page, db, org, system, tmp_path
):
    make_system(db, system)  # a system of the officer's unit
    people = [citizen(today_local().replace(year=today_local().year - 30), i) for i in (1, 2, 3)]
    sign_in(page, live_server, "pi.officer", org.password)
    page.get_by_role("link", name="个人信息", exact=True).first.click()
    page.get_by_label("标题").fill("学籍管理系统个人信息收集使用规则")
    page.get_by_label("用途（每行一项").fill("enrolment 学籍管理\naid 学生资助")
    page.get_by_label("收集方式").fill("入学报到时录入学籍系统")
    page.get_by_label("收集的信息项").fill("姓名，身份证件号，出生日期")
    page.get_by_label("身份信息").check()
    page.get_by_label("保存期限").fill("学生毕业后 3 年")
    page.get_by_role("button", name="发布").click()
    assert page.locator("table.striped tbody tr").count() == 1
    shot(page, "notices")

    page.get_by_role("link", name="同意记录").click()
    bad = tmp_path / "bad.csv"
    bad.write_text("subject_id,purpose\n" + f"{people[0]},enrolment\n123,nosuch\n", "utf-8")
    page.get_by_label("CSV 文件", exact=True).set_input_files(bad)
    page.get_by_role("button", name="导入").click()
    assert "第 3 行" in page.locator("#problems").inner_text()
    good = tmp_path / "consents.csv"
    good.write_text(
        "subject_id,purpose\n" + "".join(f"{p},enrolment\n" for p in people[:2]), "utf-8"
    )
    page.get_by_label("CSV 文件", exact=True).set_input_files(good)
    page.get_by_role("button", name="导入").click()
    assert "已导入 2 项同意" in page.locator("#imported").inner_text()
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join(people), "utf-8")
    page.get_by_label("用途", exact=True).select_option("enrolment")
    page.get_by_label("证件号清单").set_input_files(ids)
    page.get_by_role("button", name="核验").click()
    counts = page.locator("#check-result td").all_inner_texts()
    assert counts == ["3", "2", "1"]
    assert people[0] not in page.content()
    shot(page, "consents")
    sign_out(page)

    page.goto(f"{live_server}/privacy/complaints")
    page.get_by_label("投诉类别").select_option("use")
    page.get_by_label("联系方式").fill("李先生 13900001111")
    page.get_by_label("投诉内容").fill("学校在公告栏公布了学生的家庭住址。")
    page.get_by_role("button", name="提交投诉").click()
    number = re.search(r"受理编号：(\w+)", page.locator("main").inner_text()).group(1)

    sign_in(page, live_server, "pi.officer", org.password)
    page.get_by_role("link", name="个人信息投诉").first.click()
    page.get_by_role("link", name=number).click()
    assert "13900001111" in page.locator("main").inner_text()
    page.get_by_label("答复").fill("已要求学校撤下公告并整改。")
    page.get_by_role("button", name="发送答复").click()
    assert "已要求学校撤下公告并整改" in page.locator("#complaint-answer").inner_text()
    shot(page, "complaint")
