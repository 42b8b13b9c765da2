"""The hash chain, as pure functions (no Django import).

An entry's hash is SHA-256 over the previous hash and a canonical JSON rendering of the entry's
content. Changing any stored field, deleting an entry or swapping two of them breaks every hash from
that point on, which ``verify`` reports as the first entry that fails.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64

# The order of these names is part of the hash format; append, never reorder.
HASHED_FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_label",
    "agency_label",
    "verb",
    "target_type",
    "target_id",
    "target_label",
    "purpose",
    "recipient",
    "changes",
    "flagged",
    "ip",
)


def canonical(values: dict[str, Any]) -> bytes:
    return json.dumps(
        [values[name] for name in HASHED_FIELDS],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    ).encode("utf-8")


def link(prev_hash: str, values: dict[str, Any]) -> str:
    digest = hashlib.sha256(prev_hash.encode("ascii"))
    digest.update(b"|")
    digest.update(canonical(values))
    return digest.hexdigest()


@dataclass(frozen=True)
class SealRow:
    seq: int
    entry_id: int
    prev_hash: str
    hash: str
    entry: dict[str, Any] | None  # None when the sealed entry no longer exists


@dataclass(frozen=True)
class Problem:
    seq: int
    entry_id: int
    reason: str


def verify(rows: Iterable[SealRow], *, expected_first_seq: int = 1) -> Iterator[Problem]:
    """Yield every break in the chain; rows must come in ``seq`` order."""
    prev = GENESIS
    expected_seq = expected_first_seq
    for row in rows:
        if row.seq != expected_seq:
            yield Problem(row.seq, row.entry_id, f"seal {expected_seq} is missing (deleted seal)")
        if row.prev_hash != prev:
            yield Problem(
                row.seq, row.entry_id, "previous-hash link does not match (reordered or deleted)"
            )
        if row.entry is None:
            yield Problem(row.seq, row.entry_id, "the sealed entry was deleted")
        elif row.entry["id"] != row.entry_id:
            yield Problem(row.seq, row.entry_id, "the seal points at a different entry")
        elif link(row.prev_hash, row.entry) != row.hash:
            yield Problem(row.seq, row.entry_id, "the entry's content was altered")
        prev = row.hash
        expected_seq = row.seq + 1
