"""Data-subject requests: a register with the 30-day deadline on the dashboard, restriction that
keeps the data and holds erasure, and a record of the answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from opennrm.accounts.models import User
from opennrm.audit.models import AuditEntry
from opennrm.cases.models import Person
from opennrm.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from opennrm.lifecycle import requests, services
from opennrm.lifecycle.models import DataSubjectRequest, ErasureProposal, ErasureStatus
from tests.lifecycle.test_erasure import _closed_case, _later

pytestmark = pytest.mark.django_db


def test_a_request_is_due_thirty_days_after_receipt(personas: dict[str, User]) -> None:
    case = _closed_case(personas)
    received = timezone.localdate() - timedelta(days=2)
    made = requests.request_register(
        actor=personas["zoran"], person_code=case.person.code, kind="access", received_on=received
    )
    assert made.due_on == received + timedelta(days=30)
    entry = AuditEntry.objects.get(verb="lifecycle.request_registered")
    assert entry.changes == {"person": case.person.code, "kind": "access", "restricted": False}


def test_an_unknown_code_a_bad_kind_and_a_future_date_are_refused_and_named(
    personas: dict[str, User],
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        requests.request_register(
            actor=personas["vesna"],
            person_code="RS-1999-00001",
            kind="deletion",
            received_on=timezone.localdate() + timedelta(days=1),
        )
    assert refused.value.fields == {
        "person_code": "No person has the code RS-1999-00001.",
        "kind": "Choose one of the listed kinds of request.",
        "received_on": "The date of receipt cannot be in the future.",
    }
    assert not DataSubjectRequest.objects.exists()


def test_nobody_else_handles_requests(personas: dict[str, User]) -> None:
    case = _closed_case(personas)
    for username in ("ana", "milan", "jelena", "dragan", "ivan", "cedomir"):
        with pytest.raises(PermissionDeniedError):
            requests.request_register(
                actor=personas[username],
                person_code=case.person.code,
                kind="access",
                received_on=timezone.localdate(),
            )
        client = Client()
        client.force_login(personas[username])
        assert client.get("/lifecycle/requests/").status_code == 403


def test_a_restriction_keeps_the_data_and_holds_erasure_until_lifted(
    personas: dict[str, User],
) -> None:
    case = _closed_case(personas)
    made = requests.request_register(
        actor=personas["vesna"],
        person_code=case.person.code,
        kind="restriction",
        received_on=timezone.localdate(),
        details="Contests the recorded date of birth.",
    )
    assert requests.is_restricted(case.person)
    services.retention_propose_due(today=_later())
    proposal = ErasureProposal.objects.get()
    assert proposal.status == ErasureStatus.HELD
    assert proposal.hold_reason == "a data-subject request of this person is pending"
    # Answered, the restriction stays in force unless lifted: still held.
    requests.request_answer(actor=personas["zoran"], request_id=made.pk, answer="Kept, verified.")
    assert requests.is_restricted(case.person)
    assert services.legal_hold(case.person) == "a restriction of processing is in force"
    assert Person.objects.get(pk=case.person_id).family_name == "Jovanović"


def test_the_answer_is_recorded_once(personas: dict[str, User]) -> None:
    case = _closed_case(personas)
    made = requests.request_register(
        actor=personas["vesna"],
        person_code=case.person.code,
        kind="restriction",
        received_on=timezone.localdate(),
    )
    with pytest.raises(ValidationFailed):
        requests.request_answer(actor=personas["zoran"], request_id=made.pk, answer="  ")
    answered = requests.request_answer(
        actor=personas["zoran"],
        request_id=made.pk,
        answer="Restriction lifted.",
        lift_restriction=True,
    )
    assert (answered.status, answered.answered_by, answered.restricted) == (
        "answered",
        personas["zoran"],
        False,
    )
    assert DataSubjectRequest.objects.get(pk=made.pk).answer == "Restriction lifted."
    assert not requests.is_restricted(case.person)
    with pytest.raises(ConflictError, match="answered already"):
        requests.request_answer(actor=personas["zoran"], request_id=made.pk, answer="Again.")


def test_open_requests_and_their_deadline_are_on_the_dashboard(
    personas: dict[str, User],
) -> None:
    case = _closed_case(personas)
    late = requests.request_register(
        actor=personas["vesna"],
        person_code=case.person.code,
        kind="objection",
        received_on=timezone.localdate() - timedelta(days=31),
    )
    client = Client()
    client.force_login(personas["zoran"])
    home = client.get("/").content.decode()
    assert "Data-subject requests" in home
    assert case.person.code in home
    assert late.due_on.isoformat() in home
    assert "Overdue" in home
    other = Client()
    other.force_login(personas["dragan"])
    assert "Data-subject requests" not in other.get("/").content.decode()


def test_the_register_page_registers_and_answers(personas: dict[str, User]) -> None:
    case = _closed_case(personas)
    client = Client()
    client.force_login(personas["vesna"])
    today = timezone.localdate()
    answer = client.post(
        "/lifecycle/requests/",
        {
            "action": "register",
            "person_code": case.person.code,
            "kind": "access",
            "received_on": today.isoformat(),
        },
    )
    made = DataSubjectRequest.objects.get()
    # In the language's own date format (issue 20), never ISO.
    due = date_format(today + timedelta(days=30), "DATE_FORMAT")
    assert f"the answer is due on {due}" in answer.content.decode()
    bad = client.post(
        "/lifecycle/requests/",
        {
            "action": "register",
            "person_code": case.person.code,
            "kind": "access",
            "received_on": "yesterday",
        },
    )
    assert bad.status_code == 400
    assert "Give the date of receipt as YYYY-MM-DD." in bad.content.decode()
    done = client.post(
        "/lifecycle/requests/",
        {"action": "answer", "request": made.pk, "answer": "Case file PDF handed over."},
    )
    assert f"The answer to request {made.pk} is recorded." in done.content.decode()
    assert DataSubjectRequest.objects.get().status == "answered"


def test_a_restriction_in_force_blocks_processing_of_the_case_until_lifted(
    personas: dict[str, User],
) -> None:
    from opennrm.cases import services as case_services
    from opennrm.cases.models import Case, CaseNote
    from tests.cases.helpers import identified_case

    vesna = personas["vesna"]
    case = identified_case(personas["ana"], vesna)
    made = requests.request_register(
        actor=vesna,
        person_code=case.person.code,
        kind="restriction",
        received_on=timezone.localdate(),
    )
    entries = AuditEntry.objects.count()
    refused = "Processing of this person's data is restricted"
    with pytest.raises(ConflictError, match=refused) as caught:
        case_services.case_update(
            actor=vesna, case=case, expected_version=case.version, country_of_exploitation="DE"
        )
    assert caught.value.code == "processing_restricted"
    with pytest.raises(ConflictError, match=refused):
        case_services.case_start_protection(actor=vesna, case=case, expected_version=case.version)
    with pytest.raises(ConflictError, match=refused):
        case_services.case_note_add(actor=vesna, case=case, body="Called her.", sensitivity=1)
    with pytest.raises(ConflictError, match=refused):
        case_services.person_update(
            actor=vesna, person=case.person, expected_version=case.person.version, family_name="X"
        )
    stored = Case.objects.get(pk=case.pk)
    assert (stored.version, stored.status, stored.country_of_exploitation) == (
        case.version,
        case.status,
        case.country_of_exploitation,
    )
    assert Person.objects.get(pk=case.person_id).family_name == case.person.family_name
    assert not CaseNote.objects.filter(case=case).exists()
    assert AuditEntry.objects.count() == entries  # nothing was processed, nothing recorded
    # Reading stays possible (the data is kept), and lifting the restriction lifts the block.
    client = Client()
    client.force_login(vesna)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    requests.request_answer(
        actor=vesna, request_id=made.pk, answer="Verified; lifted.", lift_restriction=True
    )
    case_services.case_update(
        actor=vesna, case=case, expected_version=case.version, country_of_exploitation="DE"
    )
    assert Case.objects.get(pk=case.pk).country_of_exploitation == "DE"
