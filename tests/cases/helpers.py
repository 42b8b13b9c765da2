"""Data for case tests, made through the real services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from opennrm.accounts.models import Agency, User
from opennrm.cases import services, vocab
from opennrm.cases.models import Case, Referral


def refer(actor: User, **overrides: Any) -> Referral:
    values: dict[str, Any] = {
        "given_names": "Marko",
        "family_name": "Jovanović",
        "date_of_birth": date(1990, 4, 12),
        "gender": vocab.Gender.MASCULINE,
        "citizenship": ["RS"],
        "languages": ["sr"],
        "reason": "Worked 16 hours a day on a building site; passport held by the employer.",
        "consent_given": True,
        "consent_scope": [vocab.ConsentScope.REFERRAL, vocab.ConsentScope.SERVICES],
    }
    values.update(overrides)
    return services.referral_create(actor=actor, **values)


def accepted_case(ana: User, vesna: User, **overrides: Any) -> Case:
    referral = refer(ana, **overrides)
    return services.referral_accept(
        actor=vesna, referral=referral, expected_version=referral.version
    )


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def identified_case(ana: User, vesna: User, **overrides: Any) -> Case:
    case = accepted_case(ana, vesna, **overrides)
    services.case_begin_assessment(actor=vesna, case=case, expected_version=case.version)
    today = timezone.localdate()
    services.case_presume_victim(
        actor=vesna,
        case=case,
        expected_version=case.version,
        presumed_on=today - timedelta(days=3),
    )
    services.case_decide_identification(
        actor=vesna,
        case=case,
        expected_version=case.version,
        outcome=vocab.IdentificationOutcome.IDENTIFIED,
        decided_on=today,
        reasoning="Индикатори принудног рада потврђени у два разговора.",
    )
    return fresh(case)


def link_to_proceeding(jelena: User, case: Case, prosecutor_office: Agency | None = None) -> Any:
    """A proceeding of the justice user's office with the case's person linked as a victim: the
    one reason justice may look up the case's identification status."""
    from opennrm.justice import services as justice

    proceeding = justice.proceeding_create(
        actor=jelena,
        prosecutor_office=prosecutor_office or jelena.agency,
        started_on=timezone.localdate(),
    )
    justice.victim_link(actor=jelena, proceeding=proceeding, case_code=case.code)
    return proceeding
