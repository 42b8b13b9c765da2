"""``manage.py seed_demo``: the Serbian demo scenario, idempotent.

Creates the agencies and personas, then runs ``seed(ctx)`` from each app's ``demo`` module in the
order of ``settings.OPENNRM_APPS`` — every app adds its own data through its own services.
"""

from __future__ import annotations

import time
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from opennrm.audit.services import seal_pending
from opennrm.demo.base import ensure_agencies, ensure_personas
from opennrm.demo.context import DemoContext


class Command(BaseCommand):
    help = (
        "Create the demo scenario (agencies, one user per role, synthetic data). Safe to run twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size", type=int, default=1, help="Scale factor for generated volumes."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        agencies = ensure_agencies()
        users = ensure_personas(agencies)
        self.stdout.write(f"Agencies: {len(agencies)}; demo users: {len(users)}.")
        ctx = DemoContext(
            agencies=agencies, users=users, say=self.stdout.write, size=options["size"]
        )
        for app in settings.OPENNRM_APPS:
            if find_spec(f"{app}.demo") is None:
                continue
            module = import_module(f"{app}.demo")
            seed = getattr(module, "seed", None)
            if seed is None:
                continue
            step = time.monotonic()
            seed(ctx)
            self.stdout.write(f"  {app.rsplit('.', 1)[1]}: done in {time.monotonic() - step:.1f} s")
        seal_pending()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f} s.")
        )
