"""Streaming verification of the audit chain, in flat memory whatever its length.

Raw SQL with a server-side cursor (``chunked_cursor``) rather than the ORM: ten million rows must
not be materialised, and a LEFT JOIN is needed so that a deleted entry shows up as such.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction

from opennrm.audit import chain

_SQL = """
SELECT s.seq, s.entry_id, s.prev_hash, s.hash,
       e.id, e.at, e.actor_id, e.actor_label, e.agency_label, e.verb, e.target_type, e.target_id,
       e.target_label, e.purpose, e.recipient, e.changes, e.flagged, e.ip
FROM audit_auditseal s LEFT JOIN audit_auditentry e ON e.id = s.entry_id
ORDER BY s.seq
"""
_FETCH = 5000


@dataclass(frozen=True)
class Report:
    checked: int
    unsealed: int
    problems: list[chain.Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def _iso(value: Any) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return str(value.astimezone(UTC).isoformat(timespec="microseconds"))


def _rows(cursor: Any) -> Iterator[chain.SealRow]:
    while True:
        batch = cursor.fetchmany(_FETCH)
        if not batch:
            return
        for row in batch:
            seq, entry_id, prev_hash, digest, eid = row[:5]
            entry = None
            if eid is not None:
                changes = row[15]
                entry = {
                    "id": eid,
                    "at": _iso(row[5]),
                    "actor_id": row[6],
                    "actor_label": row[7],
                    "agency_label": row[8],
                    "verb": row[9],
                    "target_type": row[10],
                    "target_id": row[11],
                    "target_label": row[12],
                    "purpose": row[13],
                    "recipient": row[14],
                    "changes": json.loads(changes) if isinstance(changes, str) else changes,
                    "flagged": bool(row[16]),
                    "ip": row[17],
                }
            yield chain.SealRow(seq, entry_id, prev_hash, digest, entry)


def verify_chain(
    *, stop_at_first: bool = True, progress: Callable[[int], None] | None = None
) -> Report:
    problems: list[chain.Problem] = []
    checked = 0
    with transaction.atomic():
        with connection.chunked_cursor() as cursor:
            cursor.execute(_SQL)

            def counted() -> Iterator[chain.SealRow]:
                nonlocal checked
                for row in _rows(cursor):
                    checked += 1
                    if progress is not None and checked % 100_000 == 0:
                        progress(checked)
                    yield row

            for problem in chain.verify(counted()):
                problems.append(problem)
                if stop_at_first:
                    break
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM audit_auditentry e WHERE NOT EXISTS "
                "(SELECT 1 FROM audit_auditseal s WHERE s.entry_id = e.id)"
            )
            unsealed = int(cursor.fetchone()[0])
    return Report(checked=checked, unsealed=unsealed, problems=problems)
