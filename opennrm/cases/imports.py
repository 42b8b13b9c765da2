"""Import of legacy case records from the CSV and XLSX files agencies keep today.

The header uses HTCDS 2.0 field names (UNMigration/HTCDS, Field Standards 2.0), matched case- and
space-insensitively by ``core.tabular``. One row is one person with one case:

=============================  ========  ==========================================================
Column                         Required  Meaning and accepted values
=============================  ========  ==========================================================
``cas_CaseId``                 no        The agency's own identifier for the record (stable source
                                         key). Re-importing a row with the same key and referring
                                         organisation creates nothing new.
``prs_FirstName``              yes       Given name (encrypted).
``prs_SecondName``             yes       Family name (encrypted).
``prs_Birthdate``              no        Date of birth (YYYY-MM-DD or DD.MM.YYYY) or only the year
                                         (YYYY); encrypted, the year is kept in clear.
``prs_Gender``                 yes       HTCDS ``prs_Gender``: Feminine, Masculine,
                                         TransgenderFeminine, TransgenderMasculine, NonConforming,
                                         NonSpecifiedUnknown (also F / M / Female / Male).
``prs_Citizenship``            no        ISO 3166 alpha-2 codes, several separated by ``;`` or ``,``.
``prs_PrimaryLanguage``        no        ISO 639 code; ``prs_SecondaryLanguage`` likewise.
``prs_IdentityNumber``         no        Identity document number (encrypted).
``prs_MobilePhone``            no        Phone (encrypted); ``prs_Email`` likewise.
``vic_TraffickingStatus``      yes       PossibleVictimOfTrafficking → presumed victim,
                                         ActualVictimOfTrafficking → identified,
                                         NotAVictimOfTrafficking → not identified.
``vic_TypeOfExploitation``     no        HTCDS values (plus ForcedCriminality), several with ``;``.
``vic_MethodsOfControl``       no        HTCDS values, several with ``;``.
``vic_MethodOfRecruitment``    no        One HTCDS value.
``vic_LocationOfExploitation`` no        ISO 3166 alpha-2 code of the country of exploitation.
``cas_Status``                 yes       Active, FollowUp (open case) or Closed, ClosedReferred.
``cas_ReasonForCaseClosure``   no        Free text, kept as the closing note; required for
                                         Closed / ClosedReferred rows.
``cas_ReferringOrganisation``  yes       The referring agency, by its name (English or Serbian) or
                                         short name, as registered in OpenNRM.
``cas_IncomingReferralDate``   yes       Date of the referral; not in the future.
=============================  ========  ==========================================================

Without ``cas_CaseId`` the source key is the blind index of name and date (or year) of birth
together with the referral date and the referring agency: the same person referred on the same
day by the same agency is the same record.

The whole file is validated before anything is written (every row, every column, with the reason),
then written in one transaction: all or nothing. Rows are created through the cases services, so
each created person and case has the same codes, encryption, blind indexes and audit entries as
one entered by hand; the import itself is one more audit entry with its counts.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import json
import operator
import queue
import re
import threading
import time as time_module
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg.adapt import Dumper
from psycopg.postgres import types as postgres_types
from psycopg.pq import Format

from opennrm.accounts import policy
from opennrm.accounts.models import Agency, User
from opennrm.audit.context import current
from opennrm.audit.models import AuditEntry
from opennrm.audit.services import record, seal_after_commit
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
from opennrm.cases.vocab import (
    ClosureReason,
    Gender,
    MethodOfControl,
    MethodOfRecruitment,
    ReferralConsent,
    ReferralStatus,
    TypeOfExploitation,
)
from opennrm.core import crypto
from opennrm.core.errors import DomainError, ValidationFailed
from opennrm.core.fields import EncryptedTextField
from opennrm.core.tabular import RowError, RowErrors, TabularError, parse_date, read_rows
from opennrm.core.translit import fold

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
    "prs_Gender",
    "vic_TraffickingStatus",
    "cas_Status",
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
    "referral_date": "cas_IncomingReferralDate",
    "referring_organisation": "cas_ReferringOrganisation",
    "referring_organization": "cas_ReferringOrganisation",
}

TRAFFICKING_STATUS = {
    "possiblevictimoftrafficking": "presumed_victim",
    "actualvictimoftrafficking": "identified",
    "notavictimoftrafficking": "not_identified",
}
CASE_STATUS_OPEN = {"active": True, "followup": True, "closed": False, "closedreferred": False}
GENDER_SYNONYMS = {"f": Gender.FEMININE, "female": Gender.FEMININE, "m": Gender.MASCULINE}
GENDER_SYNONYMS["male"] = Gender.MASCULINE
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_SPLIT = re.compile(r"[;,|]")


@dataclass(frozen=True)
class LegacyRecord:
    """One validated row, ready for the services."""

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
    outcome: str  # presumed_victim / identified / not_identified
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


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date(text: str) -> date:
    """``tabular.parse_date``, with the ISO form most files use read without ``strptime``."""
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass  # e.g. 2020-02-30: parse_date raises with its own message
    return parse_date(text)


_NOT_KEY = re.compile(r"[^0-9a-z]")
_YEAR = re.compile(r"[0-9]{4}")


@lru_cache(maxsize=4096)
def _key(text: str) -> str:
    """A value as matched against a vocabulary: lower-case letters and digits only (the same few
    values repeat on every row of a file, hence the cache)."""
    return _NOT_KEY.sub("", text.lower())


# Enum ``.values`` is rebuilt on every access; a 100,000-row file reads each set many times.
_VALUES: dict[type, tuple[str, ...]] = {
    enum: tuple(enum.values)
    for enum in (Gender, TypeOfExploitation, MethodOfControl, MethodOfRecruitment, ClosureReason)
}
_CHOICE_MAPS: dict[tuple[str, ...], dict[str, str]] = {}


def _choice(value: str, choices: Iterable[str]) -> str | None:
    options = tuple(choices)
    by_key = _CHOICE_MAPS.get(options)
    if by_key is None:
        by_key = _CHOICE_MAPS[options] = {_key(choice): choice for choice in options}
    return by_key.get(_key(value))


def _many(
    number: int, column: str, text: str, choices: Iterable[str], errors: RowErrors
) -> tuple[str, ...]:
    found: list[str] = []
    for part in (p.strip() for p in _SPLIT.split(text)):
        if not part:
            continue
        value = _choice(part, choices)
        if value is None:
            errors.add(number, column, _("“%(value)s” is not a known value.") % {"value": part})
        elif value not in found:
            found.append(value)
    return tuple(found)


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
    rows: Iterable[tuple[int, dict[str, str]]],
    *,
    agencies: Mapping[str, int],
    today: date,
    errors: RowErrors,
) -> list[LegacyRecord]:
    """Validate every row; problems go to ``errors`` (row, column, why), valid rows are returned.

    ``agencies`` maps folded agency names and short names to ids.
    """
    records: list[LegacyRecord] = []
    seen: dict[str, int] = {}
    agency_memo: dict[str, int] = {}  # a file names the same few agencies on every row
    for number, raw in rows:
        before = len(errors.errors)
        value = {column: raw.get(column, "").strip() for column in COLUMNS}
        for column in REQUIRED:
            if not value[column]:
                errors.add(number, column, _("This value is required."))

        birth_date: date | None = None
        birth_year: int | None = None
        birth = value["prs_Birthdate"]
        if _YEAR.fullmatch(birth):
            birth_year = int(birth)
        elif birth:
            try:
                birth_date = _date(birth)
                birth_year = birth_date.year
            except ValueError as problem:
                errors.add(number, "prs_Birthdate", str(problem))
        if birth_year is not None and not 1900 <= birth_year <= today.year:
            errors.add(
                number,
                "prs_Birthdate",
                _("The year of birth must be between 1900 and %(year)d.") % {"year": today.year},
            )

        gender = ""
        if value["prs_Gender"]:
            gender = GENDER_SYNONYMS.get(value["prs_Gender"].lower()) or (
                _choice(value["prs_Gender"], _VALUES[Gender]) or ""
            )
            if not gender:
                errors.add(
                    number,
                    "prs_Gender",
                    _("“%(value)s” is not an HTCDS gender value.") % {"value": value["prs_Gender"]},
                )

        citizenships: list[str] = []
        for part in (p.strip().upper() for p in _SPLIT.split(value["prs_Citizenship"])):
            if not part:
                continue
            if _COUNTRY.match(part):
                citizenships.append(part)
            else:
                errors.add(
                    number,
                    "prs_Citizenship",
                    _("“%(value)s” is not an ISO 3166 two-letter country code.") % {"value": part},
                )
        country = value["vic_LocationOfExploitation"].upper()
        if country and not _COUNTRY.match(country):
            errors.add(
                number,
                "vic_LocationOfExploitation",
                _("“%(value)s” is not an ISO 3166 two-letter country code.") % {"value": country},
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

        outcome = TRAFFICKING_STATUS.get(_key(value["vic_TraffickingStatus"]), "")
        if value["vic_TraffickingStatus"] and not outcome:
            errors.add(
                number,
                "vic_TraffickingStatus",
                _(
                    "“%(value)s” is not one of PossibleVictimOfTrafficking, "
                    "ActualVictimOfTrafficking, NotAVictimOfTrafficking."
                )
                % {"value": value["vic_TraffickingStatus"]},
            )
        is_open = CASE_STATUS_OPEN.get(_key(value["cas_Status"]))
        if value["cas_Status"] and is_open is None:
            errors.add(
                number,
                "cas_Status",
                _("“%(value)s” is not one of Active, FollowUp, Closed, ClosedReferred.")
                % {"value": value["cas_Status"]},
            )
        if is_open is False and not value["cas_ReasonForCaseClosure"]:
            errors.add(
                number,
                "cas_ReasonForCaseClosure",
                _("A closed case needs the reason it was closed."),
            )

        exploitation = _many(
            number,
            "vic_TypeOfExploitation",
            value["vic_TypeOfExploitation"],
            _VALUES[TypeOfExploitation],
            errors,
        )
        control = _many(
            number,
            "vic_MethodsOfControl",
            value["vic_MethodsOfControl"],
            _VALUES[MethodOfControl],
            errors,
        )
        recruitment = ""
        if value["vic_MethodOfRecruitment"]:
            recruitment = (
                _choice(value["vic_MethodOfRecruitment"], _VALUES[MethodOfRecruitment]) or ""
            )
            if not recruitment:
                errors.add(
                    number,
                    "vic_MethodOfRecruitment",
                    _("“%(value)s” is not a known value.")
                    % {"value": value["vic_MethodOfRecruitment"]},
                )

        agency_id = 0
        if value["cas_ReferringOrganisation"]:
            named = value["cas_ReferringOrganisation"]
            if named not in agency_memo:
                agency_memo[named] = agencies.get(_key(fold(named)), 0)
            agency_id = agency_memo[named]
            if not agency_id:
                errors.add(
                    number,
                    "cas_ReferringOrganisation",
                    _("No agency called “%(value)s” is registered.")
                    % {"value": value["cas_ReferringOrganisation"]},
                )
        referral_date: date | None = None
        if value["cas_IncomingReferralDate"]:
            try:
                referral_date = _date(value["cas_IncomingReferralDate"])
            except ValueError as problem:
                errors.add(number, "cas_IncomingReferralDate", str(problem))
            else:
                if referral_date > today:
                    errors.add(
                        number,
                        "cas_IncomingReferralDate",
                        _("The referral date is in the future."),
                    )
                elif birth_date is not None and referral_date < birth_date:
                    errors.add(
                        number,
                        "cas_IncomingReferralDate",
                        _("The referral date is before the date of birth."),
                    )

        if len(errors.errors) > before or referral_date is None or is_open is None:
            continue
        key = source_key_for(
            case_id=value["cas_CaseId"],
            agency_id=agency_id,
            first_name=value["prs_FirstName"],
            last_name=value["prs_SecondName"],
            birth=birth,
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
        records.append(
            LegacyRecord(
                row=number,
                source_key=key,
                first_name=value["prs_FirstName"],
                last_name=value["prs_SecondName"],
                birth_date=birth_date,
                birth_year=birth_year,
                gender=gender,
                citizenships=tuple(citizenships),
                languages=tuple(languages),
                identity_number=value["prs_IdentityNumber"],
                phone=value["prs_MobilePhone"],
                email=value["prs_Email"],
                outcome=outcome,
                exploitation=exploitation,
                means_of_control=control,
                recruitment=recruitment,
                country_of_exploitation=country,
                is_open=is_open,
                closure_note=value["cas_ReasonForCaseClosure"],
                referring_agency_id=agency_id,
                referral_date=referral_date,
            )
        )
    return records


def read_legacy_file(
    data: bytes,
    *,
    filename: str,
    agencies: Mapping[str, int],
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


@dataclass
class CaseSpec:
    """One person with one case, as the bulk writer needs it (all values already valid)."""

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
    decision_reasoning: str = ""
    closure_reason: str = ""
    closure_details: str = ""
    closed_at: datetime | None = None
    guardian_name: str = ""
    source_key: str = ""
    indexes: tuple[str, str, str] | None = None  # blind indexes, when the caller has them


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
        codes.append(f"RS-{year}-{next_number[year]:05d}")  # as services.new_person_code
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
        self._queue: queue.Queue[_Rows | None] = queue.Queue(maxsize=16)
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

    A handful of multi-row statements per batch; every created case gets its audit entry
    (``verb``), written as the audit service writes it, and the chain is sealed after commit (by
    the audit service's sealer: ``seal_after_commit``).
    ``allocated``: person codes, person ids and case ids drawn already (``allocate``), one per
    spec; ``writer``: the rows go to it instead of being written before returning; ``seal``
    false: the caller seals the chain itself (``generate_cases``, at its end).
    """
    now = timezone.now()
    codes, person_ids, case_ids = allocated or allocate([spec.sent_at.year for spec in specs])
    person_table, case_table = _Table(Person), _Table(Case)
    actor_id = actor.pk if actor else None
    persons, cases, sequences, referrals, changes = [], [], [], [], []
    decisions, guardians, entries = [], [], []
    label = (actor.get_username() if actor else actor_label)[:150]
    agency_label = str(actor.agency.name)[:200] if actor and actor.agency else ""
    ip = current().ip if actor else ""
    for spec, code, person_id, case_id in zip(specs, codes, person_ids, case_ids, strict=True):
        name_index, name_dob_index, name_yob_index = spec.indexes or person_indexes(
            spec.given_names, spec.family_name, spec.date_of_birth, spec.year_of_birth
        )
        case_code = f"{code}/1"
        persons.append(
            {
                "id": person_id,
                "version": 1,
                "created_at": spec.sent_at,
                "updated_at": now,
                "code": code,
                "given_names": spec.given_names,
                "family_name": spec.family_name,
                "date_of_birth": spec.date_of_birth.isoformat() if spec.date_of_birth else "",
                "contacts": spec.contacts,
                "identity_document": spec.identity_document,
                "name_index": name_index,
                "name_dob_index": name_dob_index,
                "name_yob_index": name_yob_index,
                "gender": spec.gender,
                "year_of_birth": spec.year_of_birth,
                "citizenship": spec.citizenship,
                "languages": spec.languages,
                "created_by_id": actor_id,
            }
        )
        # services.case_open draws the case ordinal from "case:<person id>": the sequence must
        # say that ordinal 1 is taken, or the person's next case would reuse this code.
        sequences.append({"name": f"case:{person_id}", "value": 1})
        cases.append(
            {
                "id": case_id,
                "version": 1,
                "created_at": spec.sent_at,
                "updated_at": now,
                "code": case_code,
                "person_id": person_id,
                "lead_agency_id": spec.lead_agency_id,
                "caseworker_id": spec.caseworker_id,
                "status": spec.status,
                "is_child": spec.is_child,
                "opened_on": spec.sent_at.date(),
                "presumed_victim_date": spec.presumed_victim_date,
                "reflection_period_start": spec.reflection_period_start,
                "reflection_period_end": spec.reflection_period_end,
                "forms_of_exploitation": spec.forms_of_exploitation,
                "country_of_exploitation": spec.country_of_exploitation,
                "trafficking_scope": spec.trafficking_scope,
                "recruitment_method": spec.recruitment_method,
                "means_of_control": spec.means_of_control,
                "closure_reason": spec.closure_reason,
                "closure_details": spec.closure_details,
                "closed_at": spec.closed_at,
            }
        )
        accepted_at = spec.path[0][2] if spec.path else spec.sent_at
        referrals.append(
            {
                "version": 1,
                "created_at": spec.sent_at,
                "updated_at": now,
                "from_agency_id": spec.from_agency_id,
                "from_user_id": spec.from_user_id,
                "to_agency_id": spec.to_agency_id,
                "source_screening_id": None,
                "subject_year_of_birth": spec.year_of_birth,
                "subject_gender": spec.gender,
                "subject_citizenship": spec.citizenship,
                "subject_languages": spec.languages,
                "is_child": spec.is_child,
                "consent": (
                    ReferralConsent.NOT_NEEDED_CHILD if spec.is_child else ReferralConsent.GIVEN
                ),
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
        )
        changes.append(
            {"case_id": case_id, "from_status": "", "to_status": "referred", "action": "open",
             "actor_id": spec.caseworker_id, "at": spec.sent_at, "note": ""}
        )  # fmt: skip
        previous = "referred"
        for action, target, when in spec.path:
            changes.append(
                {"case_id": case_id, "from_status": previous, "to_status": target,
                 "action": action, "actor_id": spec.caseworker_id, "at": when, "note": ""}
            )  # fmt: skip
            previous = target
        if spec.decision is not None:
            outcome, decided_on = spec.decision
            decisions.append(
                {
                    "created_at": datetime.combine(decided_on, time(12, 0), tzinfo=UTC),
                    "updated_at": now,
                    "case_id": case_id,
                    "outcome": outcome,
                    "decided_by_id": spec.caseworker_id or actor_id,
                    "decided_on": decided_on,
                    "reasoning": spec.decision_reasoning,
                }
            )
        if spec.guardian_name:
            guardians.append(
                {
                    "version": 1,
                    "created_at": spec.sent_at,
                    "updated_at": now,
                    "case_id": case_id,
                    "full_name": spec.guardian_name,
                    "relationship": "guardian",
                    "appointed_by": "Centre for Social Work",
                    "appointed_on": spec.sent_at.date(),
                    "ended_on": None,
                }
            )
        entries.append(
            {
                "at": now,
                "actor_id": actor_id,
                "actor_label": label,
                "agency_label": agency_label,
                "verb": verb,
                "target_type": "cases.case",
                "target_id": str(case_id),
                "target_label": case_code,
                "purpose": purpose,
                "recipient": "",
                "changes": {"status": [None, spec.status], "person": [None, code]},
                "flagged": False,
                "ip": ip,
            }
        )
    emit = writer.submit if writer is not None else _write
    emit(person_table.prepare(persons, with_pk=True))
    emit(case_table.prepare(cases, with_pk=True))
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


def agency_lookup() -> dict[str, int]:
    """Folded agency names (English, Serbian) and short names → agency id."""
    found: dict[str, int] = {}
    for agency_id, name, name_sr, short in Agency.objects.values_list(
        "id", "name", "name_sr", "short_name"
    ):
        for text in (name, name_sr, short):
            if text:
                found.setdefault(_key(fold(text)), agency_id)
    return found


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
    record: LegacyRecord, *, actor: User, agency_id: int, indexes: tuple[str, str, str]
) -> CaseSpec:
    sent_at = datetime.combine(record.referral_date, time(9, 0), tzinfo=UTC)
    path: list[tuple[str, str, datetime]] = [("begin_assessment", "under_assessment", sent_at)]
    presumed = reflection_end = None
    decision: tuple[str, date] | None = None
    if record.outcome in ("presumed_victim", "identified"):
        presumed = record.referral_date
        reflection_end = Case.reflection_end_for(presumed)
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
        closure_reason = _choice(record.closure_note, _VALUES[ClosureReason]) or ClosureReason.OTHER
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
        status=path[-1][1],
        path=path,
        is_child=is_child,
        presumed_victim_date=presumed,
        reflection_period_start=presumed,
        reflection_period_end=reflection_end,
        forms_of_exploitation=list(record.exploitation),
        means_of_control=list(record.means_of_control),
        recruitment_method=record.recruitment,
        country_of_exploitation=record.country_of_exploitation,
        decision=decision,
        decision_reasoning=LEGACY_REASONING if decision else "",
        closure_reason=closure_reason,
        closure_details=record.closure_note,
        closed_at=closed_at,
        indexes=indexes,
    )


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
    report = progress or (lambda _stage, _done, _total: None)
    with _gc_paused():
        records = read_legacy_file(
            data,
            filename=filename,
            agencies=agency_lookup(),
            today=timezone.localdate(),
        )
        report("validated", len(records), len(records))
        # One blind-index computation per row, reused for the duplicate check and the write.
        indexes = [
            person_indexes(r.first_name, r.last_name, r.birth_date, r.birth_year) for r in records
        ]
        keys = [_identity_key(r, i) for r, i in zip(records, indexes, strict=True)]
        existing = _already_imported(keys, [_identity_column(i) for i in indexes])
        fresh = [
            (record, index)
            for record, index, key in zip(records, indexes, keys, strict=True)
            if key not in existing
        ]
        result = ImportResult(rows=len(records), skipped=len(records) - len(fresh))
        with transaction.atomic():
            # Codes and ids for every row first, so nothing but the COPY thread uses the
            # connection while the batches are prepared (PostgreSQL; SQLite writes in turn).
            codes, person_ids, case_ids = allocate([r.referral_date.year for r, _i in fresh])
            writer = _CopyThread() if connection.vendor == "postgresql" and fresh else None
            try:
                for start in range(0, len(fresh), BATCH):
                    end = start + BATCH
                    batch = fresh[start:end]
                    created = bulk_write_cases(
                        [
                            _spec_for(record, actor=actor, agency_id=actor.agency_id, indexes=index)
                            for record, index in batch
                        ],
                        actor=actor,
                        verb=CASE_IMPORT_VERB,
                        purpose=f"legacy import {filename}"[:200],
                        allocated=(codes[start:end], person_ids[start:end], case_ids[start:end]),
                        writer=writer,
                    )
                    result.created += len(created)
                    result.codes.extend(case_code for _person_code, case_code in created)
                    report("writing", start + len(batch), len(fresh))
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


