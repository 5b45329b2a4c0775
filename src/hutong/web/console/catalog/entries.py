"""Console pages of the catalog: search with facets, entry, form, review queue, diff, trees."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from hutong.catalog import aggregate, overlaps, revisions, search, service, tasks, workflow
from hutong.catalog.models import Classification, InformationSystem
from hutong.catalog.schemas import GradeIn, ResourceIn
from hutong.catalog.versions import FIELD_LABELS, ITEM_LABELS, in_chinese
from hutong.catalog.vocab import (
    DataKind,
    Grade,
    ItemType,
    Mask,
    OpenType,
    PiCategory,
    ResourceAttribute,
    ResourceFormat,
    RevisionStatus,
    ShareType,
    Status,
    UpdateCycle,
)
from hutong.core.db import Database
from hutong.core.errors import HutongError
from hutong.data import mapping
from hutong.data import service as data_service
from hutong.data.ingest import format_of, ingest_file
from hutong.data.mapping import read_header
from hutong.exchange import feedback as exchange_feedback
from hutong.identity.authz import is_allowed
from hutong.identity.roles import Action, Role
from hutong.web.console.base import check_csrf, checked_form, page, staff
from hutong.web.deps import ConsoleIdentity, database
from hutong.web.flash import error_from, with_error
from hutong.web.uploads import Pending, discard, keep, pending

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
CHOICES = {
    "attribute": ResourceAttribute,
    "format": ResourceFormat,
    "share_type": ShareType,
    "open_type": OpenType,
    "update_cycle": UpdateCycle,
    "data_kind": DataKind,
    "grade": Grade,
}
FACET_TITLES = {  # msgids, translated in the template
    "unit": "Provider unit",
    "classification": "Classification",
    "share_type": "Sharing",
    "open_type": "Disclosure",
    "grade": "Grade",
    "format": "Format",
    "update_cycle": "Update cycle",
    "has_pi": "Personal information",
    "status": "Status",
}
VIEWS = [
    ("published", "Published catalog"),
    ("mine", "All of my unit"),
    ("review", "Awaiting review"),
]
BOOL_FIELDS = ("has_pi", "has_child_pi", "deidentified", "secret")
ITEM_ROWS = 8


def entry_url(code: str, suffix: str = "") -> str:
    return f"/console/catalog/r/{quote(code)}{suffix}"


def _labels() -> dict[str, dict[str, str]]:
    return {
        name: {m.value: m.zh for m in enum}
        for name, enum in {
            **CHOICES,
            "status": Status,
            "revision_status": RevisionStatus,
            "pi_category": PiCategory,
            "default_mask": Mask,
        }.items()
    }


@router.get("/console/catalog")
def catalog_page(
    request: Request,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    params = request.query_params
    q = params.get("q", "").strip()
    view = params.get("view", "published")
    statuses = {
        "published": (Status.PUBLISHED.value,),
        "mine": tuple(s.value for s in Status),
        "review": (Status.SUBMITTED.value,),
    }.get(view, (Status.PUBLISHED.value,))
    filters = {k: params[k] for k in search.FACETS if params.get(k) and k != "status"}
    offset = max(int(params.get("offset", "0") or 0), 0)
    with db.transaction() as session:
        if view == "mine":
            filters["unit"] = str(identity.actor.unit_id)
        result = search.search(
            session, identity.actor, search.Query(q, filters, statuses, offset, PAGE_SIZE)
        )
        rows = [
            {
                "code": r.code,
                "url": entry_url(r.code),
                "name": r.name,
                "unit": r.provider_unit.name,
                "share_type": r.share_type,
                "open_type": r.open_type,
                "grade": r.grade,
                "status": r.status,
                "updated": r.updated_at.strftime("%Y-%m-%d"),
            }
            for r in result.resources
        ]
        queue = [
            {
                "url": entry_url(r.code, "#revision"),
                "name": r.name,
                "unit": r.provider_unit.name,
                "revision": rev,
            }
            for r, rev in (revisions.queue(session, identity.actor) if view == "review" else [])
        ]
    base = {k: v for k, v in params.items() if k != "offset"}

    def link(**changes: str | None) -> str:
        merged = {**base, **changes}
        return "/console/catalog?" + urlencode({k: v for k, v in merged.items() if v})

    facets = [
        {
            "name": name,
            "title": FACET_TITLES[name],
            "active": params.get(name),
            "clear": link(**{name: None}),
            "values": [
                {
                    "label": label,
                    "count": n,
                    "url": link(**{name: value}),
                    "selected": params.get(name) == value,
                }
                for value, label, n in values
            ],
        }
        for name, values in result.facets.items()
        if name != "status" and values
    ]
    return page(
        request,
        identity,
        "console/catalog/list.html",
        {
            "q": q,
            "view": view,
            "rows": rows,
            "total": result.total,
            "facets": facets,
            "labels": _labels(),
            "prev_url": link(offset=str(offset - PAGE_SIZE)) if offset else None,
            "next_url": link(offset=str(offset + PAGE_SIZE))
            if offset + PAGE_SIZE < result.total
            else None,
            "views": VIEWS,
            "queue": queue,
            "can_create": is_allowed(identity.actor, Action.CATALOG_EDIT, _own(identity)),
            "can_review": Role.CATALOG_REVIEWER in identity.actor.roles,
            "view_link": lambda v: link(view=v, unit=None),
        },
    )


def _own(identity: ConsoleIdentity):  # type: ignore[no-untyped-def]
    from hutong.identity.authz import Target

    return Target("resource", None, identity.actor.unit_id)


def _form_context(
    session,
    identity: ConsoleIdentity,
    values: dict[str, Any],
    error: str | None,
    error_field: str | None,
) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    classes = session.execute(
        select(Classification.code, Classification.name, Classification.level).order_by(
            Classification.code
        )
    ).all()
    systems = session.execute(
        select(InformationSystem.id, InformationSystem.name).order_by(InformationSystem.name)
    ).all()
    items = list(values.get("items") or [])
    items += [{}] * max(ITEM_ROWS - len(items), 2)
    return {
        "values": values,
        "items": items,
        "error": error,
        "error_field": error_field,
        "choices": {k: [(m.value, m.zh) for m in enum] for k, enum in CHOICES.items()},
        "pi_choices": [(m.value, m.zh) for m in PiCategory],
        "type_choices": [(m.value, m.zh) for m in ItemType],
        "mask_choices": [(m.value, m.zh) for m in Mask],
        "classes": classes,
        "systems": systems,
        "field_labels": FIELD_LABELS,
    }


def _parse_form(form) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    values: dict[str, Any] = {
        k: str(v).strip()
        for k, v in form.items()
        if not k.startswith("item_") and k != "csrf_token"
    }
    for name in BOOL_FIELDS:
        values[name] = name in form
    values["sensitive_categories"] = form.getlist("sensitive_categories")
    values["related_codes"] = [
        c.strip()
        for c in values.get("related_codes", "").replace("，", ",").split(",")
        if c.strip()
    ]
    for name in ("general_level", "approx_persons", "retention_days", "source_system_id"):
        values[name] = values.get(name) or None
    values["release_date"] = values.get("release_date") or None
    rows = len(form.getlist("item_name"))
    columns = {  # padded: a row may lack a cell (a form from before a column was added)
        f: form.getlist(f"item_{f}") + [""] * rows
        for f in (
            "name",
            "data_type",
            "length",
            "precision",
            "min_value",
            "max_value",
            "element_ref",
            "description",
            "pi_category",
            "default_mask",
        )
    }

    values["items"] = [
        {
            "name": name.strip(),
            "data_type": columns["data_type"][i].strip() or "字符型",
            "length": columns["length"][i] or None,
            "precision": columns["precision"][i].strip() or None,
            "min_value": columns["min_value"][i].strip() or None,
            "max_value": columns["max_value"][i].strip() or None,
            "element_ref": columns["element_ref"][i],
            "description": columns["description"][i],
            "pi_category": columns["pi_category"][i] or "none",
            "default_mask": columns["default_mask"][i] or "none",
        }
        for i, name in enumerate(columns["name"][:rows])
        if name.strip()
    ]
    return values


REASONS = {
    "missing": "必填",
    "string_too_short": "不能为空或过短",
    "enum": "须从列表中选择",
    "int_parsing": "应为整数",
    "greater_than_equal": "超出允许范围",
    "less_than_equal": "超出允许范围",
}


def _first_error(error: ValidationError) -> tuple[str, str]:
    first = error.errors()[0]
    loc = first["loc"]
    field = ".".join(str(p) for p in loc)
    label = FIELD_LABELS.get(
        str(loc[0]), {"items": "信息项", "summary": "摘要"}.get(str(loc[0]), field)
    )
    if loc[0] == "items" and len(loc) == 3:  # items.<n>.<field>: name the row and the column
        label = f"第 {int(loc[1]) + 1} 个信息项的{ITEM_LABELS.get(str(loc[2]), loc[2])}"
    reason = REASONS.get(first["type"], first["msg"])
    return field, f"“{label}”{reason}"


@router.get("/console/catalog/new")
def new_form(
    request: Request,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    defaults = {
        "provider_unit_code": identity.user.unit.code,
        "attribute": "department",
        "format": "table",
        "share_type": "conditional",
        "open_type": "not_open",
        "update_cycle": "annual",
        "data_kind": "administrative",
        "grade": "general",
    }
    with db.transaction() as session:
        return page(
            request,
            identity,
            "console/catalog/form.html",
            {
                **_form_context(session, identity, defaults, None, None),
                "action": "/console/catalog/new",
                "title": "新建信息资源",
            },
        )


async def _save(
    request: Request, identity: ConsoleIdentity, db: Database, code: str | None
) -> Response:
    form = await checked_form(request, identity)
    values = _parse_form(form)
    action = entry_url(code, "/edit") if code else "/console/catalog/new"
    title = "修改信息资源" if code else "新建信息资源"
    try:
        data = ResourceIn.model_validate(values)
        with db.transaction() as session:
            saved = (
                service.update(session, identity.actor, code, data)
                if code
                else service.create(session, identity.actor, data)
            )
            target = saved.code
    except ValidationError as error:
        field, message = _first_error(error)
        status = 422
    except HutongError as error:
        field, message, status = error.field, error.zh, error.status
    else:
        return RedirectResponse(entry_url(target), status_code=303)
    # Refused: the form comes back with everything the user typed and the reason.
    with db.transaction() as session:
        context = _form_context(session, identity, values, message, field)
        return page(
            request,
            identity,
            "console/catalog/form.html",
            {**context, "action": action, "title": title},
            status,
        )


@router.post("/console/catalog/new")
async def create_entry(
    request: Request,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    return await _save(request, identity, db, None)


@router.get("/console/catalog/review")
def review_queue(request: Request) -> Response:
    return RedirectResponse("/console/catalog?view=review", status_code=303)


OVERLAP_PAGE = 200


@router.get("/console/catalog/overlaps")
def overlaps_page(
    request: Request,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """一数一源 for the catalog reviewer: overlapping items, one row per entry and source."""
    missing = bool(request.query_params.get("missing"))
    offset = max(int(request.query_params.get("offset", "0") or 0), 0)
    with db.transaction() as session:
        total, rows = overlaps.listing(session, identity.actor, missing, offset, OVERLAP_PAGE)
    groups = [
        {**first.model_dump(), "items": items, "url": entry_url(first.code)}
        for first, items in overlaps.grouped(rows)
    ]

    def link(at: int) -> str:
        return "/console/catalog/overlaps?" + urlencode(
            {k: v for k, v in {"missing": "1" if missing else "", "offset": at}.items() if v}
        )

    return page(
        request,
        identity,
        "console/catalog/overlaps.html",
        {
            "groups": groups,
            "total": total,
            "missing": missing,
            "labels": _labels(),
            "prev_url": link(max(offset - OVERLAP_PAGE, 0)) if offset else None,
            "next_url": link(offset + OVERLAP_PAGE) if offset + OVERLAP_PAGE < total else None,
        },
    )


@router.get("/console/catalog/tree")
def tree_page(
    request: Request,
    by: str = "unit",
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    by = "classification" if by == "classification" else "unit"
    with db.transaction() as session:
        roots = aggregate.tree(session, identity.actor, by)
    top = sorted(
        (n for r in roots for n in ([r] if not r.children else r.children)), key=lambda n: -n.total
    )[:15]
    return page(
        request,
        identity,
        "console/catalog/tree.html",
        {
            "by": by,
            "roots": roots,
            "total": sum(r.total for r in roots),
            "chart": {"names": [n.name for n in top][::-1], "counts": [n.total for n in top][::-1]},
        },
    )


@router.get("/console/catalog/r/{code:code}/diff")
def diff_page(
    request: Request,
    code: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    old, new = int(request.query_params.get("from", 1)), int(request.query_params.get("to", 1))
    with db.transaction() as session:
        changes = [in_chinese(c) for c in service.compare(session, identity.actor, code, old, new)]
        history = service.history(session, identity.actor, code)
    return page(
        request,
        identity,
        "console/catalog/diff.html",
        {
            "code": code,
            "old": old,
            "new": new,
            "changes": changes,
            "history": history,
            "entry_url": entry_url(code),
        },
    )


@router.get("/console/catalog/r/{code:code}/edit")
def edit_form(
    request: Request,
    code: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        values = service.out(service.read(session, identity.actor, code)).model_dump(mode="json")
        return page(
            request,
            identity,
            "console/catalog/form.html",
            {
                **_form_context(session, identity, values, None, None),
                "action": entry_url(code, "/edit"),
                "title": "修改信息资源",
            },
        )


@router.post("/console/catalog/r/{code:code}/edit")
async def edit_entry(
    request: Request,
    code: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    return await _save(request, identity, db, code)


@router.post("/console/catalog/r/{code:code}/step")
async def step(
    request: Request,
    code: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    form = await checked_form(request, identity)
    try:
        with db.transaction() as session:
            if form.get("transition") == "change":
                tasks.record_change(session, identity.actor, code, str(form.get("reason", "")))
            else:
                workflow.transition(
                    session,
                    identity.actor,
                    code,
                    str(form.get("transition", "")),
                    str(form.get("reason", "")),
                )
    except HutongError as error:
        return RedirectResponse(with_error(db.settings, entry_url(code), error.zh), status_code=303)
    return RedirectResponse(entry_url(code), status_code=303)


@router.post("/console/catalog/r/{code:code}/revisions/{number}")
async def decide_revision(
    request: Request,
    code: str,
    number: int,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """The catalog reviewer approves or returns (with a reason) the entry's revision."""
    form = await checked_form(request, identity)
    try:
        with db.transaction() as session:
            workflow.decide_revision(
                session,
                identity.actor,
                code,
                number,
                str(form.get("transition", "")),
                str(form.get("reason", "")),
            )
    except HutongError as error:
        target = with_error(db.settings, entry_url(code), error.zh, "#revision")
        return RedirectResponse(target, status_code=303)
    return RedirectResponse(entry_url(code, "#revision"), status_code=303)


