"""Every write of the NRM core: referrals, persons, cases and their workflow, protection.

Conventions: keyword-only arguments, one transaction, one audit entry (or more) inside, domain
errors with full-sentence messages. Updates of existing records take ``expected_version`` and are
refused with StaleRecordError (409) when someone saved in between. The permission each service
assumes is stated in its docstring and checked with ``accounts.policy.require``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import Agency, User
from opennrm.accounts.roles import AgencyType
from opennrm.audit.services import changes_of, record, update_recorded
from opennrm.cases import rows, vocab, workflow
from opennrm.cases.models import (
    MIN_REFLECTION_DAYS,
    Case,
    CaseNote,
    CasePlan,
    CaseStatusChange,
    CodeSequence,
    Consent,
    DeclineCategory,
    Guardian,
    IdentificationDecision,
    Person,
    Referral,
    ResidencePermit,
    ServiceRequest,
    ShelterStay,
)
from opennrm.core.errors import (
    ConflictError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from opennrm.core.models import save_versioned

ADULT_AGE = 18
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_OPEN_SERVICE = (
    vocab.ServiceStatus.REQUESTED,
    vocab.ServiceStatus.ACCEPTED,
    vocab.ServiceStatus.IN_PROGRESS,
)


# --- codes and blind indexes -------------------------------------------------------------


def next_in_sequence(name: str) -> int:
    """The next value of a named counter, under a row lock (call inside a transaction)."""
    sequence, _created = CodeSequence.objects.select_for_update().get_or_create(name=name)
    sequence.value += 1
    sequence.save(update_fields=["value"])
    return sequence.value


# Unambiguous when read aloud or copied by hand: no 0/O, 1/I/L, U.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_RANDOM_LENGTH = 5


def person_code(year: int, number: int) -> str:
    """``RS-<year>-<5 digits>-<5 random characters>``: the number (a per-year sequence) keeps
    codes unique and short; the random part (30**5, about 24 million per number) makes a code
    impossible to guess from its neighbours (issue 13, finding 10). Codes issued before the
    random part existed stay as they are: they are printed on decisions and court files, and
    knowing one no longer opens anything (the status lookup answers only for linked cases)."""
    suffix = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_RANDOM_LENGTH))
    return f"RS-{year}-{number:05d}-{suffix}"


def new_person_code(year: int) -> str:
    """A new person code (``person_code``) from the year's sequence, under its row lock."""
    return person_code(year, next_in_sequence(f"person:{year}"))


# The row builders (``rows``) own these; the names stay here for the services' callers.
name_key = rows.name_key
person_indexes = rows.person_indexes


def age_on(date_of_birth: date | None, year_of_birth: int | None, today: date) -> int | None:
    if date_of_birth is not None:
        before_birthday = (today.month, today.day) < (date_of_birth.month, date_of_birth.day)
        return today.year - date_of_birth.year - int(before_birthday)
    if year_of_birth is not None:
        # Only the year is known: the youngest possible age, so a possible child counts as one.
        return today.year - year_of_birth - 1
    return None


def _clean_codes(values: Iterable[str], pattern: re.Pattern[str], upper: bool) -> list[str]:
    cleaned = []
    for value in values:
        code = value.strip().upper() if upper else value.strip().lower()
        if code and code not in cleaned:
            cleaned.append(code)
    return cleaned


def _validate_person_data(
    *,
    given_names: str,
    family_name: str,
    date_of_birth: date | None,
    year_of_birth: int | None,
    gender: str,
    citizenship: Sequence[str],
    languages: Sequence[str],
) -> tuple[list[str], list[str], int | None]:
    errors: dict[str, str] = {}
    if not (given_names.strip() or family_name.strip()):
        errors["family_name"] = _("Give the person's family name or given names.")
    today = timezone.localdate()
    if date_of_birth is not None and date_of_birth > today:
        errors["date_of_birth"] = _("The date of birth cannot be in the future.")
    if year_of_birth is not None and not 1900 <= year_of_birth <= today.year:
        errors["year_of_birth"] = _("The year of birth must be between 1900 and this year.")
    if date_of_birth and year_of_birth and date_of_birth.year != year_of_birth:
        errors["year_of_birth"] = _("The year of birth does not match the date of birth.")
    if gender not in vocab.Gender.values:
        errors["gender"] = _("Choose a value from the list.")
    countries = _clean_codes(citizenship, _COUNTRY, upper=True)
    if any(not _COUNTRY.match(code) for code in countries):
        errors["citizenship"] = _(
            "Citizenship must be given as two-letter ISO 3166 country codes, such as RS or UA."
        )
    langs = _clean_codes(languages, _LANGUAGE, upper=False)
    if any(not _LANGUAGE.match(code) for code in langs):
        errors["languages"] = _(
            "Languages must be given as ISO 639 codes of two or three letters, such as sr or uk."
        )
    if errors:
        raise ValidationFailed(_("Some details of the person are not valid."), fields=errors)
    year = date_of_birth.year if date_of_birth else year_of_birth
    return countries, langs, year


def identification_centre() -> Agency:
    """The agency that receives referrals: the (first active) identification centre."""
    centre = (
        Agency.objects.filter(type=AgencyType.IDENTIFICATION_CENTRE, is_active=True)
        .order_by("id")
        .first()
    )
    if centre is None:
        raise ConflictError(_("No identification centre is configured to receive referrals."))
    return centre


# --- referrals ---------------------------------------------------------------------------


