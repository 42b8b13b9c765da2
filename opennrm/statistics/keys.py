"""Record keys for the cell-key method (``disclosure.py``), computed in the database.

A record's key is a keyed hash of its primary key, reduced to ``0..KEY_RANGE-1``: fixed for the
life of the record, unpredictable without the secret seed, and available in the same query as
the counts (``SUM(record key)`` beside ``COUNT(*)``), on PostgreSQL and SQLite alike. A case is
keyed by the case's id wherever it is counted (presumed, identified, granted a permit, assisted),
so the same victims always carry the same keys.

Why a keyed hash rather than a stored random column: nothing to migrate or back-fill on a
million rows, every model that is counted (cases, referrals, screenings, defendants, proceedings)
has a key without a schema change, and no writer can forget it — the bulk importer
(``cases.imports``) takes one default per batch for the columns a file does not give, so a stored
column with a random default would give a whole imported batch one key.

The seed is ``OPENNRM_CELL_KEY_SEED`` (an integer), or one derived from ``SECRET_KEY``. It must
**never change** once figures are published: a new seed draws new noise for every figure, and two
noisy copies of a figure are worth more to an attacker than one.

* PostgreSQL: ``hashtextextended(id::text, seed) & 255`` (built in since PostgreSQL 11).
* SQLite: the same contract from a registered function (BLAKE2b of seed and id).
"""

from __future__ import annotations

import hashlib
import sqlite3
from typing import Any

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Func, IntegerField
from django.db.models.sql.compiler import SQLCompiler

from opennrm.statistics.disclosure import KEY_RANGE

_SQLITE_FUNCTION = "opennrm_record_key"


def seed() -> int:
    """The secret seed of record keys, as a signed 63-bit integer (PostgreSQL's bigint)."""
    configured = getattr(settings, "OPENNRM_CELL_KEY_SEED", None)
    if configured is not None:
        return int(configured) % (1 << 63)
    digest = hashlib.blake2b(
        settings.SECRET_KEY.encode(), person=b"opennrm-cellkey", digest_size=8
    ).digest()
    return int.from_bytes(digest, "big") % (1 << 63)


def record_key_sqlite(value: Any, secret: int) -> int | None:
    """The SQLite record key of id ``value`` (None for NULL)."""
    if value is None:
        return None
    digest = hashlib.blake2b(f"{secret}:{value}".encode(), digest_size=2).digest()
    return digest[0] % KEY_RANGE


class RecordKey(Func):
    """The record key of the row whose id is the expression given (an id or a foreign key)."""

    output_field = IntegerField()

    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            return (
                f"(hashtextextended(({sql})::text, %s) & {KEY_RANGE - 1})",
                (*params, seed()),
            )
        return f"{_SQLITE_FUNCTION}({sql}, %s)", (*params, seed())


def register_sqlite(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """``connection_created`` receiver: the record-key function on each SQLite connection."""
    if connection.vendor == "sqlite":
        raw = connection.connection
        assert isinstance(raw, sqlite3.Connection)
        raw.create_function(_SQLITE_FUNCTION, 2, record_key_sqlite, deterministic=True)
