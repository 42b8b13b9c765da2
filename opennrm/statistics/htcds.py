"""HTCDS 2.0 case-level rows for partners (UNMigration/HTCDS field names).

Data minimisation: the rows carry the pseudonymous case code and the HTCDS case facts a partner
needs for aggregate analysis or referral follow-up, never names, birth dates, contacts or
identity documents (``prs_FirstName`` etc. are left out of the export on purpose). Year of birth
stands in for ``prs_Birthdate``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.cases import vocab
from opennrm.cases.models import Case, IdentificationDecision, ServiceRequest

CHUNK = 2000

HEADERS = [
    "cas_CaseCode",
    "cas_Status",
    "cas_IncomingReferralDate",
    "cas_ReferringOrganisationType",
    "prs_Gender",
    "prs_YearOfBirth",
    "prs_Citizenship",
    "vic_TraffickingStatus",
    "vic_TraffickingStatusDecisionMakingOrg",
    "vic_TypeOfExploitation",
    "vic_MethodOfRecruitment",
    "vic_MethodsOfControl",
    "vic_LocationOfExploitation",
    "spl_Type",
]

_STATUS: dict[str, str] = {
    vocab.CaseStatus.CLOSED: "Closed",
}
_TRAFFICKING_STATUS: dict[str, str] = {
    vocab.CaseStatus.IDENTIFIED: "ActualVictimOfTrafficking",
    vocab.CaseStatus.IN_PROTECTION: "ActualVictimOfTrafficking",
    vocab.CaseStatus.NOT_IDENTIFIED: "NotAVictimOfTrafficking",
}


def htcds_cases(*, actor: User) -> QuerySet[Case]:
    """The cases ``actor`` may export: requires ``export.htcds``, scoped by ``case.view``."""
    policy.require(actor, "export.htcds")
    cases = policy.scope(actor, Case.objects.all(), "case.view")
    return (
        cases.select_related("person", "referral__from_agency")
        .prefetch_related(
            Prefetch("decisions", queryset=IdentificationDecision.objects.order_by("decided_on")),
            Prefetch(
                "service_requests",
                queryset=ServiceRequest.objects.exclude(status=vocab.ServiceStatus.DECLINED),
            ),
        )
        .order_by("pk")
    )


def _row(case: Case) -> list[Any]:
    referral = getattr(case, "referral", None)
    decisions = list(case.decisions.all())
    identified = any(d.outcome == vocab.IdentificationOutcome.IDENTIFIED for d in decisions)
    status = _TRAFFICKING_STATUS.get(case.status, "PossibleVictimOfTrafficking")
    if case.status in (vocab.CaseStatus.CLOSED, vocab.CaseStatus.REOPENED):
        status = "ActualVictimOfTrafficking" if identified else "PossibleVictimOfTrafficking"
    support = sorted(
        {vocab.HTCDS_SUPPORT_TYPE[s.service_type] for s in case.service_requests.all()}
    )
    return [
        case.code,
        _STATUS.get(case.status, "Active"),
        referral.sent_at.date().isoformat() if referral else "",
        referral.from_agency.type if referral else "",
        case.person.gender,
        case.person.year_of_birth or "",
        ";".join(case.person.citizenship),
        status,
        decisions[-1].decision_org if decisions else "",
        ";".join(case.forms_of_exploitation),
        case.recruitment_method,
        ";".join(case.means_of_control),
        case.country_of_exploitation,
        ";".join(support),
    ]


def htcds_rows(*, actor: User) -> Iterator[list[Any]]:
    """Rows in ``HEADERS`` order, streamed (prefetches run per chunk)."""
    for case in htcds_cases(actor=actor).iterator(chunk_size=CHUNK):
        yield _row(case)
