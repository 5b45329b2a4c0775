"""What the personal-information pages share (N2021 tasks 4, 6, 8–11 and 14): the section's tabs,
the Chinese message of a form's first problem (naming the field, never echoing its value), the
unit's own information systems, and the redirects after a form.

A subject's ID number typed into a form is pseudonymized by the service and never echoed back,
put in a URL or logged. Bad input shows the Chinese message and saves nothing."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from hutong.catalog.models import InformationSystem
from hutong.catalog.vocab import SENSITIVE_PI, PiCategory
from hutong.core.db import Database
from hutong.core.errors import HutongError
from hutong.identity.roles import Action
from hutong.privacy import notices
from hutong.web.console.base import page, shown
from hutong.web.deps import ConsoleIdentity
from hutong.web.flash import error_from, with_error

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


def split_lines(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[\n,，、;；]", text) if p.strip()]


def own_systems(db: Database, identity: ConsoleIdentity) -> list[InformationSystem]:
    """The information systems of the signed-in person's unit (notices and consents are its own)."""
    with db.sessions() as session:
        return notices.own_systems(session, identity.actor)


def section(
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


def go_back(db: Database, url: str, error: HutongError | str) -> RedirectResponse:
    message = error if isinstance(error, str) else error.zh
    return RedirectResponse(with_error(db.settings, url, message), status_code=303)


def done_redirect(url: str, what: str) -> RedirectResponse:
    return RedirectResponse(f"{url}{'&' if '?' in url else '?'}done={what}", status_code=303)
