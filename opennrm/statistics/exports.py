"""Microdata and table exports: CTDC-style k-anonymous microdata, HTCDS case-level rows for
partners, and the protected standard tables as XLSX/CSV. Every export streams: querysets are read
with ``.iterator(chunk_size=...)`` and rows are written as they come.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, ExtractYear
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.audit.services import record
from opennrm.cases import vocab
from opennrm.cases.models import Case
from opennrm.core.exports import Sheet, csv_file_response, csv_response, xlsx_response
from opennrm.statistics import ages
from opennrm.statistics.kanon import (
    MISSING,
    RARE,
    Column,
    LocalReport,
    age_bracket,
    broad_bracket,
    local_recode,
    majority,
)
from opennrm.statistics.models import CtdcExport
from opennrm.statistics.regions import region
from opennrm.statistics.selectors import StatisticsTable

CHUNK = 5000

# CTDC global dataset (reference §2.2 (a)) flags for the HTCDS values recorded in cases.
EXPLOITATION_FLAGS: dict[str, tuple[str, ...]] = {
    "isForcedLabour": ("ForcedLabour", "ChildLabour", "ForcedBegging", "ForcedCriminality"),
    "isSexualExploit": ("SexualExploitation",),
    "isForcedMarriage": ("ForcedMarriage",),
    "isForcedMilitary": ("ForcedMilitaryByNonStateActors",),
    "isOrganRemoval": ("OrganRemoval",),
    "isSlaveryAndPractices": ("Servitude",),
    "isOtherExploit": ("ForcedAdoption", "Surrogacy", "Other"),
}
MEANS_FLAGS: dict[str, tuple[str, ...]] = {
    "meansOfControlDebtBondage": ("DebtBondage",),
    "meansOfControlTakesEarnings": ("TakesEarnings",),
    "meansOfControlRestrictsFinancialAccess": ("RestrictsFinancialAccess",),
    "meansOfControlThreats": ("PhysicalThreats", "ThreatensChildrenFamily"),
    "meansOfControlPsychologicalAbuse": ("PsychologicalAbuse",),
    "meansOfControlPhysicalAbuse": ("PhysicalAbuse",),
    "meansOfControlSexualAbuse": ("SexualAbuse",),
    "meansOfControlFalsePromises": ("FalsePromises",),
    "meansOfControlPsychoactiveSubstances": ("PsychoactiveSubstance",),
    "meansOfControlRestrictsMedicalCare": ("RestrictsMedicalCare",),
    "meansOfControlExcessiveWorkingHours": ("ExcessiveWorkingHours",),
    "meansOfControlThreatOfLawEnforcement": ("ThreatsLawEnforcement",),
    "meansOfControlWithholdsNecessities": ("WithholdsNecessities",),
    "meansOfControlWithholdsDocuments": ("WithholdsDocuments",),
    "meansOfControlOther": ("Other",),
}
_GENDER: dict[str, str] = {
    vocab.Gender.FEMININE: "Female",
    vocab.Gender.MASCULINE: "Male",
    vocab.Gender.TRANSGENDER_FEMININE: "Transgender",
    vocab.Gender.TRANSGENDER_MASCULINE: "Transgender",
    vocab.Gender.NON_CONFORMING: "Transgender",
}


def _present(value: str) -> str:
    return value if value else MISSING


def year_band(value: str) -> str:
    """A registration year to its five-year band (2015 → "2015--2019"), as CTDC writes ranges."""
    if not value.isdigit():
        return value
    start = int(value) - int(value) % 5
    return f"{start}--{start + 4}"


def ctdc_columns() -> list[Column]:
    """The released CTDC columns, most useful first (they keep their detail longest)."""
    columns = [
        Column("yearOfRegistration", base=_present, steps=(year_band,)),
        Column("Datasource"),
        Column("gender", base=_present),
        Column("ageBroad", base=age_bracket, steps=(broad_bracket, majority)),
        Column("majorityStatus", base=_present),
        Column("citizenship", base=_present, steps=(region, RARE)),
        Column("CountryOfExploitation", base=_present, steps=(region, RARE)),
    ]
    columns += [Column(name) for name in EXPLOITATION_FLAGS]
    columns.append(Column("typeOfExploitConcatenated", base=_present, steps=(RARE,)))
    columns += [Column(name) for name in MEANS_FLAGS]
    columns.append(Column("meansOfControlNotSpecified"))
    return columns


# The order in which the local recoding splits the records (``kanon.local_recode``): the type of
# exploitation first (the reason researchers download the file), then the regions of citizenship
# and of exploitation (national or foreign, GRETA's first question), gender, broad age, the
# registration year (five-year band, then the year), majority, each means of control, then the
# countries and the finer age bracket. A partition keeps a column's value when it was split on
# it, so the first entries are kept for nearly every record and the later ones wherever k still
# allows. Measured on generated cases (bench/README.md, "CTDC microdata"): at 300,000 cases the
# type of exploitation, gender and both regions are kept for every record, the year for 94 %,
# each means of control for about half.
CTDC_PRIORITY: tuple[tuple[str, int], ...] = (
    ("typeOfExploitConcatenated", 0),
    ("citizenship", 1),
    ("CountryOfExploitation", 1),
    ("gender", 0),
    ("ageBroad", 1),
    ("yearOfRegistration", 1),
    ("yearOfRegistration", 0),
    ("majorityStatus", 0),
    *((name, 0) for name in MEANS_FLAGS),
    ("meansOfControlNotSpecified", 0),
    ("citizenship", 0),
    ("CountryOfExploitation", 0),
    ("ageBroad", 0),
)


# The CTDC row's columns by source field (``_ctdc_source``): year, source, gender, age, majority;
# citizenship and country of exploitation; the exploitation flags and their list; the means of
# control flags and "not specified".
CTDC_BLOCKS = (5, 2, 8, 16)


def _flags(values: Sequence[str], table: dict[str, tuple[str, ...]]) -> list[str]:
    return ["1" if any(v in values for v in wanted) else "0" for wanted in table.values()]


def _person_part(
    year: int, gender: str, year_of_birth: int | None, is_child: bool
) -> tuple[str, ...]:
    # The platform's one age rule (statistics.ages), at registration: the export reads the clear
    # year of birth only (the date of birth is encrypted), so the year-of-birth convention holds.
    age = ages.age_at(date(year, 12, 31), year_of_birth=year_of_birth)
    group = ages.age_group(age, flagged_child=is_child)
    return (
        str(year),
        "Case Management",
        _GENDER.get(gender, ""),
        "" if age is None else str(age),
        {ages.CHILD: "Minor", ages.ADULT: "Adult"}.get(group, ""),
    )


def _forms_part(text: str | None) -> tuple[str, ...]:
    forms = list(json.loads(text) if text else [])
    return (*_flags(forms, EXPLOITATION_FLAGS), ";".join(sorted(forms)))


def _means_part(text: str | None) -> tuple[str, ...]:
    means = list(json.loads(text) if text else [])
    return (*_flags(means, MEANS_FLAGS), "0" if means else "1")


def _ctdc_source() -> Iterator[tuple[str, ...]]:
    """Every case as its raw CTDC row, streamed. The lists are read as JSON text and each
    distinct value of a source field is turned into its columns once (a million cases have a few
    thousand distinct persons-by-year and lists, not a million)."""
    query = (
        Case.objects.order_by()
        .values_list(
            ExtractYear("opened_on"),
            "person__gender",
            "person__year_of_birth",
            "is_child",
            KeyTextTransform("0", "person__citizenship"),
            "country_of_exploitation",
            Cast("forms_of_exploitation", TextField()),
            Cast("means_of_control", TextField()),
        )
        .query
    )
    persons: dict[tuple[Any, ...], tuple[str, ...]] = {}
    places: dict[tuple[Any, ...], tuple[str, ...]] = {}
    forms: dict[str | None, tuple[str, ...]] = {}
    means: dict[str | None, tuple[str, ...]] = {}
    # The ORM writes the query; a chunked (server-side on PostgreSQL) cursor reads it without the
    # per-row conversions of a queryset, which cost more than the rest of a row's work.
    with connection.chunked_cursor() as cursor:
        cursor.execute(*query.sql_with_params())
        while chunk := cursor.fetchmany(CHUNK):
            for year, gender, born, child, citizenship, country, form_list, means_list in chunk:
                person = (year, gender, born, child)
                if (a := persons.get(person)) is None:
                    a = persons[person] = _person_part(int(year), gender, born, bool(child))
                place = (citizenship, country)
                if (b := places.get(place)) is None:
                    b = places[place] = (citizenship or "", country or "")
                if (c := forms.get(form_list)) is None:
                    c = forms[form_list] = _forms_part(form_list)
                if (d := means.get(means_list)) is None:
                    d = means[means_list] = _means_part(means_list)
                yield a + b + c + d


def ctdc_release(
    *,
    actor: User | None,
    k: int | None = None,
    source: Callable[[], Iterable[Sequence[str]]] | None = None,
) -> tuple[list[str], Iterator[tuple[str, ...]], LocalReport]:
    """CTDC-style microdata of every case, k-anonymous over all released columns (k from the
    setting ``OPENNRM_CTDC_K`` unless given; never below it), by local recoding
    (``kanon.local_recode``, ``CTDC_PRIORITY``). Requires ``export.ctdc``; audited with the
    information loss per column. ``actor`` None is the operator's command line. ``source`` gives
    the raw rows (default: every case, ``_ctdc_source``)."""
    if actor is not None:
        policy.require(actor, "export.ctdc")
    k = max(k or settings.OPENNRM_CTDC_K, settings.OPENNRM_CTDC_K)
    columns = ctdc_columns()
    # Blocks as ``_ctdc_source`` builds a row: person and year, places, forms, means of control.
    rows, report = local_recode(
        source or _ctdc_source, columns, k=k, priority=CTDC_PRIORITY, blocks=CTDC_BLOCKS
    )
    with transaction.atomic():
        record(
            actor=actor,
            actor_label="manage.py export_ctdc",
            verb="statistics.export_ctdc",
            target_type="statistics.ctdc",
            target_label=f"k={k}, {report.records_released} records",
            purpose="public microdata release",
            changes={
                "records_suppressed": report.records_suppressed,
                "withheld_columns": report.withheld_columns,
                # Shares of released records per column: given, generalised, withheld, not recorded.
                "loss": {row[0]: row[1:] for row in loss_shares(report)},
            },
        )
    return [c.name for c in columns], rows, report


def loss_shares(report: LocalReport) -> list[list[Any]]:
    """The information loss per column as rows [column, given, generalised, withheld, not
    recorded], each a share of the released records to four decimals, in the columns' order:
    the export report the audit entry and the made file (``CtdcExport.loss``) keep."""
    return [
        [name, *(round(share, 4) for share in loss.shares().values())]
        for name, loss in report.columns.items()
    ]


def ctdc_file_response(export: CtdcExport) -> FileResponse:
    """The file of a made CTDC export as a download, with its k and record counts in headers
    (the page and the API; the caller audited the read)."""
    return csv_file_response(
        export.file,
        "ctdc.csv",
        {
            "X-K": str(export.k),
            "X-Records-Read": str(export.records_read),
            "X-Records-Suppressed": str(export.records_suppressed),
        },
    )


# --- the standard tables as downloads, with the same protection as the page


def table_rows(table: StatisticsTable) -> Iterator[list[Any]]:
    """One line per row label: the published figures, suppression marks as text."""
    protected, built = table.protected, table.built

    def shown(cell: Any) -> Any:
        return cell.display if cell.suppressed else cell.value

    for name, line, total in zip(
        built.row_names, protected.cells, protected.row_totals, strict=True
    ):
        yield [name, *(shown(c) for c in line), shown(total)]
    yield [_("Total"), *(shown(c) for c in protected.column_totals), shown(protected.grand_total)]


def table_headers(table: StatisticsTable) -> list[str]:
    return [str(table.built.row_dimension.title), *table.built.column_names, _("Total")]


def tables_xlsx(filename: str, tables: Sequence[StatisticsTable]) -> FileResponse:
    sheets = [
        Sheet(title=t.built.id[:31], headers=table_headers(t), rows=table_rows(t)) for t in tables
    ]
    return xlsx_response(filename, sheets)


def tables_csv(filename: str, tables: Sequence[StatisticsTable]) -> StreamingHttpResponse:
    def rows() -> Iterator[list[Any]]:
        for t in tables:
            yield [str(t.built.title)]
            yield table_headers(t)
            yield from table_rows(t)
            yield []

    return csv_response(filename, [_("Statistics")], rows())
