"""The case import as the import pipeline sees it (``opennrm.imports.spec``).

Columns are the HTCDS 2.0 fields the legacy importer (``cases.imports``) reads, recognised by their
HTCDS names (with the published Excel template's misspelling), their labels in the template, and
Serbian (Cyrillic, Latin) and English headers; every controlled column has its vocabulary
(``cases.vocab``, ``core.countries``, the agencies with their aliases), so the pipeline's value
mapping lists what a file writes that none of them knows.

The HTCDS project's Excel templates (``Toolkit/Excel``, "single select with validation", 1.0 and
2.0) put a blank-headed first column of pre-filled row numbers and a second header row of labels
above the data: ``reshape`` drops the labels row and the rows that hold nothing but such a number.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.cases import imports
from opennrm.cases.vocab import (
    CASE_STATUS,
    CONTROL,
    DECISION_ORG,
    EXPLOITATION,
    GENDER,
    RECRUITMENT,
    TRAFFICKING_STATUS,
    CaseStatus,
)
from opennrm.core.countries import COUNTRIES
from opennrm.core.tabular import RowErrors
from opennrm.imports.spec import (
    Column,
    ImportSpec,
    Preview,
    Progress,
    Result,
    Rows,
    Vocabulary,
    match_key,
    register,
)

# key: (label, header spellings met in the wild, example for the template)
_COLUMNS: dict[str, tuple[object, tuple[str, ...], str]] = {
    "cas_CaseId": (
        _("Case identifier"),
        ("case_id", "source_id", "ID", "Broj predmeta"),
        "2016-014",
    ),
    "prs_FirstName": (_("First name"), ("Име", "Ime", "first_name", "Given name"), "Ana"),
    "prs_SecondName": (
        _("Last name"),
        ("Презиме", "Prezime", "last_name", "surname", "Second Name"),
        "Petrović",
    ),
    "prs_Birthdate": (
        _("Date of birth"),
        ("Датум рођења", "Datum rođenja", "date_of_birth", "Birthdate"),
        "17.05.1994",
    ),
    "prs_Gender": (_("Gender"), ("Пол", "Pol", "gender", "sex"), "Ž"),
    "prs_Citizenship": (
        _("Citizenship"),
        ("Држављанство", "Državljanstvo", "citizenship", "Nationality"),
        "Srbija",
    ),
    "prs_PrimaryLanguage": (_("Primary language"), ("Jezik", "Језик"), "sr"),
    "prs_SecondaryLanguage": (_("Secondary language"), (), ""),
    "prs_IdentityNumber": (_("Identity number"), ("JMBG", "ЈМБГ", "Broj lične karte"), ""),
    "prs_MobilePhone": (_("Mobile phone"), ("Telefon", "Телефон", "Mobilni telefon"), ""),
    "prs_Email": (_("E-mail"), ("Email", "Е-пошта", "E-pošta"), ""),
    "vic_TraffickingStatus": (
        _("Trafficking status"),
        ("Status žrtve", "Статус жртве"),
        "Possible victim of trafficking",
    ),
    imports.DECISION_ORG_COLUMN: (
        _("Trafficking status decided by"),
        (
            "vic_TraffickinStatusDecisionMakingOrg",
            "Trafficking Status Decision Making Organization",
            "Ko je odlučio o statusu",
        ),
        "Police",
    ),
    "vic_TypeOfExploitation": (
        _("Forms of exploitation"),
        (
            "Type of Exploitation",
            "Oblik eksploatacije",
            "Облик експлоатације",
            "Vrsta eksploatacije",
        ),
        "Radna eksploatacija",
    ),
    "vic_MethodsOfControl": (_("Methods of control"), ("Načini kontrole",), ""),
    "vic_MethodOfRecruitment": (_("Method of recruitment"), ("Način vrbovanja",), ""),
    "vic_LocationOfExploitation": (
        _("Country of exploitation"),
        ("Location of Exploitation", "Zemlja eksploatacije", "Земља експлоатације"),
        "Srbija",
    ),
    "cas_Status": (_("Case status"), ("Status", "Status slučaja", "Статус случаја"), "Active"),
    "cas_ReasonForCaseClosure": (
        _("Reason for closure"),
        ("Reason for Case Closure", "Razlog zatvaranja"),
        "",
    ),
    "cas_ReferringOrganisation": (
        _("Referring organisation"),
        (
            "referring_organisation",
            "referring_organization",
            "Uputio",
            "Упутио",
            "Ko je uputio",
            "Referring Organization",
        ),
        "CSR Beograd",
    ),
    "cas_IncomingReferralDate": (
        _("Referral date"),
        ("Датум упућивања", "Datum upućivanja", "Incoming Referral Date", "referral_date"),
        "01.03.2016",
    ),
}
_MULTIPLE = {"prs_Citizenship", "vic_TypeOfExploitation", "vic_MethodsOfControl"}


def _vocabularies() -> dict[str, Vocabulary]:
    return {
        "prs_Gender": GENDER,
        "prs_Citizenship": COUNTRIES,
        "vic_LocationOfExploitation": COUNTRIES,
        "vic_TraffickingStatus": TRAFFICKING_STATUS,
        imports.DECISION_ORG_COLUMN: DECISION_ORG,
        "vic_TypeOfExploitation": EXPLOITATION,
        "vic_MethodsOfControl": CONTROL,
        "vic_MethodOfRecruitment": RECRUITMENT,
        "cas_Status": CASE_STATUS,
        "cas_ReferringOrganisation": imports.agency_lookup(),
    }


def _stem(header: str) -> str:
    """An HTCDS name without its section prefix, as compared with a label ("prs_FirstName" →
    "firstname")."""
    return match_key(header.partition("_")[2] or header)


def _is_labels_row(header: Sequence[str], cells: Sequence[str]) -> bool:
    """The HTCDS template's second header row: most cells are their column's name as words."""
    named = [(h, c) for h, c in zip(header, cells, strict=False) if h.strip() and (c or "").strip()]
    same = sum(1 for h, c in named if _stem(h) == match_key(c))
    return len(named) >= 3 and same * 2 >= len(named)


@register
class CaseImport(ImportSpec):
    key = "cases"
    title = _("Case records")
    permission = "case.import"

    def columns(self) -> Sequence[Column]:
        vocabularies = _vocabularies()
        return [
            Column(
                key=key,
                label=label,  # type: ignore[arg-type]
                required=key in imports.REQUIRED,
                aliases=aliases,
                vocabulary=vocabularies.get(key),
                multiple=key in _MULTIPLE,
                example=example,
            )
            for key, (label, aliases, example) in _COLUMNS.items()
        ]

    def reshape(
        self, header: list[str], rows: Iterable[tuple[int, list[str]]]
    ) -> tuple[list[str], Iterable[tuple[int, list[str]]]]:
        named = [bool((cell or "").strip()) for cell in header]

        def body() -> Iterator[tuple[int, list[str]]]:
            first = True
            for number, cells in rows:
                if first and _is_labels_row(header, cells):
                    first = False
                    continue
                first = False
                if any(
                    (cell or "").strip() and index < len(named) and named[index]
                    for index, cell in enumerate(cells)
                ):
                    yield number, cells

        return header, body()

    def _records(self, rows: Rows) -> tuple[list[imports.LegacyRecord], RowErrors]:
        errors = RowErrors()
        records = imports.parse_rows(
            rows, agencies=imports.agency_lookup(), today=timezone.localdate(), errors=errors
        )
        return records, errors

    def preview(self, rows: Rows, *, actor: User) -> Preview:
        policy.require(actor, self.permission)
        records, errors = self._records(rows)
        preview = Preview(rows=len(records) + len({e.row for e in errors.errors}))
        if errors:
            preview.errors = errors.errors
            return preview
        fresh, skipped = imports.fresh_records(records)
        preview.create, preview.skip = len(fresh), skipped
        statuses = dict(CaseStatus.choices)
        preview.sample_columns = [
            str(_("Row")),
            str(_("Gender")),
            str(_("Year of birth")),
            str(_("Citizenship")),
            str(_("Case status")),
            str(_("Forms of exploitation")),
            str(_("Referral date")),
        ]
        for record in fresh[:10]:
            spec = imports.case_spec(record, actor=actor)
            preview.sample.append(
                [
                    str(record.row),
                    f"{GENDER.label(record.gender)} ({record.gender})",
                    str(record.birth_year or ""),
                    ", ".join(record.citizenships),
                    str(statuses.get(spec.status, spec.status)),
                    ", ".join(EXPLOITATION.label(code) for code in record.exploitation),
                    record.referral_date.isoformat(),
                ]
            )
        silent = sum(1 for record in records if not record.outcome)
        if silent:
            preview.warnings.append(
                str(
                    _(
                        "%(count)d rows state no trafficking status: their cases are imported as "
                        "referred, with no decision."
                    )
                )
                % {"count": silent}
            )
        return preview

    def commit(self, rows: Rows, *, actor: User, progress: Progress) -> Result:
        policy.require(actor, self.permission)
        errors = RowErrors()
        agencies, today = imports.agency_lookup(), timezone.localdate()
        outcome = imports.import_records(
            actor=actor,
            # Read twice (``Rows`` may be read again): checked and keyed, then written.
            records=lambda: imports.iter_records(
                rows, agencies=agencies, today=today, errors=errors
            ),
            filename=self.target or "cases",
            progress=lambda _stage, done, total: progress(done, total),
            errors=errors,
        )
        return Result(
            rows=outcome.rows,
            created=outcome.created,
            skipped=outcome.skipped,
            outcomes=[
                (row, "created", code)
                for row, code in zip(outcome.rows_created, outcome.codes, strict=True)
            ],
        )
