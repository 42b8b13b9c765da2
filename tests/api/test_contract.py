"""The API's contract: OpenAPI 3.1 at /api/schema/, local docs, one error format, no 500s.

The schemathesis part generates requests for every operation in the schema (whatever apps have
registered) and sends them through the WSGI app with a case manager's token, then without one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings

from opennrm.accounts.services import token_issue

WSGI = get_wsgi_application()
SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/", WSGI)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


def assert_error_format(status: int, body: Any) -> None:
    assert isinstance(body, dict), f"{status}: {body!r}"
    assert set(body) == {"error"}, f"{status}: {body!r}"
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}
    assert isinstance(error["code"], str)
    assert error["code"]
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["fields"], dict)


def test_the_schema_is_openapi_3_1_and_lists_the_api(db: None) -> None:
    response = Client().get("/api/schema/")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    assert "/api/v1/accounts/me" in schema["paths"]


def test_the_docs_page_is_served_locally(db: None) -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn." not in html
    assert "unpkg" not in html


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/api/v1/accounts/me", 401, "unauthenticated"),
        ("get", "/api/v1/no-such-endpoint", 404, "not_found"),
        ("post", "/api/v1/accounts/tokens", 401, "unauthenticated"),
    ],
)
def test_errors_share_one_format(db: None, method: str, path: str, status: int, code: str) -> None:
    response = getattr(Client(), method)(path)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert_error_format(status, response.json())
    assert response.json()["error"]["code"] == code


def test_a_malformed_body_is_a_400_naming_the_field(personas: dict[str, Any]) -> None:
    _token, plaintext = token_issue(actor=None, user=personas["vesna"], name="t")
    response = Client().post(
        "/api/v1/accounts/tokens",
        data={"nome": 1},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {plaintext}",
    )
    assert response.status_code == 400
    body = response.json()
    assert_error_format(400, body)
    assert "name" in body["error"]["fields"]


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """Requests sent straight to the WSGI app would close the database connection when they
    finish (and with it the test's transaction); Django's own test client disconnects the same
    handlers."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.slow
@pytest.mark.usefixtures("keep_test_connection")
@pytest.mark.parametrize(
    "operation", OPERATIONS, ids=[f"{op.method.upper()} {op.path}" for op in OPERATIONS]
)
def test_generated_requests_never_cause_a_server_error(
    operation: Any, personas: dict[str, Any]
) -> None:
    _token, plaintext = token_issue(actor=None, user=personas["vesna"], name="schemathesis")

    @settings(
        max_examples=12,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(case=operation.as_strategy())
    def check(case: Any) -> None:
        for headers in ({"Authorization": f"Bearer {plaintext}"}, {}):
            # Each request in its own savepoint, rolled back: a database error in one (answered
            # as a 400) must not poison the test's transaction for the next.
            with transaction.atomic():
                response = case.call(app=WSGI, headers=headers)
                transaction.set_rollback(True)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path}: {response.status_code}"
            )
            if response.status_code >= 400 and response.status_code != 405:
                assert_error_format(response.status_code, response.json())

    check()
