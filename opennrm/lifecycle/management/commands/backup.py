"""``manage.py backup --out FILE``: an encrypted, compressed, checksummed backup of the database.

See ``lifecycle/backups.py`` for what is in it; the schedule and point-in-time recovery are in
the README ("Backups").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opennrm.lifecycle.backups import backup_key, write_backup
from opennrm.lifecycle.container import BackupError


class Command(BaseCommand):
    help = "Write an encrypted backup of the database (key: OPENNRM_BACKUP_KEY_FILE)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="The backup file to write.")
        parser.add_argument("--key-file", help="The backup key (default: the setting).")
        parser.add_argument("--tmp-dir", help="Private working space (SQLite copies).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            written = write_backup(
                Path(options["out"]),
                key=backup_key(options["key_file"]),
                tmp_dir=options["tmp_dir"],
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        head = written.manifest["audit_head"]
        rows = sum(written.manifest["tables"].values())
        self.stdout.write(
            f"Wrote {written.path} ({written.size:,} bytes, SHA-256 {written.sha256}): "
            f"{len(written.manifest['tables'])} tables, {rows:,} rows, "
            f"audit chain head seal {head['seq']} {head['hash']}."
        )
