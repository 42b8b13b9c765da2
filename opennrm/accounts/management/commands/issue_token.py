"""``manage.py issue_token USERNAME``: issue an API token and print it once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opennrm.accounts.models import TokenScope, User
from opennrm.accounts.services import api_areas, token_issue
from opennrm.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Issue an API token for USERNAME with a scope, areas and a lifetime; the token is printed "
        "once and stored hashed. Personal tokens last at most OPENNRM_TOKEN_MAX_HOURS; only "
        "service accounts get long-lived ones."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="issued by operator")
        parser.add_argument(
            "--scope",
            choices=TokenScope.values,
            default=TokenScope.READ,
            help="read: GET only (the default); write: every method the user's roles allow",
        )
        parser.add_argument(
            "--area",
            action="append",
            dest="areas",
            metavar="AREA",
            help=f"an API area the token reaches (repeat; default all): {', '.join(api_areas())}",
        )
        parser.add_argument(
            "--hours",
            type=int,
            default=None,
            help="lifetime in hours (default OPENNRM_TOKEN_HOURS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"There is no user {options['username']!r}.")
        if not user.is_active:
            raise CommandError(f"User {user.username!r} is disabled; enable the account first.")
        try:
            _token, plaintext = token_issue(
                actor=None,
                user=user,
                name=options["name"],
                scope=options["scope"],
                areas=options["areas"] or api_areas(),
                hours=options["hours"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(plaintext)