# --- Import jobs: the progress bar for large files ---------------------------------------------
# A job is the uploaded file and a small JSON state, both encrypted with the data key (they hold
# personal data) under VAR_DIR/imports/, so the web process and the background worker share them
# without a table. The upload is deleted as soon as the job ends; states older than a day go too.

JOB_TTL_SECONDS = 24 * 60 * 60
_JOB_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class ImportJob:
    id: str
    actor_id: int
    filename: str
    stage: str = "queued"  # queued / validated / writing / done / failed
    done: int = 0
    total: int = 0
    result: dict[str, int] = field(default_factory=dict)
    message: str = ""
    errors: list[list[object]] = field(default_factory=list)  # [row, column, message]

    @property
    def finished(self) -> bool:
        return self.stage in ("done", "failed")

    @property
    def percent(self) -> int:
        if self.stage == "done":
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    def row_errors(self) -> list[RowError]:
        return [RowError(int(str(r)), str(c), str(m)) for r, c, m in self.errors]


def _jobs_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _context(job_id: str, kind: str) -> str:
    return f"cases.import_job.{kind}.{job_id}"


def save_job(job: ImportJob) -> None:
    token = crypto.encrypt(json.dumps(asdict(job)), context=_context(job.id, "state"))
    target = _jobs_dir() / f"{job.id}.json"
    temporary = target.with_suffix(".tmp")
    temporary.write_text(token, encoding="ascii")
    temporary.replace(target)  # atomic: a poll never reads half a state


