"""``manage.py processing_register --format docx|pdf --out FILE [--lang L]``: the register of
processing activities (GDPR Art. 30, ZZPL Art. 47), generated from the code's declarations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from opennrm.lifecycle.processing import render_docx, render_pdf


class Command(BaseCommand):
    help = "Write the register of processing activities as DOCX or PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["docx", "pdf"], required=True)
        parser.add_argument("--out", required=True)
        parser.add_argument("--lang", choices=["en", "sr", "sr-latn"], default="en")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["lang"]):
            data = render_docx() if options["format"] == "docx" else render_pdf()
        Path(options["out"]).write_bytes(data)
        self.stdout.write(f"Wrote {options['out']} ({len(data):,} bytes).")
