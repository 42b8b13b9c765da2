"""``manage.py deadline_reminders``: enqueue the daily deadline digest (for cron).

The digest itself runs in the background worker (``manage.py db_worker``); ``--now`` runs it in
this process instead, for operators checking a configuration.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from opennrm.cases.tasks import run_reminders, send_deadline_reminders


class Command(BaseCommand):
    help = "Enqueue the daily digest of case deadlines (run by db_worker); --now runs it here."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Run in this process instead of enqueueing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            outcome = run_reminders()
            self.stdout.write(
                f"Reminded {outcome.users} users of {outcome.deadlines} deadlines; "
                f"{outcome.skipped} already reminded today."
            )
            return
        result = send_deadline_reminders.enqueue()
        self.stdout.write(f"Enqueued the deadline digest (task {result.id}).")
