"""The FastAPI application factory: API, console, public pages, problem+json, metrics."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from hutong import __version__
from hutong.core.db import Database
from hutong.core.settings import Settings
from hutong.openportal.ratelimit import RateLimiter
from hutong.web import openapi, problems
from hutong.web.metrics import Metrics
from hutong.web.routers import (
    audit,
    auth,
    catalog,
    ckan,
    compliance,
    console,
    console_catalog,
    console_exchange,
    console_portal,
    console_privacy,
    console_supervision,
    console_systems,
    data,
    dcat,
    exchange,
    identity,
    openportal,
    portal,
    privacy,
    public_privacy,
    system,
)

STATIC = Path(__file__).parent / "static"

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
}


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    """Build an app over ``db`` (or a new Database for ``settings``); migrations are applied
    by ``hutong init`` / ``hutong serve`` before the app starts."""
    settings = settings or Settings()
    app = FastAPI(
        title="Hutong 互通 API",
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = db or Database(settings)
    app.state.metrics = Metrics()
    app.state.rate_limiter = RateLimiter()
    problems.install(app)
    openapi.install(app)
    console.install_exception_handlers(app)

    @app.middleware("http")
    async def _envelope(request: Request, call_next):  # type: ignore[no-untyped-def]
        request.state.request_id = uuid.uuid4().hex
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        app.state.metrics.requests.labels(request.method, path, response.status_code).inc()
        app.state.metrics.latency.labels(request.method, path).observe(
            time.perf_counter() - started
        )
        response.headers["X-Request-Id"] = request.state.request_id
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    for module in (
        system,
        auth,
        identity,
        audit,
        data,
        exchange,  # before catalog: /resources/{code:path} would swallow its routes
        catalog,
        compliance,
        privacy,
        public_privacy,
        console,
        console_catalog,
        ckan,
        console_exchange,
        console_portal,
        console_privacy,
        console_supervision,
        console_systems,
        dcat,
        openportal,
        portal,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
