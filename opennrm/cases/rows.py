"""The rows of the NRM core, built in one place for every way a record is written.

The services write one record at a time through the ORM; the bulk writer (``imports``: the legacy
import and ``generate_cases``) writes thousands per statement (``COPY`` on PostgreSQL). Both take
the column values of every row from the builders here, so the two paths cannot drift: the bulk
path only changes how the rows reach the database. ``tests/cases/test_write_paths.py`` proves a
record written by ``services.case_record_create`` and the same record written in bulk are equal,
table by table, audit entries included.

A builder returns ``{attname: value}`` for one row, as the model's fields would store it before
their own conversion (encryption, JSON) — ``Model(**row)`` and the bulk writer's ``_Table`` both
accept it. Ids that the database assigns are left out unless the caller has them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from opennrm.cases.vocab import DecisionMakingOrg, ReferralConsent, ReferralStatus
from opennrm.core.crypto import blind_index
from opennrm.core.translit import fold


@dataclass
class CaseSpec:
    """One person with one case, as a record states it (all values already valid)."""

    given_names: str
    family_name: str
    date_of_birth: date | None
    year_of_birth: int | None
    gender: str
    citizenship: list[str]
    languages: list[str]
    contacts: str
    identity_document: str
    from_agency_id: int
    from_user_id: int
    to_agency_id: int
    lead_agency_id: int
    caseworker_id: int | None
    sent_at: datetime
    status: str
    path: list[tuple[str, str, datetime]]  # (action, target state, when), in order
    is_child: bool = False
    presumed_victim_date: date | None = None
    reflection_period_start: date | None = None
    reflection_period_end: date | None = None
    forms_of_exploitation: list[str] = field(default_factory=list)
    means_of_control: list[str] = field(default_factory=list)
    recruitment_method: str = ""
    country_of_exploitation: str = ""
    trafficking_scope: str = "unknown"
    decision: tuple[str, date] | None = None  # (outcome, decided on)
    decision_org: str = ""  # "" = the model's default (the file did not say)
    decision_reasoning: str = ""
    closure_reason: str = ""
    closure_details: str = ""
    closed_at: datetime | None = None
    guardian_name: str = ""
    guardian_appointed_by: str = ""
    source_key: str = ""
    indexes: tuple[str, str, str] | None = None  # blind indexes, when the caller has them
    imported_at: datetime | None = None


# --- codes and blind indexes -------------------------------------------------------------


def name_key(given_names: str, family_name: str) -> str:
    """Folded full name with its words sorted: script, diacritics and word order do not matter."""
    return " ".join(sorted(fold(f"{given_names} {family_name}").split()))


def person_indexes(
    given_names: str, family_name: str, date_of_birth: date | None, year_of_birth: int | None
) -> dict[str, str]:
    """The three blind-index columns of a person (empty when the name is unknown)."""
    key = name_key(given_names, family_name)
    if not key:
        return {"name_index": "", "name_dob_index": "", "name_yob_index": ""}
    year = date_of_birth.year if date_of_birth else year_of_birth
    return {
        "name_index": blind_index(key, purpose="person.name"),
        "name_dob_index": (
            blind_index(f"{key}|{date_of_birth.isoformat()}", purpose="person.name_dob")
            if date_of_birth
            else ""
        ),
        "name_yob_index": (blind_index(f"{key}|{year}", purpose="person.name_yob") if year else ""),
    }


# --- one row each --------------------------------------------------------------------------


def person_row(
    *,
    code: str,
    given_names: str,
    family_name: str,
    date_of_birth: date | None,
    year_of_birth: int | None,
    gender: str,
    citizenship: list[str],
    languages: list[str],
    contacts: str,
    identity_document: str,
    created_by_id: int | None,
    indexes: tuple[str, str, str] | None = None,
    created_at: datetime | None = None,
) -> dict[str, Any]:
    given, family = given_names.strip(), family_name.strip()
    if indexes is None:
        found = person_indexes(given, family, date_of_birth, year_of_birth)
        indexes = (found["name_index"], found["name_dob_index"], found["name_yob_index"])
    row: dict[str, Any] = {
        "code": code,
        "given_names": given,
        "family_name": family,
        "date_of_birth": date_of_birth.isoformat() if date_of_birth else "",
        "contacts": contacts.strip(),
        "identity_document": identity_document.strip(),
        "name_index": indexes[0],
        "name_dob_index": indexes[1],
        "name_yob_index": indexes[2],
        "gender": gender,
        "year_of_birth": year_of_birth,
        "citizenship": list(citizenship),
        "languages": list(languages),
        "created_by_id": created_by_id,
    }
    if created_at is not None:
        row["created_at"] = created_at
    return row


def case_row(
    *,
    code: str,
    person_id: int | None,
    lead_agency_id: int,
    caseworker_id: int | None,
    is_child: bool,
    opened_on: date,
    status: str = "referred",
    created_at: datetime | None = None,
    **facts: Any,
) -> dict[str, Any]:
    """A case; ``facts`` are further columns of ``Case`` (dates, HTCDS facts, closure)."""
    row: dict[str, Any] = {
        "code": code,
        "person_id": person_id,
        "lead_agency_id": lead_agency_id,
        "caseworker_id": caseworker_id,
        "status": status,
        "is_child": is_child,
        "opened_on": opened_on,
        **facts,
    }
    if created_at is not None:
        row["created_at"] = created_at
    return row


def case_sequence_row(*, person_id: int, cases: int = 1) -> dict[str, Any]:
    """The counter of a person's cases (``case:<person id>``), ``cases`` of them taken."""
    return {"name": f"case:{person_id}", "value": cases}


