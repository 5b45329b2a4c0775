"""Console pages of personal-information protection (N2021 tasks 4, 6, 8–11 and 14): collection
notices per system, consents (search, CSV import, the bulk check), leadership decisions on
sensitive items, the automated-decision register with its fairness check, statistical
release, research extracts and complaints.

Thin like the other console routers: read the form, call the privacy services (the same the
API calls), render. A subject's ID number typed into a form is pseudonymized by the service
and never echoed back, put in a URL or logged. Bad input shows the Chinese message and
saves nothing (each change is one transaction)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any
from urllib.parse import urlencode

import duckdb
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from hutong.catalog.models import InformationSystem
from hutong.catalog.vocab import SENSITIVE_PI, PiCategory
from hutong.core.db import Database, RowId
from hutong.core.errors import HutongError, ImportRejected, InvalidInput
from hutong.identity.roles import Action
from hutong.privacy import complaints, consent, decisions, extracts, ledger, notices, sensitive
from hutong.privacy import statistics as stats
from hutong.privacy.schemas import (
    COMPLAINT_CATEGORY_ZH,
    AnswerIn,
    AutomatedDecisionIn,
    ExtractDecisionIn,
    ExtractIn,
    FairnessIn,
    NoticeIn,
    ReleaseIn,
    SensitiveDecisionIn,
)
from hutong.web.console.base import checked_form, page, shown, staff
from hutong.web.deps import ConsoleIdentity, Natural, database
from hutong.web.flash import error_from, with_error

router = APIRouter(include_in_schema=False)
BASE = "/console/privacy"
#: (href, label msgid, action that shows the tab)
TABS: list[tuple[str, str, Action]] = [
    (BASE, "Collection notices", Action.PRIVACY_NOTICE_PUBLISH),
    (f"{BASE}/consents", "Consents", Action.CONSENT_READ),
    (f"{BASE}/sensitive", "Sensitive items", Action.SENSITIVE_DECIDE),
    (f"{BASE}/automated", "Automated decisions", Action.AUTOMATED_DECISION_EDIT),
    (f"{BASE}/statistics", "Statistical release", Action.PRIVACY_RELEASE),
    (f"{BASE}/extracts", "Research extracts", Action.EXTRACT_REQUEST),
    (f"{BASE}/complaints", "PI complaints", Action.COMPLAINT_HANDLE),
]
FIELD_ZH = {
    "title": "标题",
    "purposes": "用途",
    "method": "收集方式",
    "items": "信息项",
    "categories": "个人信息种类",
    "retention": "保存期限",
    "recipients": "提供对象",
    "contact": "联系方式",
    "purpose": "用途",
    "subject_ids": "证件号清单",
    "resource_code": "信息资源",
    "item_name": "信息项",
    "necessity": "必要性论证",
    "scientific": "科学性论证",
    "ethics": "伦理性论证",
    "meeting": "会议名称",
    "meeting_date": "会议日期",
    "attendees": "出席人员",
    "outcome": "决策结果",
    "name": "名称",
    "logic": "决策逻辑",
    "pi_items": "使用的个人信息",
    "attribute": "分组属性",
    "groups": "各组结果",
    "threshold": "阈值",
    "by": "分组信息项",
    "epsilon": "隐私预算 ε",
    "quasi": "准标识符",
    "k": "k 值",
    "answer": "答复",
    "note": "意见",
}
PI_CATEGORIES = [(c.value, c.zh) for c in PiCategory]
SENSITIVE_CODES = [(c.value, c.zh) for c in SENSITIVE_PI]


def zh_error(error: ValidationError) -> str:
    """The first problem of a form, in Chinese, naming the field and never its value."""
    first = error.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else ""
    label = FIELD_ZH.get(field, field or "表单")
    reason = {
        "missing": "必填",
        "string_too_short": "过短或为空",
        "too_short": "不能为空",
        "string_too_long": "过长",
        "string_pattern_mismatch": "格式不正确",
        "greater_than_equal": "过小",
        "less_than_equal": "过大",
        "greater_than": "必须大于 0",
        "date_from_datetime_parsing": "日期格式不正确",
        "date_parsing": "日期格式不正确",
        "int_parsing": "须为整数",
        "float_parsing": "须为数字",
        "literal_error": "取值无效",
        "enum": "取值无效",
    }.get(first["type"])
    if reason is None:  # a model rule: its own words, translated where we know them
        reason = {
            "the privacy budget epsilon must be positive": "隐私预算 ε 必须为正数",
            "purpose codes repeat": "用途代码重复",
            "at least two groups are needed": "至少需要两组",
        }.get(str(first.get("ctx", {}).get("error", "")), "无效")
    return f"“{label}”{reason}"


def tabs(identity: ConsoleIdentity, current: str) -> list[tuple[str, str, bool]]:
    return [
        (href, label, href == current) for href, label, action in TABS if shown(identity, action)
    ]


def _lines(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[\n,，、;；]", text) if p.strip()]


def _systems(db: Database, identity: ConsoleIdentity) -> list[InformationSystem]:
    """The information systems of the signed-in person's unit (notices and consents are its own)."""
    with db.sessions() as session:
        rows = session.scalars(
            select(InformationSystem)
            .where(InformationSystem.owner_unit_id == identity.actor.unit_id)
            .order_by(InformationSystem.id)
        )
        return [s for s in rows]


