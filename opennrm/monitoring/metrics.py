"""The one registry of live metrics: where every computed logframe figure is defined.

An indicator whose ``metric`` names an entry here is never typed in: its value is computed from the
source capability's own selector whenever a page, the API or a report reads it, so changing the
underlying data (one more inspector trained) changes the next report without any edit.

Each metric declares its unit, the permission its source needs and whether it counts people who
may be victims. Such counts pass through ``opennrm.statistics.disclosure.protect`` under the
restricted profile of DESIGN §4 (the one for dashboards and Steering Committee reports) before they
leave this module: a value from 1 to ``OPENNRM_RESTRICTED_THRESHOLD - 1`` is withheld and shown
as "<N".

Sources are imported inside each compute function, so monitoring does not load another app's code
until a figure is asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.core.errors import NotFoundError


@dataclass(frozen=True)
class Withheld:
    """A figure the source already withheld under disclosure control; ``display`` is its mark."""

    display: str


Compute = Callable[[User, date, date], "Decimal | Withheld"]


@dataclass(frozen=True)
class Metric:
    name: str
    label: str | Promise
    unit: str  # one of monitoring.models.Unit
    permission: str
    counts_victims: bool
    compute: Compute  # (actor, period start, period end) -> value at the end of the period
    # True when the source is the statistics release, which applied the restricted profile to
    # the whole table (complementary suppression included): protecting the cell again would
    # only repeat it.
    protected_at_source: bool = False


@dataclass(frozen=True)
class MetricValue:
    """A computed figure; ``value`` is None when withheld by disclosure control."""

    metric: str
    value: Decimal | None
    withheld_as: str = ""  # what disclosure control shows instead, e.g. "<5"

    @property
    def display(self) -> str:
        if self.value is None:
            return self.withheld_as or "—"
        return format_number(self.value)


def format_number(value: Decimal) -> str:
    """Whole numbers without decimals; others with one (83 rather than 83.00)."""
    if value == value.to_integral_value():
        return str(int(value))
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


REGISTRY: dict[str, Metric] = {}


def register(metric: Metric) -> None:
    if metric.name in REGISTRY:
        raise KeyError(f"Metric {metric.name!r} is registered twice.")
    REGISTRY[metric.name] = metric


def choices() -> list[tuple[str, str]]:
    """(name, label) pairs for forms: manual entry plus every registered metric."""
    return [("", str(_("Entered by hand")))] + [
        (name, f"{metric.label} ({name})") for name, metric in sorted(REGISTRY.items())
    ]


def protect_count(value: Decimal) -> tuple[Decimal | None, str]:
    """One count released under the restricted profile: (value or None, what to show).

    A single figure is a one-cell table to the disclosure module; its totals are the cell itself,
    so only primary suppression can apply. Zero is released: it is about nobody.
    """
    from opennrm.statistics.disclosure import Profile, Table, Thresholds, protect

    thresholds = Thresholds(
        restricted=settings.OPENNRM_RESTRICTED_THRESHOLD,
        public=settings.OPENNRM_PUBLIC_THRESHOLD,
        rounding=settings.OPENNRM_PUBLIC_ROUNDING,
    )
    released = protect(Table.build(["n"], ["n"], [[int(value)]]), Profile.RESTRICTED, thresholds)
    cell = released.cells[0][0]
    return (None if cell.value is None else Decimal(cell.value)), cell.display


def evaluate(name: str, *, actor: User, start: date, end: date) -> MetricValue:
    """Compute metric ``name`` for the period; the actor must hold the metric's permission.

    Raises NotFoundError for an unknown metric and PermissionDeniedError when the actor may not
    see the source figures.
    """
    metric = REGISTRY.get(name)
    if metric is None:
        raise NotFoundError(_("There is no live metric named “%(name)s”.") % {"name": name})
    policy.require(actor, metric.permission)
    raw = metric.compute(actor, start, end)
    if isinstance(raw, Withheld):
        return MetricValue(name, None, withheld_as=raw.display)
    if metric.counts_victims and not metric.protected_at_source:
        protected, shown = protect_count(raw)
        return MetricValue(name, protected, withheld_as="" if protected is not None else shown)
    return MetricValue(name, raw)


# --- monitoring's own figures -------------------------------------------------------------------


def _recommendations_implemented(actor: User, start: date, end: date) -> Decimal:
    from opennrm.monitoring.models import GretaRecommendation, RecommendationStatus

    total = GretaRecommendation.objects.count()
    if not total:
        return Decimal(0)
    done = GretaRecommendation.objects.filter(
        status__in=[RecommendationStatus.PARTLY, RecommendationStatus.FULLY]
    ).count()
    return (Decimal(100) * done / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _activities_completed(actor: User, start: date, end: date) -> Decimal:
    from opennrm.monitoring.models import Activity, ActivityStatus

    return Decimal(
        Activity.objects.filter(status=ActivityStatus.COMPLETED, ends_on__lte=end).count()
    )


# --- training -----------------------------------------------------------------------------------


def _coverage(population_code: str) -> Compute:
    def compute(actor: User, start: date, end: date) -> Decimal:
        from opennrm.training.selectors import population_coverage

        figure = population_coverage(actor=actor, population_code=population_code, on=end)
        return (Decimal(str(figure.share)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    return compute


def _cohort_completed(cohort_code: str) -> Compute:
    def compute(actor: User, start: date, end: date) -> Decimal:
        from opennrm.training.selectors import cohort_figures

        return Decimal(cohort_figures(actor=actor, cohort_code=cohort_code).completed_all_modules)

    return compute


def _cohort_volunteers(cohort_code: str) -> Compute:
    def compute(actor: User, start: date, end: date) -> Decimal:
        from opennrm.training.selectors import cohort_figures

        return Decimal(cohort_figures(actor=actor, cohort_code=cohort_code).applied_to_volunteer)

    return compute


# --- screening and awareness ---------------------------------------------------------------------


def _screenings_by(agency_type: str) -> Compute:
    def compute(actor: User, start: date, end: date) -> Decimal:
        from opennrm.screening.selectors import screening_stats

        stats = screening_stats(actor=actor, date_from=start, date_to=end)
        return Decimal(sum(row.total for row in stats.rows if row.agency_type == agency_type))

    return compute


def _campaign_reach(actor: User, start: date, end: date) -> Decimal:
    from opennrm.awareness.selectors import campaign_reach

    return Decimal(campaign_reach(actor=actor, start=start, end=end).people_reached)


def _campaigns(actor: User, start: date, end: date) -> Decimal:
    from opennrm.awareness.selectors import campaign_reach

    return Decimal(campaign_reach(actor=actor, start=start, end=end).campaigns)


# --- cases, through the statistics release -------------------------------------------------------


def _released_row_total(table_id: str, row_code: str) -> Compute:
    """A row total of a standard table released under the restricted profile.

    Case figures are read from the statistics release rather than from the cases app, so the
    logframe shows the very number the statistics pages show, with the same suppression.
    """

    def compute(actor: User, start: date, end: date) -> Decimal | Withheld:
        from opennrm.statistics.disclosure import Profile
        from opennrm.statistics.selectors import statistics_table
        from opennrm.statistics.tables import Period

        released = statistics_table(
            actor=actor, table_id=table_id, period=Period(start, end), profile=Profile.RESTRICTED
        )
        index = released.built.table.row_labels.index(row_code)
        cell = released.protected.row_totals[index]
        return Withheld(cell.display) if cell.value is None else Decimal(cell.value)

    return compute


def _register_all() -> None:
    register(
        Metric(
            "monitoring.recommendations_implemented",
            _("GRETA recommendations partly or fully implemented"),
            "percent",
            "monitoring.view",
            counts_victims=False,
            compute=_recommendations_implemented,
        )
    )
    register(
        Metric(
            "monitoring.activities_completed",
            _("Activities completed"),
            "count",
            "monitoring.view",
            counts_victims=False,
            compute=_activities_completed,
        )
    )
    register(
        Metric(
            "training.coverage:labour_inspectors",
            _("Labour inspectors trained"),
            "percent",
            "training.view",
            counts_victims=False,
            compute=_coverage("labour_inspectors"),
        )
    )
    for cohort, label in (
        ("help-2020-law-students", _("Law students who completed the HELP course")),
        ("help-2020-judges-prosecutors", _("Judges and prosecutors who completed the HELP course")),
    ):
        register(
            Metric(
                f"training.completed:{cohort}",
                label,
                "people",
                "training.view",
                counts_victims=False,
                compute=_cohort_completed(cohort),
            )
        )
    register(
        Metric(
            "training.volunteers:help-2020-law-students",
            _("Law students who applied to volunteer with an anti-trafficking CSO"),
            "people",
            "training.view",
            counts_victims=False,
            compute=_cohort_volunteers("help-2020-law-students"),
        )
    )

    # Screenings are of people who may be victims: the count goes through disclosure control.
    register(
        Metric(
            "screening.count:labour_inspectorate",
            _("Screenings submitted by labour inspectors in the period"),
            "count",
            "screening.stats",
            counts_victims=True,
            compute=_screenings_by("labour_inspectorate"),
        )
    )
    for name, label, table_id, row_code in (
        (
            "cases.referrals:labour_inspectorate",
            _("Referrals by labour inspectors"),
            "referrals_by_agency_type",
            "labour_inspectorate",
        ),
        (
            "cases.identified:labour_exploitation",
            _("Victims of forced labour identified"),
            "identified_by_form",
            "ForcedLabour",
        ),
        (
            "cases.identified:children",
            _("Child victims identified"),
            "identified_by_age_group",
            "child",
        ),
    ):
        register(
            Metric(
                name,
                label,
                "count",
                "stats.restricted",
                counts_victims=True,
                compute=_released_row_total(table_id, row_code),
                protected_at_source=True,
            )
        )
    register(
        Metric(
            "awareness.reach",
            _("People reached by awareness campaigns in the period"),
            "people",
            "awareness.view",
            counts_victims=False,
            compute=_campaign_reach,
        )
    )
    register(
        Metric(
            "awareness.campaigns",
            _("Awareness campaigns running in the period"),
            "count",
            "awareness.view",
            counts_victims=False,
            compute=_campaigns,
        )
    )


_register_all()
