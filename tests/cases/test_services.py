"""Services of the NRM core: referrals, consent, duplicates, workflow, protection."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from opennrm.accounts.models import Agency, User
from opennrm.audit.models import AuditEntry
from opennrm.cases import services, vocab
from opennrm.cases.models import Case, Consent, Person, Referral
from opennrm.core.errors import (
    ConflictError,
    InvalidTransitionError,
    PermissionDeniedError,
    StaleRecordError,
    ValidationFailed,
)
from tests.cases.helpers import accepted_case, fresh, identified_case, refer

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(personas: dict[str, User]) -> User:
    return personas["ana"]


@pytest.fixture
def vesna(personas: dict[str, User]) -> User:
    return personas["vesna"]


def test_it_refuses_referral_of_an_adult_without_consent(ana: User) -> None:
    with pytest.raises(ValidationFailed) as refused:
        refer(ana, consent_given=False, consent_scope=[])
    assert refused.value.message == (
        "An adult can be referred only with their consent. Ask the person, then record that "
        "they agreed and to what."
    )
    assert refused.value.fields == {
        "consent_given": "The person's consent is required for an adult."
    }
    assert Referral.objects.count() == 0


def test_it_records_who_consented_when_and_to_what(ana: User, agencies: dict[str, Agency]) -> None:
    referral = refer(ana, consent_scope=[vocab.ConsentScope.SERVICES])
    assert referral.consent == vocab.ReferralConsent.GIVEN
    assert referral.consent_recorded_by == ana
    assert referral.consent_recorded_at is not None
    assert referral.consent_scope == ["referral", "services"]
    assert referral.to_agency == agencies["cptv"]
    assert referral.from_agency == agencies["labour"]
    entry = AuditEntry.objects.get(verb="referral.create")
    assert entry.recipient == agencies["cptv"].name
    assert entry.target_label == f"referral R-{referral.pk}"


def test_a_child_is_referred_without_consent(ana: User) -> None:
    today = timezone.localdate()
    referral = refer(
        ana, consent_given=False, date_of_birth=date(today.year - 15, 1, 1), is_child=False
    )
    assert referral.is_child is True
    assert referral.consent == vocab.ReferralConsent.NOT_NEEDED_CHILD
    assert referral.consent_recorded_by is None


def test_a_presumed_child_with_unknown_age_needs_no_consent(ana: User) -> None:
    referral = refer(ana, consent_given=False, date_of_birth=None, is_child=True)
    assert referral.consent == vocab.ReferralConsent.NOT_NEEDED_CHILD


def test_personal_data_of_a_referral_is_encrypted_at_rest(ana: User) -> None:
    from django.db import connection

    referral = refer(ana)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT subject_family_name, reason FROM cases_referral WHERE id = %s", [referral.pk]
        )
        family, reason = cursor.fetchone()
    assert family.startswith("enc1:")
    assert "Jovanovi" not in family
    assert reason.startswith("enc1:")


def test_invalid_citizenship_codes_are_refused_with_a_field_message(ana: User) -> None:
    with pytest.raises(ValidationFailed) as refused:
        refer(ana, citizenship=["Serbia"])
    assert refused.value.fields["citizenship"] == (
        "Citizenship must be given as two-letter ISO 3166 country codes, such as RS or UA."
    )


def test_accepting_creates_a_person_with_code_and_a_case(ana: User, vesna: User) -> None:
    case = accepted_case(ana, vesna)
    year = timezone.localdate().year
    assert re.fullmatch(rf"RS-{year}-00001-[2-9A-HJKMNP-TV-Z]{{5}}", case.person.code)
    assert case.code == f"{case.person.code}/1"
    assert case.status == vocab.CaseStatus.REFERRED
    assert case.caseworker == vesna
    assert case.person.family_name == "Jovanović"
    assert case.person.year_of_birth == 1990
    referral = Referral.objects.get()
    assert (referral.status, referral.case, referral.person) == ("accepted", case, case.person)
    assert sorted(Consent.objects.filter(case=case).values_list("scope", flat=True)) == [
        "referral",
        "services",
    ]


def test_person_codes_are_numbered_per_year_with_a_random_part(ana: User, vesna: User) -> None:
    first = accepted_case(ana, vesna)
    second = accepted_case(ana, vesna, given_names="Ivana", family_name="Ilić")
    assert first.person.code.split("-")[2] == "00001"
    assert second.person.code.split("-")[2] == "00002"
    assert first.person.code.split("-")[3] != second.person.code.split("-")[3]


def test_duplicates_are_found_across_scripts_and_diacritics(ana: User, vesna: User) -> None:
    case = accepted_case(ana, vesna, given_names="Đorđe", family_name="Petrović")
    for given, family in [
        ("Ђорђе", "Петровић"),
        ("Djordje", "Petrovic"),
        ("PETROVIĆ", "Đorđe"),
    ]:
        matches = services.person_find_duplicates(
            actor=vesna, given_names=given, family_name=family, date_of_birth=date(1990, 4, 12)
        )
        assert [(p.pk, strength) for p, strength in matches] == [
            (case.person.pk, "name_and_date")
        ], (given, family)


def test_duplicates_by_year_of_birth_and_by_name_only(ana: User, vesna: User) -> None:
    case = accepted_case(ana, vesna)
    by_year = services.person_find_duplicates(
        actor=vesna, given_names="Marko", family_name="Jovanovic", year_of_birth=1990
    )
    assert [s for _p, s in by_year] == ["name_and_year"]
    other_year = services.person_find_duplicates(
        actor=vesna, given_names="Marko", family_name="Jovanovic", year_of_birth=1991
    )
    assert [(p.pk, s) for p, s in other_year] == [(case.person.pk, "name_only")]
    entry = AuditEntry.objects.filter(verb="person.duplicate_check").last()
    assert entry is not None
    assert entry.changes == {"matches": [case.person.code]}
    assert services.person_find_duplicates(actor=vesna, given_names="Petar", family_name="X") == []


def test_only_case_managers_run_the_duplicate_check(personas: dict[str, User]) -> None:
    for name in ("ana", "cedomir", "milan", "ivan"):
        with pytest.raises(PermissionDeniedError):
            services.person_find_duplicates(
                actor=personas[name], given_names="Marko", family_name="Jovanović"
            )


def test_re_trafficking_is_a_new_case_for_the_same_person(ana: User, vesna: User) -> None:
    first = accepted_case(ana, vesna)
    again = refer(ana, given_names="Марко", family_name="Јовановић")
    [(match, _strength)] = services.person_find_duplicates(
        actor=vesna, given_names="Марко", family_name="Јовановић", date_of_birth=date(1990, 4, 12)
    )
    second = services.referral_accept(
        actor=vesna, referral=again, expected_version=again.version, person=match
    )
    assert second.person == first.person
    assert second.pk != first.pk
    assert second.code == f"{first.person.code}/2"
    assert Person.objects.count() == 1
    assert AuditEntry.objects.filter(verb="person.match_confirmed").count() == 1


def test_presumed_victim_starts_a_reflection_period_of_at_least_30_days(
    ana: User, vesna: User
) -> None:
    case = accepted_case(ana, vesna)
    services.case_begin_assessment(actor=vesna, case=case, expected_version=case.version)
    start = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationFailed) as refused:
        services.case_presume_victim(
            actor=vesna,
            case=case,
            expected_version=case.version,
            presumed_on=start,
            reflection_end=start + timedelta(days=29),
        )
    # The date as the language writes it (issue 20), never ISO.
    earliest = date_format(start + timedelta(days=30), "DATE_FORMAT")
    assert refused.value.message == (
        f"The recovery and reflection period lasts at least 30 days; it cannot end before "
        f"{earliest}."
    )
    case = fresh(case)
    services.case_presume_victim(
        actor=vesna, case=case, expected_version=case.version, presumed_on=start
    )
    case = fresh(case)
    assert case.status == "presumed_victim"
    assert case.reflection_period_start == start
    assert case.reflection_period_end == start + timedelta(days=30)
    assert case.reflection_period_days == 30


def test_identification_without_reasoning_is_refused_with_what_is_needed(
    ana: User, vesna: User
) -> None:
    case = accepted_case(ana, vesna)
    services.case_begin_assessment(actor=vesna, case=case, expected_version=case.version)
    services.case_presume_victim(
        actor=vesna, case=case, expected_version=case.version, presumed_on=timezone.localdate()
    )
    with pytest.raises(ValidationFailed) as refused:
        services.case_decide_identification(
            actor=vesna,
            case=case,
            expected_version=case.version,
            outcome="identified",
            decided_on=timezone.localdate(),
            reasoning=" ",
        )
    assert refused.value.message == (
        "An identification decision needs its reasoning. Write why the person is or is not "
        "identified as a victim."
    )
    assert fresh(case).status == "presumed_victim"


def test_an_impossible_transition_says_why_and_what_is_possible(ana: User, vesna: User) -> None:
    case = accepted_case(ana, vesna)
    with pytest.raises(InvalidTransitionError) as refused:
        services.case_start_protection(actor=vesna, case=case, expected_version=case.version)
    assert refused.value.status == 409
    assert refused.value.message == (
        "“Start protection” is not possible while the case is “Referred”. "
        "Possible next steps: Begin assessment, Close the case."
    )


def test_a_child_needs_a_guardian_before_protection(ana: User, vesna: User) -> None:
    today = timezone.localdate()
    case = identified_case(ana, vesna, date_of_birth=date(today.year - 14, 1, 1))
    with pytest.raises(ValidationFailed) as refused:
        services.case_start_protection(actor=vesna, case=case, expected_version=case.version)
    assert refused.value.fields == {
        "guardian": (
            "A child needs a guardian before protection starts. Record the child's guardian first."
        )
    }
    services.guardian_add(
        actor=vesna,
        case=case,
        full_name="Snežana Kostić",
        appointed_on=today,
        appointed_by="City Centre for Social Work Belgrade",
    )
    services.case_start_protection(actor=vesna, case=case, expected_version=case.version)
    assert fresh(case).status == "in_protection"


def test_closing_needs_a_reason_and_reopening_works(ana: User, vesna: User) -> None:
    case = identified_case(ana, vesna)
    with pytest.raises(ValidationFailed) as refused:
        services.case_close(actor=vesna, case=case, expected_version=case.version, reason="")
    assert refused.value.message == "A case can be closed only with a reason. Choose one."
    services.case_close(actor=vesna, case=case, expected_version=case.version, reason="recovered")
    assert fresh(case).status == "closed"
    services.case_reopen(
        actor=vesna,
        case=case,
        expected_version=case.version,
        reason="Contacted again by recruiter.",
    )
    services.case_start_protection(actor=vesna, case=case, expected_version=case.version)
    case = fresh(case)
    assert case.status == "in_protection"
    assert [c.to_status for c in case.status_changes.all()] == [
        "referred",
        "under_assessment",
        "presumed_victim",
        "identified",
        "closed",
        "reopened",
        "in_protection",
    ]


def test_a_second_save_with_the_same_version_is_refused(ana: User, vesna: User) -> None:
    case = accepted_case(ana, vesna)
    first, second = fresh(case), fresh(case)
    services.case_update(actor=vesna, case=first, expected_version=first.version, risk_level="high")
    with pytest.raises(StaleRecordError) as refused:
        services.case_update(
            actor=vesna, case=second, expected_version=second.version, risk_level="low"
        )
    assert refused.value.status == 409
    assert fresh(case).risk_level == "high"


def test_services_need_the_adults_consent_to_sharing(
    ana: User, vesna: User, agencies: dict[str, Agency]
) -> None:
    case = accepted_case(ana, vesna, consent_scope=[vocab.ConsentScope.REFERRAL])
    with pytest.raises(ValidationFailed) as refused:
        services.service_request_create(
            actor=vesna, case=case, service_type="shelter", provider_agency=agencies["shelter"]
        )
    assert refused.value.code == "consent_required"
    services.consent_record(actor=vesna, case=case, scope="services")
    request = services.service_request_create(
        actor=vesna, case=case, service_type="shelter", provider_agency=agencies["shelter"]
    )
    assert request.status == "requested"


def test_the_provider_accepts_progresses_and_completes_a_service(
    ana: User, vesna: User, personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    milan = personas["milan"]
    case = identified_case(ana, vesna)
    request = services.service_request_create(
        actor=vesna, case=case, service_type="shelter", provider_agency=agencies["shelter"]
    )
    with pytest.raises(PermissionDeniedError):
        services.service_request_respond(
            actor=personas["cedomir"],
            request=request,
            expected_version=request.version,
            step="accept",
        )
    for step in ("accept", "start", "complete"):
        services.service_request_respond(
            actor=milan, request=request, expected_version=request.version, step=step
        )
    assert request.status == "completed"
    assert request.responded_by == milan
    with pytest.raises(InvalidTransitionError):
        services.service_request_respond(
            actor=milan,
            request=request,
            expected_version=request.version,
            step="decline",
            reason="Full",
        )


def test_cedomir_and_milan_cannot_touch_cases_they_do_not_manage(
    ana: User, vesna: User, personas: dict[str, User]
) -> None:
    case = accepted_case(ana, vesna)
    for name in ("cedomir", "milan", "ana", "jelena", "ivan"):
        with pytest.raises(PermissionDeniedError):
            services.case_begin_assessment(
                actor=personas[name], case=case, expected_version=case.version
            )


def test_a_closed_case_takes_no_new_services(
    ana: User, vesna: User, agencies: dict[str, Agency]
) -> None:
    case = identified_case(ana, vesna)
    services.case_close(actor=vesna, case=case, expected_version=case.version, reason="recovered")
    with pytest.raises(ConflictError) as refused:
        services.service_request_create(
            actor=vesna, case=case, service_type="medical", provider_agency=agencies["health"]
        )
    assert refused.value.message == "This case is closed. Reopen it first."


def test_only_the_receiving_centre_decides_referrals(ana: User, personas: dict[str, User]) -> None:
    referral = refer(ana)
    for name in ("ana", "cedomir", "milan"):
        with pytest.raises(PermissionDeniedError):
            services.referral_acknowledge(
                actor=personas[name], referral=referral, expected_version=referral.version
            )


def test_declining_needs_a_reason_the_referrer_will_see(ana: User, vesna: User) -> None:
    referral = refer(ana)
    services.referral_acknowledge(actor=vesna, referral=referral, expected_version=1)
    with pytest.raises(ValidationFailed):
        services.referral_decline(actor=vesna, referral=referral, expected_version=2, reason="")
    services.referral_decline(
        actor=vesna, referral=referral, expected_version=2, reason="Already in our care."
    )
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == ("declined", "Already in our care.")
    assert Case.objects.count() == 0
