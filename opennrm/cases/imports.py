"""Import of legacy case records from the CSV and XLSX files agencies keep today.

The header uses HTCDS 2.0 field names (UNMigration/HTCDS, Field Standards 2.0), matched case- and
space-insensitively by ``core.tabular`` (the import pipeline, ``import_specs.CaseImport``, also
maps any other header to them). One row is one person with one case:

==========================================  ========  ===============================================
Column                                      Required  Meaning and accepted values
==========================================  ========  ===============================================
``cas_CaseId``                              no        The agency's own identifier for the record.
``prs_FirstName``                           yes       Given name (encrypted).
``prs_SecondName``                          yes       Family name (encrypted).
``prs_Birthdate``                           no        A date (``core.dates``) or only the year
                                                      (YYYY); encrypted, the year kept in clear.
``prs_Gender``                              no        ``vocab.GENDER``: HTCDS values, their labels,
                                                      F / M, Ž / M, ženski / muški, женско …
``prs_Citizenship``                         no        Countries (``core.countries``): ISO alpha-2 or
                                                      alpha-3 codes or names in English, Serbian
                                                      Cyrillic or Latin; several with ``;``.
``prs_PrimaryLanguage``                     no        ISO 639 code; ``prs_SecondaryLanguage`` too.
``prs_IdentityNumber``                      no        Identity document number (encrypted).
``prs_MobilePhone``                         no        Phone (encrypted); ``prs_Email`` likewise.
``vic_TraffickingStatus``                   no        ``vocab.TRAFFICKING_STATUS``: possible victim
                                                      → presumed victim, actual → identified, not a
                                                      victim → not identified.
``vic_TraffickingStatusDecisionMakingOrg``  no        ``vocab.DECISION_ORG``, kept on the decision
                                                      (also the template's misspelled
                                                      ``vic_TraffickinStatusDecisionMakingOrg``).
``vic_TypeOfExploitation``                  no        ``vocab.EXPLOITATION``, several with ``;``.
``vic_MethodsOfControl``                    no        ``vocab.CONTROL``, several with ``;``.
``vic_MethodOfRecruitment``                 no        ``vocab.RECRUITMENT``.
``vic_LocationOfExploitation``              no        The country of exploitation (as citizenship).
``cas_Status``                              no        ``vocab.CASE_STATUS``: Active, FollowUp (open)
                                                      or Closed, ClosedReferred.
``cas_ReasonForCaseClosure``                no        Free text, kept as the closure details.
``cas_ReferringOrganisation``               yes       The referring agency: its name (English,
                                                      Serbian), short name or an alias that
                                                      administrators keep (``AgencyAlias``).
``cas_IncomingReferralDate``                yes       Date of the referral; not in the future.
==========================================  ========  ===============================================

**Nothing invented.** A record holds only what its row states. No status column: the case's
state follows the trafficking status when there is one (else it stays ``referred``), and it is
closed only when the file says so — with no closure reason unless the file gives one. No
recovery and reflection period is recorded (the file states none), no guardian, and the case is
marked ``imported_at``: its deadlines count from the import, never from the file's past dates. The
one date a row must give, the referral date, stands for the dates the NRM records with each
state (presumed victim since, the identification decision's date), as the file's only date.

Without ``cas_CaseId`` the source key is the blind index of name and date (or year) of birth
together with the referral date and the referring agency: the same person referred on the same
day by the same agency is the same record.

The whole file is validated before anything is written (every row, every column, with the value,
why, and the allowed or closest values, in the user's language), then written in one transaction:
all or nothing. Rows are written by the bulk writer from the services' own row builders, so each
created person and case has the same codes, encryption, blind indexes and audit entries as one
created by the service; the import itself is one more audit entry with its counts.
"""

from __future__ import annotations

import gc
import hashlib
import json
import operator
import queue
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg.adapt import Dumper
from psycopg.postgres import types as postgres_types
from psycopg.pq import Format

from opennrm.accounts import policy
from opennrm.accounts.models import Agency, AgencyAlias, User, alias_key
from opennrm.audit.models import AuditEntry
from opennrm.audit.services import entry_row, record, seal_after_commit
from opennrm.cases import services
from opennrm.cases.models import (
    Case,
    CaseStatusChange,
    CodeSequence,
    Guardian,
    IdentificationDecision,
    Person,
    Referral,
)
from opennrm.cases.rows import CaseSpec, record_rows
from opennrm.cases.vocab import (
    CASE_STATUS,
    CONTROL,
    DECISION_ORG,
    EXPLOITATION,
    GENDER,
    HTCDS_CASE_OPEN,
    RECRUITMENT,
    TRAFFICKING_STATUS,
    ClosureReason,
    Gender,
    ImportVocabulary,
    TraffickingStatus,
)
from opennrm.core import crypto
from opennrm.core.countries import COUNTRIES, Countries
from opennrm.core.dates import DateError, parse_date
from opennrm.core.errors import ValidationFailed
from opennrm.core.fields import EncryptedTextField
from opennrm.core.tabular import RowErrors, read_rows
from opennrm.core.translit import fold, to_latin

DECISION_ORG_COLUMN = "vic_TraffickingStatusDecisionMakingOrg"
COLUMNS = (
    "cas_CaseId",
    "prs_FirstName",
    "prs_SecondName",
    "prs_Birthdate",
    "prs_Gender",
    "prs_Citizenship",
    "prs_PrimaryLanguage",
    "prs_SecondaryLanguage",
    "prs_IdentityNumber",
    "prs_MobilePhone",
    "prs_Email",
    "vic_TraffickingStatus",
    DECISION_ORG_COLUMN,
    "vic_TypeOfExploitation",
    "vic_MethodsOfControl",
    "vic_MethodOfRecruitment",
    "vic_LocationOfExploitation",
    "cas_Status",
    "cas_ReasonForCaseClosure",
    "cas_ReferringOrganisation",
    "cas_IncomingReferralDate",
)
REQUIRED = (
    "prs_FirstName",
    "prs_SecondName",
    "cas_ReferringOrganisation",
    "cas_IncomingReferralDate",
)
# Spellings found in agencies' spreadsheets and in the HTCDS Excel template.
ALIASES = {
    "case_id": "cas_CaseId",
    "source_id": "cas_CaseId",
    "first_name": "prs_FirstName",
    "last_name": "prs_SecondName",
    "surname": "prs_SecondName",
    "date_of_birth": "prs_Birthdate",
    "gender": "prs_Gender",
    "citizenship": "prs_Citizenship",
    "nationality": "prs_Citizenship",
    "referral_date": "cas_IncomingReferralDate",
    "referring_organisation": "cas_ReferringOrganisation",
    "referring_organization": "cas_ReferringOrganisation",
    "vic_TraffickinStatusDecisionMakingOrg": DECISION_ORG_COLUMN,
}

