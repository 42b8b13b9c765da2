"""Issue 13, findings 3 and 11, against a live server: a service provider's access ends when the
person withdraws consent, and when its service is completed or the case closed (after the grace
for closing notes). Milan (the shelter) probes the case page, the case list, notes and the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import override_settings

from opennrm.accounts.models import Agency, User
from opennrm.cases import services, vocab
from opennrm.cases.models import Case
from tests.cases.helpers import fresh, identified_case
from tests.security.conftest import Session, csrf_from

SHARED_NOTE = "Shared with the shelter: allergic to penicillin."
CONTACTS = "+381 64 555 0199"


def _served_case(personas: dict[str, User], agencies: dict[str, Agency], family: str) -> Case:
    vesna = personas["vesna"]
    case = identified_case(personas["ana"], vesna, family_name=family, contacts=CONTACTS)
    services.case_start_protection(actor=vesna, case=case, expected_version=case.version)
    service = services.service_request_create(
        actor=vesna, case=case, service_type="shelter", provider_agency=agencies["shelter"]
    )
    for step in ("accept", "start"):  # a service starts once accepted (issue 20)
        service = services.service_request_respond(
            actor=personas["milan"], request=service, expected_version=service.version, step=step
        )
    services.case_note_add(actor=vesna, case=case, body=SHARED_NOTE, sensitivity=1)
    return fresh(case)


def _probe(milan: Session, case: Case, family: str) -> dict[str, Any]:
    """What Milan gets from every door to the case."""
    page = milan.get(f"/cases/{case.pk}/")
    api = milan.get(f"/api/v1/cases/cases/{case.pk}/")
    listing = milan.get("/cases/").text
    api_list = milan.get("/api/v1/cases/cases/").json()["items"]
    note_form = milan.get(f"/cases/{case.pk}/do/note/")
    api_note = milan.api(
        "POST", f"/api/v1/cases/cases/{case.pk}/notes/", json={"body": "x", "sensitivity": 1}
    )
    texts = page.text + api.text
    return {
        "page": page.status_code,
        "api": api.status_code,
        "name": family in page.text or family in api.json().__repr__(),
        "contacts": CONTACTS in texts,
        "note": SHARED_NOTE in texts,
        "listed": case.code in listing,
        "api_listed": case.code in [item["code"] for item in api_list],
        "note_form": note_form.status_code,
        "api_note": api_note.status_code,
    }


REFUSED = {
    "page": 404,
    "api": 404,
    "name": False,
    "contacts": False,
    "note": False,
    "listed": False,
    "api_listed": False,
    "note_form": 404,
    "api_note": 404,
}


def test_after_the_withdrawal_of_consent_the_provider_reads_nothing(
    sign_in: Callable[[str], Session], personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    case = _served_case(personas, agencies, "Petrović")
    milan, vesna = sign_in("milan"), sign_in("vesna")
    before = _probe(milan, case, "Petrović")
    assert (before["page"], before["name"], before["contacts"], before["note"]) == (
        200,
        True,
        True,
        True,
    )

    consent = case.consents.get(scope=vocab.ConsentScope.SERVICES)
    form = vesna.get(f"/cases/consents/{consent.pk}/withdraw/")
    withdrawn = vesna.post(
        f"/cases/consents/{consent.pk}/withdraw/",
        data={"csrfmiddlewaretoken": csrf_from(form.text), "version": consent.version},
        headers={"Referer": vesna.base_url + "/"},
    )
    assert withdrawn.status_code == 200  # redirected back to the case

    assert _probe(milan, case, "Petrović") == REFUSED


def test_a_shelter_sees_no_name_of_closed_cases_with_completed_services(
    sign_in: Callable[[str], Session], personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    vesna, milan_user = personas["vesna"], personas["milan"]
    families = [f"Nikolić{n}" for n in range(3)]
    closed = []
    for family in families:
        case = _served_case(personas, agencies, family)
        service = case.service_requests.get()
        services.service_request_respond(
            actor=milan_user, request=service, expected_version=service.version, step="complete"
        )
        case = fresh(case)
        services.case_close(
            actor=vesna,
            case=case,
            expected_version=case.version,
            reason=vocab.ClosureReason.RECOVERED,
        )
        closed.append(case)
    milan = sign_in("milan")
    # Within the grace (default 72 hours) closing notes are still possible.
    assert milan.get(f"/cases/{closed[0].pk}/").status_code == 200

    with override_settings(OPENNRM_PROVIDER_GRACE_HOURS=0):  # the grace is over
        for case, family in zip(closed, families, strict=True):
            assert _probe(milan, case, family) == REFUSED
