"""An optional PostgreSQL read replica for statistics, dashboards and exports.

Scale-out uses PostgreSQL's own streaming replication, not a layer of ours: with
``DATABASE_REPLICA_URL`` set, ``ReplicaReadsMiddleware`` marks GET requests to the statistics pages,
the statistics API and the home dashboard, and ``ReplicaRouter`` sends that request's reads to the
``replica`` connection. Everything else — every write, every audited read of personal data, the
audit entries written while serving statistics — stays on the primary (``default``). A replica
lags its primary by a moment, which aggregate figures can afford and a caseworker's own edits
cannot, hence the opt-in by path rather than for every read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
_replica_reads: ContextVar[bool] = ContextVar("opennrm_replica_reads", default=False)
# Requests whose reads may come from the replica: aggregates only.
REPLICA_PATHS = ("/statistics/", "/api/v1/statistics/")


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def reads_from_replica() -> Iterator[None]:
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if _replica_reads.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db == "default"  # a replica replays the primary's WAL, migrations included


class ReplicaReadsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method in ("GET", "HEAD")
            and replica_configured()
            and request.path.startswith(REPLICA_PATHS)
        ):
            with reads_from_replica():
                return self.get_response(request)
        return self.get_response(request)
