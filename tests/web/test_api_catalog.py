"""The catalog API: create, workflow, search, diff, tree, export and import over HTTP."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.support import bearer, entry


def body(org, **changes):
    return entry(org, **changes).model_dump(mode="json")


def test_catalog_over_http(client, db, org, classes):
    steward = bearer(client, db, "data.steward", org.password)
    reviewer = bearer(client, db, "catalog.reviewer", org.password)
    consumer = bearer(client, db, "data.consumer", org.password)
    created = client.post("/api/v1/resources", headers=steward, json=body(org))
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    assert code == "30101/000001"
    # a draft of another unit is invisible to a consumer
    assert client.get(f"/api/v1/resources/{code}", headers=consumer).status_code == 404
    for who, step in ((steward, "submit"), (reviewer, "approve"), (steward, "publish")):
        response = client.post(f"/api/v1/resources/{code}/transitions/{step}", headers=who, json={})
        assert response.status_code == 200, response.text
    assert client.get(f"/api/v1/resources/{code}", headers=consumer).json()["status"] == "published"
    edited = client.put(
        f"/api/v1/resources/{code}", headers=steward, json=body(org, update_cycle="weekly")
    )
    assert edited.json()["version"] == 5
    diff = client.get(
        f"/api/v1/resources/{code}/diff", headers=consumer, params={"from": 4, "to": 5}
    ).json()
    assert diff == [
        {"field": "update_cycle", "label": "更新周期", "before": "monthly", "after": "weekly"}
    ]
    found = client.get(
        "/api/v1/resources", headers=consumer, params={"q": "教师", "share_type": "conditional"}
    ).json()
    assert found["total"] == 1 and found["items"][0]["code"] == code
    tree = client.get("/api/v1/catalog/tree", headers=reviewer, params={"by": "unit"}).json()
    assert tree[0]["total"] == 1 and tree[0]["children"][0]["name"] == "教师工作司"


def test_bad_input_is_a_named_problem(client, db, org, classes):
    steward = bearer(client, db, "data.steward", org.password)
    refused = client.post(
        "/api/v1/resources", headers=steward, json=body(org, share_type="not_shared")
    )
    assert refused.status_code == 422 and refused.json()["field"] == "share_legal_basis"
    unknown_unit = client.post(
        "/api/v1/resources", headers=steward, json=body(org, provider_unit_code="NOPE")
    )
    assert unknown_unit.status_code == 404 and unknown_unit.json()["field"] == "provider_unit_code"
    missing = {k: v for k, v in body(org).items() if k != "summary"}
    no_summary = client.post("/api/v1/resources", headers=steward, json=missing)
    assert no_summary.status_code == 422 and no_summary.json()["field"] == "summary"
    assert client.get("/api/v1/resources/99999/000001", headers=steward).status_code == 404
    step = client.post(
        "/api/v1/resources/30101/000009/transitions/approve", headers=steward, json={}
    )
    assert step.status_code == 404


def test_export_then_import_workbook(client, db, org, classes):
    steward = bearer(client, db, "data.steward", org.password)
    reviewer = bearer(client, db, "catalog.reviewer", org.password)
    code = client.post("/api/v1/resources", headers=steward, json=body(org)).json()["code"]
    for who, step in ((steward, "submit"), (reviewer, "approve"), (steward, "publish")):
        client.post(f"/api/v1/resources/{code}/transitions/{step}", headers=who, json={})
    exported = client.get("/api/v1/catalog/export", headers=reviewer, params={"format": "xlsx"})
    assert exported.headers["content-type"].startswith("application/vnd.openxmlformats")
    result = client.post(
        "/api/v1/catalog/import",
        headers=steward,
        files={"file": ("目录.xlsx", exported.content, "application/octet-stream")},
    )
    assert result.json() == {"imported": 1, "codes": [code], "pending_review": []}
    book = load_workbook(io.BytesIO(exported.content))
    headers = [c.value for c in book["信息资源"][1]]
    book["信息资源"].cell(row=2, column=headers.index("公开类型") + 1, value="依申请公开")
    loosened = io.BytesIO()
    book.save(loosened)
    again = client.post(
        "/api/v1/catalog/import",
        headers=steward,
        files={"file": ("目录.xlsx", loosened.getvalue(), "application/octet-stream")},
    )
    assert again.json()["pending_review"] == [code]  # filed for review, not in force
    assert (
        client.get(f"/api/v1/resources/{code}", headers=steward).json()["open_type"] == "not_open"
    )
    wrong = client.post(
        "/api/v1/catalog/import", headers=steward, files={"file": ("目录.txt", b"x", "text/plain")}
    )
    assert wrong.status_code == 422 and wrong.json()["field"] == "file"


def test_annual_review_over_http(client, db, org):
    steward = bearer(client, db, "data.steward", org.password)
    task = client.post("/api/v1/catalog/annual-review", headers=steward)
    assert (
        task.status_code == 201
        and task.json()["kind"] == "annual_review"
        and not task.json()["overdue"]
    )
    consumer = bearer(client, db, "data.consumer", org.password)
    assert client.post("/api/v1/catalog/annual-review", headers=consumer).status_code == 403


def test_open_tasks_are_listed_with_their_entry_and_due_date(client, db, org, classes):
    steward = bearer(client, db, "data.steward", org.password)
    code = client.post("/api/v1/resources", headers=steward, json=body(org)).json()["code"]
    change = client.post(
        f"/api/v1/resources/{code}/changes", headers=steward, json={"description": "新增任教学段"}
    )
    assert change.status_code == 201, change.text
    client.post("/api/v1/catalog/annual-review", headers=steward)
    listed = client.get("/api/v1/catalog/tasks", headers=steward)
    assert listed.status_code == 200, listed.text
    assert [(t["kind"], t["resource_code"]) for t in listed.json()] == [
        ("change", code),
        ("annual_review", None),
    ]
    assert listed.json()[0]["due_date"] == change.json()["due_date"]


def test_overlapping_items_need_a_justification_and_reviewers_list_them(
    client, db, org, classes, province_steward
):
    steward = bearer(client, db, "data.steward", org.password)
    reviewer = bearer(client, db, "catalog.reviewer", org.password)
    province = bearer(client, db, "steward.bj", org.password)
    code = client.post("/api/v1/resources", headers=steward, json=body(org)).json()["code"]
    for who, step in ((steward, "submit"), (reviewer, "approve"), (steward, "publish")):
        client.post(f"/api/v1/resources/{code}/transitions/{step}", headers=who, json={})
    mine = body(org, name="北京市教师基本信息", provider_unit_code=org.province)
    refused = client.post("/api/v1/resources", headers=province, json=mine)
    problem = refused.json()
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert problem["field"] == "overlap_justification" and "一数一源" in problem["detail"]
    assert {o["item"] for o in problem["overlaps"]} == {"姓名", "性别", "出生日期", "任教学科"}
    assert client.get("/api/v1/resources", headers=province).json()["total"] == 1  # not saved
    mine["overlap_justification"] = "本市教师管理系统为本市业务数据源，按月与全国系统同步"
    saved = client.post("/api/v1/resources", headers=province, json=mine)
    assert saved.status_code == 201 and "overlap_justification" not in saved.json()
    page = client.get("/api/v1/catalog/overlaps", headers=reviewer).json()
    assert page["total"] == 4 and page["overlaps"][0]["source_code"] == code
    assert page["overlaps"][0]["justification"].startswith("本市教师管理系统")
    missing = client.get("/api/v1/catalog/overlaps", headers=reviewer, params={"missing": True})
    assert missing.json() == {"total": 0, "overlaps": []}
    assert client.get("/api/v1/catalog/overlaps", headers=province).status_code == 403


def test_an_item_that_cannot_hold_data_is_a_named_problem(client, db, org, classes):
    steward = bearer(client, db, "data.steward", org.password)
    data = body(org)
    data["items"][2]["length"] = 4  # 出生日期, 日期型
    refused = client.post("/api/v1/resources", headers=steward, json=data)
    assert refused.status_code == 422 and refused.json()["field"] == "items.2.length"
    assert "信息项「出生日期」" in refused.json()["detail_zh"]
    data["items"][2].update(length=8, data_type="日期")  # not a type of the vocabulary
    free_text = client.post("/api/v1/resources", headers=steward, json=data)
    assert free_text.status_code == 422 and free_text.json()["field"] == "items.2.data_type"
    data["items"][2]["data_type"] = "日期型"
    assert client.post("/api/v1/resources", headers=steward, json=data).status_code == 201


def test_published_changes_over_http_grade_and_revisions(client, db, org, classes):
    steward = bearer(client, db, "data.steward", org.password)
    reviewer = bearer(client, db, "catalog.reviewer", org.password)
    consumer = bearer(client, db, "data.consumer", org.password)
    admin = bearer(client, db, "security.admin", org.password)
    code = client.post("/api/v1/resources", headers=steward, json=body(org)).json()["code"]
    for who, step in ((steward, "submit"), (reviewer, "approve"), (steward, "publish")):
        client.post(f"/api/v1/resources/{code}/transitions/{step}", headers=who, json={})
    url = f"/api/v1/resources/{code}"

    regraded = client.put(url, headers=steward, json=body(org, grade="general"))
    assert regraded.status_code == 403 and regraded.json()["action"] == "grade.manage"

    filed = client.put(url, headers=steward, json=body(org, open_type="on_request"))
    assert filed.status_code == 202
    assert filed.json()["pending_revision"] == 1 and filed.json()["open_type"] == "not_open"
    assert client.get(f"{url}/revisions", headers=consumer).status_code == 404
    (listed,) = client.get(f"{url}/revisions", headers=reviewer).json()
    assert listed["loosenings"] == ["公开类型由「不予公开」放宽为「依申请公开」"]
    queue = client.get("/api/v1/catalog/revisions", headers=reviewer).json()
    assert [(q["code"], q["revision"]["number"]) for q in queue] == [(code, 1)]

    decide = f"{url}/revisions/1/transitions"
    assert client.post(f"{decide}/return", headers=reviewer, json={}).status_code == 422
    returned = client.post(f"{decide}/return", headers=reviewer, json={"reason": "须说明依据"})
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    client.put(url, headers=steward, json=body(org, open_type="on_request"))
    assert (
        client.post(f"{url}/revisions/2/transitions/approve", headers=steward, json={}).status_code
        == 403
    )
    approved = client.post(f"{url}/revisions/2/transitions/approve", headers=reviewer, json={})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    now = client.get(url, headers=steward).json()
    assert (now["version"], now["open_type"], now["pending_revision"]) == (5, "on_request", None)

    grade = {"grade": "general", "general_level": 3, "reason": "去除身份证件号后复核"}
    assert client.post(f"{url}/grade", headers=steward, json=grade).status_code == 403
    lowered = client.post(f"{url}/grade", headers=admin, json=grade)
    assert lowered.status_code == 202 and lowered.json()["grade"] == "important"
    assert client.get(f"{url}/revisions/3", headers=admin).json()["loosenings"] == [
        "数据级别由「重要数据」降为「一般数据（3 级）」"
    ]