# HTCDS trafficking status → the NRM state it stands for.
OUTCOME: dict[str, str] = {
    TraffickingStatus.POSSIBLE: "presumed_victim",
    TraffickingStatus.ACTUAL: "identified",
    TraffickingStatus.NOT_A_VICTIM: "not_identified",
}
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_SPLIT = re.compile(r"[;,|]")
_YEAR = re.compile(r"[0-9]{4}")
# Closest values named in an error when a vocabulary is too long to list whole.
LISTED_AT_MOST = 12


@dataclass(frozen=True)
class LegacyRecord:
    """One validated row, ready for the bulk writer: only what the row stated."""

    row: int
    source_key: str
    first_name: str
    last_name: str
    birth_date: date | None
    birth_year: int | None
    gender: str
    citizenships: tuple[str, ...]
    languages: tuple[str, ...]
    identity_number: str
    phone: str
    email: str
    outcome: str  # presumed_victim / identified / not_identified, or "" when the file is silent
    decision_org: str
    exploitation: tuple[str, ...]
    means_of_control: tuple[str, ...]
    recruitment: str
    country_of_exploitation: str
    is_open: bool
    closure_note: str
    referring_agency_id: int
    referral_date: date


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    skipped: int = 0  # already imported earlier (same source key)
    codes: list[str] = field(default_factory=list)
    rows_created: list[int] = field(default_factory=list)  # the file's row of each code


# --- Values as registers write them -----------------------------------------------------------


def unknown_value(raw: str, vocabulary: ImportVocabulary | Countries) -> str:
    """The error for a value no vocabulary entry matches: the value, and the allowed values (all
    of them when few, else the closest ones), in the active language."""
    if isinstance(vocabulary, ImportVocabulary) and len(vocabulary.labels) <= LISTED_AT_MOST:
        allowed = "; ".join(f"{label} ({code})" for code, label in vocabulary.choices())
        return _("“%(value)s” is not an allowed value. Allowed values: %(allowed)s.") % {
            "value": raw,
            "allowed": allowed,
        }
    closest = _closest(raw, vocabulary)
    if closest:
        return _("“%(value)s” is not an allowed value. Closest allowed values: %(closest)s.") % {
            "value": raw,
            "closest": "; ".join(closest),
        }
    return _("“%(value)s” is not an allowed value, and none is close to it.") % {"value": raw}


def _closest(raw: str, vocabulary: ImportVocabulary | Countries) -> list[str]:
    if isinstance(vocabulary, ImportVocabulary):
        return vocabulary.closest(raw)
    import difflib

    names = {fold(label): (code, label) for code, label in vocabulary.choices()}
    near = difflib.get_close_matches(fold(raw), list(names), n=3, cutoff=0.6)
    return [f"{names[key][1]} ({names[key][0]})" for key in near]


class AgencyVocabulary:
    """The agencies a register may name: by name (English, Serbian in either script), short name,
    or an alias (``AgencyAlias``). An alias for a kind of agency names the one active agency of
    that kind; followed by a place ("CSR Beograd") it names the agency of that kind whose name or
    municipality holds the place. Codes are agency ids (as text)."""

    name = "cases.agency"

    def __init__(self) -> None:
        self.agencies = list(
            Agency.objects.values_list(
                "id", "name", "name_sr", "short_name", "type", "municipality", "is_active"
            )
        )
        self.by_key: dict[str, int] = {}
        for agency_id, name, name_sr, short, _type, _municipality, _active in self.agencies:
            for text in (name, name_sr, short):
                if text:
                    self.by_key.setdefault(alias_key(text), agency_id)
        self.aliases: dict[str, int | str] = {}
        for key, agency_id, agency_type in AgencyAlias.objects.values_list(
            "key", "agency_id", "agency_type"
        ):
            self.aliases[key] = agency_id or agency_type
        self._memo: dict[str, tuple[int | None, list[str]]] = {}

    def _of_type(self, agency_type: str, place: str = "") -> list[tuple[int, str]]:
        found = []
        for agency_id, name, name_sr, _short, kind, municipality, active in self.agencies:
            if kind != agency_type or not active:
                continue
            words = fold(" ".join((name, to_latin(name_sr), municipality))).split()
            if not place or place in words or place == alias_key(municipality):
                found.append((agency_id, name))
        return found

    def resolve(self, raw: str) -> tuple[int | None, list[str]]:
        """(agency id, []) when ``raw`` names one agency; (None, candidate names) when it names a
        kind of agency with several; (None, []) when it names nothing known."""
        if raw in self._memo:
            return self._memo[raw]
        key = alias_key(raw)
        found: tuple[int | None, list[str]] = (None, [])
        if key.isdigit() and any(a[0] == int(key) for a in self.agencies):
            found = (int(key), [])  # a code from the value-mapping screen
        elif key in self.by_key:
            found = (self.by_key[key], [])
        else:
            for alias, target in sorted(self.aliases.items(), key=lambda item: -len(item[0])):
                if not key.startswith(alias):
                    continue
                if isinstance(target, int):
                    found = (target, [])
                    break
                place = key[len(alias) :]
                candidates = self._of_type(target, place) or (
                    self._of_type(target) if not place else []
                )
                if len(candidates) == 1:
                    found = (candidates[0][0], [])
                elif candidates:
                    found = (None, [name for _id, name in candidates])
                if candidates or not place:
                    break
        self._memo[raw] = found
        return found

    def match(self, raw: str) -> str | None:
        agency_id, _candidates = self.resolve(raw)
        return str(agency_id) if agency_id else None

    def choices(self) -> list[tuple[str, str]]:
        language = translation_language()
        return [
            (str(agency_id), Agency(name=name, name_sr=name_sr).localized_name(language))
            for agency_id, name, name_sr, _s, _t, _m, active in self.agencies
            if active
        ]

    def problem(self, raw: str) -> str:
        """Why ``raw`` names no single agency, in the active language."""
        _agency_id, candidates = self.resolve(raw)
        if candidates:
            return _(
                "“%(value)s” names a kind of agency, and several are registered: %(agencies)s. "
                "Map it to one of them, or ask an administrator to add an alias."
            ) % {"value": raw, "agencies": "; ".join(candidates)}
        return _(
            "No agency called “%(value)s” is registered, by name, short name or alias. Map it to "
            "an agency, or ask an administrator to add the alias."
        ) % {"value": raw}


