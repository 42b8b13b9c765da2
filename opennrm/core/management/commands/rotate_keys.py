"""``manage.py rotate_keys``: re-encrypt every stored ciphertext under the newest data key.

Procedure for an operator: append the new key to ``OPENNRM_DATA_KEYS`` (the last key encrypts, all
of them decrypt), restart, run ``rotate_keys``, and only then remove the old key.

It works on raw SQL because the model fields decrypt on load: the command must see the stored
ciphertext and its key id. Two passes:

1. a check pass reads every value and decrypts it with the configured keys; a value that does not
   decrypt stops the command before anything is written, naming its table, row id and column;
2. a rewrite pass goes through each table in primary-key batches, each batch in one transaction
   (rows locked on PostgreSQL), re-encrypts the values that are not under the newest key, checks
   that each new ciphertext decrypts to the old plaintext, and only then writes it.

Values already under the newest key are left alone, so running it twice changes nothing.
Columns covered: every ``EncryptedTextField`` (``core.fields.encrypted_fields``) and the
two-factor secrets of django-allauth (JSON in ``mfa_authenticator.data``, encrypted by
``accounts.adapters.MFAAdapter`` with the context ``mfa.authenticator``). The audit trail's
``purpose`` is one of them: its batches lift the append-only triggers inside their transaction
(the chain hashes the plaintext, so its seals stay valid).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction

from opennrm.core import crypto
from opennrm.core.fields import encrypted_fields

MFA_CONTEXT = "mfa.authenticator"
# Keys of the allauth authenticator JSON that hold ciphertexts (a string or a list of strings).
MFA_ENCRYPTED_KEYS = ("secret", "seed", "migrated_codes")


class RotationError(Exception):
    """A stored value cannot be decrypted with the configured keys; nothing was changed."""


@dataclass(frozen=True)
class Column:
    """One column holding ciphertexts: plain tokens, or JSON whose ``json_keys`` hold tokens."""

    table: str
    pk: str
    column: str
    context: str
    json_keys: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.table}.{self.column}"


@dataclass
class Outcome:
    checked: int = 0
    stale: int = 0
    rewritten: int = 0


def columns_for(model_list: Iterable[type[models.Model]] | None = None) -> list[Column]:
    """The encrypted columns of ``model_list`` (default: the whole project, plus allauth MFA)."""
    found = [
        Column(
            model._meta.db_table,
            str(model._meta.pk.column),
            str(field.column),
            field.crypto_context,
        )
        for model, field in encrypted_fields(model_list)
        if model._meta.pk is not None
    ]
    if model_list is None:
        from allauth.mfa.models import Authenticator

        meta = Authenticator._meta
        found.append(
            Column(
                meta.db_table,
                str(meta.pk.column),
                str(meta.get_field("data").column),
                MFA_CONTEXT,
                MFA_ENCRYPTED_KEYS,
            )
        )
    return found


def _load_json(raw: Any) -> Any:
    return json.loads(raw) if isinstance(raw, str | bytes) else raw


def _tokens(column: Column, raw: Any) -> Iterator[str]:
    if raw is None or raw == "":
        return
    if not column.json_keys:
        yield str(raw)
        return
    data = _load_json(raw)
    if not isinstance(data, dict):
        return
    for key in column.json_keys:
        value = data.get(key)
        if isinstance(value, str) and value:
            yield value
        elif isinstance(value, list):
            yield from (item for item in value if isinstance(item, str) and item)


def _reseal(token: str, column: Column, ring: crypto.KeyRing) -> str:
    if crypto.key_id_of(token) == ring.current_id:
        return token
    plaintext = crypto.decrypt(token, context=column.context, ring=ring)
    fresh = crypto.encrypt(plaintext, context=column.context, ring=ring)
    # Belt and braces: never write a value that does not give back the same plaintext.
    if crypto.decrypt(fresh, context=column.context, ring=ring) != plaintext:
        raise RotationError(f"Re-encryption of a value in {column.label} did not round-trip.")
    return fresh


def _rewritten(column: Column, raw: Any, ring: crypto.KeyRing) -> tuple[Any, int]:
    """The new stored value and how many ciphertexts in it changed (0: leave the row alone)."""
    if raw is None or raw == "":
        return raw, 0
    if not column.json_keys:
        fresh = _reseal(str(raw), column, ring)
        return fresh, int(fresh != raw)
    data = _load_json(raw)
    if not isinstance(data, dict):
        return raw, 0
    changed = 0
    for key in column.json_keys:
        value = data.get(key)
        if isinstance(value, str) and value:
            data[key] = _reseal(value, column, ring)
            changed += int(data[key] != value)
        elif isinstance(value, list):
            data[key] = [
                _reseal(item, column, ring) if isinstance(item, str) and item else item
                for item in value
            ]
            changed += sum(int(a != b) for a, b in zip(value, data[key], strict=True))
    return json.dumps(data), changed


def _batches(column: Column, size: int, *, lock: bool) -> Iterator[list[tuple[Any, Any]]]:
    """Rows (pk, value) in primary-key order, ``size`` at a time (keyset pagination).

    Identifiers in the SQL come from model metadata, never from input, and are quoted.
    """
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {quote(column.pk)}, {quote(column.column)} FROM {quote(column.table)} "  # noqa: S608
        f"WHERE {quote(column.column)} IS NOT NULL AND {{after}} "
        f"ORDER BY {quote(column.pk)} LIMIT %s"
    )
    if lock and connection.vendor == "postgresql":
        sql += " FOR UPDATE"
    last: Any = None
    while True:
        with connection.cursor() as cursor:
            if last is None:
                cursor.execute(sql.format(after="1 = 1"), [size])
            else:
                cursor.execute(sql.format(after=f"{quote(column.pk)} > %s"), [last, size])
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def check(
    columns: Iterable[Column], ring: crypto.KeyRing, *, batch: int = 1000
) -> dict[str, Outcome]:
    """Decrypt every value; raise ``RotationError`` naming the first one that fails."""
    outcomes: dict[str, Outcome] = {}
    for column in columns:
        outcome = outcomes.setdefault(column.label, Outcome())
        for rows in _batches(column, batch, lock=False):
            for pk, raw in rows:
                for token in _tokens(column, raw):
                    try:
                        crypto.decrypt(token, context=column.context, ring=ring)
                    except crypto.CryptoError as error:
                        raise RotationError(
                            f"Table {column.table}, row {pk}, column {column.column}: {error} "
                            "Nothing was changed."
                        ) from None
                    outcome.checked += 1
                    outcome.stale += int(crypto.key_id_of(token) != ring.current_id)
    return outcomes


def rotate(
    columns: Iterable[Column],
    ring: crypto.KeyRing,
    *,
    batch: int = 1000,
    dry_run: bool = False,
    progress: Callable[[Column, int], None] | None = None,
) -> dict[str, Outcome]:
    """Check every value, then re-encrypt the stale ones batch by batch; returns the counts."""
    columns = list(columns)
    outcomes = check(columns, ring, batch=batch)
    if dry_run:
        return outcomes
    quote = connection.ops.quote_name
    for column in columns:
        outcome = outcomes[column.label]
        if not outcome.stale:
            continue
        placeholder = "CAST(%s AS jsonb)" if column.json_keys and _is_pg() else "%s"
        update = (
            f"UPDATE {quote(column.table)} SET {quote(column.column)} = {placeholder} "  # noqa: S608
            f"WHERE {quote(column.pk)} = %s"
        )
        pending = _batches(column, batch, lock=True)
        while True:
            with transaction.atomic():
                rows = next(pending, None)
                if rows is None:
                    break
                updates = []
                for pk, raw in rows:
                    try:
                        fresh, changed = _rewritten(column, raw, ring)
                    except crypto.CryptoError as error:
                        raise RotationError(
                            f"Table {column.table}, row {pk}, column {column.column}: {error} "
                            "Batches before this one were re-encrypted; this one was not."
                        ) from None
                    if changed:
                        updates.append((fresh, pk))
                        outcome.rewritten += changed
                if updates:
                    with _writable(column.table), connection.cursor() as cursor:
                        cursor.executemany(update, updates)
            if progress is not None:
                progress(column, outcome.rewritten)
    return outcomes


@contextmanager
def _writable(table: str) -> Iterator[None]:
    """Lift the audit trail's append-only triggers for one batch of re-encrypted purposes.

    Inside the batch's transaction: on PostgreSQL dropping a trigger locks the table until the
    commit, so nothing else writes or changes it meanwhile; the chain hashes the plaintext, which
    re-encryption does not change, so every seal stays valid.
    """
    from opennrm.audit import triggers

    if table not in triggers.TABLES:
        yield
        return
    triggers.uninstall(connection)
    try:
        yield
    finally:
        triggers.install(connection)


def _is_pg() -> bool:
    return connection.vendor == "postgresql"


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value under the newest key of OPENNRM_DATA_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=1000, help="Rows per transaction.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count only; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1.")
        ring = crypto.keyring()
        self.stdout.write(f"Newest key: {ring.current_id}. Checking every encrypted value…")

        def progress(column: Column, done: int) -> None:
            self.stdout.write(f"  {column.label}: {done:,} values re-encrypted")

        try:
            outcomes = rotate(
                columns_for(),
                ring,
                batch=options["batch"],
                dry_run=options["dry_run"],
                progress=progress,
            )
        except RotationError as error:
            raise CommandError(str(error)) from None
        for label, outcome in outcomes.items():
            verb = "to re-encrypt" if options["dry_run"] else "re-encrypted"
            count = outcome.stale if options["dry_run"] else outcome.rewritten
            self.stdout.write(f"{label}: {outcome.checked:,} values, {count:,} {verb}")
        total = sum(o.stale if options["dry_run"] else o.rewritten for o in outcomes.values())
        done = "would be re-encrypted (dry run)" if options["dry_run"] else "re-encrypted"
        self.stdout.write(self.style.SUCCESS(f"{total:,} values {done} under {ring.current_id}."))
