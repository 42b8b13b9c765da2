"""Readiness checks for ``/readyz``, and the figures the metrics share with them.

Each check answers ``(ok, detail)``; ``detail`` holds figures, never a record or a person. The
checks are cheap enough for a load balancer polling every few seconds: ``SELECT 1``, the migration
plan (loaded once per process, then remembered once it is empty: migrations are not unapplied under
a running server), two indexed queries on the task table and two on the audit tables, and statvfs.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

# A worker that finished no heartbeat in this long, while one waited, is taken for dead.
HEARTBEAT_EVERY = timedelta(seconds=60)
HEARTBEAT_STALE = timedelta(seconds=180)

_migrations_applied = False


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: dict[str, Any]


def database_check() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return Check(False, {"error": "the database does not answer"})
    return Check(True, {})


def migrations_check() -> Check:
    global _migrations_applied
    if _migrations_applied:
        return Check(True, {"pending": 0})
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    _migrations_applied = not plan
    return Check(not plan, {"pending": len(plan)})


def _uses_database_worker() -> bool:
    return str(settings.TASKS["default"]["BACKEND"]).startswith("django_tasks_db.")


def queue_figures() -> dict[str, dict[str, float]]:
    """Per queue of the settings (``default``, ``long``): the tasks waiting and the age of the
    oldest, in seconds (0 when none waits). Apart, because each queue has its own worker: a
    stopped long-job worker shows as its queue's growing wait, which the short jobs of
    ``default`` would otherwise hide or be blamed for."""
    from django.db.models import Count, Min
    from django_tasks_db.models import DBTaskResult

    queues = list(settings.TASKS["default"].get("QUEUES") or ["default"])
    # ``ready()``: a task enqueued to run at once has the greatest date as its ``run_after``;
    # filtering on ``run_after <= now`` alone counted only the tasks scheduled for later.
    waiting = (
        DBTaskResult.objects.ready()
        .values("queue_name")
        .annotate(depth=Count("id"), oldest=Min("enqueued_at"))
    )
    found = {row["queue_name"]: row for row in waiting}
    return {
        queue: {
            "depth": float(found[queue]["depth"]) if queue in found else 0.0,
            "oldest_seconds": _age(found[queue]["oldest"]) if queue in found else 0.0,
        }
        for queue in sorted({*queues, *found})
    }


def _age(moment: datetime | None) -> float:
    if moment is None:
        return 0.0
    return max(0.0, (timezone.now() - moment).total_seconds())


def last_heartbeat() -> datetime | None:
    from django_tasks_db.models import DBTaskResult

    from opennrm.lifecycle.tasks import heartbeat

    return (
        DBTaskResult.objects.filter(task_path=heartbeat.module_path, status="SUCCESSFUL")
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )


def worker_check() -> Check:
    """The worker is alive when it finished a heartbeat lately; a heartbeat is asked for when the
    last one is more than a minute old. A fresh installation whose first heartbeat has waited less
    than ``HEARTBEAT_STALE`` counts as starting, not as down."""
    if not _uses_database_worker():
        return Check(True, {"mode": "inline"})
    from django_tasks_db.models import DBTaskResult

    from opennrm.lifecycle.tasks import heartbeat

    now = timezone.now()
    last = last_heartbeat()
    pending = (
        DBTaskResult.objects.filter(task_path=heartbeat.module_path, status="READY")
        .order_by("enqueued_at")
        .values_list("enqueued_at", flat=True)
        .first()
    )
    if pending is None and (last is None or now - last > HEARTBEAT_EVERY):
        heartbeat.enqueue()
        pending = now
    if last is not None and now - last <= HEARTBEAT_STALE:
        return Check(True, {"heartbeat_age_seconds": round(_age(last), 1)})
    if pending is not None and now - pending <= HEARTBEAT_STALE:
        if last is None:
            return Check(True, {"heartbeat_age_seconds": None, "starting": True})
        return Check(True, {"heartbeat_age_seconds": round(_age(last), 1)})
    return Check(
        False,
        {
            "heartbeat_age_seconds": None if last is None else round(_age(last), 1),
            "error": "no background worker has taken a task lately",
        },
    )


def sealer_figures() -> dict[str, float]:
    """Audit entries not yet in the hash chain, and how long the oldest has waited (seconds).

    Only entries after the last sealed one are looked at (the sealer's own window), so this stays
    two indexed queries at ten million entries.
    """
    from opennrm.audit.models import AuditEntry, AuditSeal

    head_entry = AuditSeal.objects.order_by("-seq").values_list("entry_id", flat=True).first()
    after = AuditEntry.objects.filter(id__gt=head_entry or 0)
    oldest = after.order_by("id").values_list("at", flat=True).first()
    return {"unsealed": float(after.count()), "lag_seconds": _age(oldest)}


def sealer_check() -> Check:
    figures = sealer_figures()
    limit = settings.OPENNRM_READY_SEALER_LAG_SECONDS
    ok = figures["lag_seconds"] <= limit
    detail: dict[str, Any] = {
        "unsealed": int(figures["unsealed"]),
        "lag_seconds": round(figures["lag_seconds"], 1),
    }
    if not ok:
        detail["error"] = f"audit entries wait more than {limit} s to be sealed"
    return Check(ok, detail)


def disk_check() -> Check:
    needed = settings.OPENNRM_READY_MIN_FREE_MB * 1024 * 1024
    worst: dict[str, Any] = {}
    ok = True
    for label, path in (("var", settings.VAR_DIR), ("media", settings.MEDIA_ROOT)):
        probe = path
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        free = shutil.disk_usage(probe).free
        worst[f"{label}_free_mb"] = free // (1024 * 1024)
        ok = ok and free >= needed
    if not ok:
        worst["error"] = f"less than {settings.OPENNRM_READY_MIN_FREE_MB} MB free"
    return Check(ok, worst)


CHECKS = {
    "database": database_check,
    "migrations": migrations_check,
    "worker": worker_check,
    "audit_sealer": sealer_check,
    "disk": disk_check,
}


def readiness() -> tuple[bool, dict[str, dict[str, Any]]]:
    results: dict[str, dict[str, Any]] = {}
    ready = True
    for name, check in CHECKS.items():
        if name != "database" and not results.get("database", {}).get("ok", True):
            results[name] = {"ok": False, "error": "the database does not answer"}
            ready = False
            continue
        try:
            outcome = check()
        except DatabaseError:
            outcome = Check(False, {"error": "the database does not answer"})
        results[name] = {"ok": outcome.ok, **outcome.detail}
        ready = ready and outcome.ok
    return ready, results
