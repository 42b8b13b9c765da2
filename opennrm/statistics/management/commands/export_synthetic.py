"""manage.py export_synthetic --out FILE [--epsilon E]: the differentially private synthetic
dataset as CSV, with its utility report (error of every 1- and 2-way marginal)."""

from __future__ import annotations

import csv
import os
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from opennrm.core.errors import ValidationFailed
from opennrm.statistics.synthetic import synthetic_release


class Command(BaseCommand):
    help = "Write a differentially private synthetic dataset of all cases to a CSV file."
    # The system checks import every URL configuration and view (about 35 MB of modules an
    # export never uses); `manage.py check` and the deploy gate run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--epsilon", type=float, default=None, help="privacy budget (default: setting)"
        )
        parser.add_argument("--out", required=True, help="CSV file to write")
        parser.add_argument(
            "--processes",
            type=int,
            default=os.cpu_count() or 1,
            help="worker processes synthesising the parts of a large dataset (default: CPUs)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        epsilon = options["epsilon"]
        if epsilon is not None and not 0 < epsilon <= settings.OPENNRM_SYNTHETIC_EPSILON:
            raise CommandError(
                f"epsilon must be above 0 and at most {settings.OPENNRM_SYNTHETIC_EPSILON} "
                "(OPENNRM_SYNTHETIC_EPSILON)."
            )
        started = time.monotonic()

        def progress(done: int, parts: int) -> None:
            self.stderr.write(
                f"  synthesised part {done} of {parts} ({time.monotonic() - started:.0f} s)"
            )

        try:
            headers, rows, utility = synthetic_release(
                actor=None,
                epsilon=epsilon,
                processes=max(1, options["processes"]),
                progress=progress,
            )
        except ValidationFailed as error:
            raise CommandError(error.message) from None
        with open(options["out"], "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            writer.writerows(rows)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {utility.records_released} synthetic records (epsilon={utility.epsilon}, "
                f"k={utility.k}) from {utility.records_true} cases; "
                f"{utility.records_synthesised - utility.records_released} of "
                f"{utility.records_synthesised} synthesised rows dropped for a combination rarer "
                "than k."
            )
        )
        self.stdout.write(
            "Marginal errors (total variation distance): "
            f"1-way mean {utility.one_way_mean:.4f}, max {utility.one_way_max:.4f}; "
            f"2-way mean {utility.two_way_mean:.4f}, max {utility.two_way_max:.4f}."
        )
        for name, distance in utility.one_way.items():
            self.stdout.write(f"  {name:28} {distance:.4f}")
