"""The catalog entry form shared by /console/catalog/new and …/edit: parsing, re-rendering with
the input kept and the first error next to its field, and saving."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from hutong.catalog import service
from hutong.catalog.choices import form_choices
from hutong.catalog.schemas import FIELD_LABELS, ResourceIn
from hutong.catalog.vocab import (
    ItemType,
    Mask,
    PiCategory,
)
from hutong.core.db import Database
from hutong.core.errors import HutongError
from hutong.web.console.base import checked_form, done, fails_again, page
from hutong.web.console.catalog.common import (
    BOOL_FIELDS,
    CHOICES,
    ITEM_ROWS,
    entry_url,
)
from hutong.web.deps import ConsoleIdentity


def form_context(
    session,
    identity: ConsoleIdentity,
    values: dict[str, Any],
    error: str | None,
    error_field: str | None,
) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    offered = form_choices(session)
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
        "classes": offered.classifications,
        "systems": offered.systems,
        "field_labels": FIELD_LABELS,
    }


def parse_form(form) -> dict[str, Any]:  # type: ignore[no-untyped-def]
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


async def save(
    request: Request, identity: ConsoleIdentity, db: Database, code: str | None
) -> Response:
    form = await checked_form(request, identity)
    values = parse_form(form)
    action = entry_url(code, "/edit") if code else "/console/catalog/new"
    title = "修改信息资源" if code else "新建信息资源"

    def again(error: HutongError) -> Response:
        """Refused: the form comes back with everything the user typed and the reason."""
        with db.transaction() as session:
            context = form_context(session, identity, values, error.zh, error.field)
        return page(
            request,
            identity,
            "console/catalog/form.html",
            {**context, "action": action, "title": title},
        )

    fails_again(request, again)
    data = ResourceIn.model_validate(values)
    with db.transaction() as session:
        saved = (
            service.update(session, identity.actor, code, data)
            if code
            else service.create(session, identity.actor, data)
        )
        target = saved.code
    return done(request, entry_url(target), "修改已保存" if code else "信息资源已登记")
