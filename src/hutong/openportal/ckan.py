"""CKAN Action API v3 (read side) over the public index: the actions and the dict shapes CKAN
clients and harvesters expect (``package``, ``resource``, ``organization``, ``group``).

Every action takes the parameters as a dict (query string or JSON body) and returns the
``result`` of CKAN's envelope; errors are Hutong's typed errors, which the router turns into
CKAN's error types and status codes. Only public datasets exist here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from hutong import __version__
from hutong.audit.service import Category, record
from hutong.core.errors import InvalidInput, NotFound
from hutong.identity.authz import Actor, Target, authorize
from hutong.identity.roles import Action
from hutong.openportal import datastore, public, service
from hutong.openportal.public import FORMATS, Organisation, PublicDataset, org_name

CKAN_VERSION = "2.10.4"
MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
LICENSE = {"license_id": "other-at", "license_title": "Other (Attribution)"}


def _iso(moment) -> str:  # type: ignore[no-untyped-def]
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds")


def organization_dict(org: Organisation | PublicDataset) -> dict[str, Any]:
    if isinstance(org, PublicDataset):
        code, title = org.unit_code, org.unit_name
    else:
        code, title = org.code, org.title
    return {
        "id": org_name(code),
        "name": org_name(code),
        "title": title,
        "display_name": title,
        "description": "",
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
    }


def group_dict(code: str, name: str, count: int | None = None) -> dict[str, Any]:
    out = {
        "id": f"class-{code}",
        "name": f"class-{code}",
        "title": name,
        "display_name": name,
        "description": "",
        "type": "group",
        "is_organization": False,
        "state": "active",
        "image_display_url": "",
    }
    if count is not None:
        out["package_count"] = count
    return out


def resource_dict(d: PublicDataset, fmt: str, base: str, position: int) -> dict[str, Any]:
    return {
        "id": d.resource_ids[fmt],
        "package_id": d.name,
        "name": f"{d.title}（{fmt.upper()}）",
        "description": f"第 {d.version} 版，{d.rows} 行",
        "format": fmt.upper(),
        "mimetype": MIMETYPES[fmt],
        "url": f"{base}/dataset/{d.name}/download.{fmt}",
        "url_type": None,
        "datastore_active": True,
        "state": "active",
        "position": position,
        "created": _iso(d.published_at),
        "last_modified": _iso(d.published_at),
        "size": None,
    }


def package_dict(d: PublicDataset, base: str) -> dict[str, Any]:
    resources = [resource_dict(d, fmt, base, i) for i, fmt in enumerate(FORMATS)]
    tags = [
        {"name": t, "display_name": t, "state": "active", "vocabulary_id": None} for t in d.tags
    ]
    extras = {
        "resource_code": d.code,
        "update_cycle": d.update_cycle,
        "classification": d.classification_code,
        "data_kind": d.data_kind,
        "quality_score": str(d.quality_score),
        "rows": str(d.rows),
        "usage_requirements": d.usage_requirements,
    }
    return {
        "id": d.name,
        "name": d.name,
        "title": d.title,
        "notes": d.summary,
        "type": "dataset",
        "state": "active",
        "private": False,
        "version": str(d.version),
        "author": d.unit_name,
        "maintainer": d.unit_name,
        "url": f"{base}/dataset/{d.name}",
        **LICENSE,
        "metadata_created": _iso(d.created_at),
        "metadata_modified": _iso(d.modified_at),
        "owner_org": org_name(d.unit_code),
        "organization": organization_dict(d),
        "groups": [group_dict(*d.group)],
        "tags": tags,
        "num_tags": len(tags),
        "resources": resources,
        "num_resources": len(resources),
        "extras": [{"key": k, "value": v} for k, v in extras.items()],
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


def _bool(value: Any) -> bool:
    return str(value).lower() in ("true", "1", "yes")


def _int(params: dict[str, Any], name: str, default: int, most: int | None = None) -> int:
    value = params.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{name} 须为整数", f"{name} must be an integer", field=name) from None
    if number < 0 or (most is not None and number > most):
        raise InvalidInput(
            f"{name} 须在 0–{most} 之间" if most else f"{name} 须 ≥ 0",
            f"{name} must be between 0 and {most}" if most else f"{name} must be ≥ 0",
            field=name,
        )
    return number


def _list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    text = str(value)
    if text.startswith("["):
        try:
            return [str(v) for v in json.loads(text)]
        except ValueError:
            raise InvalidInput(
                "参数不是合法的 JSON 列表", "not a JSON list", field="facet.field"
            ) from None
    return [text]


@dataclass(frozen=True)
class Deferred:
    """Work that reads rows: run after the transaction that authorized and audited it, so
    a long query never holds the database."""

    run: Callable[[], Any]


@dataclass
class Call:
    """One action call: the database session, the caller, its parameters, the site's URL."""

    session: Session
    actor: Actor
    params: dict[str, Any]
    base: str

    def audit(self, action: str, rows: int = 0, target: Target | None = None) -> None:
        authorize(self.session, self.actor, Action.PORTAL_READ)
        record(
            self.session,
            self.actor,
            "portal.api",
            category=Category.QUERY,
            target=target or Target("ckan", action),
            rows=rows,
            details={"action": action},
        )

    def id(self) -> str:
        value = self.params.get("id") or self.params.get("name")
        if not value or not isinstance(value, str):
            raise InvalidInput("缺少 id", "id is required", field="id")
        return value