def referral_create(
    *,
    actor: User,
    given_names: str,
    family_name: str,
    date_of_birth: date | None = None,
    year_of_birth: int | None = None,
    gender: str = vocab.Gender.UNKNOWN,
    citizenship: Sequence[str] = (),
    languages: Sequence[str] = (),
    contacts: str = "",
    reason: str = "",
    is_child: bool = False,
    consent_given: bool = False,
    consent_scope: Sequence[str] = (),
    to_agency: Agency | None = None,
    source_screening: Any = None,
    sent_at: Any = None,
) -> Referral:
    """Refer a person to the identification centre. Permission: ``referral.create``.

    An adult is referred only with their consent, recorded with who (the actor), when (now) and
    its scope (at least ``referral``). A child needs no consent (Art. 10(3)–(4)): the person is
    treated as a child when flagged so or when the date or year of birth says under 18. The
    disclosure to the centre is audited with the centre as recipient.
    """
    policy.require(actor, "referral.create")
    countries, langs, year = _validate_person_data(
        given_names=given_names,
        family_name=family_name,
        date_of_birth=date_of_birth,
        year_of_birth=year_of_birth,
        gender=gender,
        citizenship=citizenship,
        languages=languages,
    )
    age = age_on(date_of_birth, year, timezone.localdate())
    child = is_child or (age is not None and age < ADULT_AGE)
    scope = [s for s in consent_scope if s in vocab.ConsentScope.values]
    if not child:
        if not consent_given:
            raise ValidationFailed(
                _(
                    "An adult can be referred only with their consent. Ask the person, then "
                    "record that they agreed and to what."
                ),
                code="consent_required",
                fields={"consent_given": _("The person's consent is required for an adult.")},
            )
        if vocab.ConsentScope.REFERRAL not in scope:
            scope.insert(0, vocab.ConsentScope.REFERRAL)
    if actor.agency is None:
        raise ValidationFailed(_("Your account belongs to no agency. Ask an administrator."))
    from_agency = actor.agency
    centre = to_agency or identification_centre()
    now = timezone.now()
    with transaction.atomic():
        referral = Referral.objects.create(
            from_agency=from_agency,
            from_user=actor,
            to_agency=centre,
            source_screening=source_screening,
            reason=reason.strip(),
            subject_given_names=given_names.strip(),
            subject_family_name=family_name.strip(),
            subject_date_of_birth=date_of_birth.isoformat() if date_of_birth else "",
            subject_contacts=contacts.strip(),
            subject_year_of_birth=year,
            subject_gender=gender,
            subject_citizenship=countries,
            subject_languages=langs,
            is_child=child,
            consent=(
                vocab.ReferralConsent.NOT_NEEDED_CHILD if child else vocab.ReferralConsent.GIVEN
            ),
            consent_scope=scope if not child else [],
            consent_recorded_by=None if child else actor,
            consent_recorded_at=None if child else now,
            sent_at=sent_at or now,
        )
        record(
            actor=actor,
            verb="referral.create",
            target=referral,
            recipient=centre.name,
            purpose="referral to the identification centre",
            changes={"consent": [None, referral.consent], "is_child": [None, child]},
        )
    return referral


def referral_from_screening(
    *,
    actor: User,
    screening_id: int,
    given_names: str,
    family_name: str,
    consent_given: bool = False,
    consent_scope: Sequence[str] = (),
    **details: Any,
) -> Referral:
    """Refer the person of a submitted screening. Permission: ``referral.create`` and the
    screening visible to the actor (``screening.selectors.screening_for_referral``).

    The child flag and the reason are prefilled from the screening (its pseudonymous result
    summary); names are typed by the screener because screenings hold no names.
    """
    from opennrm.screening.selectors import screening_for_referral

    screening = screening_for_referral(actor=actor, pk=screening_id)
    if Referral.objects.filter(source_screening=screening).exists():
        raise ConflictError(_("This screening has already been referred."))
    reason = details.pop("reason", "") or str(screening.result_summary)
    is_child = bool(details.pop("is_child", False) or screening.is_child)
    return referral_create(
        actor=actor,
        given_names=given_names,
        family_name=family_name,
        consent_given=consent_given,
        consent_scope=consent_scope,
        reason=reason,
        is_child=is_child,
        source_screening=screening,
        **details,
    )


def _require_referral_status(referral: Referral, allowed: Iterable[str]) -> None:
    if referral.status not in allowed:
        raise InvalidTransitionError(
            _("This referral is already “%(status)s”; it cannot be changed that way.")
            % {"status": referral.get_status_display()}
        )


def referral_acknowledge(*, actor: User, referral: Referral, expected_version: int) -> Referral:
    """Confirm receipt of a sent referral. Permission: ``referral.decide`` on the referral."""
    policy.require(actor, "referral.decide", referral)
    _require_referral_status(referral, [vocab.ReferralStatus.SENT])
    with transaction.atomic():
        referral.status = vocab.ReferralStatus.ACKNOWLEDGED
        referral.acknowledged_at = timezone.now()
        referral.acknowledged_by = actor
        save_versioned(
            referral,
            expected_version=expected_version,
            fields=["status", "acknowledged_at", "acknowledged_by"],
        )
        record(
            actor=actor,
            verb="referral.acknowledge",
            target=referral,
            changes={"status": ["sent", "acknowledged"]},
        )
    return referral


def referral_decline(
    *,
    actor: User,
    referral: Referral,
    expected_version: int,
    reason: str,
    category: str = DeclineCategory.OTHER,
) -> Referral:
    """Decline a referral with a coded ``category`` (DeclineCategory), which is all the referrer
    is told, and a free-text ``reason`` that stays with the centre (encrypted: it may name the
    person). Permission: ``referral.decide``.
    """
    policy.require(actor, "referral.decide", referral)
    _require_referral_status(
        referral, [vocab.ReferralStatus.SENT, vocab.ReferralStatus.ACKNOWLEDGED]
    )
    if category not in DeclineCategory.values:
        raise ValidationFailed(
            _("Choose the category of the reason; the referring agency sees only the category."),
            fields={"category": _("Choose a value from the list.")},
        )
    if not reason.strip():
        raise ValidationFailed(
            _("Give the reason for declining the referral, for the centre's records."),
            fields={"reason": _("A reason is required.")},
        )
    before = referral.status
    with transaction.atomic():
        referral.status = vocab.ReferralStatus.DECLINED
        referral.decline_category = category
        referral.decline_reason = reason.strip()
        referral.decided_at = timezone.now()
        referral.decided_by = actor
        if referral.acknowledged_at is None:
            referral.acknowledged_at = referral.decided_at
        save_versioned(
            referral,
            expected_version=expected_version,
            fields=[
                "status",
                "decline_category",
                "decline_reason",
                "decided_at",
                "decided_by",
                "acknowledged_at",
            ],
        )
        record(
            actor=actor,
            verb="referral.decline",
            target=referral,
            changes={"status": [before, "declined"], "decline_category": [None, category]},
        )
    return referral


