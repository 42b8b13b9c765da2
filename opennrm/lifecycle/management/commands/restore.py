"""``manage.py restore FILE [--replace]``: load a backup, then prove it is the database backed up.

A wrong key or a damaged file is refused before the database is touched. After loading, every
table's row count and the audit chain (verified up to the head recorded in the backup) are checked;
any difference is listed and the command fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opennrm.lifecycle.backups import backup_key, restore_backup
from opennrm.lifecycle.container import BackupError


class Command(BaseCommand):
    help = "Restore a backup written by manage.py backup, and verify it (rows, audit chain)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The backup file.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Overwrite a database that is not empty (default: refuse).",
        )
        parser.add_argument("--key-file", help="The backup key (default: the setting).")
        parser.add_argument("--tmp-dir", help="Private working space for the decrypted payload.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restored = restore_backup(
                Path(options["file"]),
                key=backup_key(options["key_file"]),
                replace=options["replace"],
                tmp_dir=options["tmp_dir"],
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        if not restored.ok:
            raise CommandError(
                "The restored database differs from the backup:\n  "
                + "\n  ".join(restored.differences)
            )
        head = restored.manifest["audit_head"]
        self.stdout.write(
            f"Restored {len(restored.manifest['tables'])} tables; every row count matches; "
            f"the audit chain verifies ({restored.chain_checked:,} seals) up to the recorded "
            f"head, seal {head['seq']} {head['hash']}."
        )
