"""The standard statistical tables (GRETA, Eurostat, SDG 16.2.2 breakdowns) for a period.

Each table is one ``GROUP BY`` through the ORM (row dimension × column dimension, counted in the
database) and comes back as an additive :class:`~opennrm.statistics.disclosure.Table` of codes,
with the human labels beside it. Nothing here applies a release profile or checks permissions:
``selectors.statistics_table`` does both.

A release builds many tables of one population (eight breakdowns of presumed victims, eight of
identified victims), and at a million cases the time is the database's scan of the period's rows,
once per table. On PostgreSQL :func:`population_counts` therefore counts all the breakdowns of a
population in one query: the ORM writes the per-row dimensions as a subquery, and ``GROUP BY
GROUPING SETS ((row₁, sex), (row₂, sex), …)`` counts every table from one scan, each set counted
on its own (so ``count(DISTINCT case)`` of identified victims stays per table, exactly as the
single-table query counts it). Beside each count the same query sums the record keys of the
counted records (``keys.RecordKey``), which the cell-key method of ``disclosure`` needs. And a
release of whole months reads them counted ahead (``cube``: counts kept per calendar month by
that same query, grouped by month too), so that ten years cost little more than one. SQLite has
no ``GROUPING SETS``; there each table is its own query (``TableSpec.build``). The paths are
compared on the same data in the tests.

Units and conventions (shown to users on the explanation page):

* *presumed victims*: cases whose presumed-victim date falls in the period;
* *identified victims*: cases with a positive identification decision taken in the period (a case
  identified twice in the period counts once);
* age is the age on the date of the event, by the one rule of ``ages`` (from the year of birth:
  the year of the event − the year of birth − 1); the age group and the age bracket both follow
  it, and a child whose age is not recorded (the case's child flag) is a row of its own;
* the form of exploitation is the one recorded, or *several forms* when more than one was
  recorded, so each victim is counted once and the table adds up;
* citizenship is the first citizenship recorded; *national* means the country of the NRM
  (setting ``OPENNRM_COUNTRY_CODE``);
* assistance counts each victim once per type of service received (accepted, in progress or
  completed services requested in the period);
* the row, column and grand totals are the sums of the cells.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case as Switch
from django.db.models import (
    CharField,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, ExtractYear, TruncMonth
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from opennrm.accounts.roles import AgencyType
from opennrm.cases import vocab
from opennrm.cases.models import (
    Case,
    IdentificationDecision,
    Referral,
    ResidencePermit,
    ServiceRequest,
)
from opennrm.core.countries import COUNTRIES
from opennrm.statistics import ages
from opennrm.statistics.disclosure import KEY_RANGE, Table
from opennrm.statistics.keys import RecordKey
from opennrm.statistics.models import RecordTimes

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))


@dataclass(frozen=True)
class Dimension:
    """A breakdown: its title, the codes it may take (in order) and their labels."""

    key: str
    title: Promise
    labels: Callable[[Period], Mapping[str, str | Promise]]
    # Codes outside ``labels`` (e.g. countries) are kept, sorted, after the listed ones.
    open_ended: bool = False
    # How such a code reads (a country's name in the interface's language); the code itself
    # when None.
    name_of: Callable[[str], str] | None = None

    def names(self, period: Period, codes: Sequence[str]) -> tuple[str, ...]:
        """Each code as a table shows it: its label, else its name (``name_of``), else the code
        itself — codes outside the list (countries, values added later) are shown, never
        dropped, so the totals stay true."""
        labels = dict(self.labels(period))
        return tuple(
            str(labels[code]) if code in labels else self.name_of(code) if self.name_of else code
            for code in codes
        )


@dataclass(frozen=True)
class BuiltTable:
    id: str
    title: Promise
    row_dimension: Dimension
    column_dimension: Dimension
    table: Table
    row_names: tuple[str, ...]
    column_names: tuple[str, ...]


def _choices(choices: Sequence[tuple[Any, Any]], unknown: bool = True) -> dict[str, str | Promise]:
    labels: dict[str, str | Promise] = {str(code): label for code, label in choices}
    if unknown:
        labels[UNKNOWN] = _("Not recorded")
    return labels


SEX = Dimension(
    "sex",
    _("Sex"),
    lambda p: {
        "female": _("Female"),
        "male": _("Male"),
        "other": _("Other or not specified"),
    },
)
YEAR = Dimension("year", _("Year"), lambda p: {str(y): str(y) for y in p.years})
AGE_GROUP = Dimension(
    "age_group",
    _("Age group"),
    lambda p: {ages.CHILD: _("Child"), ages.ADULT: _("Adult"), UNKNOWN: _("Not recorded")},
)
CTDC_AGE = Dimension(
    "ctdc_age",
    _("Age bracket (CTDC)"),
    lambda p: {
        # CTDC's keys ("0--8") are data; a person reads the range with an en dash ("0–8").
        **{label: label.replace("--", "–") for _low, _high, label in ages.CTDC_AGE_BRACKETS},
        ages.CHILD_AGE_UNKNOWN: _("Child, age not recorded"),
        UNKNOWN: _("Not recorded"),
    },
)
FORM = Dimension(
    "form",
    _("Form of exploitation"),
    lambda p: {
        **_choices(vocab.TypeOfExploitation.choices, unknown=False),
        "multiple": _("Several forms"),
        UNKNOWN: _("Not recorded"),
    },
)
NATIONALITY = Dimension(
    "nationality",
    _("Citizenship"),
    lambda p: {"national": _("Nationals"), "foreign": _("Foreign"), UNKNOWN: _("Not recorded")},
)
COUNTRY = Dimension(
    "country",
    _("Country of citizenship"),
    lambda p: {UNKNOWN: _("Not recorded")},
    open_ended=True,
    name_of=COUNTRIES.label,
)
AGENCY_TYPE = Dimension(
    "agency_type", _("Referring agency type"), lambda p: _choices(AgencyType.choices)
)
SCOPE = Dimension(
    "scope",
    _("Internal or transnational"),
    lambda p: _choices(vocab.TraffickingScope.choices, False),
)
PERMIT_TYPE = Dimension(
    "permit_type", _("Residence permit"), lambda p: _choices(vocab.PermitType.choices, False)
)
SERVICE = Dimension(
    "service", _("Type of assistance"), lambda p: _choices(vocab.ServiceType.choices, False)
)
REFERRAL_STATUS = Dimension(
    "referral_status", _("Referral status"), lambda p: _choices(vocab.ReferralStatus.choices, False)
)
SCREENING_OUTCOME = Dimension(
    "screening_outcome",
    _("Screening outcome"),
    lambda p: {
        "indicators_of_trafficking": _("Indicators of trafficking"),
        "insufficient_indicators": _("Insufficient indicators"),
        UNKNOWN: _("Not recorded"),
    },
)


# --- ORM expressions for the dimensions; ``p`` is the path from the counted model to the case.


def _sex(p: str) -> Any:
    return Switch(
        When(**{f"{p}person__gender": vocab.Gender.FEMININE}, then=Value("female")),
        When(**{f"{p}person__gender": vocab.Gender.MASCULINE}, then=Value("male")),
        default=Value("other"),
        output_field=CharField(),
    )


def _age(p: str, date_field: Any) -> Any:
    """The age on the event's date (``ages``: one rule for every table), annotated as ``_age``."""
    return ages.age_expression(date_field, f"{p}person__year_of_birth")


