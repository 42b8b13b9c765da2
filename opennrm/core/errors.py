"""Domain errors: a stable code, a user message (a full sentence) and optional per-field messages.

Views show them inline, the API turns them into ``{"error": {"code", "message", "fields"}}`` with the
status below. Services raise them; nothing else decides how an error looks.
"""

from __future__ import annotations

from collections.abc import Mapping

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


class PermissionDeniedError(DomainError):
    status = 403
    code = "forbidden"


class NotFoundError(DomainError):
    status = 404
    code = "not_found"


class ConflictError(DomainError):
    status = 409
    code = "conflict"


class StaleRecordError(ConflictError):
    code = "stale_record"


class InvalidTransitionError(ConflictError):
    code = "invalid_transition"
