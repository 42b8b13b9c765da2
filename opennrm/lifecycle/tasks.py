"""Background work of the lifecycle app, run by ``manage.py db_worker``.

``heartbeat`` proves that a worker is taking tasks: ``/readyz`` enqueues one when the last is more
than a minute old and reads when it finished (``health.worker_check``).
"""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils import timezone


@task
def heartbeat() -> str:
    """Does nothing but finish; its finishing time is the worker's heartbeat. Old heartbeats
    are removed so that they never pile up in the task table."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(
        task_path=heartbeat.module_path,
        status="SUCCESSFUL",
        finished_at__lt=timezone.now() - timedelta(minutes=10),
    ).delete()
    return "ok"


@task
def retention_job() -> dict[str, int]:
    """The daily retention run: proposes the erasures that fell due (never erases), and removes
    the worker's records of tasks finished long ago."""
    from opennrm.lifecycle.services import retention_propose_due, task_results_prune

    run = retention_propose_due()
    return {
        "proposed": run.proposed,
        "already_open": run.already_open,
        "held": run.held,
        "task_results_removed": task_results_prune(),
    }
