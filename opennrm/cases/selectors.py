"""Every read of the NRM core that users see, through ``accounts.policy``.

Selectors return per-role *projections* (frozen dataclasses) rather than models wherever personal
data is involved, so a template or an API schema cannot show a field the role may not see:
``CaseManagerView`` (everything), ``ProviderView`` (minimum fields for a service provider: no
identity document, no exact date of birth, notes shared with providers only),
``CaseStatusView`` (justice: pseudonymous code and identification status), ``ReferralStatusView``
(the referrer: status and dates only). Every projection holding personal data is audited with
its purpose (implicit for the assigned caseworker and for providers' assigned cases; stated
otherwise).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.accounts.roles import Role
from opennrm.audit.services import record
from opennrm.cases import vocab, workflow
from opennrm.cases.models import (
    Case,
    CaseNote,
    CasePlan,
    CaseStatusChange,
    Consent,
    Guardian,
    IdentificationDecision,
    Person,
    Referral,
    ResidencePermit,
    ServiceRequest,
    ShelterStay,
)
from opennrm.cases.services import case_facts, may_end_stay, name_key
from opennrm.core.crypto import blind_index
from opennrm.core.errors import DomainError, NotFoundError

_CODE = re.compile(r"^\s*RS-\d", re.IGNORECASE)


class PurposeRequired(DomainError):
    """Personal data of a case outside one's own caseload needs a stated purpose first."""

    status = 400
    code = "purpose_required"


def _not_found() -> NotFoundError:
    return NotFoundError(_("This record does not exist or you may not see it."))


# --- referrals ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralStatusView:
    """What the referrer sees: the status of their referral and nothing about the person."""

    pk: int
    reference: str
    to_agency: str
    status: str
    status_label: str
    sent_at: datetime
    acknowledged_at: datetime | None
    decided_at: datetime | None
    # The coded category only: the free-text reason may name the person and stays with the
    # centre (``ReferralTriageView.decline_reason``).
    decline_category: str
    decline_category_label: str


@dataclass(frozen=True)
class ReferralTriageView:
    """What the receiving case manager sees to acknowledge, match and accept a referral."""

    status_view: ReferralStatusView
    version: int
    from_agency: str
    from_user: str
    given_names: str
    family_name: str
    date_of_birth: str
    year_of_birth: int | None
    gender_label: str
    citizenship: list[str]
    languages: list[str]
    contacts: str
    reason: str
    is_child: bool
    consent_label: str
    consent_scope: list[str]
    consent_recorded_at: datetime | None
    case_id: int | None
    case_code: str
    decline_reason: str = ""


def referral_list(*, actor: User, status: str = "") -> QuerySet[Referral]:
    """Referrals the actor may see (``referral.view``): their own, plus those sent to their
    agency for case managers. Newest first.
    """
    referrals = policy.scope(actor, Referral.objects.all(), "referral.view")
    if status:
        referrals = referrals.filter(status=status)
    return referrals.select_related("from_agency", "to_agency", "case").order_by("-sent_at", "-id")


def referral_get(*, actor: User, pk: int) -> Referral:
    """One referral in the actor's ``referral.view`` scope, or NotFoundError."""
    referral = referral_list(actor=actor).filter(pk=pk).first()
    if referral is None:
        raise _not_found()
    return referral


def referral_status_view(referral: Referral) -> ReferralStatusView:
    return ReferralStatusView(
        pk=referral.pk,
        reference=referral.audit_label.removeprefix("referral "),
        to_agency=referral.to_agency.display_name,
        status=referral.status,
        status_label=str(referral.get_status_display()),
        sent_at=referral.sent_at,
        acknowledged_at=referral.acknowledged_at,
        decided_at=referral.decided_at,
        decline_category=referral.decline_category,
        decline_category_label=(
            str(referral.get_decline_category_display()) if referral.decline_category else ""
        ),
    )


