"""A client built only from the published OpenAPI document lists, reads and creates in three
areas (screening, referrals and cases, training events) as the personas who do so, and every
answer is checked against the document (tests/api/schema_client.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from opennrm.accounts.models import Agency, User
from opennrm.accounts.services import token_issue
from tests.api.schema_client import ContractError, SchemaClient


@pytest.fixture
def client_as(personas: dict[str, User]) -> Callable[[str], SchemaClient]:
    document = Client().get("/api/schema/").json()

    def make(username: str) -> SchemaClient:
        _token, plaintext = token_issue(
            actor=None, user=personas[username], name="generated client", scope="write"
        )
        return SchemaClient(document, Client(), {"Authorization": f"Bearer {plaintext}"})

    return make


def test_screening_catalogues_and_a_screening(client_as: Callable[[str], SchemaClient]) -> None:
    ana = client_as("ana")
    catalogues = ana.call("catalogue_list").body
    assert {c["list"] for c in catalogues} >= {"adult_labour", "child_sexual"}
    labour = ana.call("catalogue_detail", path={"list_name": "adult_labour"}).body
    codes = [i["code"] for i in labour["indicators"]]
    result = ana.call(
        "evaluate", json_body={"catalogue": "adult_labour", "present": codes[:3]}
    ).body
    assert result["list"] == "adult_labour"
    assert result["explanation"]["headline"]
    created = ana.call("screening_create", json_body={"exploitation": ["labour"], "age": 30})
    assert created.status == 201
    screening_id = created.body["id"]
    read = ana.call("screening_detail", path={"screening_id": screening_id}).body
    assert read["code"] == created.body["code"]
    listed = ana.call("screening_list").body
    assert [s["id"] for s in listed["items"]] == [screening_id]


def test_a_referral_becomes_a_case(client_as: Callable[[str], SchemaClient]) -> None:
    ana, vesna = client_as("ana"), client_as("vesna")
    referral = ana.call(
        "create_referral",
        json_body={
            "given_names": "Marko",
            "family_name": "Jovanović",
            "year_of_birth": 1990,
            "reason": "Passport held by the employer.",
            "consent_given": True,
            "consent_scope": ["referral", "services"],
        },
    )
    assert referral.status == 201
    referral_id = referral.body["id"]
    assert ana.call("get_referral", path={"referral_id": referral_id}).body["status"] == "sent"
    inbox = vesna.call("list_referrals").body
    assert [r["id"] for r in inbox["items"]] == [referral_id]
    triage = vesna.call("get_referral_triage", path={"referral_id": referral_id}).body
    assert triage["referral"]["id"] == referral_id
    case = vesna.call(
        "accept_referral",
        path={"referral_id": referral_id},
        json_body={"version": triage["version"]},
    )
    assert case.status == 201
    detail = vesna.call("get_case", path={"case_id": case.body["id"]}).body
    assert detail["case"]["code"] == case.body["code"]
    cases = vesna.call("list_cases", query={"q": case.body["code"]}).body
    assert [c["id"] for c in cases["items"]] == [case.body["id"]]
    deadlines = vesna.call("my_deadlines").body
    assert isinstance(deadlines["items"], list)


def test_a_training_event_and_its_attendance(
    client_as: Callable[[str], SchemaClient], agencies: dict[str, Agency]
) -> None:
    marija = client_as("marija")
    created = marija.call(
        "event_create",
        json_body={
            "code": "EV-API-1",
            "title": "Identifying forced labour",
            "kind": "seminar",
            "start": date(2026, 3, 2).isoformat(),
            "end": date(2026, 3, 3).isoformat(),
            "organiser_id": agencies["judicial_academy"].pk,
        },
    )
    assert created.status == 201
    listed = marija.call("event_list").body
    assert [e["code"] for e in listed["items"]] == ["EV-API-1"]
    breakdown = marija.call("event_attendance", path={"code": "EV-API-1", "by": "sex"}).body
    assert breakdown == []


def test_the_client_refuses_what_the_document_does_not_describe(
    client_as: Callable[[str], SchemaClient],
) -> None:
    vesna = client_as("vesna")
    with pytest.raises(ContractError):
        vesna.call("list_cases", query={"purpose": "x"})
    with pytest.raises(ContractError):
        vesna.call("get_case", path={})
    # A refusal is an answer the document declares, in the error format.
    refused: Any = client_as("ana").call("get_case", path={"case_id": 10**6})
    assert refused.status == 404
    assert set(refused.body["error"]) == {"code", "message", "fields"}
