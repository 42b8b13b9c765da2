"""``manage.py trm_keys [--generate] [--json]``: this platform's transnational keys."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from opennrm.core.errors import DomainError
from opennrm.transnational import services


class Command(BaseCommand):
    help = (
        "Print this platform's public keys, their fingerprint and the inbox path, to give to a "
        "partner's administrator; --generate prints a new secret seed for OPENNRM_TRM_KEYS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--generate",
            action="store_true",
            help="print a new random seed (append it to OPENNRM_TRM_KEYS to rotate)",
        )
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["generate"]:
            self.stdout.write(services.generate_seed())
            return
        try:
            keys = services.own_public_keys()
        except DomainError as exc:
            raise CommandError(exc.message) from None
        facts = {
            "country": services.country(),
            **keys.as_text(),
            "fingerprint": keys.fingerprint,
            "inbox_path": reverse("api:inbox"),
        }
        if options["json"]:
            self.stdout.write(json.dumps(facts))
            return
        for name, value in facts.items():
            self.stdout.write(f"{name}: {value}")