def referral_accept(
    *,
    actor: User,
    referral: Referral,
    expected_version: int,
    person: Person | None = None,
    caseworker: User | None = None,
    identity_document: str = "",
) -> Case:
    """Accept a referral: link it to ``person`` (a match the case manager confirmed after the
    duplicate check) or to a new person made from the referral's details, and open a new case
    (status ``referred``) led by the receiving agency. Re-trafficking of a known person is thus
    a new case for the same person. Consent scopes given at referral become Consent records.
    Permission: ``referral.decide`` on the referral.
    """
    policy.require(actor, "referral.decide", referral)
    _require_referral_status(
        referral, [vocab.ReferralStatus.SENT, vocab.ReferralStatus.ACKNOWLEDGED]
    )
    with transaction.atomic():
        if person is None:
            dob = (
                date.fromisoformat(referral.subject_date_of_birth)
                if referral.subject_date_of_birth
                else None
            )
            person = person_create(
                actor=actor,
                given_names=referral.subject_given_names,
                family_name=referral.subject_family_name,
                date_of_birth=dob,
                year_of_birth=None if dob else referral.subject_year_of_birth,
                gender=referral.subject_gender,
                citizenship=referral.subject_citizenship,
                languages=referral.subject_languages,
                contacts=referral.subject_contacts,
                identity_document=identity_document,
            )
        else:
            record(
                actor=actor,
                verb="person.match_confirmed",
                target=person,
                purpose=f"duplicate check of {referral.audit_label}",
            )
        case = case_open(
            actor=actor,
            person=person,
            lead_agency=referral.to_agency,
            caseworker=caseworker or actor,
            is_child=referral.is_child,
        )
        referral.status = vocab.ReferralStatus.ACCEPTED
        referral.decided_at = timezone.now()
        referral.decided_by = actor
        referral.person = person
        referral.case = case
        if referral.acknowledged_at is None:
            referral.acknowledged_at = referral.decided_at
        save_versioned(
            referral,
            expected_version=expected_version,
            fields=["status", "decided_at", "decided_by", "person", "case", "acknowledged_at"],
        )
        for scope in referral.consent_scope:
            Consent.objects.create(
                case=case,
                scope=scope,
                recorded_by=referral.consent_recorded_by or actor,
                recorded_at=referral.consent_recorded_at or referral.decided_at,
            )
        record(
            actor=actor,
            verb="referral.accept",
            target=referral,
            changes={"status": ["", "accepted"], "case": [None, case.code]},
        )
    return case


# --- persons -----------------------------------------------------------------------------


def person_find_duplicates(
    *,
    actor: User,
    given_names: str,
    family_name: str,
    date_of_birth: date | None = None,
    year_of_birth: int | None = None,
) -> list[tuple[Person, str]]:
    """Possible earlier registrations of the same person, across all agencies, without
    decrypting anything: the blind index of the folded name (Latin or Cyrillic, with or without
    diacritics, any word order) together with the date of birth, or the year of birth, or the
    name alone. Returns (person, strength) with strength ``name_and_date``, ``name_and_year`` or
    ``name_only``, strongest first. Permission: ``referral.decide`` (case managers). Audited.
    """
    policy.require(actor, "referral.decide")
    indexes = person_indexes(given_names, family_name, date_of_birth, year_of_birth)
    if not indexes["name_index"]:
        return []
    found: dict[int, tuple[Person, str]] = {}
    if indexes["name_dob_index"]:
        for person in Person.objects.filter(name_dob_index=indexes["name_dob_index"]):
            found.setdefault(person.pk, (person, "name_and_date"))
    if indexes["name_yob_index"]:
        for person in Person.objects.filter(name_yob_index=indexes["name_yob_index"]):
            found.setdefault(person.pk, (person, "name_and_year"))
    for person in Person.objects.filter(name_index=indexes["name_index"])[:50]:
        found.setdefault(person.pk, (person, "name_only"))
    record(
        actor=actor,
        verb="person.duplicate_check",
        purpose="duplicate check before registering a person",
        # The codes name whose data the matches disclosed to the actor (pseudonymous, no names).
        changes={"matches": [person.code for person, _strength in found.values()]},
    )
    return list(found.values())


def person_create(
    *,
    actor: User,
    given_names: str,
    family_name: str,
    date_of_birth: date | None = None,
    year_of_birth: int | None = None,
    gender: str = vocab.Gender.UNKNOWN,
    citizenship: Sequence[str] = (),
    languages: Sequence[str] = (),
    contacts: str = "",
    identity_document: str = "",
) -> Person:
    """Register a person with a new pseudonymous code and blind indexes. Permission:
    ``case.edit`` (case managers register persons when accepting a referral or importing).
    """
    policy.require(actor, "case.edit")
    countries, langs, year = _validate_person_data(
        given_names=given_names,
        family_name=family_name,
        date_of_birth=date_of_birth,
        year_of_birth=year_of_birth,
        gender=gender,
        citizenship=citizenship,
        languages=languages,
    )
    with transaction.atomic():
        person = Person.objects.create(
            **rows.person_row(
                code=new_person_code(timezone.localdate().year),
                given_names=given_names,
                family_name=family_name,
                date_of_birth=date_of_birth,
                year_of_birth=year,
                gender=gender,
                citizenship=countries,
                languages=langs,
                contacts=contacts,
                identity_document=identity_document,
                created_by_id=actor.pk,
            )
        )
        record(actor=actor, verb="person.create", target=person)
    return person


PERSON_FIELDS = (
    "given_names",
    "family_name",
    "date_of_birth",
    "year_of_birth",
    "gender",
    "citizenship",
    "languages",
    "contacts",
    "identity_document",
)