def load_job(job_id: str) -> ImportJob | None:
    if not _JOB_ID.match(job_id):
        return None
    path = _jobs_dir() / f"{job_id}.json"
    try:
        token = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    return ImportJob(**json.loads(crypto.decrypt(token, context=_context(job_id, "state"))))


def _prune_jobs() -> None:
    limit = time_module.time() - JOB_TTL_SECONDS
    for path in _jobs_dir().iterdir():
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def start_import_job(*, actor: User, data: bytes, filename: str) -> ImportJob:
    """Store the upload (encrypted) and a job state; the caller enqueues ``run_import_job``."""
    policy.require(actor, "case.import")
    _prune_jobs()
    job = ImportJob(id=uuid.uuid4().hex, actor_id=actor.pk, filename=filename[:200])
    sealed = crypto.encrypt(
        base64.b64encode(data).decode("ascii"), context=_context(job.id, "upload")
    )
    (_jobs_dir() / f"{job.id}.upload").write_text(sealed, encoding="ascii")
    save_job(job)
    return job


def run_import_job(job_id: str) -> ImportJob | None:
    """Run a stored job to its end, saving progress as it goes (called by the worker task)."""
    job = load_job(job_id)
    if job is None or job.finished:
        return job
    upload = _jobs_dir() / f"{job.id}.upload"
    try:
        data = base64.b64decode(
            crypto.decrypt(upload.read_text(encoding="ascii"), context=_context(job.id, "upload"))
        )
        actor = User.objects.get(pk=job.actor_id)

        def report(stage: str, done: int, total: int) -> None:
            job.stage, job.done, job.total = stage, done, total
            save_job(job)

        result = import_legacy_file(actor=actor, data=data, filename=job.filename, progress=report)
    except TabularError as problem:
        job.stage, job.message = "failed", problem.message
        job.errors = [[e.row, e.column, e.message] for e in problem.errors]
    except DomainError as problem:
        job.stage, job.message = "failed", problem.message
    except Exception:
        # The transaction rolled back; the person waiting on the progress page must learn it.
        job.stage, job.message = "failed", _("The import failed unexpectedly. Nothing was changed.")
        save_job(job)
        upload.unlink(missing_ok=True)
        raise
    else:
        job.stage = "done"
        job.result = {"rows": result.rows, "created": result.created, "skipped": result.skipped}
    finally:
        upload.unlink(missing_ok=True)
    save_job(job)
    return job