def referral_view(*, actor: User, pk: int) -> ReferralStatusView | ReferralTriageView:
    """A referral as the actor may see it: the receiving case manager (``referral.decide``)
    gets the triage view with the person's details (audited as a PII view for triage); the
    referrer gets the status view only.
    """
    referral = referral_get(actor=actor, pk=pk)
    status_view = referral_status_view(referral)
    if not policy.can(actor, "referral.decide", referral):
        return status_view
    record(
        actor=actor,
        verb="referral.view_pii",
        target=referral,
        purpose="referral triage",
    )
    return ReferralTriageView(
        status_view=status_view,
        version=referral.version,
        from_agency=referral.from_agency.display_name,
        from_user=referral.from_user.get_full_name() or referral.from_user.username,
        given_names=referral.subject_given_names,
        family_name=referral.subject_family_name,
        date_of_birth=referral.subject_date_of_birth,
        year_of_birth=referral.subject_year_of_birth,
        gender_label=str(referral.get_subject_gender_display()),
        citizenship=list(referral.subject_citizenship),
        languages=list(referral.subject_languages),
        contacts=referral.subject_contacts,
        reason=referral.reason,
        is_child=referral.is_child,
        consent_label=str(referral.get_consent_display()),
        consent_scope=[str(vocab.ConsentScope(s).label) for s in referral.consent_scope],
        consent_recorded_at=referral.consent_recorded_at,
        case_id=referral.case_id,
        case_code=referral.case.code if referral.case else "",
        decline_reason=referral.decline_reason,
    )


# --- cases -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilters:
    q: str = ""
    status: str = ""
    agency_id: int | None = None


def is_code(q: str) -> bool:
    """Whether a search text is a (prefix of a) pseudonymous case code rather than a name."""
    return bool(_CODE.match(q))


