"""Every read of the screening app that users see, scoped by ``accounts.policy``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.accounts.roles import AgencyType
from opennrm.audit.services import record
from opennrm.core.errors import NotFoundError
from opennrm.screening import engine
from opennrm.screening.models import IndicatorCatalogue, Outcome, Screening


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
    month: dt.date
    agency_type: str
    indicators: int = 0
    insufficient: int = 0

    @property
    def total(self) -> int:
        return self.indicators + self.insufficient

    @property
    def agency_type_label(self) -> str:
        return str(AgencyType(self.agency_type).label)


@dataclass
class ScreeningStats:
    rows: list[StatsRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)

    @property
    def total_indicators(self) -> int:
        return sum(r.indicators for r in self.rows)

    @property
    def total_insufficient(self) -> int:
        return sum(r.insufficient for r in self.rows)

    def by_month(self) -> dict[dt.date, dict[str, int]]:
        months: dict[dt.date, dict[str, int]] = defaultdict(dict)
        for row in self.rows:
            months[row.month][row.agency_type] = row.total
        return dict(sorted(months.items()))


def screening_stats(*, actor: User, date_from: dt.date, date_to: dt.date) -> ScreeningStats:
    """Submitted screenings per month (of the screening date), agency type and outcome.

    Requires ``screening.stats``. Counts of screenings, not of persons: one person screened twice
    counts twice. No personal data is read.
    """
    policy.require(actor, "screening.stats")
    grouped = (
        Screening.objects.filter(
            status=Screening.Status.SUBMITTED,
            screened_on__gte=date_from,
            screened_on__lte=date_to,
        )
        .annotate(month=TruncMonth("screened_on"))
        .values("month", "agency__type", "outcome")
        .annotate(n=Count("pk"))
        .order_by("month", "agency__type")
    )
    rows: dict[tuple[dt.date, str], StatsRow] = {}
    for item in grouped:
        month = item["month"]
        if isinstance(month, dt.datetime):
            month = month.date()
        key = (month, item["agency__type"])
        row = rows.setdefault(key, StatsRow(month=month, agency_type=item["agency__type"]))
        if item["outcome"] == Outcome.INDICATORS_OF_TRAFFICKING:
            row.indicators += item["n"]
        else:
            row.insufficient += item["n"]
    return ScreeningStats(rows=[rows[k] for k in sorted(rows)])
