"""``manage.py issue_token USERNAME``: issue an API token and print it once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opennrm.accounts.models import User
from opennrm.accounts.services import token_issue


class Command(BaseCommand):
    help = "Issue a personal API token for USERNAME; the token is printed once and stored hashed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="issued by operator")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"There is no user {options['username']!r}.")
        if not user.is_active:
            raise CommandError(f"User {user.username!r} is disabled; enable the account first.")
        _token, plaintext = token_issue(actor=None, user=user, name=options["name"])
        self.stdout.write(plaintext)
