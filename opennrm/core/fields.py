"""Model fields that keep personal data encrypted at rest (see ``core.crypto``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from opennrm.core import crypto


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text value stored as an AES-GCM ciphertext bound to its column.

    Only ``isnull`` lookups make sense on ciphertext; searching is done through a blind index
    column. Empty strings are stored as empty strings (nothing to protect, and forms need them).
    """

    encrypted = True

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False
    ) -> None:
        super().contribute_to_class(cls, name, private_only)
        self.crypto_context = f"{cls._meta.app_label}.{cls._meta.model_name}.{name}"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
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
