"""Structured logs: JSON lines, a request id on each (taken from the proxy or made), and the access
line names the URL pattern — never the path's ids or a query string with a person's name."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.test import Client
from pythonjsonlogger.json import JsonFormatter

from opennrm.lifecycle.logs import RequestIdFilter


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the production handler writes: the settings' JSON formatter and request-id filter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    formatter = dict(settings.LOGGING["formatters"]["json"])
    factory = formatter.pop("()")
    assert factory == "pythonjsonlogger.json.JsonFormatter"
    handler.setFormatter(JsonFormatter(formatter.pop("fmt"), **formatter))
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("opennrm.request")
    previous = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(previous)


def test_every_response_carries_a_request_id(db: None) -> None:
    made = Client().get("/healthz")["X-Request-ID"]
    assert len(made) == 32
    assert Client(HTTP_X_REQUEST_ID="nginx-req-0001").get("/healthz")["X-Request-ID"] == (
        "nginx-req-0001"
    )
    # Something that is not an id (a header injection attempt) is replaced, not echoed.
    assert Client(HTTP_X_REQUEST_ID="bad id\r\nX: y").get("/healthz")["X-Request-ID"] != (
        "bad id\r\nX: y"
    )


def test_the_access_line_is_json_with_the_pattern_and_no_personal_data(
    json_log: io.StringIO, client_for: Callable[[str], Client]
) -> None:
    response = client_for("vesna").get(
        "/cases/?q=Петровић Јована", HTTP_X_REQUEST_ID="req-abcdef-42"
    )
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert len(lines) == 1
    line = lines[0]
    assert line["message"] == "request"
    assert line["logger"] == "opennrm.request"
    assert line["level"] == "INFO"
    assert line["request_id"] == "req-abcdef-42"
    assert line["route"] == "/cases/"
    assert line["method"] == "GET"
    assert line["status"] == response.status_code
    assert isinstance(line["user_id"], int)
    assert "Петровић" not in json_log.getvalue()
    assert "q=" not in json_log.getvalue()
