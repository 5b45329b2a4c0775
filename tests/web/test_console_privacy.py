"""Console pages of personal-information protection (N2021 tasks 8–11, 14): the PI officer
publishes notice versions (a purpose change asks for renewal), imports consents (a bad line
rejects the file with Chinese per-line errors), runs the bulk check, searches a subject
without the ID ever coming back, and answers a complaint; bad input saves nothing."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from hutong.core.clock import today_local
from hutong.privacy.models import CollectionNotice, Consent
from tests.privacy.conftest import citizen, make_system
from tests.web.test_console import csrf, sign_in

NOTICE = {
    "title": "学籍管理系统个人信息收集使用规则",
    "purposes": "enrolment 学籍管理\naid 学生资助",
    "method": "入学报到时录入学籍系统",
    "items": "姓名，身份证件号，出生日期，民族",
    "categories": ["identity", "ethnicity"],
    "retention": "学生毕业后 3 年",
    "legal_basis": "consent",
}


def adult(seq: int) -> str:
    return citizen(today_local().replace(year=today_local().year - 30), seq)


def count(db, model) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_notices_consents_and_the_bulk_check_in_the_console(client, db, org, system):
    system_id = make_system(db, system)
    sign_in(client, "pi.officer", org.password)
    home = client.get("/console")
    assert 'href="/console/privacy"' in home.text and "个人信息投诉" in home.text
    page = client.get(f"/console/privacy?system={system_id}")
    token = csrf(page.text)
    bad = client.post(
        "/console/privacy/notices",
        data={**NOTICE, "title": "", "system_id": system_id, "csrf_token": token},
    )
    assert "“标题”至少 2 个字符" in bad.text
    assert count(db, CollectionNotice) == 0
    client.post(
        "/console/privacy/notices", data={**NOTICE, "system_id": system_id, "csrf_token": token}
    )
    rows = "subject_id,purpose\n" + "".join(f"{adult(i)},enrolment\n" for i in range(1, 4))
    form = {"system_id": str(system_id), "notice_version": "1", "csrf_token": token}
    broken = client.post(
        "/console/privacy/consents/import",
        data=form,
        files={"file": ("c.csv", rows + "12345678,nosuch\n", "text/csv")},
    )
    assert broken.status_code == 422 and "第 5 行" in broken.text and 'id="problems"' in broken.text
    assert count(db, Consent) == 0  # nothing half-saved
    done = client.post(
        "/console/privacy/consents/import",
        data=form,
        files={"file": ("c.csv", rows, "text/csv")},
    )
    assert "已导入 3 项同意" in done.text
    ids = "\n".join([adult(1), adult(2), adult(9)])
    checked = client.post(
        "/console/privacy/consents/check",
        data={"system_id": str(system_id), "purpose": "enrolment", "csrf_token": token},
        files={"file": ("ids.txt", ids, "text/plain")},
    )
    result = re.search(r'id="check-result".*?</table>', checked.text, re.S).group(0)
    assert re.findall(r"<td>(\d+)</td>", result) == ["3", "2", "1"]
    assert adult(1) not in checked.text
    found = client.post(
        "/console/privacy/consents/search",
        data={"system_id": str(system_id), "subject_id": adult(2), "csrf_token": token},
    )
    assert "学籍管理" in found.text and "有效" in found.text and adult(2) not in found.text

    # a purpose change: version 2 is material, the three consents must be renewed
    client.post(
        "/console/privacy/notices",
        data={
            **NOTICE,
            "purposes": "enrolment 学籍管理\nresearch 教育科学研究",
            "system_id": system_id,
            "csrf_token": token,
        },
    )
    page = client.get(f"/console/privacy?system={system_id}")
    assert "有 3 项同意" in page.text and "实质变更" in page.text
    again = client.post(
        "/console/privacy/consents/check",
        data={"system_id": str(system_id), "purpose": "enrolment", "csrf_token": token},
        files={"file": ("ids.txt", ids, "text/plain")},
    )
    result = re.search(r'id="check-result".*?</table>', again.text, re.S).group(0)
    assert re.findall(r"<td>(\d+)</td>", result) == ["3", "0", "3"]


def test_officer_answers_a_public_complaint_and_a_steward_cannot(client, db, org):
    client.post(
        "/privacy/complaints",
        data={
            "category": "use",
            "contact": "李先生 13900001111",
            "text": "学校公布了学生的家庭住址。",
        },
    )
    sign_in(client, "data.steward", org.password)
    assert "个人信息投诉" not in client.get("/console").text
    assert client.get("/console/privacy/complaints").status_code == 403
    client.cookies.clear()
    sign_in(client, "pi.officer", org.password)
    listing = client.get("/console/privacy/complaints")
    number = re.search(r"/console/privacy/complaints/(GR\d+)", listing.text).group(1)
    detail = client.get(f"/console/privacy/complaints/{number}")
    assert "13900001111" in detail.text and "办理中" in detail.text
    short = client.post(
        f"/console/privacy/complaints/{number}/answer",
        data={"answer": "好", "csrf_token": csrf(detail.text)},
    )
    assert "“答复”至少 5 个字符" in short.text
    client.post(
        f"/console/privacy/complaints/{number}/answer",
        data={"answer": "已要求学校撤下公告并整改。", "csrf_token": csrf(detail.text)},
    )
    assert "已要求学校撤下公告并整改" in client.get(f"/console/privacy/complaints/{number}").text


def test_statistical_release_refuses_a_bad_budget_in_chinese(client, db, org):
    sign_in(client, "data.steward", org.password)
    page = client.get("/console/privacy/statistics")
    refused = client.post(
        "/console/privacy/statistics",
        data={"resource_code": "X", "by": "性别", "epsilon": "-1", "csrf_token": csrf(page.text)},
    )
    assert refused.status_code == 422 and "隐私预算 ε 必须为正数" in refused.text
