"""Errors as RFC 9457 problem+json with Chinese and English messages (DESIGN rule 4)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from hutong.core.errors import HutongError, TooManyRequests, invalid_input
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
        framed = getattr(request.app.state, "error_page", None)
        if framed is not None and (answer := framed(request, status, str(body["detail"]))):
            return answer
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
        # The message names the field and the rule, never the rejected value (it may be
        # personal data).
        failed = invalid_input(error.errors())
        return problem(request, 422, failed.code, failed.zh, failed.en, failed.field)

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
