"""``manage.py trm_deliver``: send the transnational packages that are due (cron, every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from opennrm.transnational import services


class Command(BaseCommand):
    help = "Deliver queued transnational packages whose time has come (retries with backoff)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = services.deliver_due()
        self.stdout.write(", ".join(f"{name} {count}" for name, count in counts.items()))
