"""The catalog API: create, workflow, search, diff, tree, export and import over HTTP."""

from __future__ import annotations

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
    assert result.status_code == 200 and result.json() == {"imported": 1, "codes": [code]}
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
