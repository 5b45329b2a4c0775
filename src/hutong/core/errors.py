"""Typed domain errors, each with a Chinese and an English message (DESIGN rule 4).

Services raise these; ``web/problems.py`` maps them once to RFC 9457 problem+json and
``cli/common.py`` prints them. Messages never carry personal information (DESIGN rule 6):
callers pass field names and codes, not values typed by people.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError


class HutongError(Exception):
    """Base of every error a user can cause; ``status`` is the HTTP status it maps to."""

    status = 400
    code = "bad-request"

    def __init__(self, zh: str, en: str, *, field: str | None = None, **extra: object) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en
        self.field = field
        self.extra = extra
        #: Work that must survive the rollback this error causes, such as the audit event of
        #: a denied action or a failed login; ``Database.transaction`` runs each in a new
        #: transaction after rolling back the failed one.
        self.after_rollback: list[Callable[[Any], None]] = []

    def message(self, lang: str = "zh") -> str:
        return self.en if lang.startswith("en") else self.zh


class InvalidInput(HutongError):
    status = 422
    code = "invalid-input"


class RuleBroken(ValueError):
    """A schema validator's refusal in both languages; pydantic carries it in the error's
    context, and ``invalid_input`` shows its Chinese words (never the rejected value)."""

    def __init__(self, zh: str, en: str, field: str | None = None) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en
        #: the field the rule is about, when a model-level rule concerns one field
        self.field = field


#: pydantic's error types in Chinese; ``{...}`` is filled from the error's context (the limit,
#: the choices), which never holds the rejected value.
RULES_ZH = {
    "missing": "必填",
    "extra_forbidden": "不接受此字段",
    "less_than_equal": "不能大于 {le}",
    "less_than": "须小于 {lt}",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "须大于 {gt}",
    "string_too_long": "最多 {max_length} 个字符",
    "string_too_short": "至少 {min_length} 个字符",
    "too_long": "最多 {max_length} 项",
    "too_short": "至少 {min_length} 项",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "float_parsing": "须为数字",
    "float_type": "须为数字",
    "bool_parsing": "须为“是”或“否”",
    "literal_error": "须从列表中选择",
    "enum": "须从列表中选择",
    "string_pattern_mismatch": "格式不符",
    "date_parsing": "须为日期（年-月-日）",
    "date_from_datetime_parsing": "须为日期（年-月-日）",
    "datetime_parsing": "须为日期时间（ISO 8601）",
    "datetime_from_date_parsing": "须为日期时间（ISO 8601）",
    "json_invalid": "不是有效的 JSON",
}
#: Where a request's parameters come from; not part of a field's name.
_SOURCES = ("body", "query", "path", "form", "header", "cookie")


def _rule(error: Mapping[str, Any]) -> tuple[str, str]:
    """The broken rule of one pydantic error, (Chinese, English)."""
    broken = error.get("ctx", {}).get("error")
    if isinstance(broken, RuleBroken):
        return broken.zh, broken.en
    message = str(error.get("msg", ""))
    kind = str(error.get("type", ""))
    if kind not in RULES_ZH and any("\u4e00" <= c <= "\u9fff" for c in message):
        return message, message  # a custom rule (PydanticCustomError) worded in Chinese
    template = RULES_ZH.get(kind, "格式不正确")
    try:
        zh = template.format(**error.get("ctx", {}))
    except (KeyError, IndexError):  # a context without the limit: name no limit
        zh = "格式不正确"
    return zh, message


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, itself or in a list, dict or optional."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (list, tuple, dict, set, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_of(arg)
            if found is not None:
                return found
    return None


def field_label(model: type[BaseModel] | None, loc: Sequence[str | int]) -> str | None:
    """The field at ``loc`` named by the schemas' ``Field(title=…)``, e.g. 第 2 个信息项的名称;
    None where a step has no title (the caller then names the field by its path)."""
    words: list[str] = []
    current = model
    for step in loc:
        if isinstance(step, int) or str(step).isdigit():
            if not words:
                return None
            words[-1] = f"第 {int(step) + 1} 个{words[-1]}"
            continue
        field = current.model_fields.get(str(step)) if current is not None else None
        if field is None:
            return None
        nested = _model_of(field.annotation)
        if not field.title and nested is None:
            return None
        if field.title:  # an untitled nested model only groups fields: it adds no word
            words.append(field.title)
        current = nested
    return "的".join(words) or None


def invalid_input(
    error: ValidationError | Sequence[Mapping[str, Any]], model: type[BaseModel] | None = None
) -> InvalidInput:
    """The one translation of a schema's complaint for people: its first problem, naming the
    field by its title (“协议到期日期”须为日期) and the rule it broke, never the value typed."""
    errors = error.errors() if isinstance(error, ValidationError) else list(error)
    first = errors[0] if errors else {}
    loc = [p for p in first.get("loc", ()) if p not in _SOURCES]
    broken = first.get("ctx", {}).get("error")
    if isinstance(broken, RuleBroken) and broken.field:
        loc.append(broken.field)
    field = ".".join(str(p) for p in loc) or None
    candidates = [model] if model is not None else _models_named(getattr(error, "title", ""))
    zh_rule, en_rule = _rule(first)
    label = next((found for m in candidates if (found := field_label(m, loc))), None)
    if isinstance(broken, RuleBroken):  # its words name the fields already
        zh = zh_rule
    elif label:
        zh = f"“{label}”{zh_rule}"
    elif field:
        zh = f"字段 {field} 无效：{zh_rule}"
    else:
        zh = zh_rule
    en = f"invalid field {field}: {en_rule}" if field else en_rule
    return InvalidInput(zh, en, field=field)


def _models_named(name: str) -> list[type[BaseModel]]:
    """The schemas called ``name``: a ValidationError knows only its model's name."""
    found, pending = [], list(BaseModel.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__name__ == name:
            found.append(cls)
    return found


class ImportRejected(InvalidInput):
    """A file import with errors: every problem is listed, and nothing was imported."""

    code = "import-rejected"

    def __init__(self, problems: list[dict[str, object]]) -> None:
        first = problems[0]
        super().__init__(
            f"导入失败，共 {len(problems)} 处错误，未导入任何数据。第一处：{first['message']}",
            f"import rejected with {len(problems)} errors; nothing was imported",
            field=str(first.get("column") or ""),
        )
        self.problems = problems


class NotFound(HutongError):
    status = 404
    code = "not-found"


class Conflict(HutongError):
    status = 409
    code = "conflict"


class AuthenticationFailed(HutongError):
    status = 401
    code = "authentication-failed"


class SecondFactorRequired(AuthenticationFailed):
    code = "second-factor-required"


class PasswordChangeRequired(HutongError):
    status = 403
    code = "password-change-required"


class AccountLocked(HutongError):
    status = 423
    code = "account-locked"


class PermissionDenied(HutongError):
    status = 403
    code = "permission-denied"


class TooManyRequests(HutongError):
    """A rate limit (the open portal's anonymous API and downloads); HTTP adds Retry-After."""

    status = 429
    code = "rate-limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"请求过于频繁，请 {retry_after} 秒后再试",
            f"too many requests; retry after {retry_after} s",
            retry_after=retry_after,
        )
        self.retry_after = retry_after


class SeparationOfDuties(HutongError):
    """三员分立 (N2021 task 6): one account may not hold two of the three officer roles."""

    status = 409
    code = "separation-of-duties"


class UnauditedChange(RuntimeError):
    """A programming error: a transaction changed data without writing its audit event."""
