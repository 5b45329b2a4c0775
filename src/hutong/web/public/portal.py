"""The public portal at ``/`` (M2018 §26, §34): no sign-in, Chinese by default with an English
switch, readable without JavaScript. Home, search with facets, dataset pages (metadata, item
dictionary, quality, preview, downloads, API examples, downloads chart), organisations, and
the downloads themselves (CSV, XLSX, JSON), rate limited per client address.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import tempfile
from collections.abc import Iterator
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from hutong.core.errors import HutongError, InvalidInput, PermissionDenied, TooManyRequests
from hutong.data.access import StoredFiles
from hutong.data.engine import DuckDBEngine
from hutong.data.sql import ident
from hutong.identity.authz import Actor, public_actor
from hutong.openportal import disclosure, public, service
from hutong.openportal.public import PublicDataset
from hutong.web.deps import Natural, SearchText, client_address, refused_anonymously
from hutong.web.templating import render, request_language


class PortalRoute(APIRoute):
    """Errors on public pages are pages too (problem+json stays for the APIs)."""

    def get_route_handler(self):  # type: ignore[no-untyped-def]
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except HutongError as error:
                lang = request_language(request)
                response = portal_page(
                    request,
                    "public/portal/error.html",
                    {
                        "status": error.status,
                        "detail": error.message("en" if lang == "en" else "zh"),
                    },
                    error.status,
                )
                if isinstance(error, TooManyRequests):
                    response.headers["Retry-After"] = str(error.retry_after)
                return response

        return guarded


router = APIRouter(include_in_schema=False, route_class=PortalRoute)

PORTAL_NAV = [
    ("/", "Open data"),
    ("/datasets", "Datasets"),
    ("/organization", "Organisations"),
    ("/disclosure", "Disclosure on request"),
]
PAGE_SIZE = 20
#: Search-page facets: (query parameter, facet field, heading msgid).
FACETS = [
    ("organization", "organization", "Provider"),
    ("classification", "classification", "Classification"),
    ("format", "format", "Resource format"),
    ("update_cycle", "update_cycle", "Update cycle"),
    ("tags", "tags", "Tags"),
]
XLSX_MAX_ROWS = 1_048_575
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def visitor(request: Request, bucket: str | None = None) -> Actor:
    actor = public_actor(client_address(request), request.state.request_id)
    if bucket is not None:
        settings = request.app.state.settings
        limit = {"download": settings.portal_downloads_per_minute}.get(
            bucket, settings.portal_api_per_minute
        )
        request.app.state.rate_limiter.hit(bucket, actor.client_address or "", limit)
    return actor


def portal_page(request: Request, template: str, context: dict, status: int = 200) -> Response:
    return render(request, template, {"nav": PORTAL_NAV, "portal": True, **context}, status)


def preview(files: StoredFiles, columns: list[str], rows: int = service.PREVIEW_ROWS) -> list[list]:
    sql = f"SELECT {', '.join(ident(c) for c in columns)} FROM dataset LIMIT {rows}"
    return [list(r.values()) for b in DuckDBEngine().stream(files, sql) for r in b.to_pylist()]


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
    return portal_page(request, "public/portal/home.html", {"totals": totals, "newest": found.results})


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
    page = max(page, 1)
    with request.app.state.db.transaction() as session:
        found = service.search(
            session, actor, q=q, filters=_filters(request), rows=PAGE_SIZE,
            start=(page - 1) * PAGE_SIZE, facet_limit=15,
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
    pages = max(1, -(-found.count // PAGE_SIZE))
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
            "pages": pages,
            "prev_url": _link(request, page=str(page - 1)) if page > 1 else None,
            "next_url": _link(request, page=str(page + 1)) if page < pages else None,
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
    rows = preview(files, columns)
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
    columns = [c["name"] for c in d.columns]
    filename = f"{d.name}-v{d.version}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "xlsx":
        if d.rows > XLSX_MAX_ROWS:
            raise InvalidInput(
                "数据行数超过 Excel 上限，请下载 CSV",
                "too many rows for Excel; download CSV",
                field="format",
            )
        body = await run_in_threadpool(_xlsx, files, columns, d.title)
        return Response(body, media_type=MEDIA[fmt], headers=headers)
    chunks = _csv(files, columns) if fmt == "csv" else _json(files, columns)
    return StreamingResponse(chunks, media_type=MEDIA[fmt], headers=headers)


def _select(columns: list[str]) -> str:
    return f"SELECT {', '.join(ident(c) for c in columns)} FROM dataset"


def _csv(files: StoredFiles, columns: list[str]) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    yield ("\ufeff" + out.getvalue()).encode()
    for batch in DuckDBEngine().stream(files, _select(columns)):
        out.seek(0)
        out.truncate()
        writer.writerows(
            zip(*(batch.column(i).to_pylist() for i in range(batch.num_columns)), strict=True)
        )
        yield out.getvalue().encode()


def _json(files: StoredFiles, columns: list[str]) -> Iterator[bytes]:
    yield b"["
    first = True
    for batch in DuckDBEngine().stream(files, _select(columns)):
        for row in batch.to_pylist():
            yield (b"" if first else b",\n") + json.dumps(row, ensure_ascii=False).encode()
            first = False
    yield b"]\n"


def _xlsx(files: StoredFiles, columns: list[str], title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31] or "data")
    sheet.append(columns)
    for batch in DuckDBEngine().stream(files, _select(columns)):
        for row in zip(
            *(batch.column(i).to_pylist() for i in range(batch.num_columns)), strict=True
        ):
            sheet.append(list(row))
    with tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024) as handle:
        workbook.save(handle)
        handle.seek(0)
        return handle.read()


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


# --- 依申请公开: the public form and the status page ---------------------------------------

PORTAL_CSRF_COOKIE = "hutong_portal_csrf"


def _csrf(request: Request) -> str:
    return request.cookies.get(PORTAL_CSRF_COOKIE) or secrets.token_urlsafe(24)


def _with_csrf(request: Request, response: Response, token: str) -> Response:
    response.set_cookie(
        PORTAL_CSRF_COOKIE, token, httponly=True, samesite="strict",
        secure=request.app.state.settings.secure_cookies,
    )  # fmt: skip
    return response


def _check_csrf(request: Request, token: str) -> None:
    cookie = request.cookies.get(PORTAL_CSRF_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, token):
        refused_anonymously(request, "csrf")
        raise PermissionDenied(
            "表单已过期，请刷新后重试", "form expired; reload and retry", field="csrf_token"
        )


def _form_page(request: Request, values: dict, error: HutongError | None = None) -> Response:
    token = _csrf(request)
    lang = request_language(request)
    context = {
        "csrf_token_portal": token,
        "values": values,
        "id_types": [(k, v[0]) for k, v in disclosure.ID_TYPES.items()],
        "formats": list(disclosure.FORMATS.items()),
        "error": error.message("en" if lang == "en" else "zh") if error else None,
        "error_field": error.field if error else None,
    }
    status = error.status if error else 200
    return _with_csrf(
        request, portal_page(request, "public/disclosure/form.html", context, status), token
    )


@router.get("/disclosure")
def disclosure_form(request: Request) -> Response:
    return _form_page(request, {"preferred_format": "electronic", "id_type": "citizen_id"})


@router.post("/disclosure")
def disclosure_submit(
    request: Request,
    csrf_token: Annotated[str, Form()],
    name: Annotated[str, Form()] = "",
    id_type: Annotated[str, Form()] = "",
    id_number: Annotated[str, Form()] = "",
    contact: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    purpose: Annotated[str, Form()] = "",
    preferred_format: Annotated[str, Form()] = "electronic",
) -> Response:
    _check_csrf(request, csrf_token)
    actor = visitor(request, "api")
    application = disclosure.Application(
        name, id_type, id_number, contact, description, purpose, preferred_format
    )
    try:
        with request.app.state.db.transaction() as session:
            filed = disclosure.submit(session, actor, application)
            number, due = filed.tracking_no, filed.due_date
    except InvalidInput as error:
        # Re-show what was typed, except the ID number: it is never echoed back.
        kept = {k: v for k, v in application.__dict__.items() if k != "id_number"}
        return _form_page(request, kept, error)
    return portal_page(request, "public/disclosure/done.html", {"number": number, "due": due})


@router.get("/disclosure/status")
def disclosure_status(request: Request, no: str = "") -> Response:
    token = _csrf(request)
    found = None
    if no:
        actor = visitor(request, "api")
        with request.app.state.db.transaction() as session:
            found = disclosure.status(session, actor, no)
    context = {
        "no": no,
        "found": found,
        "state_names": disclosure.STATE_ZH,
        "decisions": disclosure.DECISIONS,
        "csrf_token_portal": token,
    }
    return _with_csrf(
        request, portal_page(request, "public/disclosure/status.html", context), token
    )


@router.post("/disclosure/status")
def disclosure_correct(
    request: Request,
    csrf_token: Annotated[str, Form()],
    no: Annotated[str, Form()],
    supplement: Annotated[str, Form()] = "",
) -> Response:
    _check_csrf(request, csrf_token)
    actor = visitor(request, "api")
    with request.app.state.db.transaction() as session:
        disclosure.answer_correction(session, actor, no, supplement)
    return RedirectResponse("/disclosure/status?" + urlencode({"no": no}), status_code=303)
