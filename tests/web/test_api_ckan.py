"""The CKAN Action API v3 read side: envelope, actions, CKAN error types and status codes."""

from __future__ import annotations

import pytest

from tests.openportal.builders import public_dataset


@pytest.fixture
def two_public(db, actors, org, classes, tmp_path):
    first = public_dataset(db, actors, org, tmp_path, name="各校在校生人数")
    second = public_dataset(db, actors, org, tmp_path, name="各校教职工人数")
    return first.replace("/", "-"), second.replace("/", "-")


def ok(response):
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True and body["help"].endswith(
        "help_show?name=" + response.url.path.rsplit("/", 1)[1]
    )
    return body["result"]


def test_package_list_show_and_search_over_get_and_post(client, two_public):
    first, second = two_public
    assert ok(client.get("/api/3/action/package_list")) == sorted([first, second])
    assert ok(client.get("/api/action/package_list?limit=1&offset=1")) == [
        sorted([first, second])[1]
    ]
    package = ok(client.post("/api/3/action/package_show", json={"id": first}))
    assert package["name"] == first and package["num_resources"] == 3
    assert {r["format"] for r in package["resources"]} == {"CSV", "XLSX", "JSON"}
    result = ok(
        client.get(
            "/api/3/action/package_search",
            params={"q": "在校生", "facet.field": '["organization","tags"]'},
        )
    )
    assert result["count"] == 1 and result["results"][0]["name"] == first
    assert result["search_facets"]["organization"]["items"][0]["count"] == 1
    org = package["organization"]["name"]
    result = ok(
        client.post(
            "/api/3/action/package_search",
            json={"fq": f"organization:{org}", "rows": 1, "sort": "name asc"},
        )
    )
    assert result["count"] == 2 and len(result["results"]) == 1


def test_errors_have_ckans_types_and_status_codes(client, two_public):
    cases = [
        ("package_show", {"id": "no-such"}, 404, "Not Found Error"),
        ("resource_show", {"id": "no-such-v1-csv"}, 404, "Not Found Error"),
        ("package_search", {"rows": 100000}, 409, "Validation Error"),
        ("package_search", {"fq": "organization:(x"}, 409, "Search Query Error"),
        (
            "datastore_search",
            {"resource_id": f"{two_public[0]}-v1-csv", "filters": "{bad"},
            409,
            "Validation Error",
        ),
        (
            "datastore_search",
            {"resource_id": f"{two_public[0]}-v1-csv", "limit": 32001},
            409,
            "Validation Error",
        ),
        ("datastore_search_sql", {"sql": "DROP TABLE x"}, 409, "Validation Error"),
        ("datastore_search_sql", {"sql": "SELECT * FROM users"}, 403, "Authorization Error"),
    ]
    for name, params, status, kind in cases:
        response = client.post(f"/api/3/action/{name}", json=params)
        assert response.status_code == status, (name, params, response.text)
        body = response.json()
        assert body["success"] is False and body["error"]["__type"] == kind, body
    assert client.get("/api/3/action/no_such_action").status_code == 400


def test_datastore_search_pages_filters_and_sql(client, two_public):
    rid = f"{two_public[0]}-v1-csv"
    page = ok(client.get("/api/3/action/datastore_search", params={"resource_id": rid, "limit": 5}))
    assert page["total"] == 40 and len(page["records"]) == 5
    assert [f["id"] for f in page["fields"]] == ["学校名称", "年级", "性别", "学生人数"]
    assert page["_links"]["next"].endswith("offset=5")
    filtered = ok(
        client.post(
            "/api/3/action/datastore_search",
            json={
                "resource_id": rid,
                "filters": {"性别": "1"},
                "fields": ["学校名称", "性别"],
                "sort": "学校名称 desc",
                "records_format": "lists",
            },
        )
    )
    assert filtered["total"] == 20 and all(r[1] == "1" for r in filtered["records"])
    sql = ok(
        client.get(
            "/api/3/action/datastore_search_sql",
            params={"sql": f'SELECT "性别", count(*) AS n FROM "{rid}" GROUP BY 1 ORDER BY 1'},
        )
    )
    assert sql["records"] == [{"性别": "1", "n": 20}, {"性别": "2", "n": 20}]


def test_anonymous_api_is_rate_limited_with_retry_after(client, settings, two_public):
    client.app.state.settings = settings.model_copy(update={"portal_api_per_minute": 3})
    codes = [client.get("/api/3/action/site_read").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.get("/api/3/action/site_read")
    assert int(response.headers["Retry-After"]) >= 1


def test_api_reads_are_audited_as_the_anonymous_public_with_the_address(client, db, two_public):
    ok(client.get("/api/3/action/package_show", params={"id": two_public[0]}))
    from sqlalchemy import select

    from hutong.audit.models import AuditEvent

    with db.sessions() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event.event == "portal.api.package_show" and event.actor_id == "anonymous"
    assert event.client_addr == "testclient"
