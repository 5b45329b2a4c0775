"""Errors as RFC 9457 problem+json with Chinese and English messages (DESIGN rule 4)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from hutong.core.errors import HutongError, TooManyRequests
from hutong.web.templating import render

log = logging.getLogger("hutong.web")
PROBLEM = "application/problem+json"


def language(request: Request) -> str:
    header = request.headers.get("accept-language", "")
    return "en" if header.lower().startswith("en") else "zh"


def _plain(value: object) -> bool:
    """Scalars, and lists of scalars or of flat dicts (e.g. the items an error is about)."""
    if isinstance(value, list):
        return all(
            _plain(v) or (isinstance(v, dict) and all(_plain(x) for x in v.values())) for v in value
        )
    return isinstance(value, str | int | float | bool)


def problem(
    request: Request,
    status: int,
    code: str,
    zh: str,
    en: str,
    field: str | None = None,
    **extra: object,
) -> Response:
    lang = language(request)
    body: dict[str, object] = {
        "type": f"/problems/{code}",
        "title": code,
        "status": status,
        "detail": en if lang == "en" else zh,
        "detail_zh": zh,
        "detail_en": en,
        "instance": request.url.path,
    }
    if field:
        body["field"] = field
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    body.update({k: v for k, v in extra.items() if _plain(v)})
    if _wants_page(request):
        title = {404: ("页面不存在", "Page not found"), 403: ("无权访问", "Access denied")}.get(
            status, ("请求未能完成", "The request could not be completed")
        )
        return render(
            request,
            "error.html",
            {"status": status, "title": title[lang == "en"], "detail": body["detail"]},
            status,
        )
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _wants_page(request: Request) -> bool:
    """A person's browser asking for a page (not the API, not htmx, not a client)."""
    return (
        not request.url.path.startswith(("/api/", "/healthz", "/metrics"))
        and "text/html" in request.headers.get("accept", "")
        and "hx-request" not in request.headers
    )


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
    "bool_parsing": "须为 true 或 false",
    "literal_error": "须为以下之一：{expected}",
    "enum": "须为以下之一：{expected}",
    "string_pattern_mismatch": "格式不符",
    "date_parsing": "须为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "须为日期（YYYY-MM-DD）",
    "datetime_parsing": "须为日期时间（ISO 8601）",
    "datetime_from_date_parsing": "须为日期时间（ISO 8601）",
    "json_invalid": "不是有效的 JSON",
}


def rule_zh(error: dict[str, Any]) -> str:
    """The broken rule of one pydantic error, in Chinese."""
    template = RULES_ZH.get(str(error.get("type", "")), "格式不正确")
    try:
        return template.format(**error.get("ctx", {}))
    except (KeyError, IndexError):  # a context without the limit: name no limit
        return "格式不正确"


def install(app: FastAPI) -> None:
    @app.exception_handler(HutongError)
    async def _domain(request: Request, error: HutongError) -> Response:
        if error.after_rollback:  # a refusal raised outside a transaction: audit it now
            await run_in_threadpool(request.app.state.db.follow_up, error)
        response = problem(
            request, error.status, error.code, error.zh, error.en, error.field, **error.extra
        )
        if isinstance(error, TooManyRequests):
            response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> Response:
        first = error.errors()[0] if error.errors() else {}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "form")]
        field = ".".join(loc) or None
        # The message names the rule, never the rejected value (it may be personal data).
        return problem(
            request,
            422,
            "invalid-input",
            f"字段 {field} 无效：{rule_zh(first)}",
            f"invalid field {field}: {first.get('msg', '')}",
            field,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        zh = {404: "未找到", 405: "不支持的请求方法"}.get(error.status_code, "请求错误")
        return problem(
            request, error.status_code, f"http-{error.status_code}", zh, str(error.detail)
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return problem(request, 500, "internal-error", "服务器内部错误", "internal server error")
