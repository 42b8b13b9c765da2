"""Every text the platform stores has a maximum length (issue 13, finding 4).

``text_fields_are_bounded`` is a system check: a model of an OpenNRM app with a CharField or
TextField without ``max_length``, or a TextField that is not a ``BoundedTextField``, is an error, so
an unbounded text cannot be added by accident (``manage.py check`` and the test suite run it).
``refuse_long_text`` is the ``pre_save`` guard for CharFields, whose length SQLite does not enforce:
a too long value raises ``TextTooLong`` naming the field before anything is written.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core import checks
from django.db import models

from opennrm.core.fields import BoundedTextField, check_length


def _our_models() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if model.__module__.startswith("opennrm.")]


def text_field_errors(model: type[models.Model]) -> list[checks.CheckMessage]:
    """The unbounded text fields of ``model``, as system-check errors."""
    errors: list[checks.CheckMessage] = []
    for field in model._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        if isinstance(field, models.TextField) and not isinstance(field, BoundedTextField):
            errors.append(
                checks.Error(
                    f"{model._meta.label}.{field.name} is a TextField, not a BoundedTextField.",
                    hint="Use core.fields.BoundedTextField (or EncryptedTextField): a plain "
                    "TextField's max_length is not enforced by the model or the database.",
                    obj=field,
                    id="core.E102",
                )
            )
        elif field.max_length is None:
            errors.append(
                checks.Error(
                    f"{model._meta.label}.{field.name} has no max_length.",
                    hint="Every stored text is bounded: give it a max_length "
                    "(core.fields.NAME_LENGTH, SHORT_TEXT, LONG_TEXT, DOCUMENT_TEXT).",
                    obj=field,
                    id="core.E101",
                )
            )
    return errors


@checks.register(checks.Tags.models)
def text_fields_are_bounded(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return [error for model in _our_models() for error in text_field_errors(model)]


def refuse_long_text(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """``pre_save``: a CharField value longer than its ``max_length`` raises ``TextTooLong``."""
    if not sender.__module__.startswith("opennrm."):
        return
    for field in sender._meta.concrete_fields:
        if isinstance(field, models.CharField):
            check_length(field, getattr(instance, field.attname))
