"""Streaming verification of the audit chain, in flat memory whatever its length.

Raw SQL with a server-side cursor (``chunked_cursor``) rather than the ORM: ten million rows must
not be materialised, and a LEFT JOIN is needed so that a deleted entry shows up as such.

Every seal stores the previous hash next to its own, so any slice of the chain can be checked on
its own given the hash of the seal before it. On PostgreSQL the chain is cut into slices checked
by several worker processes (``jobs``), which keeps ten million entries well under two minutes on
two cores; on SQLite, or inside a transaction, one process walks the whole chain.

PostgreSQL renders ``at`` in the hashed ISO format itself and sends ``changes`` as text, which
saves building a datetime and a dict per row: the per-row Python work is what bounds the speed.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction

from opennrm.audit import chain
from opennrm.core import crypto

_AT_SQL = {
    "postgresql": """to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')""",
}
_CHANGES_SQL = {"postgresql": "e.changes::text"}
_COLUMNS = """e.id, {at}, e.actor_id, e.actor_label, e.agency_label, e.verb, e.target_type,
       e.target_id, e.target_label, e.purpose, e.recipient, {changes}, e.flagged, e.ip"""
_SQL = """
SELECT s.seq, s.entry_id, s.prev_hash, s.hash, {columns}
FROM audit_auditseal s LEFT JOIN audit_auditentry e ON e.id = s.entry_id
WHERE s.seq >= %s AND s.seq < %s
ORDER BY s.seq
"""
_FETCH = 5000
SLICE = 250_000  # seals per parallel task: small enough to balance, large enough to amortise


@dataclass(frozen=True)
class Report:
    checked: int
    unsealed: int
    problems: list[chain.Problem]
    head_hash: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def _iso(value: Any) -> str:
    if isinstance(value, str):
        if value.endswith("+00:00") and "T" in value:
            return value  # already rendered by PostgreSQL
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return str(value.astimezone(UTC).isoformat(timespec="microseconds"))


def _changes(value: Any) -> Any:
    if value == "{}":
        return {}
    return json.loads(value) if isinstance(value, str) else value


_PURPOSE_CONTEXT = "audit.auditentry.purpose"
_SEALED = f"{crypto.PREFIX}:"


def _purpose(value: Any) -> Any:
    """The plaintext purpose: the chain hashes what was stated, not the ciphertext of the day.

    Seals made before the column was encrypted hashed the clear value, and a key rotation
    re-seals the value; hashing the plaintext keeps both verifying. A ciphertext that was altered
    fails to decrypt, and verification reports the entry as altered (see ``_rows``).
    """
    if isinstance(value, str) and value.startswith(_SEALED):
        return crypto.decrypt(value, context=_PURPOSE_CONTEXT)
    return value


def entry_values(row: Sequence[Any]) -> list[Any]:
    """An entry's values in ``chain.HASHED_FIELDS`` order, from the columns of ``entry_columns()``."""
    entry = list(row)
    entry[1] = _iso(entry[1])
    entry[9] = _purpose(entry[9])
    entry[11] = _changes(entry[11])
    entry[12] = bool(entry[12])
    return entry


def entry_columns() -> str:
    """The hashed columns of ``audit_auditentry e``, rendered for ``entry_values`` (the sealer reads
    entries the same way, so what it hashes is what verification hashes)."""
    vendor = connection.vendor
    return _COLUMNS.format(
        at=_AT_SQL.get(vendor, "e.at"), changes=_CHANGES_SQL.get(vendor, "e.changes")
    )