def _age_group(p: str, date_field: Any) -> tuple[Any, Any]:
    return ages.age_group_expression("_age", f"{p}is_child"), _age(p, date_field)


def _ctdc_age(p: str, date_field: Any) -> tuple[Any, Any]:
    return ages.ctdc_bracket_expression("_age", f"{p}is_child"), _age(p, date_field)


def _form(p: str) -> Any:
    return Switch(
        When(**{f"{p}forms_of_exploitation__1__isnull": False}, then=Value("multiple")),
        default=Coalesce(
            KeyTextTransform("0", f"{p}forms_of_exploitation"),
            Value(UNKNOWN),
            output_field=CharField(),
        ),
        output_field=CharField(),
    )


def _nationality(p: str) -> Any:
    return Switch(
        When(
            **{f"{p}person__citizenship__0": settings.OPENNRM_COUNTRY_CODE}, then=Value("national")
        ),
        When(**{f"{p}person__citizenship__0__isnull": True}, then=Value(UNKNOWN)),
        default=Value("foreign"),
        output_field=CharField(),
    )


def _country(p: str) -> Any:
    return Coalesce(
        KeyTextTransform("0", f"{p}person__citizenship"), Value(UNKNOWN), output_field=CharField()
    )


def _agency_type(p: str) -> Any:
    return Coalesce(F(f"{p}referral__from_agency__type"), Value(UNKNOWN), output_field=CharField())


# A cell's count and the sum of its records' keys (``disclosure``: the cell-key method).
Counts = Mapping[tuple[str, str], tuple[int, int]]


