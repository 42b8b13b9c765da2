"""manage.py import_catalogue FILE: load a new version of an indicator list, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opennrm.core.tabular import TabularError
from opennrm.screening import catalogue_io, services
from opennrm.screening.models import IndicatorCatalogue


class Command(BaseCommand):
    help = (
        "Validate an indicator catalogue (YAML with list, verified, source, rules and indicators; "
        "or CSV/XLSX with one indicator per row and --list) and store it as a NEW version. Every "
        "problem is reported with its row and field; nothing is written unless the file is clean."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--list", dest="list_name", help="list name, for CSV/XLSX files")
        parser.add_argument(
            "--verified",
            action="store_true",
            help="CSV/XLSX only: the list was checked against the primary source",
        )
        parser.add_argument("--source", default="", help="CSV/XLSX only: where the list comes from")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        raw = path.read_bytes()
        self.stdout.write(f"Validating {path.name} …")
        try:
            if path.suffix.lower() in (".yaml", ".yml"):
                spec = catalogue_io.parse_yaml(raw)
            else:
                list_name = options["list_name"] or ""
                current = (
                    IndicatorCatalogue.objects.filter(list_name=list_name)
                    .order_by("-version")
                    .first()
                )
                spec = catalogue_io.parse_csv(
                    raw,
                    filename=path.name,
                    list_name=list_name,
                    verified=options["verified"],
                    source=options["source"],
                    rules=current.rules if current else None,
                )
        except TabularError as exc:
            for error in exc.errors:
                where = f"row {error.row}" if error.row else "file"
                column = f", {error.column}" if error.column else ""
                self.stderr.write(f"{where}{column}: {error.message}")
            raise CommandError(exc.message) from None
        catalogue = services.catalogue_import(actor=None, spec=spec)
        flag = "verified" if catalogue.verified else "UNVERIFIED"
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {catalogue.list_name} version {catalogue.version} "
                f"({len(spec.indicators)} indicators, {flag})."
            )
        )