@router.post("/console/catalog/r/{code:code}/grade")
async def change_grade(
    request: Request,
    code: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """The security administrator's change of a published entry's grade."""
    form = await checked_form(request, identity)
    try:
        change = GradeIn.model_validate(
            {
                "grade": form.get("grade"),
                "general_level": form.get("general_level") or None,
                "reason": str(form.get("reason", "")).strip(),
            }
        )
        with db.transaction() as session:
            service.change_grade(session, identity.actor, code, change)
    except ValidationError as error:
        target = with_error(db.settings, entry_url(code), _first_error(error)[1], "#grade")
        return RedirectResponse(target, status_code=303)
    except HutongError as error:
        target = with_error(db.settings, entry_url(code), error.zh, "#grade")
        return RedirectResponse(target, status_code=303)
    return RedirectResponse(entry_url(code, "#revision"), status_code=303)


def _go(request: Request, target: str) -> Response:
    """A redirect that htmx follows as a page load (its upload posts are not page loads)."""
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


@router.post("/console/catalog/r/{code:code}/datasets")
def upload_dataset(
    request: Request,
    code: str,
    file: Annotated[UploadFile, File()],
    csrf_token: Annotated[str, Form()],
    on_invalid: Annotated[str, Form()] = "reject",
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """Step 1 of an upload from the entry page (htmx shows its progress): keep the file and
    go on to its column mapping; errors come back in Chinese on the entry page."""
    check_csrf(identity, csrf_token)
    kept = keep(file, db.settings.data_dir, code, identity.actor.id, on_invalid)
    try:
        read_header(kept.path, format_of(kept.filename))
        target = entry_url(code, f"/datasets/map/{kept.token}")
    except HutongError as error:
        discard(kept)
        target = with_error(db.settings, entry_url(code), error.zh, "#datasets")
    return _go(request, target)


def _mapping_page(
    request: Request,
    identity: ConsoleIdentity,
    db: Database,
    kept: Pending,
    chosen: dict[str, str] | None,
    on_invalid: str,
    error: str | None = None,
    status: int = 200,
) -> Response:
    header = read_header(kept.path, format_of(kept.filename))
    with db.transaction() as session:
        resource = service.read(session, identity.actor, kept.code)
        proposed = mapping.proposal(session, identity.actor, resource, header)
        items = [i.name for i in resource.items]
        name = resource.name
    chosen = chosen if chosen is not None else proposed
    return page(
        request,
        identity,
        "console/catalog/mapping.html",
        {
            "name": name,
            "entry_url": entry_url(kept.code),
            "action": entry_url(kept.code, f"/datasets/map/{kept.token}"),
            "filename": kept.filename,
            "columns": [(n, column, chosen.get(column, "")) for n, column in enumerate(header)],
            "items": items,
            "missing": [i for i in items if i not in chosen.values()],
            "on_invalid": on_invalid,
            "messages": [("error", error)] if error else [],
        },
        status,
    )


@router.get("/console/catalog/r/{code:code}/datasets/map/{token}")
def mapping_form(
    request: Request,
    code: str,
    token: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """Step 2: the file's header, a select per column prefilled with the proposed item."""
    try:
        kept = pending(db.settings.data_dir, token, code, identity.actor.id)
        return _mapping_page(request, identity, db, kept, None, kept.on_invalid)
    except HutongError as error:
        return _go(request, with_error(db.settings, entry_url(code), error.zh, "#datasets"))


@router.post("/console/catalog/r/{code:code}/datasets/map/{token}")
async def ingest_mapped(
    request: Request,
    code: str,
    token: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """Step 3: ingest with the chosen mapping; the entry remembers it for the next upload."""
    form = await checked_form(request, identity)
    try:
        kept = pending(db.settings.data_dir, token, code, identity.actor.id)
    except HutongError as error:
        return _go(request, with_error(db.settings, entry_url(code), error.zh, "#datasets"))
    header = read_header(kept.path, format_of(kept.filename))
    chosen = {column: str(form.get(f"map_{n}", "")) for n, column in enumerate(header)}
    on_invalid = str(form.get("on_invalid", kept.on_invalid))
    try:
        ingest_file(
            db,
            identity.actor,
            code,
            kept.path,
            mapping.checked(chosen),
            on_invalid,
            fmt=kept.filename,
        )
    except HutongError as error:
        return _mapping_page(
            request, identity, db, kept, chosen, on_invalid, error.zh, error.status
        )
    with db.transaction() as session:
        mapping.remember(session, identity.actor, service.by_code(session, code), chosen)
    discard(kept)
    return _go(request, entry_url(code) + "#datasets")


@router.get("/console/catalog/r/{code:code}")
def entry_page(
    request: Request,
    code: str,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        resource = service.read(session, identity.actor, code)
        data = service.out(resource)
        history = service.history(session, identity.actor, code)
        target = service.target(resource)
        steps = [
            (name, workflow.TRANSITIONS[name])
            for name in workflow.available(resource)
            if is_allowed(identity.actor, workflow.TRANSITIONS[name].action, target)
        ]
        can_edit = Status(resource.status) in service.EDITABLE and is_allowed(
            identity.actor, Action.CATALOG_EDIT, target
        )
        datasets = data_service.versions(session, identity.actor, code)
        repeated = overlaps.of_entries(session, [resource]).get(resource.code, [])
        can_ingest = is_allowed(identity.actor, Action.DATA_INGEST, target)
        corrections = exchange_feedback.corrections(session, identity.actor, code)
        open_corrections = exchange_feedback.open_count(session, resource.id)
        can_apply = (
            resource.share_type != ShareType.NOT_SHARED.value
            and Status(resource.status) is Status.PUBLISHED
            and resource.provider_unit_id != identity.actor.unit_id
            and is_allowed(identity.actor, Action.SHARE_APPLY)
        )
        can_report = is_allowed(identity.actor, Action.FEEDBACK_FILE)
        can_answer = is_allowed(identity.actor, Action.FEEDBACK_ANSWER, target)
        open_tasks = [
            t
            for t, c in tasks.open_tasks(session, identity.actor, resource.provider_unit_id)
            if c == code
        ]
        entry_revisions = (
            revisions.of_entry(session, identity.actor, code)
            if revisions.may_see(identity.actor, resource)
            else []
        )
        can_decide = is_allowed(identity.actor, Action.CATALOG_REVIEW, target)
        can_grade = Status(resource.status) is Status.PUBLISHED and is_allowed(
            identity.actor, Action.GRADE_MANAGE, target
        )
    error = error_from(request)
    messages = [("error", error)] if error else []
    return page(
        request,
        identity,
        "console/catalog/entry.html",
        {
            "r": data,
            "labels": _labels(),
            "history": history,
            "steps": steps,
            "can_edit": can_edit,
            "edit_url": entry_url(code, "/edit"),
            "step_url": entry_url(code, "/step"),
            "diff_url": entry_url(code, "/diff"),
            "tasks": open_tasks,
            "overlaps": repeated,
            "messages": messages,
            "overdue": tasks.overdue,
            "datasets": datasets,
            "ingest_summary": data_service.summary(datasets[0]) if datasets else None,
            "open_corrections": open_corrections,
            "can_ingest": can_ingest,
            "can_apply": can_apply,
            "apply_url": f"/console/exchange/apply/{quote(code)}",
            "corrections": corrections,
            "can_report": can_report,
            "can_answer": can_answer,
            "corrections_url": entry_url(code, "/corrections"),
            "pending": next((r for r in entry_revisions if r.status == "pending"), None),
            "revisions": entry_revisions,
            "revision_steps": workflow.REVISION_TRANSITIONS if can_decide else {},
            "revision_url": entry_url(code, "/revisions"),
            "can_grade": can_grade,
            "grade_url": entry_url(code, "/grade"),
            "grades": [(m.value, m.zh) for m in Grade],
            "in_chinese": in_chinese,
            "upload_url": entry_url(code, "/datasets"),
            "quality_chart": {
                "versions": [f"v{d.version}" for d in reversed(datasets)],
                "scores": [d.quality_score for d in reversed(datasets)],
            },
        },
    )
