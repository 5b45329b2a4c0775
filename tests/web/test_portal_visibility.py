"""A non-public or withdrawn dataset is invisible through every public route: pages, CKAN API,
datastore and its SQL, DCAT, downloads, search counts and facets (issue 7, done-when)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hutong.catalog.models import Resource
from hutong.openportal import release
from hutong.openportal.models import Release
from tests.openportal.builders import public_dataset
from tests.support import published


@pytest.fixture
def world(db, actors, org, classes, tmp_path):
    """One public dataset, one withdrawn, one awaiting review, and a not-open entry."""
    shown = public_dataset(db, actors, org, tmp_path, name="公开的在校生人数")
    withdrawn = public_dataset(db, actors, org, tmp_path, name="撤回的教职工人数")
    pending = public_dataset(db, actors, org, tmp_path, name="待审的学校名录", go_public=False)
    with db.transaction() as session:
        release.submit(session, actors["data_steward"], pending)
        rid = session.scalar(
            select(Release.id)
            .join(Resource, Resource.id == Release.resource_id)
            .where(Resource.code == withdrawn, Release.state == "public")
        )
    with db.transaction() as session:
        release.transition(session, actors["publisher"], rid, "withdraw", "发现错误")
    from tests.support import entry

    closed = published(db, actors, entry(org, name="不予公开的教师信息"))
    return {
        "shown": shown.replace("/", "-"),
        "hidden": [c.replace("/", "-") for c in (withdrawn, pending, closed)],
        "titles": ["撤回的教职工人数", "待审的学校名录", "不予公开的教师信息"],
    }


def test_hidden_datasets_are_invisible_through_every_route(client, world):
    shown, hidden, titles = world["shown"], world["hidden"], world["titles"]
    pages = [
        client.get(url).text
        for url in ("/", "/datasets", "/organization", "/organization/moe-jsgzs")
    ]
    api = [
        client.get("/api/3/action/package_list").text,
        client.get("/api/3/action/package_search", params={"rows": 1000}).text,
        client.get("/api/3/action/organization_list", params={"all_fields": "true"}).text,
        client.get("/api/3/action/tag_list").text,
    ]
    dcat = [client.get(f"/catalog.{s}").text for s in ("ttl", "jsonld", "rdf")]
    for text in pages + api + dcat:
        for name, title in zip(hidden, titles, strict=True):
            assert name not in text and title not in text
    assert "公开的在校生人数" in pages[1]
    assert client.get("/api/3/action/package_search").json()["result"]["count"] == 1
    facets = client.get("/api/3/action/package_search").json()["result"]["search_facets"]
    assert all(
        item["count"] == 1 for f in facets.values() for item in f["items"] if f["title"] != "tags"
    )
    assert "公开数据集</dt><dd>1<" in pages[0]
    for name in hidden:
        for url in (
            f"/dataset/{name}",
            f"/dataset/{name}/download.csv",
            f"/dataset/{name}.ttl",
            f"/dataset/{name}.jsonld",
        ):
            assert client.get(url).status_code == 404, url
        for action, params in (
            ("package_show", {"id": name}),
            ("resource_show", {"id": f"{name}-v1-csv"}),
            ("datastore_search", {"resource_id": f"{name}-v1-csv"}),
        ):
            response = client.get(f"/api/3/action/{action}", params=params)
            assert (
                response.status_code == 404
                and response.json()["error"]["__type"] == "Not Found Error"
            )
        response = client.get(
            "/api/3/action/datastore_search_sql", params={"sql": f'SELECT * FROM "{name}-v1-csv"'}
        )
        assert response.status_code == 403 and name not in response.json()["error"][
            "message"
        ].replace(f'"{name}-v1-csv"', "")
    # the public one is there, and joining it with a hidden one is refused
    sql = f'SELECT count(*) AS n FROM "{shown}-v1-csv" a JOIN "{hidden[0]}-v1-csv" b USING ("学校名称")'
    assert client.get("/api/3/action/datastore_search_sql", params={"sql": sql}).status_code == 403
    assert client.get(f"/dataset/{shown}/download.csv").status_code == 200
