"""The cases API: the journey, per-role projections, policy and the error format."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from opennrm.accounts.models import Agency, User
from opennrm.audit.models import AuditEntry
from opennrm.cases import services
from opennrm.cases.models import Case
from tests.cases.helpers import accepted_case, identified_case, link_to_proceeding, refer

pytestmark = pytest.mark.django_db

ClientFor = Callable[[str], Client]
API = "/api/v1/cases"


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(f"{API}{url}", data, content_type="application/json")


def test_the_journey_through_the_api(client_for: ClientFor, agencies: dict[str, Agency]) -> None:
    ana, vesna, milan = client_for("ana"), client_for("vesna"), client_for("milan")
    sent = post(
        ana,
        "/referrals/",
        {
            "given_names": "Oksana",
            "family_name": "Kovalenko",
            "year_of_birth": 1994,
            "gender": "Feminine",
            "citizenship": ["UA"],
            "languages": ["uk"],
            "consent_given": True,
            "consent_scope": ["services"],
        },
    )
    assert sent.status_code == 201, sent.content
    referral_id = sent.json()["id"]
    assert set(sent.json()) == {
        "id",
        "reference",
        "to_agency",
        "status",
        "status_label",
        "sent_at",
        "acknowledged_at",
        "decided_at",
        "decline_category",
        "decline_category_label",
    }
    assert post(vesna, f"/referrals/{referral_id}/acknowledge/", {"version": 1}).status_code == 200
    assert vesna.get(f"{API}/referrals/{referral_id}/duplicates/").json() == []
    accepted = post(vesna, f"/referrals/{referral_id}/accept/", {"version": 2})
    assert accepted.status_code == 201
    case_id, version = accepted.json()["id"], accepted.json()["version"]
    today = timezone.localdate()
    for action, extra in [
        ("begin_assessment", {}),
        ("presume_victim", {"presumed_on": str(today - timedelta(days=2))}),
        (
            "identify",
            {"decided_on": str(today), "reasoning": "Debt bondage and withheld passport."},
        ),
        ("start_protection", {}),
    ]:
        response = post(vesna, f"/cases/{case_id}/actions/{action}/", {"version": version, **extra})
        assert response.status_code == 200, response.content
        version = response.json()["version"]
    assert response.json()["status"] == "in_protection"
    service = post(
        vesna,
        f"/cases/{case_id}/services/",
        {"service_type": "shelter", "provider_agency_id": agencies["shelter"].pk},
    )
    assert service.status_code == 201
    service_id = service.json()["id"]
    assert post(milan, f"/services/{service_id}/accept/", {"version": 1}).json()["status"] == (
        "accepted"
    )
    seen = milan.get(f"{API}/cases/{case_id}/").json()
    assert seen["role"] == "service_provider"
    assert seen["family_name"] == "Kovalenko"
    assert "identity_document" not in seen
    assert "date_of_birth" not in seen
    closed = post(
        vesna, f"/cases/{case_id}/actions/close/", {"version": version, "reason": "recovered"}
    )
    assert closed.json()["status"] == "closed"
    assert ana.get(f"{API}/referrals/{referral_id}/").json()["status"] == "accepted"


def test_an_adult_without_consent_gets_the_error_format(client_for: ClientFor) -> None:
    response = post(client_for("ana"), "/referrals/", {"family_name": "Kovač"})
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "consent_required",
            "message": (
                "An adult can be referred only with their consent. Ask the person, then record "
                "that they agreed and to what."
            ),
            "fields": {"consent_given": "The person's consent is required for an adult."},
        }
    }


def test_a_stale_version_is_409(client_for: ClientFor, personas: dict[str, User]) -> None:
    case = identified_case(personas["ana"], personas["vesna"])
    vesna = client_for("vesna")
    first = vesna.patch(
        f"{API}/cases/{case.pk}/",
        {"version": case.version, "risk_level": "high"},
        content_type="application/json",
    )
    assert first.status_code == 200
    second = vesna.patch(
        f"{API}/cases/{case.pk}/",
        {"version": case.version, "risk_level": "low"},
        content_type="application/json",
    )
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "stale_record"
    assert Case.objects.get(pk=case.pk).risk_level == "high"


def test_an_impossible_transition_is_409_with_the_next_steps(
    client_for: ClientFor, personas: dict[str, User]
) -> None:
    case = identified_case(personas["ana"], personas["vesna"])
    response = post(
        client_for("vesna"), f"/cases/{case.pk}/actions/reopen/", {"version": case.version}
    )
    assert response.status_code == 409
    assert response.json()["error"]["message"] == (
        "“Reopen the case” is not possible while the case is “Identified victim”. "
        "Possible next steps: Start protection, Close the case."
    )


def test_api_access_per_role(client_for: ClientFor, personas: dict[str, User]) -> None:
    case = identified_case(personas["ana"], personas["vesna"])
    link_to_proceeding(personas["jelena"], case)
    referral_id = case.referral.pk
    expectations = {
        f"{API}/cases/{case.pk}/": {"vesna": 200},
        f"{API}/referrals/{referral_id}/": {"vesna": 200, "ana": 200},
        f"{API}/referrals/{referral_id}/triage/": {"vesna": 200},
        f"{API}/status/?code={case.code}": {"vesna": 200, "jelena": 200},
    }
    for url, allowed in expectations.items():
        for name in (
            "ana",
            "vesna",
            "milan",
            "jelena",
            "marija",
            "dragan",
            "nada",
            "sanja",
            "zoran",
            "ivan",
            "cedomir",
        ):
            status = client_for(name).get(url).status_code
            if name in allowed:
                assert status == allowed[name], (url, name, status)
            else:
                assert status in (403, 404), (url, name, status)
    listing = client_for("cedomir").get(f"{API}/cases/").json()
    assert listing["count"] == 0
    assert client_for("ivan").get(f"{API}/referrals/").json()["count"] == 0


def test_jelena_gets_only_code_and_identification(
    client_for: ClientFor, personas: dict[str, User]
) -> None:
    case = identified_case(personas["ana"], personas["vesna"])
    link_to_proceeding(personas["jelena"], case)
    body = client_for("jelena").get(f"{API}/status/?code={case.code}").json()
    assert body == {
        "code": case.code,
        "status": "identified",
        "identification": "identified",
        "decided_on": str(timezone.localdate()),
    }
    assert AuditEntry.objects.filter(verb="case.view_status", actor=personas["jelena"]).count() == 1


def test_a_declined_referral_shows_the_referrer_its_category_never_the_free_text(
    client_for: ClientFor, personas: dict[str, User]
) -> None:
    referral = refer(personas["ana"])
    services.referral_decline(
        actor=personas["vesna"],
        referral=referral,
        expected_version=1,
        reason="Marko Jovanović is already in our care.",
        category="already_registered",
    )
    response = client_for("ana").get(f"{API}/referrals/{referral.pk}/")
    body = response.json()
    assert (body["status"], body["decline_category"], body["decline_category_label"]) == (
        "declined",
        "already_registered",
        "The person is already registered",
    )
    assert "Jovanovi" not in response.content.decode()
    assert client_for("ana").get(f"{API}/referrals/{referral.pk}/triage/").status_code == 404


def test_the_referral_list_returns_status_fields_only(
    client_for: ClientFor, personas: dict[str, User]
) -> None:
    referral = refer(personas["ana"])
    body = client_for("ana").get(f"{API}/referrals/").json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item["reference"] == f"R-{referral.pk}"
    assert item["status_label"] == "Sent"
    assert "family_name" not in item
    assert client_for("cedomir").get(f"{API}/referrals/").json()["count"] == 0


def test_the_case_list_counts_exactly_up_to_the_cap_and_says_more_beyond(
    client_for: ClientFor, personas: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    from opennrm.core import pagination

    codes = [accepted_case(personas["ana"], personas["vesna"]).code for _ in range(3)]
    vesna = client_for("vesna")
    body = vesna.get(f"{API}/cases/?limit=2").json()
    assert (body["count"], body["count_capped"]) == (3, False)
    assert len(body["items"]) == 2
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    assert vesna.get(f"{API}/cases/").json()["count_capped"] is False  # exactly the cap
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    body = vesna.get(f"{API}/cases/?limit=2&offset=2").json()
    assert (body["count"], body["count_capped"]) == (2, True)  # "more than 2"
    # The items do not stop at the cap: the third case is still on the next page.
    assert [item["code"] for item in body["items"]] == [sorted(codes)[0]]
    filtered = vesna.get(f"{API}/cases/?q={codes[1]}").json()
    assert (filtered["count"], filtered["count_capped"]) == (1, False)
    assert vesna.get(f"{API}/cases/?limit=0").status_code == 400
    assert vesna.get(f"{API}/cases/?limit=500").status_code == 200
    too_many = vesna.get(f"{API}/cases/?limit=501")
    assert too_many.status_code == 400
    assert "limit" in too_many.content.decode()


def test_the_referral_and_service_lists_cap_their_count_too(
    client_for: ClientFor, personas: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    from opennrm.core import pagination

    for _ in range(3):
        refer(personas["ana"])
    vesna = client_for("vesna")
    body = vesna.get(f"{API}/referrals/?limit=2").json()
    assert (body["count"], body["count_capped"], len(body["items"])) == (3, False, 2)
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    body = vesna.get(f"{API}/referrals/?limit=2&offset=2").json()
    assert (body["count"], body["count_capped"], len(body["items"])) == (2, True, 1)
    services_page = client_for("milan").get(f"{API}/services/").json()
    assert (services_page["count"], services_page["count_capped"]) == (0, False)


def test_case_list_rows_carry_the_listed_fields_and_no_personal_data(
    client_for: ClientFor, personas: dict[str, User]
) -> None:
    case = accepted_case(personas["ana"], personas["vesna"])
    [item] = client_for("vesna").get(f"{API}/cases/").json()["items"]
    assert item == {
        "id": case.pk,
        "code": case.code,
        "status": case.status,
        "is_child": case.is_child,
        "opened_on": case.opened_on.isoformat(),
        "lead_agency": case.lead_agency.name,
        "version": case.version,
    }


def test_a_name_search_finds_the_persons_cases_in_either_script_newest_first(
    client_for: ClientFor, personas: dict[str, User]
) -> None:
    ana, vesna = personas["ana"], personas["vesna"]
    first = accepted_case(ana, vesna, given_names="Jelena", family_name="Đorđević")
    accepted_case(ana, vesna, given_names="Milica", family_name="Đorđević")
    second = accepted_case(ana, vesna, given_names="Јелена", family_name="Ђорђевић")
    api = client_for("vesna")

    def search(**body: object) -> Any:
        url = f"{API}/cases/search/"
        return api.post(url, json.dumps(body), content_type="application/json").json()

    for query in ("Jelena Đorđević", "Ђорђевић Јелена", "jelena djordjevic"):
        body = search(q=query)
        assert [item["code"] for item in body["items"]] == [second.code, first.code], query
        assert (body["count"], body["count_capped"]) == (2, False)
    assert search(q="Jelena Đorđević", status="identified")["items"] == []
    assert search(q="Jelena Petrović")["count"] == 0


def test_an_offset_beyond_any_list_is_refused_with_the_field_named(
    client_for: ClientFor, personas: dict[str, User]
) -> None:
    accepted_case(personas["ana"], personas["vesna"])
    vesna = client_for("vesna")
    assert vesna.get(f"{API}/cases/?offset=1000000000").json()["items"] == []
    response = vesna.get(f"{API}/cases/?offset=9223372036854775808")
    assert response.status_code == 400
    assert "offset" in str(response.json())


def test_the_case_list_schema_documents_the_capped_count(client_for: ClientFor) -> None:
    schema = client_for("vesna").get("/api/schema/").json()
    ref = schema["paths"][f"{API}/cases/"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]["$ref"]
    page = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(page["properties"]) == {"items", "count", "count_capped"}
    assert set(page["required"]) == {"items", "count", "count_capped"}
    assert "10,000" in page["properties"]["count"]["description"]


def test_no_api_list_hands_out_more_than_500_items_a_page(client_for: ClientFor) -> None:
    vesna = client_for("vesna")
    for path in ("/referrals/", "/services/", "/deadlines/"):
        response = vesna.get(f"{API}{path}?limit=501")
        assert response.status_code == 400, (path, response.status_code)
        assert "limit" in response.content.decode()
        assert vesna.get(f"{API}{path}?limit=500").status_code in (200, 403)


@pytest.mark.parametrize(
    "path", ["/api/v1/screening/screenings", "/api/v1/training/cohorts", f"{API}/referrals/"]
)
def test_every_list_refuses_an_offset_beyond_the_databases_integers(
    client_for: ClientFor, path: str
) -> None:
    vesna = client_for("vesna")
    response = vesna.get(f"{path}?offset=9223372036854775808")
    assert response.status_code == 400, response.status_code
    assert "offset" in str(response.json())
    assert vesna.get(f"{path}?offset=1000000000").status_code in (200, 403)
