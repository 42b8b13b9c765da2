"""``manage.py seal_audit``: chain every committed entry that is not sealed yet.

``--follow`` keeps sealing, once per ``--interval`` seconds, until stopped (SIGTERM or Ctrl-C):
the one sealer of a deployment with ``OPENNRM_AUDIT_SEALER=external``, run beside ``db_worker``
under the same process supervisor.
"""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opennrm.audit.services import SEAL_INTERVAL_SECONDS, seal_follow, seal_pending


class Command(BaseCommand):
    help = "Seal pending audit entries into the hash chain (once, or continuously with --follow)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--follow", action="store_true", help="Keep sealing until stopped (SIGTERM, Ctrl-C)."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=SEAL_INTERVAL_SECONDS,
            help="Seconds between two rounds with --follow (default: %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["follow"]:
            self.stdout.write(f"Sealed {seal_pending()} entries.")
            return
        if options["interval"] <= 0:
            raise CommandError("--interval must be a positive number of seconds.")
        stopping = False

        def stop(_signum: int, _frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        previous = {
            signum: signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGINT)
        }
        total = 0
        started = time.monotonic()

        def sealed(count: int) -> None:
            nonlocal total
            total += count
            if options["verbosity"] >= 2:
                self.stdout.write(f"Sealed {count} entries ({total:,} since start).")

        self.stdout.write(
            f"Sealing the audit trail every {options['interval']:g} s; stop with SIGTERM."
        )
        try:
            seal_follow(interval=options["interval"], stop=lambda: stopping, on_sealed=sealed)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        total += seal_pending()  # what the last round left: a clean stop leaves nothing unsealed
        self.stdout.write(
            f"Stopped after {time.monotonic() - started:.0f} s; sealed {total:,} entries."
        )