def person_update(*, actor: User, person: Person, expected_version: int, **changes: Any) -> Person:
    """Correct a person's details (any of PERSON_FIELDS; ``date_of_birth`` as a date). Blind
    indexes are recomputed. Permission: ``case.edit`` on one of the person's cases.
    """
    case = person.cases.order_by("-id").first()
    policy.require(actor, "case.edit", case)
    _require_unrestricted(person.pk)
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"Unknown person fields: {sorted(unknown)}")
    current_dob = date.fromisoformat(person.date_of_birth) if person.date_of_birth else None
    values: dict[str, Any] = {
        "given_names": person.given_names,
        "family_name": person.family_name,
        "date_of_birth": current_dob,
        "year_of_birth": person.year_of_birth,
        "gender": person.gender,
        "citizenship": person.citizenship,
        "languages": person.languages,
        "contacts": person.contacts,
        "identity_document": person.identity_document,
    }
    values.update(changes)
    if "date_of_birth" in changes and changes["date_of_birth"] and "year_of_birth" not in changes:
        values["year_of_birth"] = changes["date_of_birth"].year
    countries, langs, year = _validate_person_data(
        given_names=values["given_names"],
        family_name=values["family_name"],
        date_of_birth=values["date_of_birth"],
        year_of_birth=values["year_of_birth"],
        gender=values["gender"],
        citizenship=values["citizenship"],
        languages=values["languages"],
    )
    fields = [*PERSON_FIELDS, "name_index", "name_dob_index", "name_yob_index"]
    before = {name: getattr(person, name) for name in fields}
    person.given_names = values["given_names"].strip()
    person.family_name = values["family_name"].strip()
    person.date_of_birth = values["date_of_birth"].isoformat() if values["date_of_birth"] else ""
    person.year_of_birth = year
    person.gender = values["gender"]
    person.citizenship = countries
    person.languages = langs
    person.contacts = values["contacts"].strip()
    person.identity_document = values["identity_document"].strip()
    for name, value in person_indexes(
        person.given_names, person.family_name, values["date_of_birth"], year
    ).items():
        setattr(person, name, value)
    with transaction.atomic():
        save_versioned(person, expected_version=expected_version, fields=fields)
        record(
            actor=actor,
            verb="person.update",
            target=person,
            changes=changes_of(person, before, list(PERSON_FIELDS)),
        )
    return person


# --- cases and the workflow --------------------------------------------------------------


def case_open(
    *,
    actor: User,
    person: Person,
    lead_agency: Agency,
    caseworker: User | None = None,
    is_child: bool = False,
    opened_on: date | None = None,
) -> Case:
    """Open a new case (status ``referred``) for ``person``; its code is the person's code and
    the case's ordinal (``RS-2026-00042/2`` for a second case). Permission: ``case.edit``.
    """
    policy.require(actor, "case.edit")
    with transaction.atomic():
        ordinal = next_in_sequence(f"case:{person.pk}")
        case = Case.objects.create(
            **rows.case_row(
                code=f"{person.code}/{ordinal}",
                person_id=person.pk,
                lead_agency_id=lead_agency.pk,
                caseworker_id=caseworker.pk if caseworker else None,
                is_child=is_child,
                opened_on=opened_on or timezone.localdate(),
            )
        )
        CaseStatusChange.objects.create(
            **rows.status_change_row(
                case_id=case.pk,
                from_status="",
                to_status=case.status,
                action="open",
                actor_id=actor.pk,
            )
        )
        record(actor=actor, verb="case.open", target=case, changes={"status": [None, "referred"]})
    return case


CASE_FACT_FIELDS = (
    "caseworker",
    "is_child",
    "forms_of_exploitation",
    "country_of_exploitation",
    "municipality_of_exploitation",
    "trafficking_scope",
    "recruitment_method",
    "means_of_control",
    "risk_level",
)


def case_update(*, actor: User, case: Case, expected_version: int, **changes: Any) -> Case:
    """Edit the facts of a case (any of CASE_FACT_FIELDS), validated against the HTCDS value
    sets. Permission: ``case.edit`` on the case.
    """
    policy.require(actor, "case.edit", case)
    _require_unrestricted(case.person_id)
    unknown = set(changes) - set(CASE_FACT_FIELDS)
    if unknown:
        raise ValueError(f"Unknown case fields: {sorted(unknown)}")
    errors: dict[str, str] = {}
    forms = list(changes.get("forms_of_exploitation", case.forms_of_exploitation))
    if any(f not in vocab.TypeOfExploitation.values for f in forms):
        errors["forms_of_exploitation"] = _("Choose forms of exploitation from the list.")
    control = list(changes.get("means_of_control", case.means_of_control))
    if any(m not in vocab.MethodOfControl.values for m in control):
        errors["means_of_control"] = _("Choose means of control from the list.")
    country = str(changes.get("country_of_exploitation", case.country_of_exploitation)).upper()
    if country and not _COUNTRY.match(country):
        errors["country_of_exploitation"] = _(
            "Give the country as a two-letter ISO 3166 code, such as RS."
        )
    worker = changes.get("caseworker", case.caseworker)
    if worker is not None and (worker.agency_id != case.lead_agency_id or not worker.is_active):
        errors["caseworker"] = _("The caseworker must be an active user of the lead agency.")
    if errors:
        raise ValidationFailed(_("Some details of the case are not valid."), fields=errors)
    changes["forms_of_exploitation"] = forms
    changes["means_of_control"] = control
    changes["country_of_exploitation"] = country
    fields = list(changes)
    before = {
        name: getattr(case, case._meta.get_field(name).attname)  # type: ignore[union-attr]
        for name in fields
    }
    for name, value in changes.items():
        setattr(case, name, value)
    with transaction.atomic():
        save_versioned(case, expected_version=expected_version, fields=fields)
        record(
            actor=actor,
            verb="case.update",
            target=case,
            changes=changes_of(case, before, fields),
        )
    return case


def case_facts(case: Case, **inputs: Any) -> workflow.Facts:
    """The workflow's view of a case (plus the user's inputs for input guards)."""
    return workflow.Facts(
        is_child=case.is_child,
        has_caseworker=case.caseworker_id is not None,
        has_guardian=case.guardians.filter(ended_on__isnull=True).exists(),
        identified_before=case.decisions.filter(
            outcome=vocab.IdentificationOutcome.IDENTIFIED
        ).exists(),
        **inputs,
    )


def refusal_message(decision: workflow.Decision) -> tuple[str, dict[str, str]]:
    """The translated message and per-field messages for a refused transition."""
    fields: dict[str, str] = {}
    messages: list[str] = []
    for problem in decision.problems:
        params = dict(problem.params)
        if problem.message == workflow.MSG_NOT_POSSIBLE:
            labels = [_(workflow.ACTION_LABELS[a]) for a in params["next"].split(",") if a] or [
                _(workflow.MSG_NO_NEXT)
            ]
            params = {
                "action": _(workflow.ACTION_LABELS[params["action"]]),
                "status": str(vocab.CaseStatus(params["status"]).label),
                "next": ", ".join(labels),
            }
        text = _(problem.message) % params if params else _(problem.message)
        messages.append(text)
        if problem.field:
            fields.setdefault(problem.field, text)
    return " ".join(messages), fields


