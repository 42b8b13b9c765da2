"""manage.py refresh_figures [--since DATE]: count the published figures ahead of the pages.

Every calendar year, quarter and month from ``--since`` (default: 1 January of last year) to
today, under the ``restricted`` and ``public`` profiles, every standard table, counted anew and
kept (``statistics.published``); then the periods other apps' pages add up, which an app
declares with ``figures_periods`` on its AppConfig (the monitoring dashboard: its action's start
to today). Run by a timer (deploy/systemd), more often than ``OPENNRM_FIGURES_MAX_AGE``, so that
pages read figures instead of counting. On PostgreSQL it first counts again the months whose
counts a change touched (``statistics.cube``), so that releases of any period read them.
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from opennrm.statistics import cube
from opennrm.statistics.disclosure import Profile
from opennrm.statistics.periods import is_fixed
from opennrm.statistics.selectors import refresh_published
from opennrm.statistics.tables import Period


def fixed_periods(since: date, today: date) -> list[Period]:
    """Each year from ``since``'s to today's, then its quarters and months that have begun, all
    starting on or after ``since``."""
    periods: list[Period] = []
    for year in range(since.year, today.year + 1):
        spans = [(date(year, 1, 1), date(year, 12, 31))]
        for quarter in range(4):
            first = date(year, 3 * quarter + 1, 1)
            spans.append((first, _month_end(year, 3 * quarter + 3)))
        spans += [(date(year, month, 1), _month_end(year, month)) for month in range(1, 13)]
        periods += [
            Period(start, end)
            for start, end in spans
            if since <= start <= today and is_fixed(start, end)
        ]
    return periods


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


class Command(BaseCommand):
    help = "Count the restricted and public figures of recent fixed periods ahead of the pages."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--since", type=date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        since = options["since"] or date(today.year - 1, 1, 1)
        if since > today:
            raise CommandError("--since is after today.")
        periods = fixed_periods(since, today)
        for config in apps.get_app_configs():
            provider = getattr(config, "figures_periods", None)
            if provider is not None:
                periods += [
                    Period(start, end)
                    for start, end in provider()
                    if Period(start, end) not in periods
                ]
        started = time.monotonic()
        if connection.vendor == "postgresql":
            # First the months whose counts changes touched (statistics.cube), so that every
            # period below and every release until the next change reads them.
            months = cube.refresh_all()
            self.stdout.write(f"Counted {months} months in {time.monotonic() - started:.1f} s.")
        for number, period in enumerate(periods, 1):
            refresh_published(period, (Profile.RESTRICTED, Profile.PUBLIC))
            self.stdout.write(
                f"{number}/{len(periods)} {period.start}..{period.end} "
                f"({time.monotonic() - started:.1f} s)"
            )
        self.stdout.write(f"Counted {len(periods)} periods in {time.monotonic() - started:.1f} s.")
