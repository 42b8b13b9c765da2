"""Defects the contract test (tests/api/test_contract.py) found, each pinned on its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from opennrm.accounts.models import User
from opennrm.cases.models import Case, ShelterStay
from tests.cases.helpers import accepted_case


def test_a_case_fact_sent_as_null_is_refused_naming_it(
    personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    """``forms_of_exploitation: null`` reached the service as None: a 500. Facts may be left out
    but not sent as null; only ``caseworker_id`` may be null (unassigned)."""
    case = accepted_case(personas["ana"], personas["vesna"])
    before = Case.objects.values().get(pk=case.pk)
    for field in ("forms_of_exploitation", "means_of_control", "is_child", "risk_level"):
        body: dict[str, Any] = {"version": case.version, field: None}
        response = client_for("vesna").patch(
            f"/api/v1/cases/cases/{case.pk}/", body, content_type="application/json"
        )
        assert response.status_code == 400, (field, response.content)
        assert field in response.json()["error"]["fields"]
    assert Case.objects.values().get(pk=case.pk) == before
    unassigned = client_for("vesna").patch(
        f"/api/v1/cases/cases/{case.pk}/",
        {"version": case.version, "caseworker_id": None},
        content_type="application/json",
    )
    assert unassigned.status_code == 200
    assert Case.objects.get(pk=case.pk).caseworker_id is None


def test_an_unsafe_request_without_any_session_is_unauthenticated_not_a_csrf_refusal(
    db: None,
) -> None:
    """Nobody signed in, no token: a POST answered 403 "CSRF check Failed" (ninja's words, not
    the API's) where a GET answers 401; both are now 401 ``unauthenticated``."""
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/accounts/tokens", {"name": "x"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_signed_in_session_still_needs_its_csrf_token(
    personas: dict[str, User],
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["vesna"])
    response = client.post(
        "/api/v1/accounts/tokens", {"name": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_a_caseworker_id_naming_nobody_is_refused_not_read_as_unassigned(
    personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    """An unknown ``caseworker_id`` was looked up with ``.first()`` and silently became None:
    the case lost its caseworker. It is now a 400 naming the field, and nothing changes."""
    case = accepted_case(personas["ana"], personas["vesna"])
    assert case.caseworker_id is not None
    before = Case.objects.values().get(pk=case.pk)
    response = client_for("vesna").patch(
        f"/api/v1/cases/cases/{case.pk}/",
        {"version": case.version, "caseworker_id": 987_654},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert "caseworker_id" in response.json()["error"]["fields"]
    assert Case.objects.values().get(pk=case.pk) == before


def test_a_shelter_id_naming_no_agency_is_refused_naming_the_field(
    personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    """An unknown ``shelter_id`` was silently dropped (the stay started with no shelter)."""
    case = accepted_case(personas["ana"], personas["vesna"])
    response = client_for("vesna").post(
        f"/api/v1/cases/cases/{case.pk}/shelter-stays/",
        {"admitted_on": "2026-12-01", "shelter_id": 987_654},
        content_type="application/json",
    )
    assert response.status_code == 404, response.content
    assert "shelter_id" in response.json()["error"]["fields"]
    assert not ShelterStay.objects.filter(case=case).exists()
