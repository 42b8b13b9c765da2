"""A service provider's access follows consent and the life of its service (issue 13, findings 3
and 11): it ends when the person withdraws consent to sharing with providers, and when the
service is completed or the case closed — after ``OPENNRM_PROVIDER_GRACE_HOURS`` for closing
notes. Every list, page and API follows the policy's one condition."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from opennrm.accounts import policy
from opennrm.accounts.models import Agency, User
from opennrm.cases import selectors, services, vocab
from opennrm.cases.models import Case, ServiceRequest
from tests.cases.helpers import accepted_case, fresh, identified_case

pytestmark = pytest.mark.django_db
ClientFor = Callable[[str], Client]


def _served(
    personas: dict[str, User], agencies: dict[str, Agency], **overrides: object
) -> tuple[Case, ServiceRequest]:
    vesna = personas["vesna"]
    case = identified_case(personas["ana"], vesna, **overrides)
    services.case_start_protection(actor=vesna, case=case, expected_version=case.version)
    service = services.service_request_create(
        actor=vesna, case=case, service_type="shelter", provider_agency=agencies["shelter"]
    )
    for step in ("accept", "start"):  # a service starts once accepted (issue 20)
        service = services.service_request_respond(
            actor=personas["milan"], request=service, expected_version=service.version, step=step
        )
    services.case_note_add(
        actor=vesna, case=case, body="Shared: prefers a female interpreter.", sensitivity=1
    )
    return fresh(case), ServiceRequest.objects.get(pk=service.pk)


def _milan_reads(client_for: ClientFor, case: Case) -> dict[str, int | bool]:
    # A new session each time: the tests travel in time past the session's idle limit.
    milan = Client()
    milan.force_login(User.objects.get(username="milan"))
    page = milan.get(reverse("cases:case_detail", args=[case.pk]))
    api = milan.get(f"/api/v1/cases/cases/{case.pk}/")
    listing = milan.get(reverse("cases:case_list")).content.decode()
    api_list = milan.get("/api/v1/cases/cases/").json()
    note = milan.post(
        reverse("cases:case_step", args=[case.pk, "note"]),
        {"body": "Closing note.", "sensitivity": 1},
    )
    api_note = milan.post(
        f"/api/v1/cases/cases/{case.pk}/notes/",
        json.dumps({"body": "Closing note.", "sensitivity": 1}),
        content_type="application/json",
    )
    return {
        "page": page.status_code,
        "name_on_page": "Jovanović" in page.content.decode(),
        "api": api.status_code,
        "name_in_api": "Jovanović" in json.dumps(api.json(), ensure_ascii=False),
        "listed": case.code in listing,
        "api_listed": case.code in [item["code"] for item in api_list["items"]],
        "note": note.status_code,
        "api_note": api_note.status_code,
    }


ALLOWED = {
    "page": 200,
    "name_on_page": True,
    "api": 200,
    "name_in_api": True,
    "listed": True,
    "api_listed": True,
    "note": 302,
    "api_note": 201,
}
REFUSED = {
    "page": 404,
    "name_on_page": False,
    "api": 404,
    "name_in_api": False,
    "listed": False,
    "api_listed": False,
    "note": 404,
    "api_note": 404,
}


def test_withdrawing_consent_cuts_the_provider_off_everywhere_at_once(
    personas: dict[str, User], agencies: dict[str, Agency], client_for: ClientFor
) -> None:
    case, _service = _served(personas, agencies)
    assert _milan_reads(client_for, case) == ALLOWED

    consent = case.consents.get(scope=vocab.ConsentScope.SERVICES)
    services.consent_withdraw(
        actor=personas["vesna"], consent=consent, expected_version=consent.version
    )

    assert _milan_reads(client_for, case) == REFUSED
    assert not policy.can(personas["milan"], "case.view_pii", case)
    with pytest.raises(selectors.NotFoundError):
        selectors.case_detail(actor=personas["milan"], pk=case.pk)
    # The case manager still reads the case; the provider can still close its request.
    assert client_for("vesna").get(reverse("cases:case_detail", args=[case.pk])).status_code == 200


def test_renewed_consent_restores_the_providers_access(
    personas: dict[str, User], agencies: dict[str, Agency], client_for: ClientFor
) -> None:
    case, _service = _served(personas, agencies)
    consent = case.consents.get(scope=vocab.ConsentScope.SERVICES)
    vesna = personas["vesna"]
    services.consent_withdraw(actor=vesna, consent=consent, expected_version=consent.version)
    services.consent_record(actor=vesna, case=case, scope=vocab.ConsentScope.SERVICES)

    assert policy.can(personas["milan"], "case.view_pii", case)


def test_a_shelter_sees_no_name_of_closed_cases_with_completed_services_after_the_grace(
    personas: dict[str, User], agencies: dict[str, Agency], client_for: ClientFor
) -> None:
    vesna, milan = personas["vesna"], personas["milan"]
    closed = []
    for n in range(4):
        case, service = _served(personas, agencies, family_name=f"Jovanović{n}")
        services.service_request_respond(
            actor=milan, request=service, expected_version=service.version, step="complete"
        )
        case = fresh(case)
        services.case_close(
            actor=vesna,
            case=case,
            expected_version=case.version,
            reason=vocab.ClosureReason.RECOVERED,
        )
        closed.append(case)
    still_open, _service = _served(personas, agencies, family_name="Otvoreni")

    later = timezone.now() + timedelta(hours=73)
    with time_machine.travel(later, tick=False):
        listing = selectors.case_list(actor=milan)
        assert list(listing.values_list("code", flat=True)) == [still_open.code]
        for case in closed:
            assert _milan_reads(client_for, case) == REFUSED
        assert _milan_reads(client_for, still_open)["page"] == 200


@override_settings(OPENNRM_PROVIDER_GRACE_HOURS=24)
def test_closing_notes_are_possible_within_the_configured_grace_only(
    personas: dict[str, User], agencies: dict[str, Agency], client_for: ClientFor
) -> None:
    case, service = _served(personas, agencies)
    services.service_request_respond(
        actor=personas["milan"], request=service, expected_version=service.version, step="complete"
    )
    with time_machine.travel(timezone.now() + timedelta(hours=23), tick=False):
        assert _milan_reads(client_for, case) == ALLOWED
    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        assert _milan_reads(client_for, case) == REFUSED


def test_a_case_closed_beyond_the_grace_is_refused_even_with_a_service_left_open(
    personas: dict[str, User], agencies: dict[str, Agency], client_for: ClientFor
) -> None:
    case, _service = _served(personas, agencies)
    services.case_close(
        actor=personas["vesna"],
        case=case,
        expected_version=case.version,
        reason=vocab.ClosureReason.RECOVERED,
    )
    with time_machine.travel(timezone.now() + timedelta(hours=73), tick=False):
        assert _milan_reads(client_for, case) == REFUSED
        # The request itself stays in the inbox (code only) so the shelter can complete it.
        assert selectors.service_inbox(actor=personas["milan"]).filter(case=case).exists()


def test_a_childs_case_needs_no_consent_for_the_provider(
    personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    vesna = personas["vesna"]
    case = accepted_case(personas["ana"], vesna, is_child=True, consent_given=False)
    services.service_request_create(
        actor=vesna, case=case, service_type="shelter", provider_agency=agencies["shelter"]
    )
    assert policy.can(personas["milan"], "case.view_pii", case)
    assert not policy.can(personas["cedomir"], "case.view_pii", case)