def _key_sum(counted: str) -> Any:
    """The sum of the record keys of the counted rows: of each row (``pk``), or of each distinct
    ``counted`` record once — ``SUM(DISTINCT id * KEY_RANGE + key)`` is, modulo ``KEY_RANGE``,
    the sum of the distinct records' keys, and needs no second grouping."""
    if counted == "pk":
        return Sum(RecordKey(F("pk")))
    return Sum(F(counted) * KEY_RANGE + RecordKey(F(counted)), distinct=True)


def _count(
    queryset: QuerySet[Any], row: Any, column: Any, counted: str, age: Any = None
) -> dict[tuple[str, str], tuple[int, int]]:
    if age is not None:
        queryset = queryset.annotate(_age=age)
    distinct = counted != "pk"
    rows = (
        queryset.order_by()
        .values(r=row, c=column)
        .annotate(n=Count(counted, distinct=distinct), k=_key_sum(counted))
        .values_list("r", "c", "n", "k")
    )
    return {(str(r), str(c)): (n, int(k or 0) % KEY_RANGE) for r, c, n, k in rows}


def _assemble(
    table_id: str,
    title: Promise,
    period: Period,
    row_dim: Dimension,
    col_dim: Dimension,
    counts: Counts,
) -> BuiltTable:
    row_codes: list[str] = []
    col_codes: list[str] = []
    for dim, position, codes in ((row_dim, 0, row_codes), (col_dim, 1, col_codes)):
        listed = list(dim.labels(period))
        codes += [*listed, *sorted({key[position] for key in counts} - set(listed))]
    cells = [[counts.get((r, c), (0, 0))[0] for c in col_codes] for r in row_codes]
    keys = [[counts.get((r, c), (0, 0))[1] for c in col_codes] for r in row_codes]
    return BuiltTable(
        id=table_id,
        title=title,
        row_dimension=row_dim,
        column_dimension=col_dim,
        table=Table.build(row_codes, col_codes, cells, keys),
        row_names=row_dim.names(period, row_codes),
        column_names=col_dim.names(period, col_codes),
    )


@dataclass(frozen=True)
class TableSpec:
    id: str
    title: Promise
    row_dimension: Dimension
    column_dimension: Dimension
    build: Callable[[Period], BuiltTable]
    # Tables of a population (``CUBED``): its name and the row dimension's key, so that
    # ``build_tables`` counts a population's breakdowns together, from the kept months; and how
    # the table is made from its counts (None: ``_assemble`` of the above).
    population: str = ""
    breakdown: str = ""
    assemble: Callable[[Period, Counts], BuiltTable] | None = None

    def from_counts(self, period: Period, counts: Counts) -> BuiltTable:
        if self.assemble is not None:
            return self.assemble(period, counts)
        return _assemble(
            self.id, self.title, period, self.row_dimension, self.column_dimension, counts
        )


def _identified_decisions() -> QuerySet[IdentificationDecision]:
    return IdentificationDecision.objects.filter(outcome=vocab.IdentificationOutcome.IDENTIFIED)


def _row_expression(key: str, p: str, date_field: Any) -> tuple[Any, Any]:
    """The row expression of a victim breakdown, and the age annotation it needs (or None)."""
    if key == "year":
        return ExtractYear(date_field), None
    if key == "ctdc_age":
        return _ctdc_age(p, date_field)
    if key == "age_group":
        return _age_group(p, date_field)
    expressions: dict[str, Callable[[str], Any]] = {
        "form": _form,
        "nationality": _nationality,
        "country": _country,
        "agency_type": _agency_type,
        "scope": lambda prefix: F(f"{prefix}trafficking_scope"),
    }
    return expressions[key](p), None


_BREAKDOWNS: tuple[tuple[str, Promise, Dimension], ...] = (
    ("year", _("by year and sex"), YEAR),
    ("age_group", _("by age group and sex"), AGE_GROUP),
    ("ctdc_age", _("by age bracket and sex"), CTDC_AGE),
    ("form", _("by form of exploitation and sex"), FORM),
    ("nationality", _("by citizenship (national or foreign) and sex"), NATIONALITY),
    ("country", _("by country of citizenship and sex"), COUNTRY),
    ("agency_type", _("by referring agency type and sex"), AGENCY_TYPE),
    ("scope", _("internal or transnational, by sex"), SCOPE),
)


Span = tuple[date, date]


