"""A small bulk helper that writes cases as the cases services leave them (statistics only reads
them): a person, a case, optionally the referral it came from, the identification decision, a
residence permit and services."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time

from django.utils import timezone

from opennrm.accounts.models import Agency, User
from opennrm.cases import vocab
from opennrm.cases.models import (
    Case,
    IdentificationDecision,
    Person,
    Referral,
    ResidencePermit,
    ServiceRequest,
)

_numbers = itertools.count(1)


def make_case(
    *,
    centre: Agency,
    caseworker: User,
    gender: str = vocab.Gender.FEMININE,
    year_of_birth: int | None = 1990,
    citizenship: list[str] | None = None,
    is_child: bool = False,
    presumed_on: date | None = date(2026, 3, 1),
    identified_on: date | None = None,
    forms: list[str] | None = None,
    scope: str = vocab.TraffickingScope.INTERNAL,
    referred_by: Agency | None = None,
    referrer: User | None = None,
    reflection_from: date | None = None,
    permit: tuple[str, date] | None = None,
    services: list[tuple[str, str, date]] | None = None,
    means: list[str] | None = None,
    country_of_exploitation: str = "RS",
    recruitment: str = "",
) -> Case:
    n = next(_numbers)
    person = Person.objects.create(
        code=f"RS-T-{n:06d}",
        gender=gender,
        year_of_birth=year_of_birth,
        citizenship=citizenship if citizenship is not None else ["RS"],
    )
    case = Case.objects.create(
        code=f"RS-T-{n:06d}/1",
        person=person,
        lead_agency=centre,
        caseworker=caseworker,
        status=vocab.CaseStatus.IDENTIFIED if identified_on else vocab.CaseStatus.PRESUMED_VICTIM,
        is_child=is_child,
        presumed_victim_date=presumed_on,
        reflection_period_start=reflection_from,
        reflection_period_end=Case.reflection_end_for(reflection_from) if reflection_from else None,
        forms_of_exploitation=forms
        if forms is not None
        else [vocab.TypeOfExploitation.FORCED_LABOUR],
        trafficking_scope=scope,
        means_of_control=means or [],
        country_of_exploitation=country_of_exploitation,
        recruitment_method=recruitment,
    )
    if referred_by is not None:
        Referral.objects.create(
            from_agency=referred_by,
            from_user=referrer or caseworker,
            to_agency=centre,
            consent=vocab.ReferralConsent.GIVEN,
            status=vocab.ReferralStatus.ACCEPTED,
            sent_at=timezone.make_aware(datetime.combine(presumed_on or date(2026, 1, 1), time(9))),
            person=person,
            case=case,
        )
    if identified_on is not None:
        IdentificationDecision.objects.create(
            case=case,
            outcome=vocab.IdentificationOutcome.IDENTIFIED,
            decided_by=caseworker,
            decided_on=identified_on,
            reasoning="Indicators confirmed.",
        )
    if permit is not None:
        ResidencePermit.objects.create(
            case=case,
            permit_type=permit[0],
            status=vocab.PermitStatus.GRANTED,
            applied_on=permit[1],
            granted_on=permit[1],
        )
    for service_type, status, on in services or []:
        ServiceRequest.objects.create(
            case=case,
            service_type=service_type,
            provider_agency=centre,
            status=status,
            requested_by=caseworker,
            requested_at=timezone.make_aware(datetime.combine(on, time(10))),
        )
    return case
