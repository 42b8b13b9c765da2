"""The one registry of live metrics: where every computed logframe figure is defined.

An indicator whose ``metric`` names an entry here is never typed in: its value is computed from the
source capability's own selector whenever a page, the API or a report reads it, so changing the
underlying data (one more inspector trained) changes the next report without any edit.

Each metric declares its unit, the permission its source needs and whether it counts people who
may be victims. Such counts are released by the statistics disclosure module under the restricted
profile of DESIGN §4 (``statistics.selectors.released_figure`` / ``released_count``: cell-key
perturbation on fixed reporting periods, the figure for any other period built from theirs), so a
logframe read day by day shows nothing the monthly releases do not.

Each metric declares how it reads a report's period (``Reading``): a *flow* counts what happened
within the period (completions, screenings, referrals), a *stock* is the state at the period's
end (coverage, activities completed so far). A report for June–December 2019 thus shows no course
completed in 2020, and one for 2021 shows no 2020 completion again.

Sources are imported inside each compute function, so monitoring does not load another app's code
until a figure is asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.core.errors import NotFoundError


@dataclass(frozen=True)
class Withheld:
    """A figure the source already withheld under disclosure control; ``display`` is its mark."""

    display: str


# None: the figure does not exist for the period (e.g. a share of nothing registered yet).
Compute = Callable[[User, date, date], "Decimal | Withheld | None"]


class Reading(StrEnum):
    """How a metric reads a period."""

    FLOW = "flow"  # what happened between the period's first and last day, both inclusive
    STOCK = "stock"  # the state at the end of the period's last day; the start is not used


@dataclass(frozen=True)
class Metric:
    name: str
    label: str | Promise
    unit: str  # one of monitoring.models.Unit
    permission: str
    counts_victims: bool
    compute: Compute  # (actor, period start, period end) -> the value for the period
    reading: Reading
    # True when the figure comes from the statistics disclosure module (a released figure):
    # every metric that counts victims must, ``evaluate`` refuses one that does not.
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


def format_number(value: Decimal, language: str | None = None) -> str:
    """Whole numbers without decimals, others with one (83 rather than 83.00), written as the
    language (default: the active one) writes them: 750,000 / 750.000, 33.3 / 33,3."""
    from opennrm.core.formatting import number

    return number(value, language)


def label_of(name: str) -> str:
    """A metric's name in words, for the "Source" column; the key itself if it is unknown."""
    metric = REGISTRY.get(name)
    return str(metric.label) if metric is not None else name


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
    if raw is None:
        return MetricValue(name, None)
    if isinstance(raw, Withheld):
        return MetricValue(name, None, withheld_as=raw.display)
    if metric.counts_victims and not metric.protected_at_source:
        # A count of people who may be victims must come from the disclosure module.
        raise ImproperlyConfigured(f"Metric {name!r} counts victims outside disclosure control.")
    return MetricValue(name, raw)


def evaluate_kept(
    name: str, *, actor: User, start: date, end: date
) -> tuple[MetricValue, datetime]:
    """:func:`evaluate`, read from the published figures when it was computed for the same
    period and the same kind of reader (roles and agency) less than ``OPENNRM_FIGURES_MAX_AGE``
    seconds ago (``statistics.published.value``); returns the value and when it was computed.
    The permission is checked on every read. For the dashboard; reports compute afresh."""
    from opennrm.statistics import published

    metric = REGISTRY.get(name)
    if metric is not None:
        policy.require(actor, metric.permission)
    reader = f"{','.join(sorted(actor.roles))}@{actor.agency_id}"
    return published.value(
        f"metric:{name}:{start}:{end}:{reader}",
        lambda: evaluate(name, actor=actor, start=start, end=end),
    )


# --- monitoring's own figures -------------------------------------------------------------------


def _recommendations_implemented(actor: User, start: date, end: date) -> Decimal | None:
    """Share of the recommendations registered by ``end`` partly or fully implemented that day."""
    from opennrm.monitoring.models import RecommendationStatus
    from opennrm.monitoring.selectors import recommendation_statuses_on

    status = recommendation_statuses_on(actor=actor, on=end)
    if not status:
        return None
    done = sum(
        1
        for value in status.values()
        if value in (RecommendationStatus.PARTLY, RecommendationStatus.FULLY)
    )
    return (Decimal(100) * done / len(status)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


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

        figures = cohort_figures(actor=actor, cohort_code=cohort_code, start=start, end=end)
        return Decimal(figures.completed_all_modules)

    return compute


def _cohort_volunteers(cohort_code: str) -> Compute:
    def compute(actor: User, start: date, end: date) -> Decimal:
        from opennrm.training.selectors import cohort_figures

        figures = cohort_figures(actor=actor, cohort_code=cohort_code, start=start, end=end)
        return Decimal(figures.applied_to_volunteer)

    return compute


# --- screening and awareness ---------------------------------------------------------------------


def _screenings_by(agency_type: str) -> Compute:
    def compute(actor: User, start: date, end: date) -> Decimal | Withheld:
        from opennrm.screening.selectors import screening_count_released

        cell = screening_count_released(actor=actor, agency_type=agency_type, start=start, end=end)
        return Withheld(cell.display) if cell.value is None else Decimal(cell.value)

    return compute


def _campaign_reach(actor: User, start: date, end: date) -> Decimal:
    from opennrm.awareness.selectors import campaign_reach

    return Decimal(campaign_reach(actor=actor, start=start, end=end).people_reached)


def _campaigns(*, grant_based: bool) -> Compute:
    def compute(actor: User, start: date, end: date) -> Decimal:
        from opennrm.awareness.selectors import campaign_reach

        figures = campaign_reach(actor=actor, start=start, end=end, grant_based=grant_based)
        return Decimal(figures.campaigns)

    return compute


# --- cases, through the statistics release -------------------------------------------------------


def _released_row_total(table_id: str, row_code: str) -> Compute:
    """A row total of a standard table released under the restricted profile.

    Case figures are read from the statistics release rather than from the cases app, so the
    logframe shows the very number the statistics pages show, with the same suppression.
    """

    def compute(actor: User, start: date, end: date) -> Decimal | Withheld:
        from opennrm.statistics.selectors import released_figure

        cell = released_figure(
            actor=actor, table_id=table_id, row_code=row_code, start=start, end=end
        )
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
            reading=Reading.STOCK,
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
            reading=Reading.STOCK,
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
            reading=Reading.STOCK,
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
                reading=Reading.FLOW,
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
            reading=Reading.FLOW,
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
            reading=Reading.FLOW,
            protected_at_source=True,
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
                reading=Reading.FLOW,
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
            reading=Reading.FLOW,
        )
    )
    register(
        Metric(
            "awareness.campaigns",
            _("Awareness campaigns running in the period"),
            "count",
            "awareness.view",
            counts_victims=False,
            compute=_campaigns(grant_based=False),
            reading=Reading.FLOW,
        )
    )
    register(
        Metric(
            "awareness.campaigns:grant_based",
            _("Grant-based awareness campaigns running in the period"),
            "count",
            "awareness.view",
            counts_victims=False,
            compute=_campaigns(grant_based=True),
            reading=Reading.FLOW,
        )
    )


_register_all()
