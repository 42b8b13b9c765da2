"""``manage.py trm_partner add|status|rotate … --as ADMIN``: partner platforms from the shell."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opennrm.accounts.models import User
from opennrm.core.errors import DomainError
from opennrm.transnational import services
from opennrm.transnational.models import Partner


class Command(BaseCommand):
    help = "Register a partner platform, change its status, or rotate its keys (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["add", "status", "rotate"])
        parser.add_argument("--country", required=True, help="the partner's ISO alpha-2 code")
        parser.add_argument("--as", dest="username", required=True, help="acting administrator")
        parser.add_argument("--name", default="")
        parser.add_argument("--endpoint", default="", help="the partner's inbox URL")
        parser.add_argument("--sign-key", default="")
        parser.add_argument("--box-key", default="")
        parser.add_argument("--fingerprint", default="", help="as read aloud by the partner")
        parser.add_argument("--status", choices=["active", "suspended", "revoked"], default="")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["username"], is_active=True).first()
        if actor is None:
            raise CommandError(f"There is no active user {options['username']!r}.")
        try:
            if options["action"] == "add":
                partner = services.partner_register(
                    actor=actor,
                    country_code=options["country"],
                    name=options["name"] or options["country"],
                    endpoint=options["endpoint"],
                    sign_public=options["sign_key"],
                    box_public=options["box_key"],
                    fingerprint=options["fingerprint"],
                )
                self.stdout.write(f"Partner {partner} registered.")
                return
            found = Partner.objects.filter(country=options["country"].upper()).first()
            if found is None:
                raise CommandError(f"There is no partner {options['country']!r}.")
            partner = found
            if options["action"] == "status":
                services.partner_set_status(
                    actor=actor,
                    partner=partner,
                    status=options["status"],
                    expected_version=partner.version,
                )
                self.stdout.write(f"Partner {partner} is now {options['status']}.")
            else:
                services.partner_rotate_key(
                    actor=actor,
                    partner=partner,
                    sign_public=options["sign_key"],
                    box_public=options["box_key"],
                    fingerprint=options["fingerprint"],
                )
                self.stdout.write(f"Partner {partner}'s new keys are current.")
        except DomainError as exc:
            detail = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message} {detail}".strip()) from None
