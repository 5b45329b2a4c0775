"""The FastAPI application factory: API, console, public pages, problem+json, metrics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from types import FrameType

import uvicorn
from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from hutong import __version__
from hutong.audit.tally import FLUSH_SECONDS, RefusalTally
from hutong.core.db import Database
from hutong.core.settings import Settings
from hutong.data.engine import DuckDBEngine
from hutong.openportal.ratelimit import RateLimiter
from hutong.web import api, console, nul, openapi, problems, public
from hutong.web.console.base import install_exception_handlers
from hutong.web.metrics import Metrics
from hutong.web.routing import routers
from hutong.wiring import wire

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("hutong.web")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
}


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Write the anonymous refusals' audit windows as they close, and the rest at shutdown."""
    flushing = asyncio.create_task(_flush_refusals(app))
    try:
        yield
    finally:
        flushing.cancel()
        await run_in_threadpool(app.state.refusals.flush, app.state.db, True)


async def _flush_refusals(app: FastAPI) -> None:
    while True:
        await asyncio.sleep(FLUSH_SECONDS)
        try:
            await run_in_threadpool(app.state.refusals.flush, app.state.db)
        except Exception:  # the windows are kept; the next flush retries
            log.exception("audit of refused requests could not be written yet")


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    """Build an app over ``db`` (or a new Database for ``settings``); migrations are applied
    by ``hutong init`` / ``hutong serve`` before the app starts."""
    settings = settings or Settings()
    wire()
    app = FastAPI(
        title="Hutong 互通 API",
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.db = db or Database(settings)
    app.state.metrics = Metrics()
    app.state.rate_limiter = RateLimiter()
    app.state.refusals = RefusalTally()
    #: Runs consumers' queries within the limits; ``serve`` stops them all on SIGTERM.
    app.state.engine = DuckDBEngine.for_queries(settings)
    problems.install(app)
    openapi.install(app)
    install_exception_handlers(app)

    @app.middleware("http")
    async def _envelope(request: Request, call_next):  # type: ignore[no-untyped-def]
        request.state.request_id = uuid.uuid4().hex
        started = time.perf_counter()
        field = await nul.field_with_nul(request)
        if field is not None:
            response = problems.problem(
                request,
                422,
                "invalid-input",
                f"字段 {field} 含有空字符（NUL），不能接受",
                f"invalid field {field}: text must not contain NUL (U+0000)",
                field,
            )
        else:
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

    for router in (*routers(api), *routers(console), *routers(public)):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


class QueryStoppingServer(uvicorn.Server):
    """Uvicorn that stops every running query when told to exit (SIGTERM, Ctrl-C): its
    graceful shutdown waits for open responses, which then end at once instead of when their
    queries would have (issue 12)."""

    def __init__(self, config: uvicorn.Config, engine: DuckDBEngine) -> None:
        super().__init__(config)
        self.engine = engine

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.engine.stop_all()
        super().handle_exit(sig, frame)


def serve(app: FastAPI, host: str, port: int) -> None:
    """Serve ``app`` until SIGTERM or Ctrl-C."""
    config = uvicorn.Config(app, host=host, port=port, log_level="info")
    QueryStoppingServer(config, app.state.engine).run()
