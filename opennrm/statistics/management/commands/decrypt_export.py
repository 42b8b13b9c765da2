"""manage.py decrypt_export FILE --out ZIP: open a sealed HTCDS export with its password."""

from __future__ import annotations

import getpass
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from opennrm.statistics.sealed import SealError, unseal


class Command(BaseCommand):
    help = "Decrypt a sealed export (.onrmseal) into the ZIP it contains."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="the .onrmseal file")
        parser.add_argument("--out", required=True, help="where to write the ZIP")
        parser.add_argument(
            "--password-file",
            help="read the password from this file instead of asking (keeps it out of the shell history)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["password_file"]:
            password = Path(options["password_file"]).read_text(encoding="utf-8").strip()
        else:
            password = getpass.getpass("Password: ")
        out = Path(options["out"])
        try:
            with open(options["file"], "rb") as source, out.open("wb") as target:
                unseal(source, target, password)
        except SealError as error:
            out.unlink(missing_ok=True)
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Decrypted into {out}."))