def status_change_row(
    *,
    case_id: int | None,
    from_status: str,
    to_status: str,
    action: str,
    actor_id: int | None,
    at: datetime | None = None,
    note: str = "",
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "case_id": case_id,
        "from_status": from_status,
        "to_status": to_status,
        "action": action,
        "actor_id": actor_id,
        "note": note,
    }
    if at is not None:
        row["at"] = at
    return row


def decision_row(
    *,
    case_id: int | None,
    outcome: str,
    decided_by_id: int | None,
    decided_on: date,
    decision_org: str,
    reasoning: str,
    created_at: datetime | None = None,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "case_id": case_id,
        "outcome": outcome,
        "decided_by_id": decided_by_id,
        "decided_on": decided_on,
        "decision_org": decision_org or DecisionMakingOrg.NON_POLICE_GOVERNMENT,
        "reasoning": reasoning,
    }
    if created_at is not None:
        row["created_at"] = created_at
    return row


def guardian_row(
    *,
    case_id: int | None,
    full_name: str,
    relationship: str,
    appointed_by: str,
    appointed_on: date,
    contacts: str = "",
    created_at: datetime | None = None,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "case_id": case_id,
        "full_name": full_name.strip(),
        "relationship": relationship.strip(),
        "appointed_by": appointed_by.strip(),
        "appointed_on": appointed_on,
        "contacts": contacts.strip(),
        "ended_on": None,
    }
    if created_at is not None:
        row["created_at"] = created_at
    return row


def accepted_referral_row(
    spec: CaseSpec, *, person_id: int | None, case_id: int | None
) -> dict[str, Any]:
    """The accepted referral that brought a recorded case in (the record's referring agency)."""
    accepted_at = spec.path[0][2] if spec.path else spec.sent_at
    return {
        "created_at": spec.sent_at,
        "from_agency_id": spec.from_agency_id,
        "from_user_id": spec.from_user_id,
        "to_agency_id": spec.to_agency_id,
        "source_screening_id": None,
        "subject_year_of_birth": spec.year_of_birth,
        "subject_gender": spec.gender,
        "subject_citizenship": list(spec.citizenship),
        "subject_languages": list(spec.languages),
        "is_child": spec.is_child,
        "consent": ReferralConsent.NOT_NEEDED_CHILD if spec.is_child else ReferralConsent.GIVEN,
        "consent_recorded_by_id": None,
        "consent_recorded_at": None,
        "status": ReferralStatus.ACCEPTED,
        "sent_at": spec.sent_at,
        "acknowledged_at": spec.sent_at,
        "decided_at": accepted_at,
        "acknowledged_by_id": spec.caseworker_id,
        "decided_by_id": spec.caseworker_id,
        "person_id": person_id,
        "case_id": case_id,
    }


