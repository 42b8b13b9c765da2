"""``manage.py seal_audit``: chain every committed entry that is not sealed yet."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from opennrm.audit.services import seal_pending


class Command(BaseCommand):
    help = "Seal pending audit entries into the hash chain."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Sealed {seal_pending()} entries.")