def _transition(
    *,
    actor: User,
    case: Case,
    action: str,
    expected_version: int,
    extra_fields: Sequence[str] = (),
    note: str = "",
    **inputs: Any,
) -> str:
    """Apply a workflow action to ``case`` (already changed in memory for ``extra_fields``)."""
    decision = workflow.decide(case.status, action, case_facts(case, **inputs))
    if not decision.allowed:
        message, fields = refusal_message(decision)
        if decision.target is None:
            raise InvalidTransitionError(message, fields=fields)
        raise ValidationFailed(message, code="transition_refused", fields=fields)
    assert decision.target is not None
    before = case.status
    case.status = decision.target
    save_versioned(case, expected_version=expected_version, fields=["status", *extra_fields])
    CaseStatusChange.objects.create(
        **rows.status_change_row(
            case_id=case.pk,
            from_status=before,
            to_status=case.status,
            action=action,
            actor_id=actor.pk,
            note=note,
        )
    )
    record(
        actor=actor,
        verb=f"case.{action}",
        target=case,
        changes={"status": [before, case.status]},
    )
    return before


def case_begin_assessment(*, actor: User, case: Case, expected_version: int) -> Case:
    """referred/reopened → under_assessment; needs a caseworker. Permission: ``case.edit``."""
    policy.require(actor, "case.edit", case)
    _require_unrestricted(case.person_id)
    with transaction.atomic():
        _transition(
            actor=actor,
            case=case,
            action=workflow.BEGIN_ASSESSMENT,
            expected_version=expected_version,
        )
    return case


def case_presume_victim(
    *,
    actor: User,
    case: Case,
    expected_version: int,
    presumed_on: date | None,
    reflection_end: date | None = None,
) -> Case:
    """Reasonable grounds found: the person is a presumed victim from ``presumed_on``, which
    starts the recovery and reflection period (Art. 13) of at least 30 days — its end defaults
    to ``presumed_on + 30 days`` and may be later, never earlier. Permission: ``case.edit``.
    """
    policy.require(actor, "case.edit", case)
    _require_unrestricted(case.person_id)
    if presumed_on is not None:
        earliest = presumed_on + timedelta(days=MIN_REFLECTION_DAYS)
        end = reflection_end or earliest
        if end < earliest:
            raise ValidationFailed(
                _(
                    "The recovery and reflection period lasts at least %(days)s days; "
                    "it cannot end before %(date)s."
                )
                % {"days": MIN_REFLECTION_DAYS, "date": date_format(earliest, "DATE_FORMAT")},
                fields={"reflection_end": _("The period must last at least 30 days.")},
            )
        if presumed_on > timezone.localdate():
            raise ValidationFailed(
                _("The presumed-victim date cannot be in the future."),
                fields={"presumed_on": _("The date cannot be in the future.")},
            )
        case.presumed_victim_date = presumed_on
        case.reflection_period_start = presumed_on
        case.reflection_period_end = end
    with transaction.atomic():
        _transition(
            actor=actor,
            case=case,
            action=workflow.PRESUME_VICTIM,
            expected_version=expected_version,
            extra_fields=[
                "presumed_victim_date",
                "reflection_period_start",
                "reflection_period_end",
            ],
            presumed_on=presumed_on,
        )
    return case


def case_decide_identification(
    *,
    actor: User,
    case: Case,
    expected_version: int,
    outcome: str,
    decided_on: date | None,
    reasoning: str,
    decision_org: str = vocab.DecisionMakingOrg.NON_POLICE_GOVERNMENT,
) -> IdentificationDecision:
    """The formal identification decision (Art. 10), taken by the actor with its date and
    reasoning: ``identified`` (from presumed victim) or ``not_identified`` (from assessment or
    presumed victim). Permission: ``case.edit``.
    """
    policy.require(actor, "case.edit", case)
    _require_unrestricted(case.person_id)
    if outcome not in vocab.IdentificationOutcome.values:
        raise ValidationFailed(
            _("Choose the outcome of the decision."),
            fields={"outcome": _("Choose identified or not identified.")},
        )
    if decision_org not in vocab.DecisionMakingOrg.values:
        raise ValidationFailed(
            _("Choose the decision-making organisation from the list."),
            fields={"decision_org": _("Choose a value from the list.")},
        )
    if decided_on is not None and decided_on > timezone.localdate():
        raise ValidationFailed(
            _("The date of the decision cannot be in the future."),
            fields={"decided_on": _("The date cannot be in the future.")},
        )
    action = (
        workflow.IDENTIFY
        if outcome == vocab.IdentificationOutcome.IDENTIFIED
        else workflow.NOT_IDENTIFY
    )
    with transaction.atomic():
        _transition(
            actor=actor,
            case=case,
            action=action,
            expected_version=expected_version,
            reasoning=reasoning,
            decided_by=True,
            decided_on=decided_on,
        )
        assert decided_on is not None
        decision = IdentificationDecision.objects.create(
            **rows.decision_row(
                case_id=case.pk,
                outcome=outcome,
                decided_by_id=actor.pk,
                decided_on=decided_on,
                decision_org=decision_org,
                reasoning=reasoning.strip(),
            )
        )
        record(
            actor=actor,
            verb="case.identification_decision",
            target=decision,
            changes={"outcome": [None, outcome], "case": [None, case.code]},
        )
    return decision


def case_start_protection(*, actor: User, case: Case, expected_version: int) -> Case:
    """identified (or reopened after identification) → in_protection; a child needs a current
    guardian. Permission: ``case.edit``.
    """
    policy.require(actor, "case.edit", case)
    _require_unrestricted(case.person_id)
    with transaction.atomic():
        _transition(
            actor=actor,
            case=case,
            action=workflow.START_PROTECTION,
            expected_version=expected_version,
        )
    return case


def case_close(
    *, actor: User, case: Case, expected_version: int, reason: str, details: str = ""
) -> Case:
    """Close an open case with a reason (ClosureReason); open service requests are left as they
    are for the providers to complete. Permission: ``case.edit``.
    """
    policy.require(actor, "case.edit", case)
    _require_unrestricted(case.person_id)
    if reason and reason not in vocab.ClosureReason.values:
        raise ValidationFailed(
            _("Choose the reason for closure from the list."),
            fields={"reason": _("Choose a value from the list.")},
        )
    case.closure_reason = reason
    case.closure_details = details.strip()
    case.closed_at = timezone.now()
    with transaction.atomic():
        _transition(
            actor=actor,
            case=case,
            action=workflow.CLOSE,
            expected_version=expected_version,
            extra_fields=["closure_reason", "closure_details", "closed_at"],
            reason=reason,
            note=details,
        )
    return case


