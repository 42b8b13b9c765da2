"""manage.py export_ctdc --k 11 --out FILE: the CTDC-style k-anonymous microdata as CSV, with
its information loss per column (share of released values as given, generalised, withheld)."""

from __future__ import annotations

import csv
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from opennrm.statistics.exports import ctdc_release

PROGRESS_EVERY = 100_000


class Command(BaseCommand):
    help = "Write CTDC-style k-anonymous microdata of all cases to a CSV file (streamed)."
    # The system checks import every URL configuration and view (about 35 MB of modules an
    # export never uses); `manage.py check` and the deploy gate run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--k", type=int, default=None, help="minimum class size (default: setting)"
        )
        parser.add_argument("--out", required=True, help="CSV file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        k = options["k"]
        if k is not None and k < settings.OPENNRM_CTDC_K:
            raise CommandError(f"k must be at least {settings.OPENNRM_CTDC_K} (OPENNRM_CTDC_K).")
        self.stdout.write("First pass: counting equivalence classes…")
        headers, rows, report = ctdc_release(actor=None, k=k)
        self.stdout.write(
            f"Read {report.records_read} records; planned to suppress {report.records_suppressed}."
        )
        written = 0
        with open(options["out"], "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            for row in rows:
                writer.writerow(row)
                written += 1
                if written % PROGRESS_EVERY == 0:
                    self.stdout.write(f"  {written} records written")
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {written} records (k={report.k}); suppressed {report.records_suppressed}; "
                f"values generalised {report.values_generalised}, withheld "
                f"{report.values_withheld}; columns withheld: "
                f"{', '.join(report.withheld_columns) or 'none'}."
            )
        )
        # The information loss per column, the export report the CTDC release documents.
        self.stdout.write(
            f"{report.partitions} partitions. Released values per column "
            "(as given / generalised / withheld / not recorded):"
        )
        for name, loss in report.columns.items():
            shares = loss.shares()
            self.stdout.write(
                f"  {name:40} {shares['given']:7.1%} {shares['generalised']:7.1%} "
                f"{shares['withheld']:7.1%} {shares['not_recorded']:7.1%}"
            )
