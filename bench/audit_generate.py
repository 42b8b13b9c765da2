"""Fill an (empty, migrated) PostgreSQL database with N audit entries and their sealed chain, fast.

Entries and seals are streamed with COPY; the hash chain is computed in the same streaming pass
with the production ``chain.link`` so that ``verify_audit`` checks real hashes. Memory stays flat.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opennrm_bench_audit \
        .venv/bin/python bench/audit_generate.py 10000000
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opennrm.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.db import connection  # noqa: E402

from opennrm.audit import chain  # noqa: E402

VERBS = ("case.view_pii", "case.update", "referral.create", "auth.login", "screening.create")
ENTRY_COLUMNS = (
    "id, at, actor_id, actor_label, agency_label, verb, target_type, target_id, target_label, "
    "purpose, recipient, changes, flagged, ip"
)


def entry(number: int, start: datetime) -> dict[str, object]:
    at = start + timedelta(microseconds=number * 3_000_017)
    changes: dict[str, object] = {}
    if number % 3 == 0:
        changes = {"status": ["referred", "under_assessment"], "note": None}
    return {
        "id": number,
        "at": at.isoformat(timespec="microseconds"),
        "actor_id": None,
        "actor_label": f"user{number % 400}",
        "agency_label": "Centre for Human Trafficking Victims' Protection",
        "verb": VERBS[number % len(VERBS)],
        "target_type": "cases.person",
        "target_id": str(number % 50_000),
        "target_label": f"RS-2026-{number % 50_000:05d}",
        "purpose": "assigned caseworker" if number % 5 == 0 else "",
        "recipient": "",
        "changes": changes,
        "flagged": number % 997 == 0,
        "ip": "10.0.0.7",
    }


def main(total: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM audit_auditentry")
        if cursor.fetchone()[0]:
            raise SystemExit("The audit table is not empty; use a fresh database.")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    sealed_at = datetime.now(UTC)
    prev = chain.GENESIS
    began = time.monotonic()
    batch = 500_000
    for first in range(1, total + 1, batch):
        last = min(first + batch, total + 1)
        seals = []
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY audit_auditentry ({ENTRY_COLUMNS}) FROM STDIN") as copy,
        ):
            for number in range(first, last):
                values = entry(number, start)
                digest = chain.link(prev, values)
                seals.append((number, number, prev, digest, sealed_at))
                prev = digest
                row = [values[name] for name in chain.HASHED_FIELDS]
                row[11] = json.dumps(values["changes"])
                copy.write_row(row)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                "COPY audit_auditseal (seq, entry_id, prev_hash, hash, sealed_at) FROM STDIN"
            ) as copy,
        ):
            for seal in seals:
                copy.write_row(seal)
        elapsed = time.monotonic() - began
        print(f"{last - 1:,} entries in {elapsed:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('audit_auditentry', 'id'), "
            "(SELECT MAX(id) FROM audit_auditentry))"
        )
        cursor.execute("ANALYZE audit_auditentry")
        cursor.execute("ANALYZE audit_auditseal")
    print(f"done: {total:,} entries and seals in {time.monotonic() - began:.0f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000)