@dataclass(frozen=True)
class _Population:
    """Rows counted by date into tables: their model's rows (``base``), the date that places
    them in a period, what is counted, and the expressions of their rows' codes."""

    key: str  # its name in ``CUBED``
    name: Promise
    base: Callable[[], QuerySet[Any]]  # every row of the population, of any date
    date_field: str
    counted: str  # "pk": every row once; otherwise the related record, counted distinct
    # A breakdown's row expression and the age annotation it needs (or None), by key.
    row: Callable[[str], tuple[Any, Any]]
    column: Callable[[], Any]
    # ``date_field`` is an instant, placed by its day in the current time zone.
    local_day: bool = False
    # Counted distinct within a row of this field: a case assisted twice with shelter counts
    # once, with shelter and medical care once in each row (None: once per breakdown row).
    repeat_by: str | None = None

    def within(self, spans: Sequence[Span]) -> QuerySet[Any]:
        """The population's rows dated within any of ``spans`` (first and last day)."""
        dated = Q()
        for start, end in spans:
            if self.local_day:
                dated |= Q(**_local_days(self.date_field, Period(start, end)))
            else:
                dated |= Q(**{f"{self.date_field}__range": (start, end)})
        return self.base().filter(dated)

    def rows(self, period: Period) -> QuerySet[Any]:
        return self.within([(period.start, period.end)])

    def count(self, period: Period, key: str = "row") -> Counts:
        """The counts and key sums of breakdown ``key`` × the column, one query (``_count``)."""
        row, age = self.row(key)
        return _count(self.rows(period), row, self.column(), self.counted, age=age)


def _victims(
    key: str,
    name: Promise,
    base: Callable[[], QuerySet[Any]],
    path: str,
    date_field: str,
    counted: str,
) -> _Population:
    return _Population(
        key,
        name,
        base,
        date_field,
        counted,
        row=lambda breakdown: _row_expression(breakdown, path, date_field),
        column=lambda: _sex(path),
    )


_POPULATIONS: dict[str, _Population] = {
    "presumed": _victims(
        "presumed", _("Presumed victims"), Case.objects.all, "", "presumed_victim_date", "pk"
    ),
    "identified": _victims(
        "identified",
        _("Identified victims"),
        _identified_decisions,
        "case__",
        "decided_on",
        "case",
    ),
}
# Victims granted a recovery and reflection period: one table (by age group and sex), aged on the
# day their period began; counted like the two victim populations where months are kept.
REFLECTION = _victims(
    "reflection",
    _("Victims granted a recovery and reflection period"),
    Case.objects.all,
    "",
    "reflection_period_start",
    "pk",
)


def _victim_tables() -> list[TableSpec]:
    specs: list[TableSpec] = []
    for prefix, pop in _POPULATIONS.items():
        name = pop.name
        for key, suffix, dim in _BREAKDOWNS:
            table_id = f"{prefix}_by_{key}"

            def build(
                period: Period,
                table_id: str = table_id,
                name: Promise = name,
                suffix: Promise = suffix,
                dim: Dimension = dim,
                key: str = key,
                pop: _Population = pop,
            ) -> BuiltTable:
                counts = pop.count(period, key)
                return _assemble(table_id, _title(name, suffix), period, dim, SEX, counts)

            specs.append(TableSpec(table_id, _title(name, suffix), dim, SEX, build, prefix, key))
    return specs


# Per breakdown key, the counts and record-key sums of its cells.
KeyedCounts = dict[str, dict[tuple[str, str], tuple[int, int]]]


def repeated(pop: _Population) -> Exists:
    """Whether a row's counted record occurs more than once in ``pop`` (``RecordTimes``, kept
    by triggers: a case with more than one identification decision, or more than one permit
    or service request of the row's type), so would be counted more than once if its months
    were added up."""
    marks = RecordTimes.objects.filter(
        population=pop.key,
        case_id=OuterRef(pop.counted),
        row=OuterRef(pop.repeat_by) if pop.repeat_by else Value(""),
        times__gt=1,
    )
    return Exists(marks)


