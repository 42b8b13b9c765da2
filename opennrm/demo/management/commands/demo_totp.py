"""``manage.py demo_totp USERNAME``: the current two-factor code of a demo user (demo mode only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from opennrm.accounts.models import User
from opennrm.demo.base import totp_code, totp_secret


class Command(BaseCommand):
    help = (
        "Print the current TOTP code (and secret) of a demo user. Refuses outside OPENNRM_DEMO=1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--secret", action="store_true", help="Print the base32 secret too.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("demo_totp works only in demo mode (OPENNRM_DEMO=1).")
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"There is no user {options['username']!r}.")
        if options["secret"]:
            self.stdout.write(f"secret: {totp_secret(user)}")
        self.stdout.write(totp_code(user))
