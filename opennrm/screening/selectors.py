"""Every read of the screening app that users see, scoped by ``accounts.policy``."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.accounts.roles import AgencyType
from opennrm.audit.services import record
from opennrm.core.errors import NotFoundError
from opennrm.screening import engine
from opennrm.screening.models import IndicatorCatalogue, Outcome, Screening
from opennrm.statistics.disclosure import Cell


def current_catalogue(list_name: str) -> IndicatorCatalogue:
    """The newest version of a list. Reference data, not personal: no permission needed."""
    catalogue = IndicatorCatalogue.objects.filter(list_name=list_name).order_by("-version").first()
    if catalogue is None:
        raise NotFoundError(_("No catalogue is loaded for this list."))
    return catalogue


def current_catalogues() -> list[IndicatorCatalogue]:
    """The newest version of each list that has one, in list order. Reference data."""
    found = []
    for list_name in ("adult_labour", "adult_sexual", "child_labour", "child_sexual"):
        catalogue = IndicatorCatalogue.objects.filter(list_name=list_name).order_by("-version")
        first = catalogue.prefetch_related("indicators").first()
        if first is not None:
            found.append(first)
    return found


def engine_catalogue(catalogue: IndicatorCatalogue) -> engine.Catalogue:
    """The engine's view of a stored catalogue version (codes, dimensions, strengths, rules)."""
    return engine.Catalogue(
        list_name=catalogue.list_name,
        indicators=tuple(
            engine.IndicatorSpec(i.code, i.dimension, i.strength)
            for i in catalogue.indicators.all()
        ),
        rules=engine.rules_from_data(catalogue.rules),
        verified=catalogue.verified,
    )


