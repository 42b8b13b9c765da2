"""``manage.py unlock USERNAME``: clear the failed sign-ins that locked a username (audited)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opennrm.accounts.services import user_unlock
from opennrm.core.errors import DomainError


class Command(BaseCommand):
    help = "Unlock sign-in for USERNAME after too many failed attempts; the unlock is audited."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cleared = user_unlock(actor=None, username=options["username"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Unlocked {options['username']!r}: {cleared} failed attempt(s) cleared.")
