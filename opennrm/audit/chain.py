"""The hash chain, as pure functions (no Django import).

An entry's hash is SHA-256 over the previous hash and a canonical JSON rendering of the entry's
content. Changing any stored field, deleting an entry or swapping two of them breaks every hash from
that point on, which ``verify`` reports as the first entry that fails.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
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


# One encoder for every entry: building a JSONEncoder per call costs as much as encoding.
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def canonical(values: dict[str, Any]) -> bytes:
    return canonical_ordered([values[name] for name in HASHED_FIELDS])


def canonical_ordered(ordered: Sequence[Any]) -> bytes:
    """The canonical rendering of an entry given as its values in ``HASHED_FIELDS`` order."""
    return _ENCODER.encode(ordered).encode("utf-8")


def link(prev_hash: str, values: dict[str, Any] | Sequence[Any]) -> str:
    """SHA-256 (hex) of ``prev_hash``, a bar, and the entry's canonical rendering."""
    body = canonical(values) if isinstance(values, dict) else canonical_ordered(values)
    return hashlib.sha256(prev_hash.encode("ascii") + b"|" + body).hexdigest()


@dataclass(frozen=True)
class SealRow:
    seq: int
    entry_id: int
    prev_hash: str
    hash: str
    # The entry's values in HASHED_FIELDS order (or as a dict); None when it no longer exists.
    entry: Sequence[Any] | dict[str, Any] | None


@dataclass(frozen=True)
class Problem:
    seq: int
    entry_id: int
    reason: str
    # One of SEAL_MISSING, LINK_BROKEN, ENTRY_DELETED, WRONG_ENTRY, ALTERED (for translations).
    code: str = ""


SEAL_MISSING = "seal_missing"
LINK_BROKEN = "link_broken"
ENTRY_DELETED = "entry_deleted"
WRONG_ENTRY = "wrong_entry"
ALTERED = "altered"


def verify(
    rows: Iterable[SealRow], *, expected_first_seq: int = 1, prev_hash: str = GENESIS
) -> Iterator[Problem]:
    """Yield every break in the chain; rows must come in ``seq`` order.

    A slice of the chain is verified on its own by passing the seq it should start at and the
    hash of the seal before it, which is how verification runs in parallel.
    """
    prev = prev_hash
    expected_seq = expected_first_seq
    for row in rows:
        if row.seq != expected_seq:
            yield Problem(
                row.seq,
                row.entry_id,
                f"the seal before it ({expected_seq}) is missing (a seal was deleted)",
                SEAL_MISSING,
            )
        if row.prev_hash != prev:
            yield Problem(
                row.seq,
                row.entry_id,
                "the link to the previous seal does not match (seals reordered or deleted)",
                LINK_BROKEN,
            )
        if row.entry is None:
            yield Problem(row.seq, row.entry_id, "the sealed entry was deleted", ENTRY_DELETED)
        elif (row.entry["id"] if isinstance(row.entry, dict) else row.entry[0]) != row.entry_id:
            yield Problem(
                row.seq, row.entry_id, "the seal points at a different entry", WRONG_ENTRY
            )
        elif link(row.prev_hash, row.entry) != row.hash:
            yield Problem(
                row.seq,
                row.entry_id,
                "the entry's content was altered (or entries were swapped)",
                ALTERED,
            )
        prev = row.hash
        expected_seq = row.seq + 1
