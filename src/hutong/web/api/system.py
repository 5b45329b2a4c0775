"""Operational endpoints: /healthz and Prometheus /metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from hutong import __version__

router = APIRouter(tags=["system"])


@router.get("/healthz", summary="Liveness and database reachability")
def healthz(request: Request) -> dict[str, str]:
    request.app.state.db.ping()
    return {"status": "ok", "version": __version__, "database": request.app.state.db.dialect}


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request) -> Response:
    return Response(
        generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST
    )
