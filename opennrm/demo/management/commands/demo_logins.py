"""``manage.py demo_logins``: print where to sign in, the demo users and how 2FA works in the demo."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from opennrm.demo.personas import DEMO_PASSWORD, PERSONAS


class Command(BaseCommand):
    help = "Print the demo sign-in details."

    def handle(self, *args: Any, **options: Any) -> None:
        w = self.stdout.write
        w("")
        w("OpenNRM demo is starting at  http://127.0.0.1:8000/  (sign in at /accounts/login/)")
        w(f"Every demo user's password:  {DEMO_PASSWORD}")
        w("")
        w(f"  {'username':<10} {'roles':<22} who")
        for p in PERSONAS:
            w(
                f"  {p.username:<10} {', '.join(p.roles):<22} {p.first_name} {p.last_name}, {p.description}"
            )
        w("")
        w(
            "Two-factor authentication: every demo user has a TOTP authenticator. After the password,"
        )
        w("enter the current code, which this prints in another terminal:")
        w(
            "    ./dev manage demo_totp USERNAME            (add --secret to load it into an authenticator app)"
        )
        w("")
