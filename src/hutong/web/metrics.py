"""Prometheus metrics of one app instance (its own registry, so tests can run many apps)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "hutong_http_requests_total",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "hutong_http_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=self.registry,
        )
