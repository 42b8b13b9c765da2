"""Schemas every API module shares: the one error format, ``InputSchema`` (the base of every
request body), the ``version`` of a write, and ``schema_of`` — the answer schema of a selector's
dataclass, derived from it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any, get_type_hints

from ninja import Schema
from pydantic import ConfigDict, Field, create_model

from opennrm.core.fields import DOCUMENT_TEXT


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, str]


class ErrorOut(Schema):
    """The one error format of the API: ``{"error": {"code", "message", "fields"}}``."""

    error: ErrorDetail


class InputSchema(Schema):
    """The base of every request body: no string in it is longer than the longest text the
    platform stores (``DOCUMENT_TEXT``), so a megabyte is refused by validation, naming the field,
    before any service reads it, and the published schema says ``maxLength`` for every string.
    A field with a tighter bound declares it (``Field(max_length=...)``)."""

    model_config = ConfigDict(str_max_length=DOCUMENT_TEXT)


class VersionIn(InputSchema):
    """The ``version`` the caller last read: a write on a newer one is refused with 409."""

    version: int


def download(media_type: str, description: str) -> dict[str, Any]:
    """``openapi_extra`` for an operation that answers a file (``response={200: None}``): its
    200 is described as ``media_type`` bytes instead of JSON."""
    return {
        "responses": {
            200: {
                "description": description,
                "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


def schema_of(
    view: type,
    *,
    name: str,
    only: Iterable[str] | None = None,
    exclude: Iterable[str] = (),
    rename: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> type[Schema]:
    """A ninja ``Schema`` named ``name`` with the fields of the selector dataclass ``view`` (their
    types and defaults): the dataclass stays the one definition of what a view holds, and the API
    answers it as it is. ``only``/``exclude`` choose fields; ``rename`` publishes a field under
    another name (``{"pk": "id"}``), read from the dataclass's own; ``extra`` adds fields
    (``{"referral": ReferralStatusOut}``). Built from the dataclass (``model_validate(view)``)."""
    hints = get_type_hints(view)
    chosen = set(only) if only is not None else None
    skipped = set(exclude)
    renamed = dict(rename or {})
    fields: dict[str, Any] = {}
    for field in dataclasses.fields(view):
        if field.name in skipped or (chosen is not None and field.name not in chosen):
            continue
        public = renamed.get(field.name, field.name)
        if public != field.name:  # a renamed field is a required one (an id)
            fields[public] = (hints[field.name], Field(validation_alias=field.name))
            continue
        if field.default is not dataclasses.MISSING:
            default: Any = field.default
        elif field.default_factory is not dataclasses.MISSING:
            default = Field(default_factory=field.default_factory)
        else:
            default = ...
        fields[public] = (hints[field.name], default)
    for key, annotation in (extra or {}).items():
        fields[key] = (annotation, ...)
    return create_model(name, __base__=Schema, **fields)