def population_query(
    pop: _Population,
    keys: Sequence[str],
    spans: Sequence[Span],
    *,
    by_month: bool = False,
    repeats: bool | None = None,
) -> tuple[str, tuple[Any, ...], list[str]]:
    """The rows ``population_counts`` groups (SQL and parameters: one row per counted record
    with its code in each breakdown of ``keys``, ``d_sex`` (the column), ``d_key``,
    ``d_counted`` if counted distinct, ``d_month`` with ``by_month``) and the aggregates that
    count them."""
    queryset = pop.within(spans)
    if pop.counted != "pk" and repeats is not None:
        queryset = queryset.filter(repeated(pop) if repeats else ~repeated(pop))
    values: dict[str, Any] = {}
    if pop.counted != "pk":
        # As ``_key_sum``: the distinct cases' keys, modulo KEY_RANGE.
        aggregates = [
            "count(DISTINCT d_counted)",
            f"sum(DISTINCT d_counted * {KEY_RANGE} + d_key)",
        ]
    else:
        aggregates = ["count(*)", "sum(d_key)"]
    for key in keys:
        row, age = pop.row(key)
        if age is not None:
            queryset = queryset.annotate(_age=age)
        values[f"d_{key}"] = row
    values["d_sex"] = pop.column()
    values["d_key"] = RecordKey(F(pop.counted))
    if pop.counted != "pk":
        values["d_counted"] = F(pop.counted)
    if by_month:
        values["d_month"] = TruncMonth(pop.date_field, output_field=DateField())
    inner, params = queryset.order_by().values(**values).query.sql_with_params()
    return inner, tuple(params), aggregates


def population_counts(
    pop: _Population,
    keys: Sequence[str],
    spans: Sequence[Span],
    *,
    by_month: bool = False,
    repeats: bool | None = None,
) -> dict[date | None, KeyedCounts]:
    """The counts and record-key sums of ``pop``'s rows dated within ``spans``, by each breakdown
    in ``keys`` × sex, from one scan (PostgreSQL's ``GROUPING SETS``; each set counted on its
    own, so a distinct count stays per table): the same figures as one ``_count`` per
    breakdown. With ``by_month``, per calendar month of the row's date (keyed by the month's
    first day; otherwise by None). For a distinct-counted population ``repeats`` False keeps
    only the records not marked as repeated (``repeated``), True only the others; None keeps
    every row."""
    keys = list(keys)
    inner, params, aggregates = population_query(
        pop, keys, spans, by_month=by_month, repeats=repeats
    )
    lead = ["d_month"] if by_month else []
    counts: dict[date | None, KeyedCounts] = {}
    for month, key, cell, numbers in _grouping_sets(inner, params, keys, aggregates, lead):
        if numbers[0]:
            found = counts.setdefault(month, {k: {} for k in keys})
            found[key][cell] = (numbers[0], int(numbers[1]) % KEY_RANGE)
    return counts


def _grouping_sets(
    inner: str,
    params: Sequence[Any],
    keys: Sequence[str],
    aggregates: Sequence[str],
    lead: Sequence[str] = (),
) -> Iterator[tuple[Any, str, tuple[str, str], Sequence[int]]]:
    """Run ``aggregates`` over the rows of ``inner`` (columns ``d_<key>`` and ``d_sex``) grouped
    by each breakdown × sex (and by the ``lead`` column, if any, in every set) in one
    ``GROUP BY GROUPING SETS`` query; yield each group as its ``lead`` value (None without),
    its breakdown key, its (row code, sex) cell and the aggregates' values."""
    columns = [f"d_{key}" for key in keys]
    sets = ", ".join(f"({', '.join([*lead, column, 'd_sex'])})" for column in columns)
    # Names from the fixed breakdown keys, values as parameters of the ORM's subquery.
    sql = (
        f"SELECT GROUPING({', '.join(columns)}), {', '.join([*lead, *columns])}, "  # noqa: S608
        f"d_sex, {', '.join(aggregates)} "
        f"FROM ({inner}) AS breakdowns GROUP BY GROUPING SETS ({sets})"
    )
    # GROUPING() sets the bit of every column left out of the row's set; the first column is
    # the most significant bit.
    n, skip = len(keys), len(lead)
    by_mask = {((1 << n) - 1) & ~(1 << (n - 1 - i)): i for i in range(n)}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for row in rows:
        mask, led = row[0], row[1] if skip else None
        dims, sex = row[1 + skip : n + 1 + skip], row[n + 1 + skip]
        numbers = row[n + 2 + skip :]
        i = by_mask[mask]
        yield led, keys[i], (_code(dims[i]), str(sex)), numbers


def _code(value: Any) -> str:
    # EXTRACT(YEAR …) comes back from PostgreSQL as a numeric: 2024, not "2024.0" or Decimal.
    return str(int(value)) if isinstance(value, Decimal) else str(value)


