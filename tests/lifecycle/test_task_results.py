"""The background worker's records of finished tasks are removed by the daily retention run once
they are older than OPENNRM_RETENTION_TASK_RESULTS_DAYS: nothing else ever removed them (half a million a
year from the every-minute delivery of transnational packages), and a failed task's record keeps
its traceback."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import time_machine
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from opennrm.imports.tasks import run_import_job
from opennrm.lifecycle.tasks import heartbeat, retention_job
from opennrm.transnational.tasks import deliver_packages

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _worker() -> None:
    """``manage.py db_worker`` until the queue is empty. The worker closes connections it finds
    outside autocommit (``close_old_connections``), so the test runs outside a test transaction
    (``audit_flushable``, a transactional test): inside one, PostgreSQL's connection would be
    closed under it (SQLite in memory never closes, which hid this)."""
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())


def _state() -> list[tuple[str, str]]:
    return sorted(
        (row.task_path.rsplit(".", 1)[-1], row.status) for row in DBTaskResult.objects.all()
    )


@override_settings(TASKS=DB_TASKS, OPENNRM_RETENTION_TASK_RESULTS_DAYS=30)
def test_the_daily_run_removes_the_records_of_tasks_finished_long_ago(
    audit_flushable: None,
) -> None:
    with time_machine.travel(datetime(2026, 1, 5, 9, tzinfo=UTC)):
        deliver_packages.enqueue()
        run_import_job.enqueue(job_id="not-a-job")  # fails: its record keeps the traceback
        _worker()
    with time_machine.travel(datetime(2026, 2, 3, 9, tzinfo=UTC)):
        deliver_packages.enqueue()
        _worker()
    with time_machine.travel(datetime(2026, 2, 10, 9, tzinfo=UTC)):
        heartbeat.enqueue()  # waiting for a worker: never removed
        assert _state() == [
            ("deliver_packages", "SUCCESSFUL"),
            ("deliver_packages", "SUCCESSFUL"),
            ("heartbeat", "READY"),
            ("run_import_job", "FAILED"),
        ]
        out = io.StringIO()
        call_command("retention_job", stdout=out)
    assert "Removed 2 records of background tasks finished more than 30 days ago." in (
        out.getvalue()
    )
    assert _state() == [("deliver_packages", "SUCCESSFUL"), ("heartbeat", "READY")]
    kept = DBTaskResult.objects.get(status="SUCCESSFUL")
    assert kept.finished_at is not None
    assert kept.finished_at.date().isoformat() == "2026-02-03"

    # The timer's way: the task the worker runs does the same and says how many it removed.
    with time_machine.travel(datetime(2026, 3, 20, 9, tzinfo=UTC)):
        retention_job.enqueue()
        _worker()
    run = DBTaskResult.objects.get(task_path=retention_job.module_path)
    assert run.status == "SUCCESSFUL"
    assert run.return_value["task_results_removed"] == 1  # the delivery of 3 February
    assert _state() == [("heartbeat", "SUCCESSFUL"), ("retention_job", "SUCCESSFUL")]