def case_reopen(*, actor: User, case: Case, expected_version: int, reason: str) -> Case:
    """closed → reopened with a stated reason. Permission: ``case.edit``."""
    policy.require(actor, "case.edit", case)
    _require_unrestricted(case.person_id)
    with transaction.atomic():
        _transition(
            actor=actor,
            case=case,
            action=workflow.REOPEN,
            expected_version=expected_version,
            reason=reason,
            note=reason,
        )
    return case


def _require_open(case: Case) -> None:
    if case.status == vocab.CaseStatus.CLOSED:
        raise ConflictError(_("This case is closed. Reopen it first."), code="case_closed")


def _require_unrestricted(person_id: int) -> None:
    """Refuse processing while a restriction of processing is in force for the person (a
    data-subject request, GDPR Art. 18 / ZZPL Art. 31): the data is kept and can be read, but
    nothing is changed or added until the restriction is lifted by the request's answer."""
    # The requests live in ``lifecycle`` (which reads cases): it answers through its AppConfig.
    if any(
        config.processing_restricted(person_id)
        for config in apps.get_app_configs()
        if hasattr(config, "processing_restricted")
    ):
        raise ConflictError(
            _(
                "Processing of this person's data is restricted (a data-subject request): "
                "nothing can be changed or added until the restriction is lifted in the "
                "answer to the request."
            ),
            code="processing_restricted",
        )


# --- residence permit, guardian, consent -------------------------------------------------


def residence_permit_save(
    *,
    actor: User,
    case: Case,
    permit_type: str,
    status: str,
    applied_on: date,
    granted_on: date | None = None,
    refused_on: date | None = None,
    renewed_on: date | None = None,
    expires_on: date | None = None,
    permit: ResidencePermit | None = None,
    expected_version: int | None = None,
) -> ResidencePermit:
    """Record (``permit`` None) or update an Art. 14 residence permit. The dates must fit the
    status (a granted permit has its grant date, etc.). Permission: ``case.edit``.
    """
    policy.require(actor, "case.edit", case)
    _require_unrestricted(case.person_id)
    errors: dict[str, str] = {}
    if permit_type not in vocab.PermitType.values:
        errors["permit_type"] = _("Choose a value from the list.")
    if status not in vocab.PermitStatus.values:
        errors["status"] = _("Choose a value from the list.")
    required = {
        vocab.PermitStatus.GRANTED: ("granted_on", granted_on),
        vocab.PermitStatus.REFUSED: ("refused_on", refused_on),
        vocab.PermitStatus.RENEWED: ("renewed_on", renewed_on),
    }
    if status in required and required[vocab.PermitStatus(status)][1] is None:
        errors[required[vocab.PermitStatus(status)][0]] = _("Give the date for this status.")
    for name, value in (("granted_on", granted_on), ("refused_on", refused_on)):
        if value is not None and value < applied_on:
            errors[name] = _("This date cannot be before the application.")
    if errors:
        raise ValidationFailed(_("The residence permit details are not valid."), fields=errors)
    values: dict[str, Any] = {
        "permit_type": permit_type,
        "status": status,
        "applied_on": applied_on,
        "granted_on": granted_on,
        "refused_on": refused_on,
        "renewed_on": renewed_on,
        "expires_on": expires_on,
    }
    with transaction.atomic():
        if permit is None:
            permit = ResidencePermit.objects.create(case=case, **values)
            record(actor=actor, verb="permit.create", target=permit, changes={"status": status})
        else:
            if expected_version is None:
                raise ValueError("expected_version is required to update a permit")
            update_recorded(
                permit,
                actor=actor,
                verb="permit.update",
                expected_version=expected_version,
                values=values,
            )
    return permit


def guardian_add(
    *,
    actor: User,
    case: Case,
    full_name: str,
    appointed_on: date,
    contacts: str = "",
    relationship: str = "",
    appointed_by: str = "",
) -> Guardian:
    """Record the guardian of a child (Art. 10(4)). Permission: ``case.edit``."""
    policy.require(actor, "case.edit", case)
    _require_unrestricted(case.person_id)
    if not case.is_child:
        raise ValidationFailed(_("A guardian is recorded only for a child."))
    if not full_name.strip():
        raise ValidationFailed(
            _("Give the guardian's name."), fields={"full_name": _("This field is required.")}
        )
    with transaction.atomic():
        guardian = Guardian.objects.create(
            **rows.guardian_row(
                case_id=case.pk,
                full_name=full_name,
                contacts=contacts,
                relationship=relationship,
                appointed_by=appointed_by,
                appointed_on=appointed_on,
            )
        )
        record(actor=actor, verb="guardian.add", target=guardian)
    return guardian


def guardian_end(
    *, actor: User, guardian: Guardian, expected_version: int, ended_on: date
) -> Guardian:
    """End a guardianship on ``ended_on``. Permission: ``case.edit`` on its case."""
    policy.require(actor, "case.edit", guardian.case)
    _require_unrestricted(guardian.case.person_id)
    if ended_on < guardian.appointed_on:
        raise ValidationFailed(
            _("The end date cannot be before the appointment."),
            fields={"ended_on": _("The end date cannot be before the appointment.")},
        )
    with transaction.atomic():
        guardian.ended_on = ended_on
        save_versioned(guardian, expected_version=expected_version, fields=["ended_on"])
        record(actor=actor, verb="guardian.end", target=guardian)
    return guardian


def consent_record(*, actor: User, case: Case, scope: str) -> Consent:
    """Record that the person gave consent for ``scope`` (now, by the actor). Permission:
    ``case.edit``.
    """
    policy.require(actor, "case.edit", case)
    _require_unrestricted(case.person_id)
    if scope not in vocab.ConsentScope.values:
        raise ValidationFailed(
            _("Choose what the consent covers."), fields={"scope": _("Choose a value.")}
        )
    if case.consents.filter(scope=scope, status=vocab.ConsentStatus.GIVEN).exists():
        raise ConflictError(_("Consent for this purpose is already recorded."))
    with transaction.atomic():
        consent = Consent.objects.create(case=case, scope=scope, recorded_by=actor)
        record(actor=actor, verb="consent.give", target=consent, changes={"scope": scope})
    return consent


