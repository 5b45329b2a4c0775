"""The public open-data portal at ``/`` (M2018 §26, §34): no sign-in, Chinese by default with
an English switch, readable without JavaScript. Home, search with facets, dataset pages
(metadata, item dictionary, quality, preview, downloads, API examples, downloads chart),
organisations, and the downloads themselves (CSV, XLSX, JSON), rate limited per client address."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from hutong.core import paging
from hutong.core.paging import Page
from hutong.data.access import StoredFiles
from hutong.openportal import downloads, public, service
from hutong.openportal.public import PublicDataset
from hutong.web.deps import Natural, SearchText
from hutong.web.public.base import (
    PortalRoute,
    portal_page,
    visitor,
)
from hutong.web.templating import request_language

router = APIRouter(include_in_schema=False, route_class=PortalRoute)

PAGE_SIZE = 20
#: Search-page facets: (query parameter, facet field, heading msgid).
FACETS = [
    ("organization", "organization", "Provider"),
    ("classification", "classification", "Classification"),
    ("format", "format", "Resource format"),
    ("update_cycle", "update_cycle", "Update cycle"),
    ("tags", "tags", "Tags"),
]


@router.get("/")
def home(request: Request) -> Response:
    actor = visitor(request)
    with request.app.state.db.transaction() as session:
        found = service.search(session, actor, rows=6, facet_fields=("organization",))
        totals = {
            "datasets": found.count,
            "organisations": len(found.facets["organization"]),
            "rows": sum(d.rows for d in public.index(session).datasets),
            "downloads": service.total_downloads(session),
        }
    return portal_page(
        request, "public/portal/home.html", {"totals": totals, "newest": found.results}
    )


def _filters(request: Request) -> list[tuple[str, str]]:
    return [
        (field, request.query_params[param])
        for param, field, _title in FACETS
        if request.query_params.get(param)
    ]


def _link(request: Request, **changes: str | None) -> str:
    params = {k: v for k, v in request.query_params.items() if k not in ("page", "lang")}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return "/datasets" + ("?" + urlencode(params) if params else "")


@router.get("/datasets")
def datasets(request: Request, q: SearchText = "", page: Natural = 1) -> Response:
    actor = visitor(request)
    page = paging.number(page, PAGE_SIZE)
    with request.app.state.db.transaction() as session:
        found = service.search(
            session, actor, q=q, filters=_filters(request), rows=PAGE_SIZE,
            start=paging.offset(page, PAGE_SIZE), facet_limit=15,
        )  # fmt: skip
    chosen = dict(_filters(request))
    facets = [
        {
            "param": param,
            "title": title,
            "items": [
                {
                    "label": label,
                    "count": n,
                    "selected": chosen.get(field) == value,
                    "href": _link(
                        request, **{param: None if chosen.get(field) == value else value}
                    ),
                }
                for value, label, n in found.facets[field]
            ],
        }
        for param, field, title in FACETS
    ]
    listed = Page(found.results, found.count, page, PAGE_SIZE)
    return portal_page(
        request,
        "public/portal/search.html",
        {
            "q": q,
            "hidden": [
                (p, request.query_params[p]) for p, _f, _t in FACETS if request.query_params.get(p)
            ],
            "found": found,
            "facets": facets,
            "page": page,
            "pages": listed.pages,
            **listed.links(lambda at: _link(request, page=str(at))),
            "clear_url": "/datasets" + ("?" + urlencode({"q": q}) if q else ""),
        },
    )


def _quality(d: PublicDataset) -> dict:
    columns = d.quality.get("columns", [])
    return {
        "score": d.quality_score,
        "completeness": round(100 * sum(c["completeness"] for c in columns) / len(columns), 1)
        if columns
        else 100.0,
        "validity": round(100 * sum(c["validity"] for c in columns) / len(columns), 1)
        if columns
        else 100.0,
        "duplicates": d.quality.get("duplicates", 0),
        "timeliness": round(100 * float(d.quality.get("timeliness", 1.0)), 1),
    }


@router.get("/dataset/{name}")
def dataset_page(request: Request, name: str) -> Response:
    actor = visitor(request)
    with request.app.state.db.transaction() as session:
        d = service.read(session, actor, name)
        files = service.files_of(session, d)
        chart = service.downloads_by_day(session, d.id, 30)
    columns = [c["name"] for c in d.columns]
    rows = downloads.preview(files, columns)
    base = str(request.base_url).rstrip("/")
    rid = d.resource_ids["csv"]
    examples = {
        "package_show": f"curl '{base}/api/3/action/package_show?id={d.name}'",
        "datastore_search": f"curl '{base}/api/3/action/datastore_search?resource_id={rid}&limit=5'",
        "sql": (
            f"curl -G '{base}/api/3/action/datastore_search_sql' --data-urlencode "
            f"'sql=SELECT count(*) FROM \"{rid}\"'"
        ),
        "python": (
            "import ckanapi\n"
            f"portal = ckanapi.RemoteCKAN('{base}')\n"
            f"rows = portal.action.datastore_search(resource_id='{rid}', limit=100)"
        ),
        "dcat": f"curl '{base}/dataset/{d.name}.ttl'",
    }
    days = [
        (day, sum(chart["series"][f][i] for f in chart["series"]))
        for i, day in enumerate(chart["days"])
    ]
    return portal_page(
        request,
        "public/portal/dataset.html",
        {
            "d": d,
            "columns": columns,
            "rows": rows,
            "quality": _quality(d),
            "examples": examples,
            "chart": chart,
            "chart_days": [(day, n) for day, n in days if n],
            "lang_code": request_language(request),
        },
    )


@router.get("/dataset/{name}/download.{fmt}")
async def download(request: Request, name: str, fmt: str) -> Response:
    actor = visitor(request, "download")

    def resolve() -> tuple[PublicDataset, StoredFiles]:
        with request.app.state.db.transaction() as session:
            return service.download(session, actor, name, fmt)

    d, files = await run_in_threadpool(resolve)
    got = await run_in_threadpool(downloads.encoded, d, files, fmt)
    headers = {"Content-Disposition": f'attachment; filename="{got.filename}"'}
    if isinstance(got.body, bytes):
        return Response(got.body, media_type=got.media_type, headers=headers)
    return StreamingResponse(got.body, media_type=got.media_type, headers=headers)


@router.get("/organization")
def organisations(request: Request) -> Response:
    actor = visitor(request)
    with request.app.state.db.transaction() as session:
        service.search(session, actor, rows=0, facet_fields=())  # authorizes and audits the read
        orgs = public.organisations(session)
    return portal_page(request, "public/portal/organizations.html", {"orgs": orgs})


@router.get("/organization/{name}")
def organisation(request: Request, name: str) -> Response:
    actor = visitor(request)
    with request.app.state.db.transaction() as session:
        org = public.organisation(session, name)
        found = service.search(
            session, actor, filters=[("organization", org.name)], rows=200, facet_fields=()
        )
    return portal_page(request, "public/portal/organization.html", {"org": org, "found": found})