def translation_language() -> str:
    from django.utils.translation import get_language

    return (get_language() or "en").lower()


def agency_lookup() -> AgencyVocabulary:
    """The agencies of this platform, as registers name them."""
    return AgencyVocabulary()


def parse_birth(text: str, *, today: date) -> tuple[date | None, int | None]:
    """(date of birth, year of birth) from a birth date or a year alone; DateError otherwise."""
    if _YEAR.fullmatch(text):
        return None, int(text)
    born = parse_date(text, today=today)
    return born, born.year


def _many(
    number: int, column: str, text: str, vocabulary: ImportVocabulary | Countries, errors: RowErrors
) -> tuple[str, ...]:
    found: list[str] = []
    for part in (p.strip() for p in _SPLIT.split(text)):
        if not part:
            continue
        value = vocabulary.match(part)
        if value is None:
            errors.add(number, column, unknown_value(part, vocabulary))
        elif value not in found:
            found.append(value)
    return tuple(found)


def _one(
    number: int, column: str, text: str, vocabulary: ImportVocabulary | Countries, errors: RowErrors
) -> str:
    if not text:
        return ""
    value = vocabulary.match(text)
    if value is None:
        errors.add(number, column, unknown_value(text, vocabulary))
        return ""
    return value


def source_key_for(
    *,
    case_id: str,
    agency_id: int,
    first_name: str,
    last_name: str,
    birth: str,
    referral_date: date,
) -> str:
    """The key that makes two rows of one file the same record: the agency's own id when given,
    else who (folded name, birth) and when; kept in memory only, to refuse repeated rows."""
    if case_id:
        return f"{agency_id}:id:{case_id}"
    who = services.name_key(first_name, last_name)
    return f"{agency_id}:{hashlib.sha256(f'{who}|{birth}|{referral_date}'.encode()).hexdigest()}"


def parse_rows(
    rows: Iterable[tuple[int, Mapping[str, str]]],
    *,
    agencies: AgencyVocabulary,
    today: date,
    errors: RowErrors,
) -> list[LegacyRecord]:
    """Validate every row; problems go to ``errors`` (row, column, the value, why, and what is
    allowed), valid rows are returned. Rows are ``(row number, {column: text})``; a column the
    file does not have is simply absent (nothing is assumed for it)."""
    return list(iter_records(rows, agencies=agencies, today=today, errors=errors))


