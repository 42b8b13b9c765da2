"""Pages of the NRM core: who may open what (DESIGN §1), what each role sees, audit, concurrency."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from opennrm.accounts.models import Agency, RoleAssignment, User
from opennrm.accounts.roles import Role
from opennrm.audit.models import AuditEntry
from opennrm.cases import services
from opennrm.cases.models import Case
from opennrm.demo.base import ensure_totp
from tests.cases.helpers import accepted_case, identified_case, link_to_proceeding, refer
from tests.conftest import assert_access

pytestmark = pytest.mark.django_db

ClientFor = Callable[[str], Client]


@pytest.fixture
def case(personas: dict[str, User]) -> Case:
    made = identified_case(personas["ana"], personas["vesna"])
    services.person_update(
        actor=personas["vesna"],
        person=made.person,
        expected_version=made.person.version,
        identity_document="passport 012345678",
    )
    return Case.objects.get(pk=made.pk)


def test_referral_pages_permissions(client_for: ClientFor, personas: dict[str, User]) -> None:
    referral = refer(personas["ana"])
    assert_access(client_for, reverse("cases:referral_create"), allowed=["ana", "vesna", "cedomir"])
    assert_access(client_for, reverse("cases:referral_list"), allowed=["ana", "vesna", "cedomir"])
    assert_access(
        client_for, reverse("cases:referral_detail", args=[referral.pk]), allowed=["ana", "vesna"]
    )


def test_ana_sees_her_referrals_status_and_nothing_about_the_person(
    client_for: ClientFor, personas: dict[str, User]
) -> None:
    referral = refer(personas["ana"])
    services.referral_acknowledge(actor=personas["vesna"], referral=referral, expected_version=1)
    page = client_for("ana").get(reverse("cases:referral_detail", args=[referral.pk]))
    text = page.content.decode()
    assert "Acknowledged" in text
    assert "Jovanović" not in text
    assert "Marko" not in text
    assert "1990" not in text
    assert "passport" not in text
    listing = client_for("cedomir").get(reverse("cases:referral_list")).content.decode()
    assert f"R-{referral.pk}" not in listing
    assert "0 referrals" in listing


def test_the_centre_triages_with_the_persons_details_audited(
    client_for: ClientFor, personas: dict[str, User]
) -> None:
    referral = refer(personas["ana"])
    text = client_for("vesna").get(reverse("cases:referral_detail", args=[referral.pk]))
    assert "Jovanović" in text.content.decode()
    entry = AuditEntry.objects.get(verb="referral.view_pii")
    assert (entry.actor, entry.purpose) == (personas["vesna"], "referral triage")


def test_an_adult_referral_without_consent_is_refused_on_the_form(client_for: ClientFor) -> None:
    response = client_for("ana").post(
        reverse("cases:referral_create"),
        {
            "given_names": "Ivana",
            "family_name": "Kovač",
            "gender": "Feminine",
            "year_of_birth": 1995,
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "The person&#x27;s consent is required for an adult." in text
    assert 'value="Kovač"' in text


def test_case_pages_permissions(
    client_for: ClientFor, personas: dict[str, User], case: Case
) -> None:
    assert_access(client_for, reverse("cases:case_list"), allowed=["vesna", "milan"])
    assert_access(client_for, reverse("cases:case_detail", args=[case.pk]), allowed=["vesna"])
    assert_access(client_for, reverse("cases:case_history", args=[case.pk]), allowed=["vesna"])
    for step in ("edit", "service", "note", "plan", "close", "start_protection"):
        allowed = ["vesna"]
        assert_access(client_for, reverse("cases:case_step", args=[case.pk, step]), allowed=allowed)
    assert_access(client_for, reverse("cases:service_inbox"), allowed=["milan"])
    assert_access(
        client_for,
        reverse("cases:status_lookup") + f"?code={case.code}",
        allowed=["vesna", "jelena"],
    )


def test_milan_sees_assigned_cases_with_minimum_fields(
    client_for: ClientFor, personas: dict[str, User], agencies: dict[str, Agency], case: Case
) -> None:
    vesna = personas["vesna"]
    services.case_note_add(
        actor=vesna, case=case, body="Prefers a female interpreter.", sensitivity=1
    )
    services.case_note_add(
        actor=vesna, case=case, body="Trafficker's brother works nearby.", sensitivity=2
    )
    services.service_request_create(
        actor=vesna, case=case, service_type="shelter", provider_agency=agencies["shelter"]
    )
    assert_access(
        client_for, reverse("cases:case_detail", args=[case.pk]), allowed=["vesna", "milan"]
    )
    text = client_for("milan").get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Marko Jovanović" in text
    assert "Prefers a female interpreter." in text
    assert "Trafficker" not in text
    assert "012345678" not in text
    assert "1990-04-12" not in text
    assert "Индикатори принудног рада" not in text
    entries = AuditEntry.objects.filter(verb="case.view_pii", actor=personas["milan"])
    assert [e.purpose for e in entries] == ["service provision", "service provision"]
    listing = client_for("milan").get(reverse("cases:case_list")).content.decode()
    assert case.code in listing


def test_jelena_sees_only_the_code_and_identification_status(
    client_for: ClientFor, case: Case, personas: dict[str, User]
) -> None:
    link_to_proceeding(personas["jelena"], case)
    text = (
        client_for("jelena")
        .get(reverse("cases:status_lookup") + f"?code={case.code}")
        .content.decode()
    )
    assert case.code in text
    assert "Identified as a victim" in text
    assert "Jovanović" not in text
    assert "Marko" not in text


def test_the_caseworker_sees_the_case_with_an_implicit_purpose(
    client_for: ClientFor, personas: dict[str, User], case: Case
) -> None:
    text = client_for("vesna").get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "012345678" in text
    entry = AuditEntry.objects.filter(verb="case.view_pii").get()
    assert (entry.actor, entry.purpose, entry.target_label) == (
        personas["vesna"],
        "assigned caseworker",
        case.code,
    )


def _colleague(agency: Agency, username: str) -> User:
    user = User.objects.create_user(username=username, agency=agency, first_name="Nina")
    RoleAssignment.objects.create(user=user, role=Role.CASE_MANAGER)
    ensure_totp(user)
    return user


def test_a_colleague_must_state_a_purpose_first(agencies: dict[str, Agency], case: Case) -> None:
    colleague = _colleague(agencies["cptv"], "nina")
    client = Client()
    client.force_login(colleague)
    url = reverse("cases:case_detail", args=[case.pk])
    first = client.get(url).content.decode()
    assert "State why you need to see the person" in first
    assert "Jovanović" not in first
    client.post(url, {"purpose": "Supervision of the caseworker"})
    assert "Jovanović" in client.get(url).content.decode()
    entry = AuditEntry.objects.filter(verb="case.view_pii", actor=colleague).get()
    assert entry.purpose == "Supervision of the caseworker"


def test_another_agencys_case_manager_needs_to_break_the_glass(
    agencies: dict[str, Agency], case: Case
) -> None:
    outsider = _colleague(agencies["astra"], "petra")
    client = Client()
    client.force_login(outsider)
    url = reverse("cases:case_detail", args=[case.pk])
    assert client.get(url).status_code == 404
    assert case.code not in client.get(reverse("cases:case_list")).content.decode()
    client.post(
        reverse("cases:break_glass"),
        {"code": case.code, "reason": "Person arrived at our night shelter in crisis."},
    )
    text = client.get(url).content.decode()
    assert "Jovanović" in text
    assert "Opened by breaking the glass" in text
    assert AuditEntry.objects.get(verb="access.break_glass").flagged
    assert AuditEntry.objects.filter(verb="case.view_pii", actor=outsider).get().flagged


def test_cedomir_sees_nothing_of_anas_referrals_or_the_centres_cases(
    client_for: ClientFor, personas: dict[str, User], case: Case
) -> None:
    cedomir = client_for("cedomir")
    referral = case.referral
    assert cedomir.get(reverse("cases:referral_detail", args=[referral.pk])).status_code == 404
    assert cedomir.get(reverse("cases:case_detail", args=[case.pk])).status_code == 403
    assert cedomir.get(reverse("cases:status_lookup") + f"?code={case.code}").status_code == 403
    assert not AuditEntry.objects.filter(
        actor=personas["cedomir"], target_type__startswith="cases."
    ).exists()


def test_a_stale_edit_keeps_the_input_and_says_why(
    client_for: ClientFor, personas: dict[str, User], case: Case
) -> None:
    stale_version = case.version
    services.case_update(
        actor=personas["vesna"], case=case, expected_version=case.version, risk_level="high"
    )
    response = client_for("vesna").post(
        reverse("cases:case_step", args=[case.pk, "edit"]),
        {
            "version": stale_version,
            "trafficking_scope": "transnational",
            "municipality_of_exploitation": "Subotica",
            "risk_level": "low",
        },
    )
    text = response.content.decode()
    assert "Someone else saved this record while you were editing it." in text
    assert 'value="Subotica"' in text
    assert Case.objects.get(pk=case.pk).risk_level == "high"


def test_the_detail_page_offers_the_next_steps_of_the_workflow(
    client_for: ClientFor, personas: dict[str, User]
) -> None:
    case = accepted_case(personas["ana"], personas["vesna"])
    text = client_for("vesna").get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert reverse("cases:case_step", args=[case.pk, "begin_assessment"]) in text
    assert reverse("cases:case_step", args=[case.pk, "close"]) in text
    assert reverse("cases:case_step", args=[case.pk, "identify"]) not in text


def test_the_caseworker_corrects_the_persons_details_with_an_audited_form(
    client_for: ClientFor, personas: dict[str, User], case: Case
) -> None:
    url = reverse("cases:case_step", args=[case.pk, "person"])
    assert_access(client_for, url, allowed=["vesna"])
    assert AuditEntry.objects.filter(verb="person.view_pii", actor=personas["vesna"]).count() == 1
    person = case.person
    response = client_for("vesna").post(
        url,
        {
            "version": person.version,
            "given_names": "Марко",
            "family_name": "Јовановић",
            "date_of_birth": "1990-04-12",
            "gender": "Masculine",
            "citizenship": "RS, BA",
            "languages": "sr",
            "identity_document": "ID card 009876543",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.family_name, person.citizenship) == ("Јовановић", ["RS", "BA"])
    assert person.identity_document == "ID card 009876543"
    matches = services.person_find_duplicates(
        actor=personas["vesna"], given_names="Marko", family_name="Jovanovic", year_of_birth=1990
    )
    assert [p.pk for p, _s in matches] == [person.pk]


def test_the_case_list_page_says_more_than_the_cap_instead_of_counting_everything(
    client_for: ClientFor, personas: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    from opennrm.core import pagination

    codes = [accepted_case(personas["ana"], personas["vesna"]).code for _ in range(3)]
    vesna = client_for("vesna")
    assert "3 cases" in vesna.get(reverse("cases:case_list")).content.decode()
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    html = vesna.get(reverse("cases:case_list")).content.decode()
    assert "More than 2 cases" in html
    assert "3 cases" not in html
    # The pages stop at the cap too: the two newest are listed, the oldest is not.
    assert [code in html for code in codes] == [False, True, True]


def test_the_referral_inbox_says_more_than_the_cap_instead_of_counting_everything(
    client_for: ClientFor, personas: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    from opennrm.core import pagination

    for _ in range(3):
        refer(personas["ana"])
    vesna = client_for("vesna")
    assert "3 referrals" in vesna.get(reverse("cases:referral_list")).content.decode()
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    assert "3 referrals" in vesna.get(reverse("cases:referral_list")).content.decode()
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    html = vesna.get(reverse("cases:referral_list")).content.decode()
    assert "More than 2 referrals" in html
    assert "3 referrals" not in html
    # The Centre's inbox in Serbian says it too, in the user's script.
    html = vesna.get(reverse("cases:referral_list"), HTTP_ACCEPT_LANGUAGE="sr").content.decode()
    assert "Више од 2 упућивања" in html
