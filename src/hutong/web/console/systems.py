"""Console pages of the registry of information systems (N2021 tasks 2, 9, 15; M2018 §5, §6,
§37): list, detail with security audits, and the register / edit forms whose refusals come
back in Chinese with everything the steward typed."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from hutong.catalog.vocab import SystemKind
from hutong.compliance import registry
from hutong.compliance.schemas import ProfileIn, SecurityAuditIn, SystemIn
from hutong.core.db import Database, RowId
from hutong.core.errors import HutongError
from hutong.identity.authz import Target, is_allowed
from hutong.identity.roles import Action
from hutong.web.console.base import checked_form, console_router, page, staff
from hutong.web.deps import ConsoleIdentity, database
from hutong.web.flash import error_from, with_error

router = console_router()
BASE = "/console/systems"
CHECKBOXES = (
    "emergency_plan_covers_data",
    "offsite_backup",
    "stores_abroad",
    "encrypts_at_rest",
    "encrypts_in_transit",
)
#: Chinese names of the fields, for messages (descriptions of the schema where it has one)
LABELS_ZH = {
    "name": "系统名称",
    "kind": "类型",
    "owner_unit_code": "主管单位代码",
    "operator_unit_code": "运营单位代码",
    "third_party_agreement_date": "协议签订日期",
    "third_party_agreement_expires": "协议到期日期",
    "confidentiality_review_date": "保密审查日期",
    "encrypts_at_rest": "存储加密",
    "encrypts_in_transit": "传输加密",
    "audited_on": "审计日期",
    "auditor": "审计机构",
    "conclusion": "审计结论",
    "report_ref": "审计报告编号",
    **{k: f.description for k, f in ProfileIn.model_fields.items() if f.description},
}
REASONS_ZH = {
    "missing": "必填",
    "string_too_short": "不能为空或过短",
    "string_too_long": "过长",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "int_parsing": "须为整数",
    "int_from_float": "须为整数",
    "date_from_datetime_parsing": "须为日期（年-月-日）",
    "date_parsing": "须为日期（年-月-日）",
    "enum": "取值无效",
    "literal_error": "取值无效",
}


def first_error_zh(error: ValidationError) -> tuple[str, str]:
    """(field, Chinese message) of a schema's first complaint, e.g. “网络安全等级保护级别”不能大于 5."""
    first = error.errors()[0]
    loc = [str(p) for p in first["loc"] if str(p) != "profile"]
    if first["type"] == "value_error" and "third_party_agreement_expires" in first["msg"]:
        return "third_party_agreement_expires", "“协议到期日期”不能早于“协议签订日期”"
    field = loc[-1] if loc else ""
    reason = REASONS_ZH.get(first["type"], "无效").format(**first.get("ctx", {}))
    return field, f"“{LABELS_ZH.get(field, field)}”{reason}"


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
    error: tuple[str, str] | None = None,
    status: int = 200,
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
            "error_field": error[0] if error else None,
            "error": error[1] if error else None,
        },
        status,
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
    try:
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
    except ValidationError as error:
        failed, status = first_error_zh(error), 422
    except HutongError as error:
        failed, status = (error.field or "", error.zh), error.status
    else:
        return RedirectResponse(f"{BASE}/{system_id}", status_code=303)
    title = "Register an information system"
    return _form(request, identity, values, f"{BASE}/new", title, True, failed, status)


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
    error = error_from(request)
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
            "messages": [("error", error)] if error else [],
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
    try:
        data = ProfileIn.model_validate(_profile(values))
        with db.transaction() as session:
            registry.update_profile(session, identity.actor, system_id, data)
    except ValidationError as error:
        failed, status = first_error_zh(error), 422
    except HutongError as error:
        failed, status = (error.field or "", error.zh), error.status
    else:
        return RedirectResponse(f"{BASE}/{system_id}", status_code=303)
    action, title = f"{BASE}/{system_id}/edit", "Edit the registry record"
    return _form(request, identity, values, action, title, False, failed, status)


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
    values = {k: str(v).strip() for k, v in form.items() if k != "csrf_token"}
    try:
        data = SecurityAuditIn.model_validate(values)
        with db.transaction() as session:
            registry.add_audit(session, identity.actor, system_id, data)
    except ValidationError as error:
        message = first_error_zh(error)[1]
    except HutongError as error:
        message = error.zh
    else:
        return RedirectResponse(url, status_code=303)
    return RedirectResponse(with_error(db.settings, url, message, "#audits"), status_code=303)