def iter_records(
    rows: Iterable[tuple[int, Mapping[str, str]]],
    *,
    agencies: AgencyVocabulary,
    today: date,
    errors: RowErrors,
) -> Iterator[LegacyRecord]:
    """``parse_rows`` one record at a time: a large file's records need not all be held."""
    seen: dict[str, int] = {}
    for number, raw in rows:
        before = len(errors.errors)
        value = {column: str(raw.get(column) or "").strip() for column in COLUMNS}
        if not any(value.values()):
            continue  # nothing in any column this import reads: not a record
        for column in REQUIRED:
            if not value[column]:
                errors.add(number, column, _("This value is required."))

        birth_date: date | None = None
        birth_year: int | None = None
        if value["prs_Birthdate"]:
            try:
                birth_date, birth_year = parse_birth(value["prs_Birthdate"], today=today)
            except DateError as problem:
                errors.add(number, "prs_Birthdate", str(problem))
        if birth_year is not None and not 1900 <= birth_year <= today.year:
            errors.add(
                number,
                "prs_Birthdate",
                _("The year of birth must be between 1900 and %(year)d.") % {"year": today.year},
            )

        gender = _one(number, "prs_Gender", value["prs_Gender"], GENDER, errors) or Gender.UNKNOWN
        citizenships = _many(number, "prs_Citizenship", value["prs_Citizenship"], COUNTRIES, errors)
        country = _one(
            number,
            "vic_LocationOfExploitation",
            value["vic_LocationOfExploitation"],
            COUNTRIES,
            errors,
        )
        languages: list[str] = []
        for column in ("prs_PrimaryLanguage", "prs_SecondaryLanguage"):
            code = value[column].lower()
            if not code:
                continue
            if _LANGUAGE.match(code):
                languages.append(code)
            else:
                errors.add(
                    number,
                    column,
                    _("“%(value)s” is not an ISO 639 language code.") % {"value": value[column]},
                )

        status = _one(
            number,
            "vic_TraffickingStatus",
            value["vic_TraffickingStatus"],
            TRAFFICKING_STATUS,
            errors,
        )
        decision_org = _one(
            number, DECISION_ORG_COLUMN, value[DECISION_ORG_COLUMN], DECISION_ORG, errors
        )
        case_status = _one(number, "cas_Status", value["cas_Status"], CASE_STATUS, errors)
        exploitation = _many(
            number, "vic_TypeOfExploitation", value["vic_TypeOfExploitation"], EXPLOITATION, errors
        )
        control = _many(
            number, "vic_MethodsOfControl", value["vic_MethodsOfControl"], CONTROL, errors
        )
        recruitment = _one(
            number, "vic_MethodOfRecruitment", value["vic_MethodOfRecruitment"], RECRUITMENT, errors
        )

        agency_id = 0
        if value["cas_ReferringOrganisation"]:
            agency_id = agencies.resolve(value["cas_ReferringOrganisation"])[0] or 0
            if not agency_id:
                errors.add(
                    number,
                    "cas_ReferringOrganisation",
                    agencies.problem(value["cas_ReferringOrganisation"]),
                )
        referral_date: date | None = None
        if value["cas_IncomingReferralDate"]:
            try:
                referral_date = parse_date(value["cas_IncomingReferralDate"], today=today)
            except DateError as problem:
                errors.add(number, "cas_IncomingReferralDate", str(problem))
            else:
                if referral_date > today:
                    errors.add(
                        number,
                        "cas_IncomingReferralDate",
                        _("The referral date %(value)s is in the future.")
                        % {"value": value["cas_IncomingReferralDate"]},
                    )
                elif birth_date is not None and referral_date < birth_date:
                    errors.add(
                        number,
                        "cas_IncomingReferralDate",
                        _("The referral date is before the date of birth."),
                    )

        if len(errors.errors) > before or referral_date is None:
            continue
        key = source_key_for(
            case_id=value["cas_CaseId"],
            agency_id=agency_id,
            first_name=value["prs_FirstName"],
            last_name=value["prs_SecondName"],
            birth=value["prs_Birthdate"],
            referral_date=referral_date,
        )
        if key in seen:
            errors.add(
                number,
                "cas_CaseId" if value["cas_CaseId"] else "prs_FirstName",
                _("This record repeats row %(row)d of the same file.") % {"row": seen[key]},
            )
            continue
        seen[key] = number
        yield (
            LegacyRecord(
                row=number,
                source_key=key,
                first_name=value["prs_FirstName"],
                last_name=value["prs_SecondName"],
                birth_date=birth_date,
                birth_year=birth_year,
                gender=gender,
                citizenships=citizenships,
                languages=tuple(languages),
                identity_number=value["prs_IdentityNumber"],
                phone=value["prs_MobilePhone"],
                email=value["prs_Email"],
                outcome=OUTCOME.get(status, ""),
                decision_org=decision_org,
                exploitation=exploitation,
                means_of_control=control,
                recruitment=recruitment,
                country_of_exploitation=country,
                is_open=HTCDS_CASE_OPEN.get(case_status, True),
                closure_note=value["cas_ReasonForCaseClosure"],
                referring_agency_id=agency_id,
                referral_date=referral_date,
            )
        )


def read_legacy_file(
    data: bytes,
    *,
    filename: str,
    agencies: AgencyVocabulary,
    today: date,
) -> list[LegacyRecord]:
    """Read and validate a whole file; raises ``TabularError`` naming every problem."""
    _header, rows = read_rows(
        data, filename=filename, columns=COLUMNS, required=REQUIRED, aliases=ALIASES
    )
    errors = RowErrors()
    records = parse_rows(rows, agencies=agencies, today=today, errors=errors)
    errors.raise_if_any()
    return records


# --- The bulk writer --------------------------------------------------------------------------
# Shared by the import and by ``generate_cases``: many cases in few statements, keeping every
# invariant a case entered by hand has — codes drawn from CodeSequence under a row lock, personal
# data encrypted (EncryptedTextField does it in bulk_create too), blind indexes filled, a valid
# workflow path recorded as status changes, and one audit entry per case created.


def person_indexes(
    given_names: str, family_name: str, date_of_birth: date | None, year_of_birth: int | None
) -> tuple[str, str, str]:
    """(name, name + date of birth, name + year of birth) blind indexes, exactly as the services
    compute them for a person entered by hand, so duplicate search finds imported people too."""
    found = services.person_indexes(given_names, family_name, date_of_birth, year_of_birth)
    return found["name_index"], found["name_dob_index"], found["name_yob_index"]


def _allocate_codes(years: list[int]) -> list[str]:
    """Person codes for ``years`` (one per person, in order), drawn under the sequence row lock."""
    wanted = Counter(years)
    next_number: dict[int, int] = {}
    for year, count in sorted(wanted.items()):
        name = f"person:{year}"
        CodeSequence.objects.get_or_create(name=name)
        sequence = CodeSequence.objects.select_for_update().get(name=name)
        next_number[year] = sequence.value + 1
        CodeSequence.objects.filter(name=name).update(value=sequence.value + count)
    codes = []
    for year in years:
        codes.append(services.person_code(year, next_number[year]))
        next_number[year] += 1
    return codes


def allocate(years: list[int]) -> tuple[list[str], list[int], list[int]]:
    """Person codes (for the referral ``years``, in order), person ids and case ids for as many
    new cases, drawn under the sequences' locks in the caller's transaction."""
    return (
        _allocate_codes(years),
        _Table(Person).reserve_ids(len(years)),
        _Table(Case).reserve_ids(len(years)),
    )


def _json(value: Any) -> str:
    """A JSON column's text; the short lists of codes repeat, so their text is remembered."""
    if type(value) is list and len(value) < 8:
        key = tuple(value)
        # Only lists of plain strings are stored, and only an equal list of strings finds one.
        try:
            text = _JSON_LISTS.get(key)
        except TypeError:  # unhashable items: not a list of codes
            return json.dumps(value)
        if text is not None:
            return text
        if all(type(item) is str for item in value):
            text = json.dumps(value)
            if len(_JSON_LISTS) < 4096:
                _JSON_LISTS[key] = text
            return text
    return json.dumps(value)


_JSON_LISTS: dict[tuple[str, ...], str] = {}


