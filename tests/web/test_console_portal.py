"""Console pages and staff API of the open portal: the release queue takes a version from
the steward's request through the publisher and the security reviewer to the public site;
disclosure requests are filed on the public form and handled in the console."""

from __future__ import annotations

import re

from hutong.identity.authz import public_actor
from hutong.openportal import disclosure
from tests.openportal.builders import public_dataset
from tests.support import bearer
from tests.web.test_console import csrf, sign_in


def test_release_queue_from_request_to_public(client, db, actors, org, classes, tmp_path):
    code = public_dataset(db, actors, org, tmp_path, go_public=False)
    name = code.replace("/", "-")
    sign_in(client, "data.steward", org.password)
    queue = client.get("/console/releases")
    assert "申请公开" in queue.text
    client.post("/console/releases", data={"code": code, "csrf_token": csrf(queue.text)})
    assert "待发布审核" in client.get("/console/releases?view=all").text
    client.cookies.clear()
    sign_in(client, "publisher", org.password)
    page = client.get("/console/releases").text
    release_id = re.search(r'id="release-(\d+)"', page).group(1)
    client.post(
        f"/console/releases/{release_id}/approve", data={"csrf_token": csrf(page), "note": "同意"}
    )
    client.cookies.clear()
    sign_in(client, "security.reviewer", org.password)
    page = client.get("/console/releases").text
    assert "通过并公开" in page
    refused = client.post(
        f"/console/releases/{release_id}/clear", data={"csrf_token": csrf(page), "note": ""}
    )
    assert "error=" in refused.headers.get("location", "") or refused.status_code in (200, 303)
    assert client.get(f"/dataset/{name}").status_code == 404
    client.post(
        f"/console/releases/{release_id}/clear",
        data={"csrf_token": csrf(page), "note": "不含个人信息，风险低"},
    )
    assert client.get(f"/dataset/{name}").status_code == 200


def test_staff_api_release_and_disclosure(client, db, actors, org, classes, tmp_path):
    code = public_dataset(db, actors, org, tmp_path, go_public=False)
    steward = bearer(client, db, "data.steward", org.password)
    created = client.post("/api/v1/releases", json={"code": code}, headers=steward)
    assert created.status_code == 201 and created.json()["state"] == "awaiting_publisher", (
        created.text
    )
    publisher = bearer(client, db, "publisher", org.password)
    rid = created.json()["id"]
    assert (
        client.post(
            f"/api/v1/releases/{rid}/transitions/approve", json={}, headers=steward
        ).status_code
        == 403
    )
    moved = client.post(
        f"/api/v1/releases/{rid}/transitions/approve", json={"note": "ok"}, headers=publisher
    )
    assert moved.json()["state"] == "awaiting_security"
    filed = client.post(
        "/api/v1/disclosure-requests",
        json={"name": "张三", "id_type": "citizen_id", "id_number": "11010519491231002X", "contact": "a@b.cn",
              "description": "某校 2025 年招生计划", "preferred_format": "electronic"},
    )  # fmt: skip
    assert filed.status_code == 201
    number = filed.json()["tracking_no"]
    listed = client.get("/api/v1/disclosure-requests", headers=publisher).json()
    assert [r["tracking_no"] for r in listed] == [number] and "11010519491231002X" not in str(
        listed
    )
    assert (
        client.get(f"/api/v1/disclosure-requests/{number}/applicant", headers=steward).status_code
        == 403
    )
    who = client.get(f"/api/v1/disclosure-requests/{number}/applicant", headers=publisher).json()
    assert who["id_number"] == "11010519491231002X"
    step = client.post(
        f"/api/v1/disclosure-requests/{number}/transitions/decide",
        json={"decision": "not_exist"},
        headers=publisher,
    )
    assert step.json()["state"] == "answered"
    status = client.get(f"/api/v1/disclosure-requests/{number}/status").json()
    assert status["decision"] == "not_exist" and "张三" not in str(status)


def test_public_form_issues_a_tracking_number_and_never_echoes_the_id(client, db, org, actors):
    form = client.get("/disclosure")
    assert form.status_code == 200 and 'for="d-id-number"' in form.text
    data = {"csrf_token": csrf(form.text), "name": "王五", "id_type": "citizen_id",
            "id_number": "110105194912310021", "contact": "13800000000",
            "description": "本区学校名录", "preferred_format": "electronic"}  # fmt: skip
    refused = client.post("/disclosure", data=data)
    assert refused.status_code == 422 and "证件号码无效" in refused.text
    assert "110105194912310021" not in refused.text and "本区学校名录" in refused.text
    done = client.post("/disclosure", data={**data, "id_number": "11010519491231002X"})
    number = re.search(r'class="tracking-no">([^<]+)<', done.text).group(1)
    assert "11010519491231002X" not in done.text
    with db.transaction() as session:
        disclosure.ask_correction(session, actors["publisher"], number, "请写明学年")
    status = client.get("/disclosure/status", params={"no": number})
    assert "请写明学年" in status.text and "待申请人补正" in status.text
    client.post(
        "/disclosure/status",
        data={"csrf_token": csrf(status.text), "no": number, "supplement": "2025 学年"},
    )
    assert "办理中" in client.get("/disclosure/status", params={"no": number}).text
    sign_in(client, "publisher", org.password)
    page = client.get("/console/disclosure")
    assert number in page.text
    detail = client.get("/console/disclosure/r", params={"no": number}).text
    assert "11010519491231002X" in detail and "王五" in detail
    assert public_actor().is_public