def consent_withdraw(*, actor: User, consent: Consent, expected_version: int) -> Consent:
    """Record that the person withdrew a consent. Permission: ``case.edit``."""
    policy.require(actor, "case.edit", consent.case)
    _require_unrestricted(consent.case.person_id)
    if consent.status == vocab.ConsentStatus.WITHDRAWN:
        raise ConflictError(_("This consent has already been withdrawn."))
    with transaction.atomic():
        consent.status = vocab.ConsentStatus.WITHDRAWN
        consent.withdrawn_by = actor
        consent.withdrawn_at = timezone.now()
        save_versioned(
            consent,
            expected_version=expected_version,
            fields=["status", "withdrawn_by", "withdrawn_at"],
        )
        record(actor=actor, verb="consent.withdraw", target=consent)
    return consent


def has_consent(case: Case, scope: str) -> bool:
    return case.consents.filter(scope=scope, status=vocab.ConsentStatus.GIVEN).exists()


# --- services and shelter ----------------------------------------------------------------


def service_request_create(
    *,
    actor: User,
    case: Case,
    service_type: str,
    provider_agency: Agency,
    details: str = "",
) -> ServiceRequest:
    """Ask a provider agency for a service. Sharing the case with a provider needs the adult's
    consent to sharing with service providers (Art. 12(7): services on a consensual basis);
    a child's case needs none. Permission: ``service.request`` and ``case.edit`` on the case.
    """
    policy.require(actor, "service.request")
    policy.require(actor, "case.edit", case)
    _require_unrestricted(case.person_id)
    _require_open(case)
    if service_type not in vocab.ServiceType.values:
        raise ValidationFailed(
            _("Choose the service from the list."),
            fields={"service_type": _("Choose a value from the list.")},
        )
    if not case.is_child and not has_consent(case, vocab.ConsentScope.SERVICES):
        raise ValidationFailed(
            _(
                "The person has not consented to sharing their case with service providers. "
                "Record that consent first."
            ),
            code="consent_required",
            fields={"provider_agency": _("Consent to sharing with service providers is needed.")},
        )
    if case.service_requests.filter(
        service_type=service_type, provider_agency=provider_agency, status__in=_OPEN_SERVICE
    ).exists():
        raise ConflictError(_("This service is already requested from this agency."))
    with transaction.atomic():
        request = ServiceRequest.objects.create(
            case=case,
            service_type=service_type,
            provider_agency=provider_agency,
            details=details.strip(),
            requested_by=actor,
        )
        record(
            actor=actor,
            verb="service.request",
            target=request,
            recipient=provider_agency.name,
            purpose="protection services",
            changes={"service_type": service_type, "case": case.code},
        )
    return request


_SERVICE_STEPS = vocab.SERVICE_STEPS


def service_request_respond(
    *,
    actor: User,
    request: ServiceRequest,
    expected_version: int,
    step: str,
    reason: str = "",
) -> ServiceRequest:
    """The provider's answer and progress: ``accept``, ``decline`` (with a reason), ``start``,
    ``complete``, each from the states in _SERVICE_STEPS. Permission: ``service.update`` on the
    request (the provider agency).
    """
    policy.require(actor, "service.update", request)
    _require_unrestricted(request.case.person_id)
    if step not in _SERVICE_STEPS:
        raise ValueError(f"Unknown service step {step!r}")
    sources, target = _SERVICE_STEPS[step]
    if request.status not in sources:
        raise InvalidTransitionError(
            _("This service request is “%(status)s”; that step is not possible now.")
            % {"status": request.get_status_display()}
        )
    if step == "decline" and not reason.strip():
        raise ValidationFailed(
            _("Give the reason for declining; the case manager will see it."),
            fields={"reason": _("A reason is required.")},
        )
    now = timezone.now()
    before = request.status
    request.status = target
    fields = ["status"]
    if request.responded_at is None:
        request.responded_at, request.responded_by = now, actor
        fields += ["responded_at", "responded_by"]
    if step == "decline":
        request.decline_reason = reason.strip()
        fields.append("decline_reason")
    if step == "start" or (step == "complete" and request.started_at is None):
        request.started_at = now
        fields.append("started_at")
    if step == "complete":
        request.completed_at = now
        fields.append("completed_at")
    with transaction.atomic():
        save_versioned(request, expected_version=expected_version, fields=fields)
        record(
            actor=actor,
            verb=f"service.{step}",
            target=request,
            changes={"status": [before, target]},
        )
    return request


def shelter_stay_start(
    *,
    actor: User,
    case: Case,
    admitted_on: date,
    shelter: Agency | None = None,
    service_request: ServiceRequest | None = None,
) -> ShelterStay:
    """Record admission to a shelter. A shelter records stays for its accepted shelter requests
    (``service.update``); a case manager (``case.edit``) may record any.
    """
    if service_request is not None and policy.can(actor, "service.update", service_request):
        shelter = service_request.provider_agency
        case = service_request.case
    else:
        policy.require(actor, "case.edit", case)
        _require_unrestricted(case.person_id)
    if shelter is None:
        raise ValidationFailed(
            _("Choose the shelter."), fields={"shelter": _("This field is required.")}
        )
    _require_open(case)
    if case.shelter_stays.filter(left_on__isnull=True).exists():
        raise ConflictError(_("The person is already in a shelter. Record the departure first."))
    with transaction.atomic():
        stay = ShelterStay.objects.create(
            case=case, shelter=shelter, service_request=service_request, admitted_on=admitted_on
        )
        record(actor=actor, verb="shelter.admit", target=stay, changes={"case": case.code})
    return stay


def may_end_stay(actor: User, stay: ShelterStay) -> bool:
    """The case manager of the stay's case, or the shelter serving its service request."""
    return policy.can(actor, "case.edit", stay.case) or (
        stay.service_request is not None
        and policy.can(actor, "service.update", stay.service_request)
    )


def shelter_stay_end(
    *, actor: User, stay: ShelterStay, expected_version: int, left_on: date, exit_reason: str
) -> ShelterStay:
    """Record departure from a shelter. Permission: ``case.edit`` on the case, or
    ``service.update`` on the stay's service request; to anyone else the stay does not exist
    (NotFoundError, as ``selectors.shelter_stay_get`` answers on the page).
    """
    if not may_end_stay(actor, stay):
        raise NotFoundError(_("This record does not exist or you may not see it."))
    if not (
        stay.service_request is not None
        and policy.can(actor, "service.update", stay.service_request)
    ):
        _require_unrestricted(stay.case.person_id)
    errors = {}
    if left_on < stay.admitted_on:
        errors["left_on"] = _("The departure cannot be before the admission.")
    if exit_reason not in vocab.ShelterExitReason.values:
        errors["exit_reason"] = _("Choose a value from the list.")
    if errors:
        raise ValidationFailed(_("The departure details are not valid."), fields=errors)
    with transaction.atomic():
        stay.left_on, stay.exit_reason = left_on, exit_reason
        save_versioned(stay, expected_version=expected_version, fields=["left_on", "exit_reason"])
        record(actor=actor, verb="shelter.leave", target=stay, changes={"exit_reason": exit_reason})
    return stay