# PostgreSQL column types (as Field.db_type gives them) and the type a binary COPY sends.
_BINARY_COPY_TYPES = {
    "bigint": "int8",
    "integer": "int4",
    "smallint": "int2",
    "boolean": "bool",
    "date": "date",
    "timestamp with time zone": "timestamptz",
    "text": "text",
    "jsonb": "jsonb",
}


def _binary_copy_type(field: models.Field[Any, Any]) -> str | None:
    db_type = field.db_type(connection) or ""
    if db_type.startswith("varchar("):
        return "text"  # same binary form; the server still checks the length
    return _BINARY_COPY_TYPES.get(db_type)


class _JsonTextBinaryDumper(Dumper):
    """A ``jsonb`` value in binary COPY from its JSON text (``_json`` made it already): the
    driver's own dumper would encode the text again as a JSON string."""

    format = Format.BINARY
    oid = postgres_types["jsonb"].oid

    def dump(self, obj: str) -> bytes:
        return b"\x01" + obj.encode()


class _Table:
    """Raw inserts for one model: every concrete column, defaults filled, values converted the
    way the model's fields would (encryption bound to the column, JSON, dates), without building
    model instances — the ORM's per-value overhead dominates at a million rows."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.table = model._meta.db_table
        self.fields = [
            f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)
        ]
        self.pk = model._meta.pk

    def _converter(
        self, field: models.Field[Any, Any], ring: crypto.KeyRing
    ) -> Callable[[list[Any]], list[Any]] | None:
        """How a column of ``field`` values is written, or None when they are written as they
        are. Whole columns at a time, so a batch's values are encrypted in one call."""
        vendor = connection.vendor
        if isinstance(field, EncryptedTextField):
            context = field.crypto_context

            def seal(column: list[Any]) -> list[Any]:
                filled = [position for position, v in enumerate(column) if v]
                tokens = crypto.encrypt_many(
                    [str(column[position]) for position in filled], context=context, ring=ring
                )
                out = [v or "" for v in column]
                for position, token in zip(filled, tokens, strict=True):
                    out[position] = token
                return out

            return seal
        if isinstance(field, models.JSONField):
            return lambda column: [_json(v) for v in column]
        if isinstance(field, models.DateTimeField):
            if vendor == "postgresql":
                return None
            # What the SQLite backend stores for an aware datetime (UTC, naive, ISO with a space).
            return lambda column: [
                v.astimezone(UTC).replace(tzinfo=None).isoformat(" ") if v else None for v in column
            ]
        if isinstance(field, models.DateField):
            if vendor == "postgresql":
                return None
            return lambda column: [v.isoformat() if v is not None else None for v in column]
        return None

    def reserve_ids(self, count: int) -> list[int]:
        """Primary keys for rows about to be inserted (so children can point at them)."""
        if count == 0:
            return []
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [self.table, self.pk.column, count],
                )
                return [row[0] for row in cursor.fetchall()]
            # SQLite transactions here are IMMEDIATE: the write lock is held, MAX is stable.
            cursor.execute(f'SELECT COALESCE(MAX("{self.pk.column}"), 0) FROM "{self.table}"')  # noqa: S608 - table name from the model
            first = int(cursor.fetchone()[0]) + 1
        return list(range(first, first + count))

    def insert(self, rows: list[dict[str, Any]], *, with_pk: bool = False) -> None:
        _write(self.prepare(rows, with_pk=with_pk))

    def prepare(self, rows: list[dict[str, Any]], *, with_pk: bool = False) -> _Rows | None:
        """The rows as the database takes them (None when there are none): all the Python
        work of an insert, none of the database's."""
        if not rows:
            return None
        # The columns the rows give come first, the rest take their default (blank text "",
        # nullable None, as Field.get_default says) — so a row's values are picked in C.
        given = set().union(*rows)
        fields = [f for f in ([self.pk] if with_pk else []) + self.fields if f.attname in given]
        defaults = [f.get_default() for f in self.fields if f.attname not in given]
        fields += [f for f in self.fields if f.attname not in given]
        names = [f.attname for f in fields[: len(fields) - len(defaults)]]
        pick = operator.itemgetter(*names) if len(names) > 1 else lambda r: (r[names[0]],)
        values = []
        for row in rows:
            try:
                picked = pick(row)
            except KeyError:  # a row without a column others give: that column's default
                merged = {f.attname: f.get_default() for f in fields} | row
                picked = pick(merged)
            value = [*picked, *defaults] if defaults else list(picked)
            values.append(value)
        ring = crypto.keyring()
        for index, column_field in enumerate(fields):
            convert = self._converter(column_field, ring)
            if convert is None:
                continue
            for value, converted in zip(
                values, convert([value[index] for value in values]), strict=True
            ):
                value[index] = converted
        types = [_binary_copy_type(f) for f in fields] if connection.vendor == "postgresql" else []
        return _Rows(
            table=self.table,
            columns=", ".join(f'"{f.column}"' for f in fields),
            types=None if None in types else [str(t) for t in types],
            values=values,
        )


@dataclass
class _Rows:
    """Prepared rows of one table: quoted column list, binary COPY types (None: text COPY or
    not PostgreSQL) and the values, converted."""

    table: str
    columns: str
    types: list[str] | None
    values: list[list[Any]]


def _copy(raw: Any, rows: _Rows) -> None:
    """``COPY`` the rows through a psycopg cursor."""
    if rows.types is None:  # a column type this writer does not send in binary
        with raw.copy(f'COPY "{rows.table}" ({rows.columns}) FROM STDIN') as copy:
            for value in rows.values:
                copy.write_row(value)
        return
    # Binary COPY: values go as they are, neither side formats or parses text
    # (a third of the driver's time per row, and the server's date parsing).
    # By oid only, on this cursor's own adapters: nothing else dumps str this way.
    raw.adapters.register_dumper(None, _JsonTextBinaryDumper)
    with raw.copy(f'COPY "{rows.table}" ({rows.columns}) FROM STDIN (FORMAT BINARY)') as copy:
        copy.set_types(rows.types)
        for value in rows.values:
            copy.write_row(value)