def status_show(call: Call) -> dict[str, Any]:
    call.audit("status_show")
    return {
        "site_title": "互通 教育数据开放平台",
        "site_description": "教育部机关及直属事业单位主动公开的教育数据",
        "site_url": call.base,
        "ckan_version": CKAN_VERSION,
        "hutong_version": __version__,
        "api_version": 3,
        "locale_default": "zh_Hans_CN",
        "extensions": ["datastore", "dcat"],
    }


def site_read(call: Call) -> bool:
    call.audit("site_read")
    return True


def package_list(call: Call) -> list[str]:
    limit = _int(call.params, "limit", 0)
    offset = _int(call.params, "offset", 0)
    names = sorted(public.index(call.session).by_name)
    names = names[offset : offset + limit] if limit else names[offset:]
    call.audit("package_list", len(names))
    return names


def package_search(call: Call) -> dict[str, Any]:
    p = call.params
    fields = _list(p.get("facet.field")) or list(service.FACET_FIELDS)
    result = service.search(
        call.session,
        call.actor,
        q=str(p.get("q") or ""),
        fq=str(p.get("fq") or ""),
        sort=str(p.get("sort") or ""),
        rows=_int(p, "rows", 10, service.MAX_ROWS),
        start=_int(p, "start", 0),
        facet_fields=tuple(fields),
        facet_limit=_int(p, "facet.limit", 50),
    )
    return {
        "count": result.count,
        "sort": p.get("sort") or "score desc, metadata_modified desc",
        "results": [package_dict(d, call.base) for d in result.results],
        "facets": {f: {v: n for v, _l, n in items} for f, items in result.facets.items()},
        "search_facets": {
            f: {
                "title": f,
                "items": [{"name": v, "display_name": label, "count": n} for v, label, n in items],
            }
            for f, items in result.facets.items()
        },
    }


def package_show(call: Call) -> dict[str, Any]:
    d = service.read(call.session, call.actor, call.id(), "portal.api.package_show")
    return package_dict(d, call.base)


def resource_show(call: Call) -> dict[str, Any]:
    authorize(call.session, call.actor, Action.PORTAL_READ)
    d, fmt = public.by_resource_id(call.session, call.id())
    call.audit("resource_show", 1, service.target(d))
    return resource_dict(d, fmt, call.base, FORMATS.index(fmt))


def organization_list(call: Call) -> list[Any]:
    orgs = public.organisations(call.session)
    limit, offset = _int(call.params, "limit", 0), _int(call.params, "offset", 0)
    orgs = orgs[offset : offset + limit] if limit else orgs[offset:]
    call.audit("organization_list", len(orgs))
    if _bool(call.params.get("all_fields")):
        return [{**organization_dict(o), "package_count": o.count} for o in orgs]
    return [o.name for o in orgs]


def organization_show(call: Call) -> dict[str, Any]:
    authorize(call.session, call.actor, Action.PORTAL_READ)
    org = public.organisation(call.session, call.id())
    call.audit("organization_show", 1, Target("unit", org.code, org.id))
    out = {**organization_dict(org), "package_count": org.count}
    if _bool(call.params.get("include_datasets", False)):
        out["packages"] = [
            package_dict(d, call.base)
            for d in public.index(call.session).datasets
            if d.unit_id == org.id
        ][:1000]
    return out


