"""The API's contract: OpenAPI 3.1 at /api/schema/, local docs, one error format, and every
answer as the schema describes it.

The schemathesis part generates requests for every operation in the schema (whatever apps have
registered) and sends each through the WSGI app as every persona (a bearer token each, and the
case manager's browser session with its CSRF token) and as nobody. Every answer must be one the
operation documents — its status code, its content type and its body against the declared schema
— never a 5xx, and every refusal in the one error format. Path parameters are half the time those
of real records (a referral, a case with a proceeding, a screening), so that answers with content
are checked too, not only refusals of random ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from opennrm.accounts.models import Agency, User
from opennrm.accounts.services import token_issue
from opennrm.justice.models import VictimInProceeding
from opennrm.screening import services as screening
from opennrm.training import services as training
from tests.cases.helpers import identified_case, link_to_proceeding, refer
from tests.pii_log_guard import names_in

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
    _token, plaintext = token_issue(actor=None, user=personas["vesna"], name="t", scope="write")
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


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Examples per operation; each is sent as every identity below (about ten requests).
EXAMPLES = 4
CODE = "CONTRACT-1"
CSRF = "contractcsrftoken0123456789abcde"  # 32 characters: a CSRF secret as the cookie holds it


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


def session_cookies(user: User) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    return {
        django_settings.SESSION_COOKIE_NAME: client.cookies[
            django_settings.SESSION_COOKIE_NAME
        ].value,
        django_settings.CSRF_COOKIE_NAME: CSRF,
    }


@pytest.fixture
def identities(personas: dict[str, User]) -> list[tuple[str, dict[str, str], dict[str, str]]]:
    """(name, headers, cookies): nobody, a persona of each role by token, and the case manager
    by browser session (with the CSRF token an unsafe method needs)."""
    found: list[tuple[str, dict[str, str], dict[str, str]]] = [("anonymous", {}, {})]
    roles: set[str] = set()
    for username, user in personas.items():
        if user.roles <= roles:
            continue  # a second persona of a role answers as the first
        roles |= user.roles
        _token, plaintext = token_issue(actor=None, user=user, name="contract", scope="write")
        found.append((username, {"Authorization": f"Bearer {plaintext}"}, {}))
    found.append(("vesna (session)", {"X-CSRFToken": CSRF}, session_cookies(personas["vesna"])))
    return found


@pytest.fixture
def known(personas: dict[str, User], agencies: dict[str, Agency]) -> dict[str, Any]:
    """Path parameters of real records, by parameter name. ``code`` names a cohort and a
    training event alike (codes are unique per kind of record)."""
    ana, vesna, marija = personas["ana"], personas["vesna"], personas["marija"]
    course = training.course_create(
        actor=marija, code="contract", title="Contract", modules=[("intro", "Introduction")]
    )
    dates = {"start": date(2026, 3, 2), "end": date(2026, 3, 3), "organiser": agencies["coe"]}
    training.cohort_create(
        actor=marija, course=course, code=CODE, title="Cohort", target_group="judges", **dates
    )
    training.event_create(actor=marija, code=CODE, title="Event", kind="seminar", **dates)
    case = identified_case(ana, vesna)
    proceeding = link_to_proceeding(personas["jelena"], case)
    found = screening.screening_start(actor=ana, age_group="adult", exploitation=["labour"])
    return {
        "case_id": case.pk,
        "case_code": case.code,
        "referral_id": refer(ana).pk,
        "proceeding_id": proceeding.pk,
        "link_id": VictimInProceeding.objects.get(proceeding=proceeding).pk,
        "screening_id": found.pk,
        "user_id": vesna.pk,
        "list_name": "adult_labour",
        "code": CODE,
    }


@pytest.mark.slow
@pytest.mark.usefixtures("keep_test_connection")
@pytest.mark.parametrize(
    "operation", OPERATIONS, ids=[f"{op.method.upper()} {op.path}" for op in OPERATIONS]
)
def test_every_answer_is_the_one_the_schema_describes(
    operation: Any,
    identities: list[tuple[str, dict[str, str], dict[str, str]]],
    known: dict[str, Any],
) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(case=operation.as_strategy(), real_records=st.booleans())
    def check(case: Any, real_records: bool) -> None:
        if real_records and case.path_parameters:
            case.path_parameters = {
                name: known.get(name, value) for name, value in case.path_parameters.items()
            }
        # Hypothesis draws strings from the constants of the project's own modules, the demo's
        # names among them (cases/demo_names.py): a name in a generated path or query would be
        # written to the access log by the test itself (tests/pii_log_guard.py). No client of
        # this API puts a name in a URL; such a draw is not sent.
        assume(not names_in(f"{case.formatted_path}?{urlencode(case.query or {}, doseq=True)}"))
        for who, headers, cookies in identities:
            # Each request in its own savepoint, rolled back: a database error in one (answered
            # as a 400) must not poison the test's transaction for the next, and one identity's
            # write must not change what the next one sees.
            with transaction.atomic():
                response = case.call(app=WSGI, headers=headers, cookies=cookies)
                transaction.set_rollback(True)
            where = f"{case.method} {case.formatted_path} as {who}: {response.status_code}"
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except AssertionError as exc:
                raise AssertionError(f"{where}\n{exc}") from None
            if response.status_code >= 400:
                assert_error_format(response.status_code, response.json())

    check()