def _render(
    request: Request,
    identity: ConsoleIdentity,
    template: str,
    current: str,
    context: dict[str, Any],
    status: int = 200,
) -> Response:
    context.setdefault("error", error_from(request))
    context.setdefault("done", request.query_params.get("done", ""))
    return page(
        request,
        identity,
        f"console/privacy/{template}",
        {"tabs": tabs(identity, current), **context},
        status,
    )


def _back(db: Database, url: str, error: HutongError | str) -> RedirectResponse:
    message = error if isinstance(error, str) else error.zh
    return RedirectResponse(with_error(db.settings, url, message), status_code=303)


def _done(url: str, what: str) -> RedirectResponse:
    return RedirectResponse(f"{url}{'&' if '?' in url else '?'}done={what}", status_code=303)


# --- collection notices ----------------------------------------------------------------------
@router.get(BASE)
def notices_page(
    request: Request, system: Natural = 0, identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:  # fmt: skip
    systems = _systems(db, identity)
    chosen = next((s for s in systems if s.id == system), systems[0] if systems else None)
    versions, renewals, latest = [], 0, None
    if chosen is not None:
        with db.sessions() as session:
            versions = [notices.out(n) for n in notices.history(session, chosen.id)]
            renewals = consent.renewal_needed(session, chosen.id)
        latest = versions[0] if versions else None
    return _render(
        request,
        identity,
        "notices.html",
        BASE,
        {
            "systems": [(s.id, s.name) for s in systems],
            "chosen": chosen.id if chosen else None,
            "versions": versions,
            "latest": latest,
            "renewals": renewals,
            "categories": PI_CATEGORIES,
            "category_zh": dict(PI_CATEGORIES),
        },
    )


@router.post(f"{BASE}/notices")
async def notice_publish(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    form = await checked_form(request, identity)
    system_id = str(form.get("system_id", "0"))
    back = f"{BASE}?" + urlencode({"system": system_id})
    purposes = []
    for line in str(form.get("purposes", "")).splitlines():
        code, _, name = line.strip().partition(" ")
        if code:
            purposes.append({"code": code.strip(), "name": name.strip()})
    try:
        data = NoticeIn.model_validate(
            {
                "system_id": int(system_id) if system_id.isdigit() else 0,
                "title": str(form.get("title", "")).strip(),
                "purposes": purposes,
                "method": str(form.get("method", "")).strip(),
                "items": _lines(str(form.get("items", ""))),
                "categories": [str(c) for c in form.getlist("categories")],
                "retention": str(form.get("retention", "")).strip(),
                "recipients": str(form.get("recipients", "")).strip(),
                "legal_basis": str(form.get("legal_basis", "consent")),
                "contact": str(form.get("contact", "")).strip(),
            }
        )
        with db.transaction() as session:
            notice = notices.publish(session, identity.actor, data)
            version = notice.version
    except ValidationError as error:
        return _back(db, back, zh_error(error))
    except HutongError as error:
        return _back(db, back, error)
    return _done(back, f"v{version}")


# --- consents ----------------------------------------------------------------------------------
def _consents_context(db: Database, identity: ConsoleIdentity, system: int) -> dict[str, Any]:
    systems = _systems(db, identity)
    chosen = next((s for s in systems if s.id == system), systems[0] if systems else None)
    latest = None
    if chosen is not None:
        with db.sessions() as session:
            found = notices.latest(session, chosen.id)
            latest = notices.out(found) if found else None
    return {
        "systems": [(s.id, s.name) for s in systems],
        "chosen": chosen.id if chosen else None,
        "latest": latest,
        "sensitive_codes": SENSITIVE_CODES,
        "found": None,
        "problems": [],
        "imported": None,
        "check": None,
        "can_record": shown(identity, Action.CONSENT_RECORD),
    }


def _consents(
    request: Request, identity: ConsoleIdentity, db: Database, system: int, status: int = 200,
    **extra: Any,
) -> Response:  # fmt: skip
    context = {**_consents_context(db, identity, system), **extra}
    return _render(request, identity, "consents.html", f"{BASE}/consents", context, status)


@router.get(f"{BASE}/consents")
def consents_page(
    request: Request, system: Natural = 0, identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:  # fmt: skip
    return _consents(request, identity, db, system)


def _system_of(form: Any) -> int:
    value = str(form.get("system_id", "0"))
    return int(value) if value.isdigit() else 0


@router.post(f"{BASE}/consents/search")
async def consents_search(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    """Search by ID number: POSTed, so the ID stays out of URLs, and never shown again."""
    form = await checked_form(request, identity)
    system_id = _system_of(form)
    try:
        with db.transaction() as session:
            found = consent.search(
                session, identity.actor, system_id, str(form.get("subject_id", ""))
            )
    except HutongError as error:
        return _consents(request, identity, db, system_id, 422, error=error.zh)
    return _consents(request, identity, db, system_id, found=found)


@router.post(f"{BASE}/consents/import")
async def consents_import(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    form = await checked_form(request, identity)
    system_id = _system_of(form)
    version = str(form.get("notice_version", ""))
    upload = form.get("file")
    content = await upload.read() if hasattr(upload, "read") else b""
    try:
        if not content:
            raise InvalidInput("请选择要导入的 CSV 文件", "choose a CSV file", field="file")
        if not version.isdigit():
            raise InvalidInput(
                "请选择收集使用规则版本", "choose a notice version", field="notice_version"
            )
        with db.transaction() as session:
            count, receipts = consent.import_file(
                session, identity.actor, system_id, int(version), content
            )
    except ImportRejected as error:
        return _consents(
            request, identity, db, system_id, 422, error=error.zh, problems=error.problems
        )
    except HutongError as error:
        return _consents(request, identity, db, system_id, 422, error=error.zh)
    return _consents(
        request, identity, db, system_id, imported={"count": count, "receipts": receipts}
    )


def _ids(content: bytes) -> list[str]:
    """One ID a line, or the first column of a CSV (a header line without digits is skipped)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("文件须为 UTF-8 编码", "the file must be UTF-8", field="file") from None
    ids = [row[0].strip() for row in csv.reader(io.StringIO(text)) if row and row[0].strip()]
    if ids and not any(ch.isdigit() for ch in ids[0]):
        ids = ids[1:]
    if not ids:
        raise InvalidInput("清单中没有证件号", "the list holds no IDs", field="file")
    if len(ids) > 1_000_000:
        raise InvalidInput("清单过长（最多 100 万行）", "at most 1,000,000 IDs", field="file")
    return ids


@router.post(f"{BASE}/consents/check")
async def consents_check(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    """The bulk question over an uploaded ID list: counts only, never the IDs."""
    form = await checked_form(request, identity)
    system_id = _system_of(form)
    purpose = str(form.get("purpose", "")).strip()
    categories = [str(c) for c in form.getlist("sensitive_categories")]
    upload = form.get("file")
    try:
        ids = _ids(await upload.read() if hasattr(upload, "read") else b"")
        if not purpose:
            raise InvalidInput("请选择用途", "choose a purpose", field="purpose")
        with db.transaction() as session:
            consents = ledger.open_check(session, identity.actor, system_id, purpose, categories)
        connection = duckdb.connect()
        try:
            flags = ledger.flags(connection, ids, consents)
        finally:
            connection.close()
    except HutongError as error:
        return _consents(request, identity, db, system_id, 422, error=error.zh)
    allowed = sum(flags)
    check = {
        "purpose": purpose,
        "categories": categories,
        "subjects": len(flags),
        "distinct": len(set(ids)),
        "allowed": allowed,
        "refused": len(flags) - allowed,
    }
    return _consents(request, identity, db, system_id, check=check)


# --- sensitive items --------------------------------------------------------------------------
@router.get(f"{BASE}/sensitive")
def sensitive_page(
    request: Request, resource: str = "", identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:  # fmt: skip
    rows: list[Any] = []
    error = error_from(request)
    if resource:
        try:
            with db.transaction() as session:
                rows = [
                    sensitive.out(r)
                    for r in sensitive.for_resource(session, identity.actor, resource)
                ]
        except HutongError as problem:
            error = problem.zh
    return _render(
        request,
        identity,
        "sensitive.html",
        f"{BASE}/sensitive",
        {"resource": resource, "decisions": rows, "error": error, "today": date.today()},
    )


@router.post(f"{BASE}/sensitive")
async def sensitive_decide(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    form = await checked_form(request, identity)
    code = str(form.get("resource_code", "")).strip()
    back = f"{BASE}/sensitive?" + urlencode({"resource": code})
    try:
        data = SensitiveDecisionIn.model_validate(
            {
                "resource_code": code,
                **{
                    k: str(form.get(k, "")).strip()
                    for k in ("item_name", "necessity", "scientific", "ethics", "meeting")
                },
                "meeting_date": str(form.get("meeting_date", "")) or None,
                "attendees": _lines(str(form.get("attendees", ""))),
                "outcome": str(form.get("outcome", "")),
            }
        )
        with db.transaction() as session:
            sensitive.decide(session, identity.actor, data)
    except ValidationError as error:
        return _back(db, back, zh_error(error))
    except HutongError as error:
        return _back(db, back, error)
    return _done(back, "decision")


# --- automated decisions ----------------------------------------------------------------------
@router.get(f"{BASE}/automated")
def automated_page(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    with db.transaction() as session:
        rows = [decisions.out(r) for r in decisions.list_all(session, identity.actor)]
    return _render(
        request,
        identity,
        "automated.html",
        f"{BASE}/automated",
        {"rows": rows, "unit_code": identity.actor.unit_code or ""},
    )


@router.post(f"{BASE}/automated")
async def automated_register(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    form = await checked_form(request, identity)
    back = f"{BASE}/automated"
    try:
        data = AutomatedDecisionIn.model_validate(
            {
                "unit_code": identity.actor.unit_code or "",
                **{
                    k: str(form.get(k, "")).strip()
                    for k in ("name", "purpose", "logic", "effects", "human_review")
                },
                "pi_items": _lines(str(form.get("pi_items", ""))),
            }
        )
        with db.transaction() as session:
            decisions.register(session, identity.actor, data)
    except ValidationError as error:
        return _back(db, back, zh_error(error))
    except HutongError as error:
        return _back(db, back, error)
    return _done(back, "registered")


def parse_groups(text: str) -> dict[str, tuple[int, int]]:
    """Lines ``组 有利结果数 总数`` (e.g. ``男 420 500``) → {组: (有利, 总数)}."""
    groups: dict[str, tuple[int, int]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
            raise InvalidInput(
                f"第 {number} 行应为“组 有利结果数 总数”", "bad group line", field="groups"
            )
        groups[parts[0]] = (int(parts[1]), int(parts[2]))
    return groups


@router.post(f"{BASE}/automated/{{decision_id}}/fairness")
async def automated_fairness(
    request: Request, decision_id: RowId, identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:  # fmt: skip
    form = await checked_form(request, identity)
    back = f"{BASE}/automated"
    try:
        data = FairnessIn.model_validate(
            {
                "attribute": str(form.get("attribute", "")).strip(),
                "groups": parse_groups(str(form.get("groups", ""))),
                "threshold": str(form.get("threshold", "0.8")) or "0.8",
            }
        )
        with db.transaction() as session:
            decisions.check_fairness(session, identity.actor, decision_id, data)
    except ValidationError as error:
        return _back(db, back, zh_error(error))
    except HutongError as error:
        return _back(db, back, error)
    return _done(back, "fairness")


# --- statistical release ----------------------------------------------------------------------
@router.get(f"{BASE}/statistics")
def statistics_page(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    return _render(
        request, identity, "statistics.html", f"{BASE}/statistics", {"table": None, "form": {}}
    )


@router.post(f"{BASE}/statistics")
async def statistics_run(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    form = await checked_form(request, identity)
    values = {
        k: str(form.get(k, "")).strip() for k in ("resource_code", "by", "threshold", "epsilon")
    }
    try:
        data = ReleaseIn.model_validate(
            {
                "resource_code": values["resource_code"],
                "by": _lines(values["by"]),
                "threshold": values["threshold"] or 5,
                "epsilon": values["epsilon"] or None,
            }
        )
        table = stats.release_table(db, identity.actor, data).as_dict()
    except ValidationError as error:
        message, table = zh_error(error), None
    except HutongError as error:
        message, table = error.zh, None
    else:
        message = None
    return _render(
        request,
        identity,
        "statistics.html",
        f"{BASE}/statistics",
        {"table": table, "form": values, "error": message},
        200 if table else 422,
    )


# --- research extracts ------------------------------------------------------------------------
@router.get(f"{BASE}/extracts")
def extracts_page(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    actor = identity.actor
    with db.transaction() as session:
        rows = [
            {
                **extracts.out(r).model_dump(),
                "can_decide": r.state == "requested" and extracts.may_decide(session, actor, r),
                "can_download": r.state == "produced" and extracts.may_download(session, actor, r),
            }
            for r in extracts.listing(session, actor)
        ]
    return _render(
        request,
        identity,
        "extracts.html",
        f"{BASE}/extracts",
        {"rows": rows, "unit_code": actor.unit_code or ""},
    )


@router.post(f"{BASE}/extracts")
async def extract_request(
    request: Request, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> Response:
    form = await checked_form(request, identity)
    back = f"{BASE}/extracts"
    try:
        data = ExtractIn.model_validate(
            {
                "resource_code": str(form.get("resource_code", "")).strip(),
                "requester_unit_code": identity.actor.unit_code or "",
                "purpose": str(form.get("purpose", "")).strip(),
                "items": _lines(str(form.get("items", ""))),
                "quasi": _lines(str(form.get("quasi", ""))),
                "k": str(form.get("k", "5")) or "5",
            }
        )
        with db.transaction() as session:
            number = extracts.request(session, identity.actor, data).number
    except ValidationError as error:
        return _back(db, back, zh_error(error))
    except HutongError as error:
        return _back(db, back, error)
    return _done(back, number)


@router.post(f"{BASE}/extracts/{{number}}/decision")
async def extract_decide(
    request: Request, number: str, identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:  # fmt: skip
    form = await checked_form(request, identity)
    back = f"{BASE}/extracts"
    body = ExtractDecisionIn(
        approve=form.get("approve") == "1", note=str(form.get("note", "")).strip()[:2000]
    )
    try:
        with db.transaction() as session:
            extracts.decide(session, identity.actor, number, body)
        if body.approve:
            extracts.produce(db, identity.actor, number)
    except HutongError as error:
        return _back(db, back, error)
    return _done(back, number)


@router.get(f"{BASE}/extracts/{{number}}/file")
def extract_download(
    number: str, identity: ConsoleIdentity = Depends(staff), db: Database = Depends(database)
) -> FileResponse:
    with db.transaction() as session:
        path = extracts.download(session, identity.actor, number)
    return FileResponse(
        path, media_type="application/vnd.apache.parquet", filename=f"{number}.parquet"
    )


# --- complaints ---------------------------------------------------------------------------------
@router.get(f"{BASE}/complaints")
def complaints_page(
    request: Request, state: str = "", identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:  # fmt: skip
    with db.transaction() as session:
        rows = complaints.list_all(session, identity.actor, state or None)
    return _render(
        request,
        identity,
        "complaints.html",
        f"{BASE}/complaints",
        {"rows": rows, "state": state, "category_zh": COMPLAINT_CATEGORY_ZH},
    )


@router.get(f"{BASE}/complaints/{{number}}")
def complaint_page(
    request: Request, number: str, identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:  # fmt: skip
    with db.transaction() as session:
        found = complaints.read(session, identity.actor, number)
    return _render(
        request,
        identity,
        "complaint.html",
        f"{BASE}/complaints",
        {"c": found, "category_zh": COMPLAINT_CATEGORY_ZH},
    )


@router.post(f"{BASE}/complaints/{{number}}/answer")
async def complaint_answer(
    request: Request, number: str, identity: ConsoleIdentity = Depends(staff),
    db: Database = Depends(database),
) -> Response:  # fmt: skip
    form = await checked_form(request, identity)
    back = f"{BASE}/complaints/{number}"
    try:
        data = AnswerIn(answer=str(form.get("answer", "")).strip())
        with db.transaction() as session:
            complaints.answer(session, identity.actor, number, data)
    except ValidationError as error:
        return _back(db, back, zh_error(error))
    except HutongError as error:
        return _back(db, back, error)
    return _done(back, "answered")