def _groups(session: Session) -> dict[str, tuple[str, str, int]]:
    groups: dict[str, tuple[str, str, int]] = {}
    for d in public.index(session).datasets:
        code, name = d.group
        _c, _n, count = groups.get(code, (code, name, 0))
        groups[code] = (code, name, count + 1)
    return dict(sorted(groups.items()))


def group_list(call: Call) -> list[Any]:
    groups = _groups(call.session)
    call.audit("group_list", len(groups))
    if _bool(call.params.get("all_fields")):
        return [group_dict(*g) for g in groups.values()]
    return [f"class-{code}" for code in groups]


def group_show(call: Call) -> dict[str, Any]:
    authorize(call.session, call.actor, Action.PORTAL_READ)
    wanted = call.id().removeprefix("class-")
    found = _groups(call.session).get(wanted)
    if found is None:
        raise NotFound("分组不存在", "no such group", field="id")
    call.audit("group_show", 1)
    return group_dict(*found)


def tag_list(call: Call) -> list[Any]:
    query = str(call.params.get("query") or "")
    tags = sorted({t for d in public.index(call.session).datasets for t in d.tags if query in t})
    call.audit("tag_list", len(tags))
    if _bool(call.params.get("all_fields")):
        return [{"id": t, "name": t, "display_name": t, "vocabulary_id": None} for t in tags]
    return tags


def _links(search: datastore.Search) -> dict[str, str]:
    start = f"/api/3/action/datastore_search?resource_id={search.resource_id}"
    if search.limit != datastore.DEFAULT_LIMIT:
        start += f"&limit={search.limit}"
    return {"start": start, "next": f"{start}&offset={search.offset + search.limit}"}


def datastore_search(call: Call) -> Deferred:
    search = datastore.Search.parse(call.params)
    authorize(call.session, call.actor, Action.PORTAL_READ)
    d, _fmt = public.by_resource_id(call.session, search.resource_id)
    files = service.files_of(call.session, d)
    call.audit("datastore_search", min(search.limit, d.rows), service.target(d))
    columns = [c["name"] for c in d.columns]
    links = _links(search)
    return Deferred(
        lambda: _search_result(search, datastore.run_search(files, search, columns, d.rows), links)
    )


def _search_result(
    search: datastore.Search, page: datastore.Page, links: dict[str, str]
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resource_id": search.resource_id,
        "fields": page.fields,
        "records": page.records,
        "limit": page.limit,
        "offset": page.offset,
        "records_format": search.records_format,
        "_links": links,
    }
    if page.total is not None:
        out["total"] = page.total
        out["total_was_estimated"] = False
    if search.filters:
        out["filters"] = search.filters
    if search.q:
        out["q"] = search.q
    if search.sort:
        out["sort"] = ", ".join(f"{n} {d}" for n, d in search.sort)
    return out


def datastore_search_sql(call: Call) -> Deferred:
    sql = call.params.get("sql")
    if not sql or not isinstance(sql, str):
        raise InvalidInput("缺少 sql", "sql is required", field="sql")
    authorize(call.session, call.actor, Action.PORTAL_READ)

    def is_public(table: str) -> bool:
        try:
            public.by_resource_id(call.session, table)
        except NotFound:
            return False
        return True

    tree, tables = datastore.parse_sql(sql, is_public)
    views = {}
    for table in tables:
        d, _fmt = public.by_resource_id(call.session, table)
        views[table] = service.files_of(call.session, d)
    call.audit("datastore_search_sql", 0, Target("ckan", ",".join(tables)[:128]))
    timeout = call.session.info["settings"].portal_sql_timeout_seconds

    def rows() -> dict[str, Any]:
        fields, records = datastore.run_sql(tree, views, timeout)
        return {"sql": sql, "fields": fields, "records": records}

    return Deferred(rows)


ACTIONS: dict[str, Callable[[Call], Any]] = {
    fn.__name__: fn
    for fn in (
        status_show,
        site_read,
        package_list,
        package_search,
        package_show,
        resource_show,
        organization_list,
        organization_show,
        group_list,
        group_show,
        tag_list,
        datastore_search,
        datastore_search_sql,
    )
}