# --- plan and notes ----------------------------------------------------------------------


def case_plan_save(
    *,
    actor: User,
    case: Case,
    objectives: str,
    actions: str,
    planned_end_on: date | None = None,
    actual_end_on: date | None = None,
    expected_version: int | None = None,
) -> CasePlan:
    """Create or update the support plan of a case (``expected_version`` when it exists).
    Permission: ``case.edit``.
    """
    policy.require(actor, "case.edit", case)
    _require_unrestricted(case.person_id)
    plan = CasePlan.objects.filter(case=case).first()
    with transaction.atomic():
        if plan is None:
            plan = CasePlan.objects.create(
                case=case,
                objectives=objectives.strip(),
                actions=actions.strip(),
                planned_end_on=planned_end_on,
                actual_end_on=actual_end_on,
            )
            record(actor=actor, verb="plan.create", target=plan)
            return plan
        if expected_version is None:
            raise ConflictError(
                _(
                    "Someone else saved this record while you were editing it. Your changes "
                    "were not saved; reload to see the latest version and apply them again."
                ),
                code="stale_record",
            )
        values = {
            "objectives": objectives.strip(),
            "actions": actions.strip(),
            "planned_end_on": planned_end_on,
            "actual_end_on": actual_end_on,
        }
        update_recorded(
            plan, actor=actor, verb="plan.update", expected_version=expected_version, values=values
        )
    return plan


def case_note_add(*, actor: User, case: Case, body: str, sensitivity: int) -> CaseNote:
    """Add an encrypted note. Case managers (``case.edit``) choose any sensitivity; a service
    provider with the case assigned (``case.view``) writes notes shared with providers only.
    """
    if not policy.can(actor, "case.edit", case):
        policy.require(actor, "case.view", case)
        sensitivity = vocab.NoteSensitivity.SHARED
    _require_unrestricted(case.person_id)
    if sensitivity not in vocab.NoteSensitivity.values:
        raise ValidationFailed(
            _("Choose the sensitivity of the note."),
            fields={"sensitivity": _("Choose a value from the list.")},
        )
    if not body.strip():
        raise ValidationFailed(
            _("The note is empty."), fields={"body": _("This field is required.")}
        )
    with transaction.atomic():
        note = CaseNote.objects.create(
            case=case, author=actor, body=body.strip(), sensitivity=sensitivity
        )
        record(actor=actor, verb="note.add", target=note, changes={"sensitivity": sensitivity})
    return note


def case_note_update(
    *,
    actor: User,
    note: CaseNote,
    expected_version: int,
    body: str | None = None,
    sensitivity: int | None = None,
) -> CaseNote:
    """Change a note's body and/or sensitivity; only its author may, while they may still add
    notes to the case (``case_note_add``'s rule). A stale ``expected_version`` is refused
    (StaleRecordError, 409), never silently overwritten.
    """
    if note.author_id != actor.pk:
        raise PermissionDeniedError(_("Only the author of a note can change it."))
    if not policy.can(actor, "case.edit", note.case):
        policy.require(actor, "case.view", note.case)
        if sensitivity is not None and sensitivity != vocab.NoteSensitivity.SHARED:
            sensitivity = vocab.NoteSensitivity.SHARED
    fields = []
    errors = {}
    if body is not None:
        if not body.strip():
            errors["body"] = _("This field is required.")
        else:
            note.body = body.strip()
            fields.append("body")
    if sensitivity is not None:
        if sensitivity not in vocab.NoteSensitivity.values:
            errors["sensitivity"] = _("Choose a value from the list.")
        else:
            note.sensitivity = sensitivity
            fields.append("sensitivity")
    if errors:
        raise ValidationFailed(_("The note could not be saved; see the fields."), fields=errors)
    with transaction.atomic():
        save_versioned(note, expected_version=expected_version, fields=fields)
        changes: dict[str, object] = {"fields": fields}
        if "sensitivity" in fields:
            changes["sensitivity"] = note.sensitivity
        record(actor=actor, verb="note.update", target=note, changes=changes)
    return note


# --- whole records, as a register states them ------------------------------------------------


def case_record_create(
    *,
    actor: User | None,
    spec: rows.CaseSpec,
    verb: str,
    purpose: str,
    actor_label: str = "",
) -> Case:
    """Register one person with one case exactly as a record states it (``spec``): the person, an
    accepted referral from the record's referring agency, the case with the record's facts and
    its status path, the identification decision and a guardian when the record has them; one
    audit entry (``verb``) for the case. What the legacy import and ``generate_cases`` write in
    bulk, one record at a time, from the same row builders (``rows.record_rows``).

    Permission: ``case.import``; ``actor=None`` only for system work (``actor_label`` names it).
    """
    if actor is not None:
        policy.require(actor, "case.import")
    actor_id = actor.pk if actor is not None else None
    with transaction.atomic():
        code = new_person_code(spec.sent_at.year)
        built = rows.record_rows(spec, code=code, person_id=None, case_id=None, actor_id=actor_id)
        person = Person.objects.create(**built.person)
        case = Case.objects.create(**(built.case | {"person_id": person.pk}))
        CodeSequence.objects.create(**rows.case_sequence_row(person_id=person.pk))
        Referral.objects.create(**(built.referral | {"person_id": person.pk, "case_id": case.pk}))
        for row in built.status_changes:
            CaseStatusChange.objects.create(**(row | {"case_id": case.pk}))
        for row in built.decisions:
            IdentificationDecision.objects.create(**(row | {"case_id": case.pk}))
        for row in built.guardians:
            Guardian.objects.create(**(row | {"case_id": case.pk}))
        record(
            actor=actor,
            verb=verb,
            target=case,
            purpose=purpose,
            changes=built.audit_changes,
            actor_label=actor_label,
        )
    return case