@dataclass
class RecordRows:
    """Every row of one recorded case, by table, in the order they are written."""

    person: dict[str, Any]
    case: dict[str, Any]
    case_sequence: dict[str, Any]
    referral: dict[str, Any]
    status_changes: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    guardians: list[dict[str, Any]]
    audit_changes: dict[str, Any]


def record_rows(
    spec: CaseSpec,
    *,
    code: str,
    person_id: int | None,
    case_id: int | None,
    actor_id: int | None,
) -> RecordRows:
    """The rows of one person with one case as ``spec`` states them (see the module docstring):
    the person, the case (ordinal 1), the case counter, the accepted referral, the status path
    from ``open``, the identification decision and the guardian when stated."""
    case_code = f"{code}/1"
    person = person_row(
        code=code,
        given_names=spec.given_names,
        family_name=spec.family_name,
        date_of_birth=spec.date_of_birth,
        year_of_birth=spec.year_of_birth,
        gender=spec.gender,
        citizenship=spec.citizenship,
        languages=spec.languages,
        contacts=spec.contacts,
        identity_document=spec.identity_document,
        created_by_id=actor_id,
        indexes=spec.indexes,
        created_at=spec.sent_at,
    )
    case = case_row(
        code=case_code,
        person_id=person_id,
        lead_agency_id=spec.lead_agency_id,
        caseworker_id=spec.caseworker_id,
        is_child=spec.is_child,
        opened_on=spec.sent_at.date(),
        status=spec.status,
        created_at=spec.sent_at,
        presumed_victim_date=spec.presumed_victim_date,
        reflection_period_start=spec.reflection_period_start,
        reflection_period_end=spec.reflection_period_end,
        forms_of_exploitation=list(spec.forms_of_exploitation),
        country_of_exploitation=spec.country_of_exploitation,
        trafficking_scope=spec.trafficking_scope,
        recruitment_method=spec.recruitment_method,
        means_of_control=list(spec.means_of_control),
        closure_reason=spec.closure_reason,
        closure_details=spec.closure_details,
        closed_at=spec.closed_at,
        imported_at=spec.imported_at,
    )
    changes = [
        status_change_row(
            case_id=case_id,
            from_status="",
            to_status="referred",
            action="open",
            actor_id=spec.caseworker_id,
            at=spec.sent_at,
        )
    ]
    previous = "referred"
    for action, target, when in spec.path:
        changes.append(
            status_change_row(
                case_id=case_id,
                from_status=previous,
                to_status=target,
                action=action,
                actor_id=spec.caseworker_id,
                at=when,
            )
        )
        previous = target
    decisions = []
    if spec.decision is not None:
        outcome, decided_on = spec.decision
        decisions.append(
            decision_row(
                case_id=case_id,
                outcome=outcome,
                decided_by_id=spec.caseworker_id or actor_id,
                decided_on=decided_on,
                decision_org=spec.decision_org,
                reasoning=spec.decision_reasoning,
                created_at=datetime.combine(decided_on, time(12, 0), tzinfo=UTC),
            )
        )
    guardians = []
    if spec.guardian_name:
        guardians.append(
            guardian_row(
                case_id=case_id,
                full_name=spec.guardian_name,
                relationship="guardian",
                appointed_by=spec.guardian_appointed_by,
                appointed_on=spec.sent_at.date(),
                created_at=spec.sent_at,
            )
        )
    return RecordRows(
        person=person,
        case=case,
        case_sequence=case_sequence_row(person_id=person_id or 0),
        referral=accepted_referral_row(spec, person_id=person_id, case_id=case_id),
        status_changes=changes,
        decisions=decisions,
        guardians=guardians,
        audit_changes={"status": [None, spec.status], "person": [None, code]},
    )