def _rows(cursor: Any) -> Iterator[chain.SealRow]:
    while True:
        batch = cursor.fetchmany(_FETCH)
        if not batch:
            return
        for row in batch:
            seq, entry_id, prev_hash, digest, eid = row[:5]
            entry: list[Any] | None = None
            if eid is not None:
                try:
                    entry = entry_values(row[4:])
                except crypto.CryptoError:
                    # A purpose that no longer decrypts was tampered with: hash what is stored,
                    # which cannot match the seal, so the entry is reported as altered.
                    entry = list(row[4:])
                    entry[1] = _iso(entry[1])
                    entry[11] = _changes(entry[11])
            yield chain.SealRow(seq, entry_id, prev_hash, digest, entry)


def _sql() -> str:
    return _SQL.format(columns=entry_columns())


@dataclass(frozen=True)
class _SliceResult:
    start: int
    checked: int
    problems: list[chain.Problem]


def _verify_slice(bounds: tuple[int, int, bool]) -> _SliceResult:
    """Check seals with ``start <= seq < stop`` against the hash of the seal before ``start``."""
    start, stop, stop_at_first = bounds
    problems: list[chain.Problem] = []
    checked = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT seq, hash FROM audit_auditseal WHERE seq < %s ORDER BY seq DESC LIMIT 1",
                [start],
            )
            before = cursor.fetchone()
        prev_seq, prev_hash = before if before else (0, chain.GENESIS)
        with connection.chunked_cursor() as cursor:
            cursor.execute(_sql(), [start, stop])

            def counted() -> Iterator[chain.SealRow]:
                nonlocal checked
                for row in _rows(cursor):
                    checked += 1
                    yield row

            for problem in chain.verify(
                counted(), expected_first_seq=prev_seq + 1, prev_hash=prev_hash
            ):
                problems.append(problem)
                if stop_at_first:
                    break
    return _SliceResult(start, checked, problems)


def _worker_init() -> None:
    # A forked worker must open its own connection, never reuse the parent's socket.
    connection.connection = None
    connection.in_atomic_block = False
    connection.needs_rollback = False


def default_jobs() -> int:
    if connection.vendor != "postgresql":
        return 1
    return max(1, min(4, os.cpu_count() or 1))


def verify_chain(
    *,
    stop_at_first: bool = True,
    progress: Callable[[int], None] | None = None,
    jobs: int | None = None,
) -> Report:
    """Walk the whole chain; report how many seals were checked and every (or the first) break."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(seq), MAX(seq) FROM audit_auditseal")
        low, high = cursor.fetchone()
    jobs = default_jobs() if jobs is None else jobs
    if low is None:
        slices: list[tuple[int, int, bool]] = []
    else:
        # The first slice starts at 1, so that deleted seals at the head are noticed.
        edges = [1, *range(1 + SLICE, high + 1, SLICE), high + 1]
        slices = [(a, b, stop_at_first) for a, b in itertools.pairwise(edges)]
    parallel = (
        jobs > 1
        and len(slices) > 1
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )
    results: list[_SliceResult] = []
    checked = 0
    if parallel:
        connection.close()
        context = multiprocessing.get_context("fork")
        with context.Pool(jobs, initializer=_worker_init) as pool:
            for result in pool.imap(_verify_slice, slices):
                results.append(result)
                checked += result.checked
                if progress is not None:
                    progress(checked)
                if stop_at_first and result.problems:
                    pool.terminate()
                    break
    else:
        for bounds in slices:
            result = _verify_slice(bounds)
            results.append(result)
            checked += result.checked
            if progress is not None:
                progress(checked)
            if stop_at_first and result.problems:
                break
    problems = [problem for result in results for problem in result.problems]
    if stop_at_first:
        problems = problems[:1]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM audit_auditentry e WHERE NOT EXISTS "
            "(SELECT 1 FROM audit_auditseal s WHERE s.entry_id = e.id)"
        )
        unsealed = int(cursor.fetchone()[0])
        cursor.execute("SELECT hash FROM audit_auditseal ORDER BY seq DESC LIMIT 1")
        head = cursor.fetchone()
    return Report(
        checked=checked, unsealed=unsealed, problems=problems, head_hash=head[0] if head else ""
    )
