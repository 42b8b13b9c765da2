"""Protection services: permits, consent withdrawal, shelter stays, plans, notes; name keys."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from opennrm.accounts.models import Agency, User
from opennrm.cases import services, vocab
from opennrm.cases.models import Case
from opennrm.cases.services import name_key
from opennrm.core.errors import (
    ConflictError,
    InvalidTransitionError,
    StaleRecordError,
    ValidationFailed,
)
from opennrm.core.translit import to_latin
from tests.cases.helpers import accepted_case, identified_case

CYRILLIC = "абвгдђежзијклљмнњопрстћуфхцчџшАБВГДЂЕЖЗИЈКЛЉМНЊОПРСТЋУФХЦЧЏШ"


@given(
    st.text(alphabet=CYRILLIC, min_size=1, max_size=12),
    st.text(alphabet=CYRILLIC, min_size=1, max_size=12),
)
def test_a_name_folds_to_the_same_key_in_both_scripts_and_any_order(
    given_name: str, family: str
) -> None:
    key = name_key(given_name, family)
    assert key == name_key(to_latin(given_name), to_latin(family))
    assert key == name_key(family.upper(), given_name.lower())


@pytest.fixture
def case(personas: dict[str, User]) -> Case:
    return identified_case(personas["ana"], personas["vesna"], citizenship=["UA"])


@pytest.mark.django_db
def test_a_granted_permit_needs_its_grant_date(case: Case, personas: dict[str, User]) -> None:
    vesna = personas["vesna"]
    applied = timezone.localdate() - timedelta(days=20)
    with pytest.raises(ValidationFailed) as refused:
        services.residence_permit_save(
            actor=vesna, case=case, permit_type="cooperation", status="granted", applied_on=applied
        )
    assert refused.value.fields == {"granted_on": "Give the date for this status."}
    permit = services.residence_permit_save(
        actor=vesna,
        case=case,
        permit_type="cooperation",
        status="granted",
        applied_on=applied,
        granted_on=applied + timedelta(days=10),
        expires_on=applied + timedelta(days=375),
    )
    assert (permit.status, permit.granted_on) == ("granted", applied + timedelta(days=10))


@pytest.mark.django_db
def test_withdrawn_consent_stops_new_service_requests(
    case: Case, personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    vesna = personas["vesna"]
    consent = case.consents.get(scope="services")
    services.consent_withdraw(actor=vesna, consent=consent, expected_version=consent.version)
    with pytest.raises(ValidationFailed) as refused:
        services.service_request_create(
            actor=vesna, case=case, service_type="legal_aid", provider_agency=agencies["astra"]
        )
    assert refused.value.code == "consent_required"
    with pytest.raises(ConflictError):
        services.consent_withdraw(actor=vesna, consent=consent, expected_version=consent.version)


@pytest.mark.django_db
def test_one_shelter_stay_at_a_time_and_departure_after_admission(
    case: Case, personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    vesna, milan = personas["vesna"], personas["milan"]
    request = services.service_request_create(
        actor=vesna, case=case, service_type="shelter", provider_agency=agencies["shelter"]
    )
    services.service_request_respond(
        actor=milan, request=request, expected_version=request.version, step="accept"
    )
    today = timezone.localdate()
    stay = services.shelter_stay_start(
        actor=milan, case=case, admitted_on=today, service_request=request
    )
    assert stay.shelter == agencies["shelter"]
    with pytest.raises(ConflictError) as refused:
        services.shelter_stay_start(
            actor=vesna, case=case, admitted_on=today, shelter=agencies["shelter"]
        )
    assert refused.value.message == (
        "The person is already in a shelter. Record the departure first."
    )
    with pytest.raises(ValidationFailed):
        services.shelter_stay_end(
            actor=milan,
            stay=stay,
            expected_version=stay.version,
            left_on=today - timedelta(days=1),
            exit_reason="moved_on",
        )
    services.shelter_stay_end(
        actor=milan, stay=stay, expected_version=stay.version, left_on=today, exit_reason="family"
    )
    assert stay.left_on == today


@pytest.mark.django_db
def test_a_stale_plan_update_is_refused(case: Case, personas: dict[str, User]) -> None:
    vesna = personas["vesna"]
    plan = services.case_plan_save(actor=vesna, case=case, objectives="Safe housing", actions="")
    services.case_plan_save(
        actor=vesna, case=case, objectives="Safe housing and work", actions="", expected_version=1
    )
    with pytest.raises(StaleRecordError):
        services.case_plan_save(
            actor=vesna, case=case, objectives="Other", actions="", expected_version=plan.version
        )


@pytest.mark.django_db
def test_a_provider_writes_only_shared_notes(
    case: Case, personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    vesna, milan = personas["vesna"], personas["milan"]
    services.service_request_create(
        actor=vesna, case=case, service_type="shelter", provider_agency=agencies["shelter"]
    )
    note = services.case_note_add(
        actor=milan, case=case, body="Arrived safely.", sensitivity=vocab.NoteSensitivity.RESTRICTED
    )
    assert note.sensitivity == vocab.NoteSensitivity.SHARED


@pytest.mark.django_db
def test_a_refusal_reads_in_serbian(personas: dict[str, User]) -> None:
    case = accepted_case(personas["ana"], personas["vesna"])
    with translation.override("sr"), pytest.raises(InvalidTransitionError) as refused:
        services.case_start_protection(
            actor=personas["vesna"], case=case, expected_version=case.version
        )
    assert refused.value.message == (
        "„Започни заштиту” није могуће док је предмет „Упућен”. "
        "Могући следећи кораци: Започни процену, Затвори предмет."
    )


@pytest.mark.django_db
def test_a_future_presumed_date_is_refused(personas: dict[str, User]) -> None:
    case = accepted_case(personas["ana"], personas["vesna"])
    vesna = personas["vesna"]
    services.case_begin_assessment(actor=vesna, case=case, expected_version=case.version)
    with pytest.raises(ValidationFailed):
        services.case_presume_victim(
            actor=vesna,
            case=case,
            expected_version=case.version,
            presumed_on=timezone.localdate() + timedelta(days=1),
        )
    assert Case.objects.get(pk=case.pk).presumed_victim_date is None
