"""Console pages of the registry of information systems (N2021 tasks 2, 9, 15; M2018 §5, §6,
§37): list, detail with security audits, and the register / edit forms whose refusals come
back in Chinese with everything the steward typed."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response

from hutong.catalog.vocab import SystemKind
from hutong.compliance import registry
from hutong.compliance.schemas import ProfileIn, SecurityAuditIn, SystemIn
from hutong.core.db import Database, RowId
from hutong.core.errors import HutongError
from hutong.identity.authz import Target, is_allowed
from hutong.identity.roles import Action
from hutong.web.console.base import (
    checked_form,
    console_router,
    done,
    fails_again,
    fails_back_to,
    page,
    staff,
)
from hutong.web.deps import ConsoleIdentity, database

router = console_router()
BASE = "/console/systems"
CHECKBOXES = (
    "emergency_plan_covers_data",
    "offsite_backup",
    "stores_abroad",
    "encrypts_at_rest",
    "encrypts_in_transit",
)


def _values(form) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    values: dict[str, Any] = {
        k: str(v).strip() for k, v in form.items() if k != "csrf_token" and k not in CHECKBOXES
    }
    for name in (*CHECKBOXES, "proposed"):
        values[name] = name in form
    return values


def _profile(values: dict[str, Any]) -> dict[str, Any]:
    """Form strings to the schema's input: blanks are absent, so defaults apply."""
    fields = set(ProfileIn.model_fields)
    return {k: v for k, v in values.items() if k in fields and v not in ("", None)}


def _form(
    request: Request,
    identity: ConsoleIdentity,
    values: dict[str, Any],
    action: str,
    title: str,
    new: bool,
    error: HutongError | None = None,
) -> Response:
    return page(
        request,
        identity,
        "console/systems/form.html",
        {
            "values": values,
            "action": action,
            "title": title,
            "new": new,
            "kinds": [(k.value, k.zh) for k in SystemKind],
            "error_field": (error.field or "").rsplit(".", 1)[-1] if error else None,
            "error": error.zh if error else None,
        },
    )


@router.get(BASE)
def systems_page(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    with db.transaction() as session:
        rows = registry.list_systems(session, identity.actor)
    own = Target("system", None, identity.actor.unit_id)
    return page(
        request,
        identity,
        "console/systems/list.html",
        {
            "rows": rows,
            "kinds": {k.value: k.zh for k in SystemKind},
            "can_register": is_allowed(identity.actor, Action.SYSTEM_REGISTER, own),
        },
    )


@router.get(f"{BASE}/new")
def new_form(request: Request, identity: ConsoleIdentity = Depends(staff)) -> Response:
    unit = identity.user.unit.code
    values = {"kind": "admin_system", "owner_unit_code": unit, "operator_unit_code": unit}
    return _form(request, identity, values, f"{BASE}/new", "Register an information system", True)


@router.post(f"{BASE}/new")
async def register(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    form = await checked_form(request, identity)
    values = _values(form)
    title = "Register an information system"
    fails_again(request, lambda e: _form(request, identity, values, f"{BASE}/new", title, True, e))
    data = SystemIn.model_validate(
        {
            **{k: values.get(k, "") for k in ("name", "kind", "owner_unit_code")},
            "operator_unit_code": values.get("operator_unit_code", ""),
            "proposed": values["proposed"],
            "profile": _profile(values),
        }
    )
    with db.transaction() as session:
        system_id = registry.register(session, identity.actor, data).id
    return done(request, f"{BASE}/{system_id}", "信息系统已登记")


@router.get(f"{BASE}/{{system_id}}")
def system_page(
    request: Request,
    system_id: RowId,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        data = registry.read(session, identity.actor, system_id)
        target = registry.target(registry.by_id(session, system_id))
    return page(
        request,
        identity,
        "console/systems/detail.html",
        {
            "s": data,
            "p": data.profile,
            "kinds": {k.value: k.zh for k in SystemKind},
            "can_edit": is_allowed(identity.actor, Action.SYSTEM_REGISTER, target),
            "can_assess": is_allowed(identity.actor, Action.ASSESSMENT_EDIT, target),
            "can_read_findings": is_allowed(identity.actor, Action.COMPLIANCE_READ, target),
        },
    )


@router.get(f"{BASE}/{{system_id}}/edit")
def edit_form(
    request: Request,
    system_id: RowId,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    with db.transaction() as session:
        data = registry.read(session, identity.actor, system_id)
    values = {
        "name": data.name,
        **(data.profile.model_dump(mode="json") if data.profile else {}),
    }
    return _form(request, identity, values, f"{BASE}/{system_id}/edit", "Edit the registry record", False)  # fmt: skip


@router.post(f"{BASE}/{{system_id}}/edit")
async def edit(
    request: Request,
    system_id: RowId,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    form = await checked_form(request, identity)
    values = _values(form)
    action, title = f"{BASE}/{system_id}/edit", "Edit the registry record"
    fails_again(request, lambda e: _form(request, identity, values, action, title, False, e))
    data = ProfileIn.model_validate(_profile(values))
    with db.transaction() as session:
        registry.update_profile(session, identity.actor, system_id, data)
    return done(request, f"{BASE}/{system_id}", "登记信息已保存")


@router.post(f"{BASE}/{{system_id}}/audits")
async def add_audit(
    request: Request,
    system_id: RowId,
    identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:
    """Record a yearly security audit (N2021 task 9) from the detail page."""
    form = await checked_form(request, identity)
    url = f"{BASE}/{system_id}"
    fails_back_to(request, url)
    values = {k: str(v).strip() for k, v in form.items() if k != "csrf_token"}
    data = SecurityAuditIn.model_validate(values)
    with db.transaction() as session:
        registry.add_audit(session, identity.actor, system_id, data)
    return done(request, url, "安全审计已记录", "#audits")
