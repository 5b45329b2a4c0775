"""The Python ``ckanapi`` client against Hutong over a real HTTP server: ``RemoteCKAN`` calls
and ``ckanapi dump datasets --all`` work unchanged (issue 7, done-when)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import ckanapi
import pytest

from tests.openportal.builders import public_dataset


@pytest.fixture
def portal(live_server, db, actors, org, classes, tmp_path):
    names = [
        public_dataset(db, actors, org, tmp_path, name=title).replace("/", "-")
        for title in ("各校在校生人数", "各校教职工人数")
    ]
    return live_server, names


def test_remote_ckan_reads_packages_resources_and_the_datastore(portal):
    url, names = portal
    with ckanapi.RemoteCKAN(url, user_agent="hutong-test") as ckan:
        assert ckan.action.status_show()["api_version"] == 3
        assert ckan.action.package_list() == sorted(names)
        found = ckan.action.package_search(q="教职工", rows=10, **{"facet.field": ["organization"]})
        assert found["count"] == 1 and found["results"][0]["name"] == names[1]
        package = ckan.action.package_show(id=names[0])
        resource = ckan.action.resource_show(id=package["resources"][0]["id"])
        assert resource["format"] == "CSV" and resource["datastore_active"] is True
        rows = ckan.action.datastore_search(resource_id=resource["id"], limit=3)
        assert len(rows["records"]) == 3 and rows["total"] == 40
        orgs = ckan.action.organization_list(all_fields=True)
        assert orgs[0]["package_count"] == 2
        assert ckan.action.organization_show(id=orgs[0]["name"])["name"] == orgs[0]["name"]
        assert ckan.action.group_list() and "教育" not in ckan.action.tag_list(query="x")
        with pytest.raises(ckanapi.NotFound):
            ckan.action.package_show(id="no-such-dataset")
        with pytest.raises(ckanapi.ValidationError):
            ckan.action.package_search(rows=100000)
        with pytest.raises(ckanapi.SearchQueryError):
            ckan.action.package_search(fq="organization:(broken")
        with pytest.raises(ckanapi.NotAuthorized):
            ckan.action.datastore_search_sql(sql="SELECT * FROM audit_events")
    with ckanapi.RemoteCKAN(url, get_only=True) as ckan:
        assert ckan.action.package_show(id=names[1])["title"] == "各校教职工人数"


def test_ckanapi_dump_datasets_all(portal, tmp_path):
    url, names = portal
    out = tmp_path / "datasets.jsonl"
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    subprocess.run(
        [
            str(Path(bin_dir) / "ckanapi"),
            "dump",
            "datasets",
            "--all",
            "-r",
            url,
            "-O",
            str(out),
            "-p",
            "1",
            "-q",
        ],
        check=True,
        env=env,
        timeout=120,
    )
    dumped = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(d["name"] for d in dumped) == sorted(names)
    assert all(len(d["resources"]) == 3 for d in dumped)
