"""The minimum dataset for each purpose (HTCDS 2.0 field names), and how a case fills it.

ICMPD's TRM guidelines: transfer only what the purpose needs. The caseworker starts from the
proposal for the purpose and may remove fields, never add one the purpose does not allow.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from opennrm.cases import vocab
from opennrm.cases.models import Case

LABELS = {
    "prs_FirstName": _("Given names"),
    "prs_SecondName": _("Family name"),
    "prs_Birthdate": _("Date of birth"),
    "prs_Gender": _("Gender"),
    "prs_Citizenship": _("Citizenship"),
    "prs_PrimaryLanguage": _("Language"),
    "prs_IdentityNumber": _("Identity document"),
    "prs_MobilePhone": _("Contacts"),
    "vic_TypeOfExploitation": _("Forms of exploitation"),
    "vic_LocationOfExploitation": _("Country of exploitation"),
    "vic_TraffickingStatus": _("Identification status"),
}

_PERSON = ("prs_FirstName", "prs_SecondName", "prs_Birthdate", "prs_Gender")

MINIMUM: dict[str, tuple[str, ...]] = {
    "identify": (
        *_PERSON,
        "prs_Citizenship",
        "vic_TypeOfExploitation",
        "vic_LocationOfExploitation",
    ),
    "assist": (*_PERSON, "prs_PrimaryLanguage", "vic_TypeOfExploitation", "vic_TraffickingStatus"),
    "return": (
        *_PERSON,
        "prs_Citizenship",
        "prs_IdentityNumber",
        "prs_PrimaryLanguage",
        "prs_MobilePhone",
        "vic_TraffickingStatus",
    ),
    "family_tracing": (*_PERSON, "prs_Citizenship"),
    "proceedings": (
        "prs_Gender",
        "prs_Birthdate",
        "vic_TypeOfExploitation",
        "vic_LocationOfExploitation",
        "vic_TraffickingStatus",
    ),
}


def _status(case: Case) -> str:
    decision = case.decisions.order_by("-decided_on", "-id").first()
    if decision is not None and decision.outcome == vocab.IdentificationOutcome.IDENTIFIED:
        return "ActualVictimOfTrafficking"
    if decision is not None:
        return "NotAVictimOfTrafficking"
    return "PossibleVictimOfTrafficking"


def values_of(case: Case) -> dict[str, Any]:
    """Every field a purpose may ask for, read from the case and its person (decrypted)."""
    person = case.person
    birth = person.date_of_birth or (str(person.year_of_birth) if person.year_of_birth else "")
    values: dict[str, Any] = {
        "prs_FirstName": person.given_names,
        "prs_SecondName": person.family_name,
        "prs_Birthdate": birth,
        "prs_Gender": person.gender,
        "prs_Citizenship": list(person.citizenship),
        "prs_PrimaryLanguage": (person.languages or [""])[0],
        "prs_IdentityNumber": person.identity_document,
        "prs_MobilePhone": person.contacts,
        "vic_TypeOfExploitation": list(case.forms_of_exploitation),
        "vic_LocationOfExploitation": case.country_of_exploitation or "",
        "vic_TraffickingStatus": _status(case),
    }
    return values


def proposal(case: Case, purpose: str) -> dict[str, Any]:
    """The purpose's minimum dataset with the case's values (empty values left out)."""
    values = values_of(case)
    return {name: values[name] for name in MINIMUM.get(purpose, ()) if values[name] not in ("", [])}
