"""Model fields: every text has a maximum length; personal data is encrypted at rest.

Every ``CharField`` and ``TextField`` of OpenNRM's models has a ``max_length`` (the system check
``core.E101``/``E102`` in ``core.checks`` refuses a model without one). ``BoundedTextField`` is the
text field that holds to it everywhere: forms (Django passes ``max_length`` to the form field),
model validation, the value written (a too long value raises ``TextTooLong`` naming the field, which
the API answers with a 400 and forms show as an error) and the database (a CHECK constraint on the
column's length, added to the model by the field itself). ``EncryptedTextField`` bounds the plaintext before encrypting it; the database sees only
the ciphertext. A CharField's length is checked on save by ``core.checks.refuse_long_text``
(PostgreSQL's varchar enforces it too; SQLite does not).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core import validators
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.text import capfirst
from django.utils.translation import gettext

from opennrm.core import crypto
from opennrm.core.errors import ValidationFailed

# The usual limits, in characters: a person's name, a short reason, a note, a long document.
NAME_LENGTH = 200
SHORT_TEXT = 2_000
LONG_TEXT = 20_000
DOCUMENT_TEXT = 100_000


class TextTooLong(ValidationFailed):
    """A text longer than its field allows; ``fields`` names the field."""

    code = "text_too_long"

    def __init__(self, field: models.Field[Any, Any], length: int) -> None:
        message = gettext(
            "“%(field)s” is too long: at most %(limit)d characters are allowed, "
            "this text has %(length)d."
        ) % {
            "field": capfirst(str(field.verbose_name)),
            "limit": field.max_length or 0,
            "length": length,
        }
        super().__init__(message, fields={field.name: message})


def check_length(field: models.Field[Any, Any], value: Any) -> None:
    """Raise ``TextTooLong`` when ``value`` is a text longer than ``field.max_length``."""
    if field.max_length is not None and isinstance(value, str) and len(value) > field.max_length:
        raise TextTooLong(field, len(value))


class BoundedTextField(models.TextField):  # type: ignore[type-arg]
    """A TextField whose ``max_length`` (required) is kept in forms, models and the database."""

    def __init__(self, *args: Any, max_length: int | None = None, **kwargs: Any) -> None:
        # None only for old migrations' sake: the system check core.E101 refuses it in a model.
        kwargs["max_length"] = max_length
        super().__init__(*args, **kwargs)
        if max_length is not None:
            self.validators.append(validators.MaxLengthValidator(max_length))

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False
    ) -> None:
        super().contribute_to_class(cls, name, private_only)
        self._add_length_constraint(cls, name)

    def _add_length_constraint(self, cls: type[models.Model], name: str) -> None:
        """The model gets ``CHECK (LENGTH(column) <= max_length)`` (migrations add it).

        Not on abstract models (their children get it) nor on the historical models migrations
        build (their module is ``__fake__``; the constraint is in their state already).
        """
        if self.max_length is None or cls._meta.abstract or cls.__module__ == "__fake__":
            return
        label = f"{cls._meta.app_label}_{cls._meta.model_name}_{name}_length"[:63]
        if any(constraint.name == label for constraint in cls._meta.constraints):
            return
        constraint = models.CheckConstraint(
            condition=LessThanOrEqual(Length(name), self.max_length), name=label
        )
        cls._meta.constraints = [*cls._meta.constraints, constraint]
        # Migrations read a model's constraints only when its Meta declared some.
        cls._meta.original_attrs["constraints"] = cls._meta.constraints

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        check_length(self, value)
        return value


class EncryptedTextField(BoundedTextField):
    """A text value stored as an AES-GCM ciphertext bound to its column.

    Only ``isnull`` lookups make sense on ciphertext; searching is done through a blind index
    column. Empty strings are stored as empty strings (nothing to protect, and forms need them).
    ``max_length`` bounds the plaintext, checked before encryption; it changes nothing in the
    database (hence in ``non_db_attrs``: no table is rebuilt when it changes).
    """

    encrypted = True
    non_db_attrs = (*models.TextField.non_db_attrs, "max_length")

    def _add_length_constraint(self, cls: type[models.Model], name: str) -> None:
        return  # the column holds ciphertext; the plaintext is checked before encryption

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False
    ) -> None:
        super().contribute_to_class(cls, name, private_only)
        self.crypto_context = f"{cls._meta.app_label}.{cls._meta.model_name}.{name}"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)  # checks the plaintext's length
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value), context=self.crypto_context)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return crypto.decrypt(value, context=self.crypto_context)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


def encrypted_fields(
    model_list: Iterable[type[models.Model]] | None = None,
) -> list[tuple[type[models.Model], EncryptedTextField]]:
    """Every encrypted column of ``model_list`` (default: every installed model), for key rotation."""
    from django.apps import apps

    found = []
    for model in apps.get_models() if model_list is None else model_list:
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                found.append((model, field))
    return found


def seal_plaintext_column(
    connection: Any,
    *,
    table: str,
    pk: str,
    column: str,
    context: str,
    reverse: bool = False,
    batch: int = 2000,
) -> int:
    """Encrypt the clear values left in a column that has just become encrypted (a data
    migration's work); ``reverse`` decrypts them back. Returns how many rows changed.

    Raw SQL, because the migration's historical model would decrypt on load. Values that already
    are ciphertexts are left alone, so running it twice changes nothing.
    """
    quote = connection.ops.quote_name
    select = (
        f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)} "  # noqa: S608 - model names
        f"WHERE {quote(column)} <> '' AND {quote(pk)} > %s ORDER BY {quote(pk)} LIMIT %s"
    )
    update = f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE {quote(pk)} = %s"  # noqa: S608
    changed, last = 0, None
    while True:
        # Keyset batches: the audit trail may hold millions of rows.
        with connection.cursor() as cursor:
            cursor.execute(select, [last if last is not None else -1, batch])
            rows = cursor.fetchall()
        if not rows:
            return changed
        updates = []
        for row_pk, value in rows:
            sealed = str(value).startswith(f"{crypto.PREFIX}:")
            if reverse and sealed:
                updates.append((crypto.decrypt(str(value), context=context), row_pk))
            elif not reverse and not sealed:
                updates.append((crypto.encrypt(str(value), context=context), row_pk))
        if updates:
            with connection.cursor() as cursor:
                cursor.executemany(update, updates)
        changed += len(updates)
        last = rows[-1][0]
