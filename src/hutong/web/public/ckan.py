"""CKAN Action API v3, read side, at ``/api/3/action/{name}`` and ``/api/action/{name}``.

GET with query parameters or POST with a JSON body; CKAN's envelope ``{"help", "success",
"result"}``; errors in CKAN's shape and status codes, so ``ckanapi`` and harvesters work
unchanged. Callers are the anonymous public (audited with their address) and are rate
limited per address.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from hutong.core.errors import HutongError, NotFound, PermissionDenied, TooManyRequests
from hutong.identity.authz import public_actor
from hutong.openportal.ckan import ACTIONS, Call, Deferred
from hutong.openportal.datastore import SearchQueryError
from hutong.web.deps import client_address
from hutong.web.openapi import problem_answers


class CkanError(BaseModel):
    """CKAN's error envelope: ``success`` false and the error's ``__type`` and message."""

    help: str
    success: bool
    error: dict[str, Any]


#: The statuses ERROR_TYPES and the unknown-action answer use, in CKAN's envelope.
CKAN_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": CkanError, "description": name}
    for status, name in (
        (400, "Bad Request"),
        (403, "Authorization Error"),
        (404, "Not Found Error"),
        (409, "Validation Error / Search Query Error"),
        (429, "Rate Limit Error"),
    )
}
router = APIRouter(tags=["ckan"], responses=CKAN_ERRORS | problem_answers(422))

#: Hutong error → (CKAN ``__type``, HTTP status), first match wins (CKAN's own codes).
ERROR_TYPES: list[tuple[type[HutongError], str, int]] = [
    (TooManyRequests, "Rate Limit Error", 429),
    (NotFound, "Not Found Error", 404),
    (SearchQueryError, "Search Query Error", 409),
    (PermissionDenied, "Authorization Error", 403),
]


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def envelope(request: Request, name: str, body: dict[str, Any], status: int = 200) -> JSONResponse:
    help_url = f"{base_url(request)}/api/3/action/help_show?name={name}"
    return JSONResponse({"help": help_url, **body}, status_code=status)


def error_body(error: HutongError, lang: str = "zh") -> tuple[dict[str, Any], int]:
    fallback = ("Authorization Error", 403) if error.status == 403 else ("Validation Error", 409)
    ckan_type, status = next(
        ((name, code) for kind, name, code in ERROR_TYPES if isinstance(error, kind)), fallback
    )
    message = error.message(lang)
    body: dict[str, Any] = {"__type": ckan_type, "message": message}
    if ckan_type == "Validation Error" and error.field:
        body[error.field] = [message]
    return body, status


async def _params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key in request.query_params:
        values = request.query_params.getlist(key)
        params[key] = values if len(values) > 1 else values[0]
    if request.method == "POST":
        raw = await request.body()
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError:
                form = await request.form()
                body = {k: v for k, v in form.items() if isinstance(v, str)}
            if not isinstance(body, dict):
                raise ValueError("body")
            params.update(body)
    return params


def _call(request: Request, name: str, params: dict[str, Any]) -> Any:
    """Authorize, audit and resolve in one transaction; read rows after it."""
    app = request.app
    actor = public_actor(client_address(request), request.state.request_id)
    app.state.rate_limiter.hit(
        "api", actor.client_address or "", app.state.settings.portal_api_per_minute
    )
    with app.state.db.transaction() as session:
        result = ACTIONS[name](Call(session, actor, params, base_url(request)))
    return result.run() if isinstance(result, Deferred) else result


async def action(name: str, request: Request) -> JSONResponse:
    if name not in ACTIONS:
        error = {
            "__type": "Bad Request",
            "message": f"Bad request - Action name not known: {name[:64]}",
        }
        return envelope(request, name, {"success": False, "error": error}, 400)
    try:
        params = await _params(request)
    except ValueError:
        error = {"__type": "Bad Request", "message": "Bad request - JSON Error: invalid body"}
        return envelope(request, name, {"success": False, "error": error}, 400)
    try:
        result = await run_in_threadpool(_call, request, name, params)
    except HutongError as failure:
        lang = "en" if request.headers.get("accept-language", "").startswith("en") else "zh"
        body, status = error_body(failure, lang)
        response = envelope(request, name, {"success": False, "error": body}, status)
        if isinstance(failure, TooManyRequests):
            response.headers["Retry-After"] = str(failure.retry_after)
        return response
    return envelope(request, name, {"success": True, "result": result})


for version, prefix in (("v3", "/api/3/action/{name}"), ("unversioned", "/api/action/{name}")):
    for method in ("GET", "POST"):
        router.add_api_route(
            prefix,
            action,
            methods=[method],
            operation_id=f"ckan_{version}_{method.lower()}",
            summary="CKAN Action API v3 (read side): " + ", ".join(ACTIONS),
            response_class=JSONResponse,
        )