def _write(rows: _Rows | None) -> None:
    """Insert prepared rows now, in the caller's transaction."""
    if rows is None:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with connection.wrap_database_errors:
                _copy(cursor.cursor, rows)
            return
        marks = ", ".join(["%s"] * len(rows.values[0]))
        cursor.executemany(
            f'INSERT INTO "{rows.table}" ({rows.columns}) VALUES ({marks})',  # noqa: S608 - names from the model
            rows.values,
        )


class _CopyThread:
    """``COPY`` on a second thread while the caller prepares the next rows.

    PostgreSQL spends longer inserting and indexing a batch than Python spends preparing it;
    run one after the other, each waits for the other. The thread writes through the caller's
    own connection (psycopg serialises its use), so every row is in the caller's transaction:
    a failed ``COPY`` is raised in the caller at its next ``submit`` or at ``close``, and the
    caller's transaction rolls back as for any error. The caller must not use the connection
    between ``submit`` and ``close`` except through this object (it would wait, not break).
    """

    def __init__(self) -> None:
        self._raw = connection.connection
        self._queue: queue.Queue[_Rows | None] = queue.Queue(maxsize=8)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="import-copy", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (rows := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain: nothing more is written after a failure
            try:
                with self._raw.cursor() as cursor:
                    _copy(cursor, rows)
            except BaseException as problem:  # re-raised in the caller
                self._error = problem

    def submit(self, rows: _Rows | None) -> None:
        self._raise_failure()
        if rows is not None:
            self._queue.put(rows)

    def close(self) -> None:
        """Wait for every submitted ``COPY``; raise the first failure."""
        self._queue.put(None)
        self._thread.join()
        self._raise_failure()

    def _raise_failure(self) -> None:
        if self._error is not None:
            with connection.wrap_database_errors:  # as Django's own cursors raise it
                raise self._error


def bulk_write_cases(
    specs: list[CaseSpec],
    *,
    actor: User | None,
    verb: str,
    purpose: str,
    actor_label: str = "",
    allocated: tuple[list[str], list[int], list[int]] | None = None,
    writer: _CopyThread | None = None,
    seal: bool = True,
) -> list[tuple[str, str]]:
    """Create a person, an accepted referral and a case for each spec, in the caller's
    transaction; returns (person code, case code) pairs in the order of ``specs``.

    Every row is built by ``rows.record_rows`` and every audit entry by ``audit.services.entry_row``
    — what ``services.case_record_create`` writes for one record — and written a handful of
    multi-row statements per batch; the chain is sealed after commit (``seal_after_commit``).
    ``allocated``: person codes, person ids and case ids drawn already (``allocate``), one per
    spec; ``writer``: the rows go to it instead of being written before returning; ``seal``
    false: the caller seals the chain itself (``generate_cases``, at its end).
    """
    now = timezone.now()
    codes, person_ids, case_ids = allocated or allocate([spec.sent_at.year for spec in specs])
    actor_id = actor.pk if actor else None
    persons, cases, sequences, referrals, changes = [], [], [], [], []
    decisions: list[dict[str, Any]] = []
    guardians: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    for spec, code, person_id, case_id in zip(specs, codes, person_ids, case_ids, strict=True):
        built = record_rows(
            spec, code=code, person_id=person_id, case_id=case_id, actor_id=actor_id
        )
        persons.append(built.person | {"id": person_id, "updated_at": now})
        cases.append(built.case | {"id": case_id, "updated_at": now})
        # services.case_open draws the case ordinal from "case:<person id>": the sequence must
        # say that ordinal 1 is taken, or the person's next case would reuse this code.
        sequences.append(built.case_sequence)
        referrals.append(built.referral | {"updated_at": now})
        changes.extend(built.status_changes)
        decisions.extend(row | {"updated_at": now} for row in built.decisions)
        guardians.extend(row | {"updated_at": now} for row in built.guardians)
        entries.append(
            entry_row(
                actor=actor,
                verb=verb,
                target_type="cases.case",
                target_id=str(case_id),
                target_label=built.case["code"],
                purpose=purpose,
                changes=built.audit_changes,
                actor_label=actor_label,
            )
            | {"at": now}
        )
    emit = writer.submit if writer is not None else _write
    emit(_Table(Person).prepare(persons, with_pk=True))
    emit(_Table(Case).prepare(cases, with_pk=True))
    emit(_Table(CodeSequence).prepare(sequences))
    emit(_Table(Referral).prepare(referrals))
    emit(_Table(CaseStatusChange).prepare(changes))
    emit(_Table(IdentificationDecision).prepare(decisions))
    emit(_Table(Guardian).prepare(guardians))
    emit(_Table(AuditEntry).prepare(entries))
    # Sealed as ``record`` seals (not a full sweep in the importer's process after every batch:
    # at 1 M entries each sweep read the whole trail, 0.28 s × 50 batches, and the first sealed
    # 100,000 entries before the import job could say it was done).
    if seal:
        seal_after_commit()
    return [(str(p["code"]), str(c["code"])) for p, c in zip(persons, cases, strict=True)]


# --- The import itself ------------------------------------------------------------------------

BATCH = 2000
IMPORT_VERB = "cases.import"
CASE_IMPORT_VERB = "case.import"
LEGACY_REASONING = "Imported from a legacy record; the reasoning is in the referring file."


def _identity_key(record: LegacyRecord, indexes: tuple[str, str, str]) -> tuple[str, int, date]:
    name, name_dob, name_yob = indexes
    return (name_dob or name_yob or name, record.referring_agency_id, record.referral_date)


def _identity_column(indexes: tuple[str, str, str]) -> str:
    """The person column that can hold the digest ``_identity_key`` took ("" for an empty one)."""
    name, name_dob, name_yob = indexes
    if name_dob:
        return "name_dob_index"
    if name_yob:
        return "name_yob_index"
    return "name_index" if name else ""


_INDEX_COLUMNS = ("name_dob_index", "name_yob_index", "name_index")
_LOOKUP_CHUNK = 5000


def _already_imported(
    keys: list[tuple[str, int, date]], columns: list[str]
) -> set[tuple[str, int, date]]:
    """Keys of records that exist already: same person (blind index), agency and referral date.

    ``columns[i]`` names the person column of ``keys[i]``'s digest. Each blind index is an HMAC
    under its own purpose (name, name + date, name + year), so a digest can only equal a value of
    its own column: each digest is looked up in that one column, not in all three. An empty
    digest (a name that folds to nothing) is looked up in all three, as any of them may be empty.
    """
    wanted_keys = set(keys)
    found: set[tuple[str, int, date]] = set()
    agencies = sorted({key[1] for key in wanted_keys})
    by_column: dict[str, set[str]] = {column: set() for column in _INDEX_COLUMNS}
    for (digest, _agency, _day), column in zip(keys, columns, strict=True):
        for each in (column,) if column else _INDEX_COLUMNS:
            by_column[each].add(digest)
    for column in _INDEX_COLUMNS:
        wanted = sorted(by_column[column])
        for start in range(0, len(wanted), _LOOKUP_CHUNK):
            chunk = wanted[start : start + _LOOKUP_CHUNK]
            for digest, agency_id, sent_at in _referrals_of(column, chunk, agencies):
                key = (digest, agency_id, sent_at.astimezone(UTC).date())
                if key in wanted_keys:
                    found.add(key)
    return found


def _referrals_of(
    column: str, digests: list[str], agencies: list[int]
) -> Iterable[tuple[str, int, datetime]]:
    """(digest, referring agency, sent at) of the referrals of persons whose ``column`` is one
    of ``digests``, from one of ``agencies``."""
    if connection.vendor == "postgresql":
        # Two array parameters instead of thousands of placeholders: the driver would otherwise
        # spend longer splitting the query text than the server spends answering it.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT p.{column}, r.from_agency_id, r.sent_at"  # noqa: S608 - column from _INDEX_COLUMNS
                " FROM cases_referral r JOIN cases_person p ON p.id = r.person_id"
                f" WHERE p.{column} = ANY(%s) AND r.from_agency_id = ANY(%s)",
                [digests, agencies],
            )
            return [(str(d), int(a), sent_at) for d, a, sent_at in cursor.fetchall()]
    rows: list[tuple[str, int, datetime]] = []
    for start in range(0, len(digests), 500):  # SQLite's limit on parameters
        rows.extend(
            Referral.objects.filter(
                **{f"person__{column}__in": digests[start : start + 500]},
                from_agency_id__in=agencies,
            )
            .order_by()  # not the model's "-sent_at": a set is wanted, not a sorted list
            .values_list(f"person__{column}", "from_agency_id", "sent_at")
        )
    return rows