def case_list(*, actor: User, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """Cases the actor may see (``case.view`` scope), filtered by code prefix, status, lead
    agency, or a name: the name is folded and hashed into the blind index (never stored, never
    compared in clear) and matched against the persons' name index. Rows carry no personal
    data; names appear only on the audited detail page.

    Every search by name is audited (``case.search_name``): who and when, with the blind-index
    digest of the name — never the name — so the data protection officer can later find who
    looked for a given person, and nobody reads a name in the trail.
    """
    f = filters or CaseFilters()
    cases = policy.scope(actor, Case.objects.all(), "case.view")
    newest_first: tuple[Any, ...] = ("-opened_on", "-id")
    q = f.q.strip()
    if q:
        if is_code(q):
            cases = cases.filter(code__startswith=q.upper())  # codes are stored upper-case
        else:
            key = name_key(q, "")
            digest = blind_index(key, purpose="person.name") if key else ""
            if policy.can(actor, "case.view"):  # others search nothing: their scope is empty
                record(
                    actor=actor,
                    verb="case.search_name",
                    purpose="case search by name",
                    changes={"name_index": [None, digest]},
                )
            persons = Person.objects.filter(name_index=digest).values("pk")
            cases = cases.filter(person__in=persons)
            # The same order through an expression no index has. Otherwise PostgreSQL may walk
            # the whole list in date order, reading a person row per case to test its name
            # (seconds at a million cases for one name, milliseconds for another). The people
            # of one name are few: their cases are found by name, then sorted.
            newest_first = (Coalesce("opened_on", "opened_on").desc(), "-id")
    if f.status:
        cases = cases.filter(status=f.status)
    if f.agency_id:
        cases = cases.filter(lead_agency_id=f.agency_id)
    return cases.select_related("lead_agency", "caseworker").order_by(*newest_first)


def case_get(*, actor: User, pk: int, action: str = "case.view") -> Case:
    """One case in the actor's scope for ``action``, or NotFoundError (same answer either way)."""
    case = policy.scope(actor, Case.objects.all(), action).filter(pk=pk).first()
    if case is None or not policy.can(actor, action, case):
        raise _not_found()
    return case


@dataclass(frozen=True)
class PersonDetails:
    code: str
    given_names: str
    family_name: str
    date_of_birth: str
    year_of_birth: int | None
    gender_label: str
    citizenship: list[str]
    languages: list[str]
    contacts: str
    identity_document: str
    version: int


@dataclass(frozen=True)
class CaseManagerView:
    """Everything about a case, for the lead agency's case managers (or a break-the-glass)."""

    case: Case
    person: PersonDetails
    status_label: str
    options: list[workflow.Option]
    decisions: list[IdentificationDecision]
    guardians: list[Guardian]
    consents: list[Consent]
    permits: list[ResidencePermit]
    services: list[ServiceRequest]
    stays: list[ShelterStay]
    plan: CasePlan | None
    notes: list[CaseNote]
    history: list[CaseStatusChange]
    other_cases: list[tuple[int, str, str]]
    break_glass: bool
    role: str = "case_manager"


@dataclass(frozen=True)
class ProviderService:
    pk: int
    version: int
    service_type: str
    service_label: str
    status: str
    status_label: str
    requested_at: datetime
    details: str
    decline_reason: str


@dataclass(frozen=True)
class ProviderNote:
    created_at: datetime
    body: str


@dataclass(frozen=True)
class ProviderStay:
    pk: int
    version: int
    admitted_on: date
    left_on: date | None


@dataclass(frozen=True)
class ProviderView:
    """Minimum fields for a service provider with the case assigned (DESIGN §1)."""

    pk: int
    code: str
    status_label: str
    is_child: bool
    given_names: str
    family_name: str
    year_of_birth: int | None
    gender_label: str
    languages: list[str]
    contacts: str
    guardians: list[tuple[str, str]]
    services: list[ProviderService]
    stays: list[ProviderStay]
    notes: list[ProviderNote] = field(default_factory=list)
    role: str = "service_provider"


@dataclass(frozen=True)
class CaseStatusView:
    """A pseudonymous code and the identification status: all justice users may see."""

    code: str
    status: str
    status_label: str
    identification: str
    identification_label: str
    decided_on: date | None


def _person_details(person: Person, *, minimal: bool) -> PersonDetails:
    return PersonDetails(
        code=person.code,
        given_names=person.given_names,
        family_name=person.family_name,
        date_of_birth="" if minimal else person.date_of_birth,
        year_of_birth=person.year_of_birth,
        gender_label=str(person.get_gender_display()),
        citizenship=list(person.citizenship),
        languages=list(person.languages),
        contacts=person.contacts,
        identity_document="" if minimal else person.identity_document,
        version=person.version,
    )


def _leads_or_glass(actor: User, case: Case) -> tuple[bool, bool]:
    if not actor.has_role(Role.CASE_MANAGER):
        return False, False
    leads = case.lead_agency_id == actor.agency_id
    return leads or policy.has_break_glass(actor, case), not leads


def case_detail(*, actor: User, pk: int, purpose: str = "") -> CaseManagerView | ProviderView:
    """A case with its person's data, as the actor's role may see it (``case.view_pii``).

    Case managers of the lead agency get ``CaseManagerView``; a case manager who is not the
    case's caseworker must state ``purpose`` (PurposeRequired otherwise); a break-the-glass
    grant gives the same view, flagged in the audit. Service providers get ``ProviderView`` for
    assigned cases. Every call is one audited ``case.view_pii`` entry.
    """
    case = case_get(actor=actor, pk=pk, action="case.view_pii")
    manager, via_glass = _leads_or_glass(actor, case)
    if manager:
        implicit = case.caseworker_id == actor.pk
        if not implicit and not purpose.strip():
            raise PurposeRequired(
                _(
                    "You are not this case's caseworker. State why you need to see the "
                    "person's data; the access is recorded."
                ),
                fields={"purpose": _("A purpose is required.")},
            )
        record(
            actor=actor,
            verb="case.view_pii",
            target=case,
            purpose=purpose.strip() or "assigned caseworker",
            flagged=via_glass,
        )
        notes = [
            n
            for n in case.notes.select_related("author")
            if n.sensitivity < vocab.NoteSensitivity.RESTRICTED
            or n.author_id == actor.pk
            or case.caseworker_id == actor.pk
        ]
        return CaseManagerView(
            case=case,
            person=_person_details(case.person, minimal=False),
            status_label=str(case.get_status_display()),
            options=workflow.next_actions(case.status, case_facts(case)),
            decisions=list(case.decisions.select_related("decided_by")),
            guardians=list(case.guardians.all()),
            consents=list(case.consents.select_related("recorded_by")),
            permits=list(case.residence_permits.all()),
            services=list(case.service_requests.select_related("provider_agency")),
            stays=list(case.shelter_stays.select_related("shelter")),
            plan=CasePlan.objects.filter(case=case).first(),
            notes=notes,
            history=list(case.status_changes.select_related("actor")),
            other_cases=[
                (c.pk, c.code, str(c.get_status_display()))
                for c in case.person.cases.exclude(pk=case.pk).order_by("id")
            ],
            break_glass=via_glass,
        )
    record(actor=actor, verb="case.view_pii", target=case, purpose="service provision")
    person = case.person
    services = case.service_requests.filter(provider_agency_id=actor.agency_id)
    return ProviderView(
        pk=case.pk,
        code=case.code,
        status_label=str(case.get_status_display()),
        is_child=case.is_child,
        given_names=person.given_names,
        family_name=person.family_name,
        year_of_birth=person.year_of_birth,
        gender_label=str(person.get_gender_display()),
        languages=list(person.languages),
        contacts=person.contacts,
        guardians=[(g.full_name, g.contacts) for g in case.guardians.filter(ended_on__isnull=True)],
        services=[
            ProviderService(
                pk=s.pk,
                version=s.version,
                service_type=s.service_type,
                service_label=str(s.get_service_type_display()),
                status=s.status,
                status_label=str(s.get_status_display()),
                requested_at=s.requested_at,
                details=s.details,
                decline_reason=s.decline_reason,
            )
            for s in services
        ],
        stays=[
            ProviderStay(pk=s.pk, version=s.version, admitted_on=s.admitted_on, left_on=s.left_on)
            for s in case.shelter_stays.filter(shelter_id=actor.agency_id)
        ],
        notes=[
            ProviderNote(created_at=n.created_at, body=n.body)
            for n in case.notes.filter(sensitivity=vocab.NoteSensitivity.SHARED)
        ],
    )


def case_status_by_code(*, actor: User, code: str) -> CaseStatusView:
    """The identification status of the case with this exact code (``case.view_status``): what
    justice users see of a victim linked to their proceedings. No listing, no names. Audited as a
    status lookup; a refused lookup is audited as ``case.view_status_refused``.
    """
    case = Case.objects.filter(code=code.strip().upper()).first()
    if case is None or not policy.can(actor, "case.view_status", case):
        # Refusals are recorded too: a run of them is someone trying codes. The same answer
        # whether the code exists or not.
        record(
            actor=actor,
            verb="case.view_status_refused",
            target_type="cases.case",
            target_label=code.strip().upper()[:40],
        )
        raise _not_found()
    decision = case.decisions.order_by("-decided_on", "-id").first()
    record(actor=actor, verb="case.view_status", target=case, purpose="identification status")
    return CaseStatusView(
        code=case.code,
        status=case.status,
        status_label=str(case.get_status_display()),
        identification=decision.outcome if decision else "",
        identification_label=str(decision.get_outcome_display()) if decision else "",
        decided_on=decision.decided_on if decision else None,
    )


def service_inbox(*, actor: User, status: str = "") -> QuerySet[ServiceRequest]:
    """Service requests addressed to the actor's agency (``service.update`` scope)."""
    requests = policy.scope(actor, ServiceRequest.objects.all(), "service.update")
    if status:
        requests = requests.filter(status=status)
    return requests.select_related("case").order_by("-requested_at", "-id")


def person_for_correction(*, actor: User, case: Case) -> dict[str, Any]:
    """The person's details as the correction form shows them: a read of personal data like
    the detail page, audited here. The caller fetched ``case`` with ``case.edit``."""
    person = case.person
    record(
        actor=actor,
        verb="person.view_pii",
        target=person,
        purpose="correcting the person's details",
    )
    return {
        "version": person.version,
        "given_names": person.given_names,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth or None,
        "year_of_birth": person.year_of_birth,
        "gender": person.gender,
        "citizenship": ", ".join(person.citizenship),
        "languages": ", ".join(person.languages),
        "contacts": person.contacts,
        "identity_document": person.identity_document,
    }


def person_ref(pk: int) -> Person:
    """The registered person a referral's acceptance links to (a confirmed duplicate-check
    match, named by id), or NotFoundError. The services decide what may be done with them."""
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise _not_found()
    return person


def case_for_break_glass(code: str) -> Case | None:
    """The case with this exact code, whoever leads it: break-the-glass is the one read beyond
    the actor's scope, so the caller has checked ``case.break_glass`` and records the purpose."""
    return Case.objects.filter(code=code).first()


def consent_get(*, actor: User, pk: int) -> Consent:
    """A consent on a case the actor may edit, or NotFoundError (same answer either way)."""
    consent = Consent.objects.select_related("case").filter(pk=pk).first()
    if consent is None or not policy.can(actor, "case.edit", consent.case):
        raise _not_found()
    return consent


def guardian_get(*, actor: User, pk: int) -> Guardian:
    """A guardian on a case the actor may edit, or NotFoundError (same answer either way)."""
    guardian = Guardian.objects.select_related("case").filter(pk=pk).first()
    if guardian is None or not policy.can(actor, "case.edit", guardian.case):
        raise _not_found()
    return guardian


def shelter_stay_get(*, actor: User, pk: int) -> ShelterStay:
    """A shelter stay the actor may end (``services.may_end_stay``), or NotFoundError."""
    stay = ShelterStay.objects.select_related("case", "service_request").filter(pk=pk).first()
    if stay is None or not may_end_stay(actor, stay):
        raise _not_found()
    return stay


def service_request_get(*, actor: User, pk: int) -> ServiceRequest:
    """A service request the actor may update (their agency's), or NotFoundError."""
    request = service_inbox(actor=actor).filter(pk=pk).first()
    if request is None:
        raise _not_found()
    return request
