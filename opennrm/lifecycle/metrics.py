"""Prometheus metrics with ``prometheus-client``, the Prometheus project's own Python library.

Why not ``django-prometheus``: it instruments by swapping the database backends and cache classes
for its own, which this project's settings would have to name, and it counts per view name rather
than per URL pattern. Four counters and one histogram are all the platform needs, so the
library itself is enough.

Counters and the histogram live in each process; under gunicorn's several workers set
``PROMETHEUS_MULTIPROC_DIR`` (``deploy/gunicorn.conf.py`` does), and the scrape adds up every
worker's files. Figures that the database knows (queue depth, the sealer's lag, the worker's
heartbeat) are read at scrape time by ``DatabaseCollector``, so every process reports the same.

Labels are URL *patterns* (``cases/<int:pk>/``), methods and status codes: bounded, and never a
path, a query string or a user, so no personal data can reach the metrics.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

REQUESTS = Counter(
    "opennrm_http_requests",
    "HTTP requests answered, by URL pattern, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "opennrm_http_request_duration_seconds",
    "Time to answer an HTTP request, by URL pattern and method.",
    ["route", "method"],
    buckets=(0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
SIGNIN_FAILURES = Counter(
    "opennrm_signin_failures", "Sign-ins refused (wrong password, unknown user, locked out)."
)


@receiver(user_login_failed, dispatch_uid="opennrm.lifecycle.metrics.signin_failed")
def _count_failed_signin(sender: object, **kwargs: object) -> None:
    SIGNIN_FAILURES.inc()


def route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unmatched>"
    return "/" + str(match.route)


class MetricsMiddleware:
    """Counts and times every request by its URL pattern."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        route = route_of(request)
        method = request.method if request.method in _METHODS else "OTHER"
        LATENCY.labels(route, method).observe(time.perf_counter() - started)
        REQUESTS.labels(route, method, str(response.status_code)).inc()
        return response


_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}


class DatabaseCollector(Collector):
    """Queue depth and wait per queue, the sealer's lag and the worker's heartbeat, read when
    Prometheus scrapes."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from opennrm.lifecycle import health

        depth = GaugeMetricFamily(
            "opennrm_task_queue_depth", "Background tasks waiting to run.", labels=["queue"]
        )
        oldest = GaugeMetricFamily(
            "opennrm_task_queue_oldest_seconds",
            "How long the oldest waiting background task has waited.",
            labels=["queue"],
        )
        for queue, figures in health.queue_figures().items():
            depth.add_metric([queue], figures["depth"])
            oldest.add_metric([queue], figures["oldest_seconds"])
        yield depth
        yield oldest
        sealer = health.sealer_figures()
        yield GaugeMetricFamily(
            "opennrm_audit_unsealed_entries",
            "Audit entries not yet in the hash chain.",
            value=sealer["unsealed"],
        )
        yield GaugeMetricFamily(
            "opennrm_audit_sealer_lag_seconds",
            "How long the oldest unsealed audit entry has waited.",
            value=sealer["lag_seconds"],
        )
        last = health.last_heartbeat()
        if last is not None:
            yield GaugeMetricFamily(
                "opennrm_worker_heartbeat_age_seconds",
                "Seconds since the background worker last finished a heartbeat task.",
                value=health._age(last),
            )


def render() -> bytes:
    """The exposition text: this process's (or every worker's) counters plus the database's."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        prometheus_multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        for collector in (REQUESTS, LATENCY, SIGNIN_FAILURES):
            registry.register(collector)
    registry.register(DatabaseCollector())
    return generate_latest(registry)