# How PostgreSQL plans the counting queries (``counting_planner``), with why.
_PLANNER = {
    # These are a few scans of hundreds of thousands of rows: PostgreSQL's JIT compilation (on by
    # default above a cost threshold these queries pass) spends more time compiling them (~0.4 s
    # each, measured) than it saves.
    "jit": "off",
    # Each population is a tenth of the cases joined to its person and referral: with the
    # default cost of a random page (4.0, set for spinning disks) the planner hashes the whole
    # million-row tables instead of probing their primary keys for the slice; 1.1, the usual
    # value for SSD or cached data, makes it probe (EXPLAIN ANALYZE on 1 M cases: presumed
    # victims 5.2 s -> 2.0 s under load, same rows).
    "random_page_cost": "1.1",
    # The grouping sets of a population are hashed together; with the default 4 MB one of them
    # falls back to a sort that spills to disk (EXPLAIN ANALYZE on 1 M cases); a few tens of MB
    # hold them all.
    "work_mem": "64MB",
}
_PROBING = {
    # The planner overestimates the rows of a population's slice, enough to tip it into hashing
    # all of ``cases_person`` and ``cases_referral``. Every join of the population queries is a
    # slice of rows to their case, person or referral by key: probing is right (1 M cases, one
    # year: 3.9 s hashed, 2.3 s probed, EXPLAIN ANALYZE under load; one month counted for the
    # kept months: 1.05 s hashed). Merge joins likewise (they read a whole primary-key index in
    # order). The other tables keep the planner's choice.
    "enable_hashjoin": "off",
    "enable_mergejoin": "off",
    # The planner cannot estimate how many groups a breakdown has (its CASE and JSON
    # expressions get the default 200 values each), so over a multi-year period it prices the
    # hash tables of the grouping sets above the hash memory and sorts the rows of the period
    # by every set's text columns instead (ten years, 900 k rows: a MixedAggregate sorting in
    # the workers, 4.9 s EXPLAIN ANALYZE). Every breakdown is a small vocabulary (a few hundred
    # groups in all; 6.7 MB hashed, measured), so hashing them is safe: a larger hash budget
    # lets the planner hash them all (3.1–3.3 s, same rows). Only hash nodes get it, and with
    # hash joins off these are the grouping sets.
    "hash_mem_multiplier": "8",
}


@contextmanager
def counting_planner(*, probing: bool = True) -> Iterator[None]:
    """On PostgreSQL, inside a transaction: plan the counting queries as ``_PLANNER`` (and
    ``_PROBING``) say, then hand the transaction back the settings it had — ``SET LOCAL`` lasts
    to the end of the outermost transaction, which may be the caller's (a report task, a request
    in one transaction, a ``counting_planner`` around this one). An error rolls the caller's
    savepoint back, and the settings with it."""
    if connection.vendor != "postgresql":
        yield
        return
    wanted = {**_PLANNER, **(_PROBING if probing else {})}
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(wanted)), list(wanted))
        before = dict(zip(wanted, cursor.fetchone(), strict=True))
        for name, value in wanted.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
    yield
    with connection.cursor() as cursor:
        for name, value in before.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


def build_tables(specs: Iterable[TableSpec], period: Period) -> list[BuiltTable]:
    """``specs`` built for ``period``, in the order given. On PostgreSQL the breakdowns of one
    population are counted together, from the months kept (``cube``) and one scan of the other
    days instead of one scan per table; elsewhere each table is its own query."""
    specs = list(specs)
    built: dict[str, BuiltTable] = {}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with counting_planner():
                _count_together(specs, period, built)
        with counting_planner(probing=False):
            return [built[spec.id] if spec.id in built else spec.build(period) for spec in specs]


def _count_together(specs: list[TableSpec], period: Period, built: dict[str, BuiltTable]) -> None:
    """On PostgreSQL: the tables of the populations in ``CUBED`` asked for, from the counts
    kept per calendar month (``cube``) and the rows of the period's other days, one query per
    population for those; made into ``built``."""
    from opennrm.statistics import cube

    groups: dict[str, list[TableSpec]] = {}
    for spec in specs:
        if spec.population:
            groups.setdefault(spec.population, []).append(spec)
    if not groups:
        return
    keys = {name: list(dict.fromkeys(s.breakdown for s in group)) for name, group in groups.items()}
    counts = cube.counts(keys, period)
    for name, group in groups.items():
        for spec in group:
            built[spec.id] = spec.from_counts(period, counts[name][spec.breakdown])


def _title(name: Promise, suffix: Promise) -> Promise:
    from django.utils.text import format_lazy

    return format_lazy("{} {}", name, suffix)


