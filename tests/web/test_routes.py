"""Every (method, path) is served by exactly one route, and every route can be reached: domains
are built apart and merged, so a second module claiming an existing path, or an earlier route
whose pattern swallows a later one's paths (``/resources/{code:path}`` before
``/resources/{code:path}/grade`` once did), would silently never be reached."""

from __future__ import annotations

import re
from collections import Counter

from fastapi import APIRouter, FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import compile_path

from hutong.core.settings import Settings
from hutong.web.app import create_app

#: A value each path convertor accepts, to make a sample path of a route.
SAMPLES = {"code": "a/000001", "int": "1", "path": "a/b", "str": "sample", "float": "1.5"}


def _sample(path: str) -> str:
    return re.sub(r"{\w+(?::(\w+))?}", lambda m: SAMPLES[m.group(1) or "str"], path)


def shadowed(app: FastAPI) -> list[tuple[str, str, str]]:
    """(method, path, earlier path) for each route whose sample path an earlier route with the
    same method matches first (routes are tried in order; the first match wins)."""
    routes = [
        (route.path, compile_path(route.path)[0], route.methods or set())
        for route in iter_route_contexts(app.routes)
        if route.path
    ]
    found = []
    for at, (path, _, methods) in enumerate(routes):
        sample = _sample(path)
        for method in methods:
            first = next(
                p for p, regex, ms in routes[: at + 1] if method in ms and regex.match(sample)
            )
            if first != path:
                found.append((method, path, first))
    return found


def test_no_two_routes_claim_the_same_method_and_path(tmp_path):
    app = create_app(Settings(data_dir=tmp_path))
    # Included routers are expanded: app.routes itself holds one entry per included router.
    claims = Counter(
        (method, route.path)
        for route in iter_route_contexts(app.routes)
        for method in route.methods or ()
    )
    assert len(claims) > 200
    assert [claim for claim, count in claims.items() if count > 1] == []


def test_no_route_is_shadowed_by_an_earlier_one(tmp_path):
    assert shadowed(create_app(Settings(data_dir=tmp_path))) == []


def test_the_shadow_check_sees_a_pattern_that_swallows_a_later_route():
    router = APIRouter()
    router.add_api_route("/resources/{code:path}", lambda code: code, methods=["GET"])
    router.add_api_route("/resources/{code:code}/grade", lambda code: code, methods=["GET"])
    app = FastAPI()
    app.include_router(router)
    assert shadowed(app) == [("GET", "/resources/{code:code}/grade", "/resources/{code:path}")]
