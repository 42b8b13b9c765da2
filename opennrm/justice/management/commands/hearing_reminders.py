"""``manage.py hearing_reminders``: enqueue the hearing reminders (run daily from cron; the
``db_worker`` sends them). ``--now`` sends them in this process instead."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from opennrm.justice.tasks import send_hearing_reminders


class Command(BaseCommand):
    help = "Remind caseworkers of hearings of their victims in the next three days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="Send now instead of enqueueing.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            self.stdout.write(f"Sent {send_hearing_reminders.call()} reminders.")
        else:
            result = send_hearing_reminders.enqueue()
            self.stdout.write(f"Enqueued hearing reminders ({result.id}).")