def _reflection_table(period: Period, counts: Counts) -> BuiltTable:
    return _assemble(
        "reflection_period",
        _("Victims granted a recovery and reflection period, by age group and sex"),
        period,
        AGE_GROUP,
        SEX,
        counts,
    )


def _row_field(field: str) -> Callable[[str], tuple[Any, Any]]:
    return lambda key: (F(field), None)


PERMITS = _Population(
    "permits",
    _("Victims granted a residence permit"),
    ResidencePermit.objects.all,
    "granted_on",
    "case",
    row=_row_field("permit_type"),
    column=lambda: _sex("case__"),
    repeat_by="permit_type",
)


def _permits_table(period: Period, counts: Counts) -> BuiltTable:
    return _assemble(
        "residence_permits",
        _("Victims granted a residence permit, by type of permit and sex"),
        period,
        PERMIT_TYPE,
        SEX,
        counts,
    )


def _local_days(field: str, period: Period) -> dict[str, datetime]:
    """``field__date__range`` (days in the current time zone) as a range of instants: the same
    rows, without converting every row's timestamp, and an index on ``field`` can serve it."""
    start = timezone.make_aware(datetime.combine(period.start, time.min))
    end = timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time.min))
    return {f"{field}__gte": start, f"{field}__lt": end}


ASSISTANCE = _Population(
    "assistance",
    _("Victims receiving assistance"),
    lambda: ServiceRequest.objects.filter(
        status__in=[
            vocab.ServiceStatus.ACCEPTED,
            vocab.ServiceStatus.IN_PROGRESS,
            vocab.ServiceStatus.COMPLETED,
        ]
    ),
    "requested_at",
    "case",
    row=_row_field("service_type"),
    column=lambda: _sex("case__"),
    local_day=True,
    repeat_by="service_type",
)


def _assistance_table(period: Period, counts: Counts) -> BuiltTable:
    return _assemble(
        "assistance",
        _("Victims receiving assistance, by type of assistance and sex"),
        period,
        SERVICE,
        SEX,
        counts,
    )


REFERRALS = _Population(
    "referrals",
    _("Referrals by referring agency type"),
    Referral.objects.all,
    "sent_at",
    "pk",
    row=_row_field("from_agency__type"),
    column=lambda: F("status"),
    local_day=True,
)


def _referrals_table(period: Period, counts: Counts) -> BuiltTable:
    return _assemble(
        "referrals_by_agency_type",
        _("Referrals by referring agency type and status"),
        period,
        AGENCY_TYPE,
        REFERRAL_STATUS,
        counts,
    )


# Every population whose counts are kept per calendar month (``cube``), by name.
CUBED: dict[str, _Population] = {
    pop.key: pop for pop in (*_POPULATIONS.values(), REFLECTION, PERMITS, ASSISTANCE, REFERRALS)
}


def _screenings(period: Period) -> BuiltTable:
    screening = apps.get_model("screening", "Screening")
    queryset = screening.objects.filter(
        status="submitted", screened_on__range=(period.start, period.end)
    )
    outcome = Switch(
        When(outcome="", then=Value(UNKNOWN)), default=F("outcome"), output_field=CharField()
    )
    counts = _count(queryset, F("agency__type"), outcome, "pk")
    return _assemble(
        "screenings_by_agency_type",
        _("Screenings by agency type and outcome"),
        period,
        AGENCY_TYPE,
        SCREENING_OUTCOME,
        counts,
    )


def _partner_countries(period: Period) -> dict[str, str | Promise]:
    """Every partner's country, by its name in the interface's language (a partner with no
    referral in the period is a row of zeros: the list of partners is not confidential)."""
    from opennrm.core.countries import COUNTRIES

    partner = apps.get_model("transnational", "Partner")
    codes = sorted(partner.objects.values_list("country", flat=True))
    return {code: COUNTRIES.label(code) for code in codes}


PARTNER_COUNTRY = Dimension("partner_country", _("Partner country"), _partner_countries)
TRM_DIRECTION = Dimension(
    "trm_direction",
    _("Direction"),
    lambda p: {"out": _("Referred to the partner"), "in": _("Referred by the partner")},
)