def _spec_for(
    record: LegacyRecord,
    *,
    actor: User,
    agency_id: int,
    indexes: tuple[str, str, str],
    imported_at: datetime,
) -> CaseSpec:
    """The case a row states, and nothing more (see "Nothing invented" above)."""
    sent_at = datetime.combine(record.referral_date, time(9, 0), tzinfo=UTC)
    path: list[tuple[str, str, datetime]] = []
    presumed = None
    decision: tuple[str, date] | None = None
    if record.outcome:
        path.append(("begin_assessment", "under_assessment", sent_at))
    if record.outcome in ("presumed_victim", "identified"):
        presumed = record.referral_date
        path.append(("presume_victim", "presumed_victim", sent_at))
    if record.outcome == "identified":
        path.append(("identify", "identified", sent_at))
        decision = ("identified", record.referral_date)
    elif record.outcome == "not_identified":
        path.append(("not_identify", "not_identified", sent_at))
        decision = ("not_identified", record.referral_date)
    closed_at = None
    closure_reason = ""
    if not record.is_open:
        closed_at = sent_at
        if record.closure_note:
            closure_reason = _closure_reason(record.closure_note)
        path.append(("close", "closed", sent_at))
    birth = record.birth_date
    is_child = birth is not None and (
        (record.referral_date.year - birth.year)
        - ((record.referral_date.month, record.referral_date.day) < (birth.month, birth.day))
        < 18
    )
    if birth is None and record.birth_year is not None:
        is_child = record.referral_date.year - record.birth_year < 18
    contacts = "; ".join(part for part in (record.phone, record.email) if part)
    return CaseSpec(
        given_names=record.first_name,
        family_name=record.last_name,
        date_of_birth=record.birth_date,
        year_of_birth=record.birth_year,
        gender=record.gender,
        citizenship=list(record.citizenships),
        languages=list(record.languages),
        contacts=contacts,
        identity_document=record.identity_number,
        from_agency_id=record.referring_agency_id,
        from_user_id=actor.pk,
        to_agency_id=agency_id,
        lead_agency_id=agency_id,
        caseworker_id=actor.pk,
        sent_at=sent_at,
        status=path[-1][1] if path else "referred",
        path=path,
        is_child=is_child,
        presumed_victim_date=presumed,
        forms_of_exploitation=list(record.exploitation),
        means_of_control=list(record.means_of_control),
        recruitment_method=record.recruitment,
        country_of_exploitation=record.country_of_exploitation,
        decision=decision,
        decision_org=record.decision_org,
        decision_reasoning=LEGACY_REASONING if decision else "",
        closure_reason=closure_reason,
        closure_details=record.closure_note,
        closed_at=closed_at,
        indexes=indexes,
        imported_at=imported_at,
    )


def case_spec(record: LegacyRecord, *, actor: User) -> CaseSpec:
    """The case ``record`` would become for ``actor`` (the preview shows it)."""
    return _spec_for(
        record,
        actor=actor,
        agency_id=actor.agency_id or 0,
        indexes=("", "", ""),
        imported_at=timezone.now(),
    )


_CLOSURE_REASONS = ImportVocabulary("cases.closure_reason", ClosureReason.choices, {})