def screening_list(*, actor: User, status: str | None = None) -> QuerySet[Screening]:
    """Screenings ``actor`` may see under ``screening.view`` (own and own agency's for screeners,
    all for case managers; nothing for anyone else), newest first."""
    queryset = policy.scope(
        actor, Screening.objects.select_related("agency", "screener"), "screening.view"
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-pk")


def screening_get(*, actor: User, pk: int) -> Screening:
    """One screening within ``actor``'s ``screening.view`` scope; NotFoundError otherwise, so that
    a screening outside the scope is indistinguishable from one that does not exist."""
    screening = (
        screening_list(actor=actor)
        .select_related("labour_catalogue", "sexual_catalogue")
        .filter(pk=pk)
        .first()
    )
    if screening is None:
        raise NotFoundError(_("This screening does not exist or is not yours to see."))
    return screening


def screening_for_referral(*, actor: User, pk: int) -> Screening:
    """The screening a referral starts from, for the cases app: same scope as ``screening_get``
    (the screener, their agency, case managers); NotFoundError otherwise."""
    return screening_get(actor=actor, pk=pk)


def screening_answers(screening: Screening) -> dict[str, str]:
    """code → answer for a screening already obtained through ``screening_get``."""
    return dict(screening.answers.values_list("indicator__code", "value"))


def screening_personal_data(*, actor: User, screening: Screening, purpose: str) -> dict[str, str]:
    """The encrypted free text of a screening, for a screening already in ``actor``'s scope.

    Every read is audited with its purpose (``screening.view_pii``), as data-protection law asks
    for reads of personal data.
    """
    policy.require(actor, "screening.view", screening)
    record(actor=actor, verb="screening.view_pii", target=screening, purpose=purpose)
    return {"observations": screening.observations, "age_reasons": screening.age_reasons}


def screening_drafts(*, actor: User) -> QuerySet[Screening]:
    """``actor``'s own drafts (for the home panel)."""
    return screening_list(actor=actor, status=Screening.Status.DRAFT).filter(screener=actor)


@dataclass
class StatsRow:
    """One month and agency type: each figure released under the restricted profile (a
    :class:`~opennrm.statistics.disclosure.Cell`; ``display`` is what users see)."""

    month: dt.date
    agency_type: str
    indicators: Cell
    insufficient: Cell
    total: Cell

    @property
    def agency_type_label(self) -> str:
        return str(AgencyType(self.agency_type).label)


@dataclass
class ScreeningStats:
    start: dt.date
    end: dt.date
    rows: list[StatsRow] = field(default_factory=list)

    def _sum(self, figure: str) -> Cell:
        from opennrm.statistics.selectors import sum_of_released

        return sum_of_released([getattr(row, figure) for row in self.rows])

    @property
    def total(self) -> Cell:
        return self._sum("total")

    @property
    def total_indicators(self) -> Cell:
        return self._sum("indicators")

    @property
    def total_insufficient(self) -> Cell:
        return self._sum("insufficient")

    def by_month(self) -> dict[dt.date, dict[str, int | None]]:
        months: dict[dt.date, dict[str, int | None]] = defaultdict(dict)
        for row in self.rows:
            months[row.month][row.agency_type] = row.total.value
        return dict(sorted(months.items()))


def _whole_months(date_from: dt.date, date_to: dt.date) -> tuple[dt.date, dt.date]:
    last = calendar.monthrange(date_to.year, date_to.month)[1]
    return date_from.replace(day=1), date_to.replace(day=last)


def screening_stats(*, actor: User, date_from: dt.date, date_to: dt.date) -> ScreeningStats:
    """Submitted screenings per month (of the screening date), agency type and outcome, for the
    whole months from ``date_from``'s to ``date_to``'s.

    Requires ``screening.stats``. Counts of screenings, not of persons: one person screened twice
    counts twice. No personal data is read. Screenings are of people who may be victims, so
    every figure is released by the statistics disclosure module under the restricted profile:
    each month's figures are those of a fixed reporting period (whatever the dates asked, a
    month is always counted whole, so its figures never change with the dates asked), perturbed
    by the cell-key method; the totals are sums of the published figures.
    """
    from opennrm.statistics.disclosure import Profile, protect_count
    from opennrm.statistics.keys import RecordKey
    from opennrm.statistics.selectors import thresholds

    policy.require(actor, "screening.stats")
    start, end = _whole_months(date_from, date_to)
    grouped = (
        Screening.objects.filter(
            status=Screening.Status.SUBMITTED,
            screened_on__gte=start,
            screened_on__lte=end,
        )
        .annotate(month=TruncMonth("screened_on"))
        .values("month", "agency__type", "outcome")
        .annotate(n=Count("pk"), k=Sum(RecordKey(F("pk"))))
        .order_by("month", "agency__type")
    )
    counts: dict[tuple[dt.date, str], dict[str, tuple[int, int]]] = {}
    for item in grouped:
        month = item["month"]
        if isinstance(month, dt.datetime):
            month = month.date()
        figures = counts.setdefault((month, item["agency__type"]), {})
        part = "indicators" if item["outcome"] == Outcome.INDICATORS_OF_TRAFFICKING else "other"
        n, k = figures.get(part, (0, 0))
        figures[part] = (n + item["n"], k + int(item["k"] or 0))
    settings_ = thresholds()

    def released(n_k: tuple[int, int]) -> Cell:
        return protect_count(n_k[0], n_k[1], Profile.RESTRICTED, settings_)

    rows = []
    for (month, agency_type), figures in sorted(counts.items()):
        yes, other = figures.get("indicators", (0, 0)), figures.get("other", (0, 0))
        rows.append(
            StatsRow(
                month=month,
                agency_type=agency_type,
                indicators=released(yes),
                insufficient=released(other),
                # The month's total is a figure of its own, perturbed by all its records' keys.
                total=released((yes[0] + other[0], yes[1] + other[1])),
            )
        )
    return ScreeningStats(start=start, end=end, rows=rows)


def screening_count_released(
    *, actor: User, agency_type: str, start: dt.date, end: dt.date
) -> Cell:
    """Submitted screenings by agencies of ``agency_type`` in any period, released by the
    statistics disclosure module (restricted profile; built from the fixed reporting periods
    the period covers, see ``statistics.selectors.released_count``). Requires
    ``screening.stats``."""
    from opennrm.statistics.keys import RecordKey
    from opennrm.statistics.selectors import released_count

    policy.require(actor, "screening.stats")

    def count(first: dt.date, last: dt.date) -> tuple[int, int]:
        figures = Screening.objects.filter(
            status=Screening.Status.SUBMITTED,
            agency__type=agency_type,
            screened_on__gte=first,
            screened_on__lte=last,
        ).aggregate(n=Count("pk"), k=Sum(RecordKey(F("pk"))))
        return figures["n"], int(figures["k"] or 0)

    return released_count(count=count, start=start, end=end)
