"""``manage.py retention_job [--enqueue] [--today DATE]``: propose the erasures that fell due.

Daily, from the timer (``deploy/systemd/opennrm-retention.timer``). It only proposes: two
different authorised people approve each erasure on the "Erasures" page before anything happens.
It also removes the background worker's records of tasks that finished more than
``OPENNRM_RETENTION_TASK_RESULTS_DAYS`` ago.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opennrm.lifecycle.retention import schedule
from opennrm.lifecycle.services import retention_propose_due, task_results_prune
from opennrm.lifecycle.tasks import retention_job


class Command(BaseCommand):
    help = "Propose erasures that fell due under the retention schedules (four-eyes approval)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Hand the run to db_worker instead."
        )
        parser.add_argument("--today", help="Run as of this date (YYYY-MM-DD), for drills.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            retention_job.enqueue()
            self.stdout.write("Retention run enqueued for db_worker.")
            return
        today = None
        if options["today"]:
            try:
                today = date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(
                    f"--today must be a date YYYY-MM-DD, not {options['today']!r}."
                ) from None
        run = retention_propose_due(today=today)
        self.stdout.write(
            f"Proposed {run.proposed} erasures; {run.held} held by a legal hold; "
            f"{run.already_open} already awaiting approval."
        )
        removed = task_results_prune()
        self.stdout.write(
            f"Removed {removed} records of background tasks finished more than "
            f"{schedule('task_results').days} days ago."
        )
