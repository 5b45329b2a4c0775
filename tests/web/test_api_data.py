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
    listed = client.get(f"/api/v1/resources/{code}/datasets", headers=steward).json()
    assert [(v["version"], v["encrypted"]) for v in listed] == [(1, True)]  # an important entry
    rejects = client.get(f"/api/v1/resources/{code}/datasets/1/rejects", headers=steward)
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
