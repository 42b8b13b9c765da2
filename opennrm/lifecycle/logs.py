"""Structured logs: one JSON object a line, each with the request id, never personal data.

``RequestIdMiddleware`` takes the id nginx sends (``X-Request-ID``, ``deploy/nginx``) when it looks
like one, or makes one, keeps it in a context variable for every log record of the request, and
returns it in the response so that a user's report can be matched to the log. The access line
(logger ``opennrm.request``) names the URL *pattern*, not the path or its query string (a search for
a person's name travels in the query string), the status, the time and the user's id.

JSON rendering is ``python-json-logger`` (maintained, standard ``logging.Formatter`` subclass).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from opennrm.lifecycle.metrics import route_of

request_id: ContextVar[str] = ContextVar("opennrm_request_id", default="-")
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
access_log = logging.getLogger("opennrm.request")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request: commands, the worker)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        rid = given if _VALID_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            user = getattr(request, "user", None)
            access_log.info(
                "request",
                extra={
                    "method": request.method,
                    "route": route_of(request),
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            return response
        finally:
            request_id.reset(token)