def _transnational(period: Period) -> BuiltTable:
    """Transnational referrals (issue 17) made in the period: sent (the day the package was
    made) and received (the day it arrived), by the partner's country; a received referral
    that was then declined still counts, as the partner referred a person."""
    referral = apps.get_model("transnational", "TransnationalReferral")
    queryset = referral.objects.filter(**_local_days("created_at", period))
    counts = _count(queryset, F("partner__country"), F("direction"), "pk")
    return _assemble(
        "transnational_by_partner",
        _("Transnational referrals by partner country and direction"),
        period,
        PARTNER_COUNTRY,
        TRM_DIRECTION,
        counts,
    )


def _justice_choices(name: str, drop: tuple[str, ...] = ()) -> dict[str, str | Promise]:
    from opennrm.justice import vocab as justice_vocab

    choices = getattr(justice_vocab, name).choices
    return _choices([c for c in choices if c[0] not in drop], unknown=False)


OUTCOME = Dimension(
    "outcome", _("Outcome"), lambda p: _justice_choices("Outcome", drop=("pending",))
)
STAGE = Dimension("stage", _("Stage"), lambda p: _justice_choices("Stage"))
PROCEEDING_STATUS = Dimension(
    "proceeding_status", _("Status"), lambda p: _justice_choices("ProceedingStatus")
)


def _defendant_sex() -> Any:
    return Switch(
        When(sex="female", then=Value("female")),
        When(sex="male", then=Value("male")),
        default=Value("other"),
        output_field=CharField(),
    )


def _judgments(period: Period) -> BuiltTable:
    defendant = apps.get_model("justice", "Defendant")
    queryset = defendant.objects.filter(outcome_on__range=(period.start, period.end)).exclude(
        outcome="pending"
    )
    counts = _count(queryset, F("outcome"), _defendant_sex(), "pk")
    return _assemble(
        "judgments_by_outcome",
        _("Defendants judged, by outcome and sex of the defendant"),
        period,
        OUTCOME,
        SEX,
        counts,
    )


def _proceedings(period: Period) -> BuiltTable:
    proceeding = apps.get_model("justice", "Proceeding")
    queryset = proceeding.objects.filter(started_on__range=(period.start, period.end))
    counts = _count(queryset, F("stage"), F("status"), "pk")
    return _assemble(
        "proceedings_by_stage",
        _("Criminal proceedings started in the period, by stage reached and status"),
        period,
        STAGE,
        PROCEEDING_STATUS,
        counts,
    )


def _counted_spec(
    table_id: str,
    row_dimension: Dimension,
    column_dimension: Dimension,
    pop: _Population,
    assemble: Callable[[Period, Counts], BuiltTable],
    breakdown: str = "row",
) -> TableSpec:
    """The spec of a table of one breakdown of ``pop`` (titled by the population's name), made by
    ``assemble`` from its counts."""
    return TableSpec(
        table_id,
        pop.name,
        row_dimension,
        column_dimension,
        lambda period: assemble(period, pop.count(period, breakdown)),
        pop.key,
        breakdown,
        assemble,
    )


def standard_tables() -> dict[str, TableSpec]:
    """Every standard table, in the order of the release."""
    specs = _victim_tables()
    specs += [
        _counted_spec(
            "reflection_period",
            AGE_GROUP,
            SEX,
            REFLECTION,
            _reflection_table,
            "age_group",
        ),
        _counted_spec(
            "residence_permits",
            PERMIT_TYPE,
            SEX,
            PERMITS,
            _permits_table,
        ),
        _counted_spec(
            "assistance",
            SERVICE,
            SEX,
            ASSISTANCE,
            _assistance_table,
        ),
        _counted_spec(
            "referrals_by_agency_type",
            AGENCY_TYPE,
            REFERRAL_STATUS,
            REFERRALS,
            _referrals_table,
        ),
        TableSpec(
            "screenings_by_agency_type",
            _("Screenings by agency type"),
            AGENCY_TYPE,
            SCREENING_OUTCOME,
            _screenings,
        ),
    ]
    if apps.is_installed("opennrm.justice"):
        specs += [
            TableSpec(
                "proceedings_by_stage",
                _("Criminal proceedings by stage"),
                STAGE,
                PROCEEDING_STATUS,
                _proceedings,
            ),
            TableSpec(
                "judgments_by_outcome",
                _("Judgments by outcome and sex of the defendant"),
                OUTCOME,
                SEX,
                _judgments,
            ),
        ]
    if apps.is_installed("opennrm.transnational"):
        specs.append(
            TableSpec(
                "transnational_by_partner",
                _("Transnational referrals by partner country and direction"),
                PARTNER_COUNTRY,
                TRM_DIRECTION,
                _transnational,
            )
        )
    return {spec.id: spec for spec in specs}
