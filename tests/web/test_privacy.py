"""Privacy over HTTP: the API (notices, consents, bulk check, complaints) and the public pages
(a notice in plain Chinese, a subject verifying and withdrawing, a complaint form)."""

from __future__ import annotations

import re

import pytest

from hutong.core.clock import today_local
from tests.privacy.conftest import citizen, make_system
from tests.support import bearer


@pytest.fixture
def system_id(db, org, system):
    return make_system(db, system)


def notice_body(system_id: int) -> dict:
    return {
        "system_id": system_id,
        "title": "学籍管理系统个人信息收集使用规则",
        "purposes": [{"code": "enrolment", "name": "学籍管理"}],
        "method": "入学报到时录入学籍系统",
        "items": ["姓名", "身份证件号", "健康状况"],
        "categories": ["identity", "health"],
        "retention": "学生毕业后 3 年",
    }


def test_consent_journey_over_the_api_and_the_public_page(client, db, org, system_id):
    officer = bearer(client, db, "pi.officer", org.password)
    response = client.post(
        "/api/v1/collection-notices", json=notice_body(system_id), headers=officer
    )
    assert response.status_code == 201, response.text
    page = client.get(f"/privacy/notices/{system_id}")
    assert page.status_code == 200 and "学籍管理" in page.text and "医疗健康" in page.text
    assert "敏感个人信息" in page.text

    person = citizen(today_local().replace(year=today_local().year - 30))
    body = {
        "system_id": system_id,
        "notice_version": 1,
        "subject_id": person,
        "purpose": "enrolment",
    }
    given = client.post("/api/v1/consents", json=body, headers=officer)
    assert given.status_code == 201, given.text
    code = given.json()["receipt_code"]
    assert person not in given.text
    missing = client.post("/api/v1/consents", json={**body, "notice_version": 7}, headers=officer)
    assert missing.status_code == 422 and missing.json()["field"] == "notice_version"

    check = {"system_id": system_id, "purpose": "enrolment", "subject_ids": [person, "X1234567"]}
    answer = client.post("/api/v1/consents/check", json=check, headers=officer).json()
    assert answer["allowed_flags"] == [True, False] and answer["refused"] == 1

    wrong = client.post("/privacy/consents", data={"subject_id": person, "code": "AAAAAAAAAA"})
    assert wrong.status_code == 403
    shown = client.post("/privacy/consents", data={"subject_id": person, "code": code})
    assert shown.status_code == 200 and "学籍管理" in shown.text and person not in shown.text
    token = re.search(r'name="token" value="([^"]+)"', shown.text).group(1)
    consent_id = re.search(r'name="consent_id" value="(\d+)"', shown.text).group(1)
    done = client.post(
        "/privacy/consents/withdraw", data={"token": token, "consent_id": consent_id}
    )
    assert "已撤回 1 项同意" in done.text and "已撤回</td>" in done.text
    forged = client.post(
        "/privacy/consents/withdraw", data={"token": "x.1.y", "consent_id": consent_id}
    )
    assert forged.status_code == 403
    answer = client.post("/api/v1/consents/check", json=check, headers=officer).json()
    assert answer["allowed_flags"] == [False, False]


def test_complaint_form_and_its_handling(client, db, org):
    filed = client.post(
        "/privacy/complaints",
        data={
            "category": "use",
            "contact": "李先生 13900001111",
            "text": "学校在公告栏公布了学生的家庭住址。",
        },
    )
    assert filed.status_code == 200
    number = re.search(r"受理编号：<strong>(\w+)</strong>", filed.text).group(1)
    short = client.post(
        "/privacy/complaints", data={"category": "use", "contact": "x", "text": "y"}
    )
    assert short.status_code == 422
    steward = bearer(client, db, "data.steward", org.password)
    assert client.get("/api/v1/complaints", headers=steward).status_code == 403
    officer = bearer(client, db, "pi.officer", org.password)
    listed = client.get("/api/v1/complaints", headers=officer).json()
    assert [c["number"] for c in listed] == [number] and listed[0]["contact"] is None
    answered = client.post(
        f"/api/v1/complaints/{number}/answer",
        json={"answer": "已要求学校撤下公告。"},
        headers=officer,
    )
    assert answered.status_code == 200 and answered.json()["contact"] == "李先生 13900001111"
    status = client.get("/privacy/complaints", params={"number": number})
    assert "已答复" in status.text and "13900001111" not in status.text
