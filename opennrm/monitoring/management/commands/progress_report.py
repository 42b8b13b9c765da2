"""``manage.py progress_report``: generate a progress report for a period from the command line.

Uses the same selectors and renderers as the web page; figures are those of now. The report is
computed as the user given with --as (default: the first active user holding monitoring.edit), so
the command never sees more than that person would.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.audit.services import record
from opennrm.monitoring import selectors
from opennrm.monitoring.models import ProgressReport, ReportFormat, ReportLanguage
from opennrm.monitoring.reports import render


class Command(BaseCommand):
    help = "Generate the action's progress report for a period as HTML, DOCX or PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, type=date.fromisoformat)
        parser.add_argument("--to", dest="end", required=True, type=date.fromisoformat)
        parser.add_argument("--format", choices=ReportFormat.values, default="pdf")
        parser.add_argument("--lang", choices=ReportLanguage.values, default="en")
        parser.add_argument("--out", required=True, help="File to write.")
        parser.add_argument("--as", dest="username", default="", help="Act as this user.")

    def _actor(self, username: str) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
        else:
            user = next(
                (
                    u
                    for u in User.objects.filter(is_active=True)
                    if policy.can(u, "monitoring.edit")
                ),
                None,
            )
        if user is None or not policy.can(user, "monitoring.view"):
            raise CommandError("No active user who may see monitoring records (use --as).")
        return user

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options["username"])
        start, end = options["start"], options["end"]
        if end < start:
            raise CommandError("--to must not be before --from.")
        action = selectors.action_current(actor=actor)
        if action is None:
            raise CommandError("There is no action to report on.")
        # The narrative of a saved report for exactly this period is used when there is one.
        report = (
            selectors.report_list(actor=actor)
            .filter(action=action, period_start=start, period_end=end)
            .first()
        ) or ProgressReport(
            action=action,
            period_start=start,
            period_end=end,
            title=_("Progress report"),
            created_by=actor,
        )
        self.stdout.write(f"Computing figures as {actor.username} for {start} to {end}…")

        def progress(percent: int) -> None:
            self.stdout.write(f"  {percent}%")

        content, _extension = render(
            report=report,
            actor=actor,
            format=options["format"],
            language=options["lang"],
            progress=progress,
        )
        Path(options["out"]).write_bytes(content)
        record(
            actor=actor,
            verb="monitoring.report.generate_cli",
            target_type="monitoring.progressreport",
            target_label=f"{start}..{end} {options['format']} {options['lang']}",
        )
        self.stdout.write(self.style.SUCCESS(f"Wrote {options['out']} ({len(content):,} bytes)."))
