"""Domain errors: a stable code, a user message (a full sentence) and optional per-field messages.

Views show them inline, the API turns them into ``{"error": {"code", "message", "fields"}}`` with the
status below. Services raise them; nothing else decides how an error looks.

A refusal is also Django's own: ``PermissionDeniedError`` is a ``PermissionDenied`` and
``NotFoundError`` an ``Http404``, so a page that does not catch them answers with the 403/404 page
(``core.views.permission_denied`` / ``not_found``) and the API with the same status and code — one
path for both, no decorator or ``except`` in views.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.functional import Promise


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str | Promise,
        *,
        code: str | None = None,
        fields: Mapping[str, str | Promise] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = str(message)
        if code:
            self.code = code
        self.fields = {name: str(text) for name, text in (fields or {}).items()}

    def as_dict(self) -> dict[str, object]:
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


class ValidationFailed(DomainError):
    status = 400
    code = "validation_error"


class PermissionDeniedError(DomainError, PermissionDenied):
    status = 403
    code = "forbidden"


class NotFoundError(DomainError, Http404):
    status = 404
    code = "not_found"


class ConflictError(DomainError):
    status = 409
    code = "conflict"


class StaleRecordError(ConflictError):
    code = "stale_record"


class InvalidTransitionError(ConflictError):
    code = "invalid_transition"
