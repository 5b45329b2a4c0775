"""Dataset upload and versions over HTTP."""

from __future__ import annotations

from tests.support import bearer, entry


def test_upload_list_and_rejects(client, db, org, classes):
    steward = bearer(client, db, "data.steward", org.password)
    consumer = bearer(client, db, "data.consumer", org.password)
    body = entry(
        org,
        items=[
            {"name": "学校标识码", "data_type": "字符型"},
            {"name": "学校名称", "data_type": "字符型"},
        ],
    )
    code = client.post(
        "/api/v1/resources", headers=steward, json=body.model_dump(mode="json")
    ).json()["code"]
    csv_gbk = "学校标识码,学校名称\r\n4111010001,北京大学\r\n4199010001,不存在\r\n".encode("gbk")
    refused = client.post(
        f"/api/v1/resources/{code}/datasets",
        headers=steward,
        files={"file": ("学校.csv", csv_gbk, "text/csv")},
    )
    assert refused.status_code == 422 and refused.json()["field"] == "rows"
    created = client.post(
        f"/api/v1/resources/{code}/datasets",
        headers=steward,
        params={"on_invalid": "quarantine"},
        files={"file": ("学校.csv", csv_gbk, "text/csv")},
    )
    assert created.status_code == 201, created.text
    assert (
        created.json()["rows"],
        created.json()["rejected"],
        created.json()["source_encoding"],
    ) == (1, 1, "gb18030")
    told = created.json()["summary"]
    assert (told["imported"], told["set_aside"]) == (1, 1)
    assert [(r["item"], r["check"], r["rows"]) for r in told["reasons"]] == [
        ("学校标识码", "school_code", 1)
    ]
    assert told["zh"].startswith(
        "第 1 版导入 1 行，隔离 1 行。主要原因：“学校标识码”学校标识码无效"
    )
    listed = client.get(f"/api/v1/resources/{code}/datasets", headers=steward).json()
    assert [(v["version"], v["encrypted"]) for v in listed] == [(1, True)]  # an important entry
    rejects = client.get(told["rejects_url"], headers=steward)
    assert rejects.status_code == 200 and "学校标识码无效" in rejects.text
    assert client.get(
        f"/api/v1/resources/{code}/datasets/1/rejects", headers=consumer
    ).status_code in (403, 404)
    wrong_user = client.post(
        f"/api/v1/resources/{code}/datasets",
        headers=consumer,
        files={"file": ("学校.csv", csv_gbk, "text/csv")},
    )
    assert wrong_user.status_code == 403


def test_upload_with_a_column_mapping(client, db, org, classes):
    steward = bearer(client, db, "data.steward", org.password)
    body = entry(org, items=[{"name": "学校标识码", "data_type": "字符型"}])
    code = client.post(
        "/api/v1/resources", headers=steward, json=body.model_dump(mode="json")
    ).json()["code"]
    data = "学校代码\n4111010001\n".encode()
    unmapped = client.post(
        f"/api/v1/resources/{code}/datasets",
        headers=steward,
        files={"file": ("s.csv", data, "text/csv")},
    )
    assert unmapped.status_code == 422 and unmapped.json()["field"] == "columns"
    mapped = client.post(
        f"/api/v1/resources/{code}/datasets",
        headers=steward,
        params={"map": "学校代码=学校标识码"},
        files={"file": ("s.csv", data, "text/csv")},
    )
    assert mapped.status_code == 201 and mapped.json()["rows"] == 1


def test_an_upload_with_no_valid_row_is_refused_with_its_reasons(client, db, org, classes):
    steward = bearer(client, db, "data.steward", org.password)
    body = entry(org, items=[{"name": "在校生数", "data_type": "数值型", "length": 5}])
    code = client.post(
        "/api/v1/resources", headers=steward, json=body.model_dump(mode="json")
    ).json()["code"]
    refused = client.post(
        f"/api/v1/resources/{code}/datasets",
        headers=steward,
        params={"on_invalid": "quarantine"},
        files={"file": ("s.csv", "在校生数\n四十八\n1234567\n".encode(), "text/csv")},
    )
    problem = refused.json()
    assert refused.status_code == 422 and problem["field"] == "rows"
    assert (problem["rows"], problem["failing_rows"]) == (2, 2)
    assert "全部 2 行均未通过校验，未发布新版本" in problem["detail_zh"]
    assert "“在校生数”超过 5 位数字（1 行）" in problem["detail_zh"]
    assert client.get(f"/api/v1/resources/{code}/datasets", headers=steward).json() == []