def _closure_reason(note: str) -> str:
    """The recorded reason a closure note names, or "other" for a note in the file's own words."""
    return _CLOSURE_REASONS.match(note) or ClosureReason.OTHER


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block, as it was before after it.

    An import holds a few objects per row for the whole file (hundreds of thousands for a large
    one) and makes millions of short-lived ones; each full collection walks every live object,
    so collections cost a third of an import's CPU. Reference counting still frees everything
    that is not in a cycle, and the rows hold no cycles.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_legacy_file(
    *,
    actor: User,
    data: bytes,
    filename: str,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportResult:
    """Import a legacy CSV/XLSX file (see the module docstring): all rows or none.

    Requires ``case.import``. Raises ``TabularError`` (400) naming every row, column and reason
    when any row is invalid; nothing is written then. Rows already imported (same person by
    blind index, same referring agency and referral date) are skipped, so re-running a file is
    harmless. The importer's agency becomes the lead agency and the importer the caseworker.
    One audit entry for the import (counts) plus one per case created.
    """
    policy.require(actor, "case.import")
    if actor.agency_id is None:
        raise ValidationFailed(_("Only a member of an agency can import case records."))
    records = read_legacy_file(
        data, filename=filename, agencies=agency_lookup(), today=timezone.localdate()
    )
    return import_records(
        actor=actor, records=lambda: records, filename=filename, progress=progress
    )


def _identities(
    records: Iterable[LegacyRecord],
) -> tuple[list[tuple[str, int, date]], list[str], list[int]]:
    """Each record's identity key (``_identity_key``), the person column of its digest, and its
    referral year, in order: all a first pass over a file keeps of it."""
    keys: list[tuple[str, int, date]] = []
    columns: list[str] = []
    years: list[int] = []
    for legacy in records:
        indexes = person_indexes(
            legacy.first_name, legacy.last_name, legacy.birth_date, legacy.birth_year
        )
        keys.append(_identity_key(legacy, indexes))
        columns.append(_identity_column(indexes))
        years.append(legacy.referral_date.year)
    return keys, columns, years


def fresh_records(
    records: list[LegacyRecord],
) -> tuple[list[LegacyRecord], int]:
    """The records not imported before and how many were (same person by blind index, agency
    and referral date)."""
    keys, columns, _years = _identities(records)
    existing = _already_imported(keys, columns)
    fresh = [record for record, key in zip(records, keys, strict=True) if key not in existing]
    return fresh, len(records) - len(fresh)


def import_records(
    *,
    actor: User,
    records: Callable[[], Iterable[LegacyRecord]],
    filename: str,
    progress: Callable[[str, int, int], None] | None = None,
    errors: RowErrors | None = None,
) -> ImportResult:
    """Write validated records in one transaction, skipping those imported before. Requires
    ``case.import`` and an agency (it becomes the lead agency, the importer the caseworker). One
    audit entry for the import (counts) plus one per case created.

    ``records()`` is called twice and must give the same records both times (``iter_records``
    over the same file): the first pass keeps only each record's identity key and year, the
    second builds and writes the new ones a batch at a time, so a large file's records are never
    all held (at 100,000 rows this took the worker's peak from 282 to 243 MB; bench/HISTORY.md,
    2026-12-06). ``errors`` collects what
    the first pass finds wrong (``iter_records``): any problem stops the import there, before
    anything is written.
    """
    policy.require(actor, "case.import")
    if actor.agency_id is None:
        raise ValidationFailed(_("Only a member of an agency can import case records."))
    agency_id = actor.agency_id
    report = progress or (lambda _stage, _done, _total: None)
    with _gc_paused():
        keys, columns, years = _identities(records())
        if errors is not None:
            errors.raise_if_any()
        report("validated", len(keys), len(keys))
        existing = _already_imported(keys, columns) if keys else set()
        new = bytearray(key not in existing for key in keys)
        fresh_years = [year for year, is_new in zip(years, new, strict=True) if is_new]
        del keys, columns, years, existing
        result = ImportResult(rows=len(new), skipped=len(new) - len(fresh_years))
        imported_at = timezone.now()
        with transaction.atomic():
            # Codes and ids for every row first, so nothing but the COPY thread uses the
            # connection while the batches are prepared (PostgreSQL; SQLite writes in turn).
            codes, person_ids, case_ids = allocate(fresh_years)
            writer = _CopyThread() if connection.vendor == "postgresql" and fresh_years else None

            def write(batch: list[LegacyRecord]) -> None:
                start, end = result.created, result.created + len(batch)
                created = bulk_write_cases(
                    [
                        _spec_for(
                            legacy,
                            actor=actor,
                            agency_id=agency_id,
                            indexes=person_indexes(
                                legacy.first_name,
                                legacy.last_name,
                                legacy.birth_date,
                                legacy.birth_year,
                            ),
                            imported_at=imported_at,
                        )
                        for legacy in batch
                    ],
                    actor=actor,
                    verb=CASE_IMPORT_VERB,
                    purpose=f"legacy import {filename}"[:200],
                    allocated=(codes[start:end], person_ids[start:end], case_ids[start:end]),
                    writer=writer,
                )
                result.created += len(created)
                result.codes.extend(case_code for _person_code, case_code in created)
                result.rows_created.extend(legacy.row for legacy in batch)
                report("writing", result.created, len(fresh_years))

            try:
                batch: list[LegacyRecord] = []
                for legacy, is_new in zip(records(), new, strict=True):
                    if is_new:
                        batch.append(legacy)
                    if len(batch) == BATCH:
                        write(batch)
                        batch = []
                if batch:
                    write(batch)
            finally:
                if writer is not None:
                    writer.close()  # raises a failed COPY's error, unless one is on its way
            record(
                actor=actor,
                verb=IMPORT_VERB,
                purpose="legacy case records import",
                changes={
                    "file": filename[:200],
                    "rows": result.rows,
                    "created": result.created,
                    "skipped": result.skipped,
                },
            )
        return result
