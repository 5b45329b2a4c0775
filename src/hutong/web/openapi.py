"""What /api/v1/openapi.json declares beyond each route's own answer: the problem+json
(RFC 9457) client errors every API operation may give, and the media types of downloads.

Routers pass ``responses=ERRORS`` (or ``PUBLIC_ERRORS``) so that a client, and the
schemathesis test, can rely on every status code and body the API sends being declared."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, ConfigDict, Field

from hutong.web.problems import PROBLEM
from hutong.web.routing import ResourceCodeConvertor


class Problem(BaseModel):
    """The body of every error answer (web/problems.py builds it)."""

    model_config = ConfigDict(extra="allow", title="Problem")

    type: str = Field(description="/problems/<code>")
    title: str = Field(description="the problem code, e.g. not-found")
    status: int
    detail: str = Field(description="the message in the caller's language")
    detail_zh: str
    detail_en: str
    instance: str = Field(description="the request path")
    field: str | None = Field(None, description="the offending field, when there is one")
    request_id: str | None = None


_CLIENT_ERRORS = {
    400: "请求无法处理 / bad request",
    401: "需要登录（Bearer 令牌） / authentication required",
    403: "无权执行此操作 / not permitted",
    404: "对象不存在或不可见 / not found",
    405: "路径不是此操作的地址（如资源代码不是“前段码/后段码”） / method not allowed at this path",
    409: "与当前状态冲突 / conflicts with the current state",
    422: "输入无效，field 指出字段 / invalid input, field names it",
    423: "账户已锁定 / account locked",
    429: "请求过于频繁，见 Retry-After / rate limited, see Retry-After",
}


def problem_answers(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Declare ``statuses`` as problem+json answers."""
    schema = {"$ref": f"#/components/schemas/{Problem.__name__}"}
    return {
        status: {"description": _CLIENT_ERRORS[status], "content": {PROBLEM: {"schema": schema}}}
        for status in statuses
    }


#: Errors of the staff API (signed in with a bearer token or the console cookie).
ERRORS = problem_answers(400, 401, 403, 404, 409, 422, 429)
#: Errors of operations open to the public: no sign-in, rate limited per address.
PUBLIC_ERRORS = problem_answers(400, 404, 409, 422, 429)


def downloads(*media_types: str, description: str = "the file") -> dict[int | str, Any]:
    """Declare a 200 answer that is a file in one of ``media_types`` (route it with
    ``response_class=Response`` so that no JSON body is declared beside them)."""
    return {200: {"description": description, "content": {m: {} for m in media_types}}}


def _code_parameters(app: FastAPI) -> dict[str, set[str]]:
    """Per documented path, the names of its parameters matched by the ``code`` convertor."""
    found: dict[str, set[str]] = {}
    for route in iter_route_contexts(app.routes):
        names = set(re.findall(r"{(\w+):code}", route.path))
        if names:
            found[re.sub(r"{(\w+):\w+}", r"{\1}", route.path)] = names
    return found


def install(app: FastAPI) -> None:
    """Add the Problem schema, which the declarations reference, to the generated document,
    and the shape of resource codes (two segments), which the ``code`` convertor enforces."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        document = generate()
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas.setdefault(
            Problem.__name__, Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        )
        codes = _code_parameters(app)
        for path, operations in document.get("paths", {}).items():
            for operation in operations.values():
                for parameter in operation.get("parameters", ()):
                    if parameter["in"] == "path" and parameter["name"] in codes.get(path, ()):
                        parameter["schema"]["pattern"] = f"^{ResourceCodeConvertor.regex}$"
                        # A malformed code can make the path another route's (GET
                        # /resources/a/grade is entry a/grade), which answers 405 to this method.
                        operation["responses"].update(problem_answers(405))
        return document

    app.openapi = openapi  # type: ignore[method-assign]
