"""The statistician's "what needs me today" (home page): the reporting deadlines coming up, each
linked to the release of its period, and data-quality items (victims whose age, form of
exploitation or citizenship is not recorded), each linked to its table.

For whoever reports figures (``stats.official`` or ``export.ctdc``: the national co-ordinator,
the statistician, the coordinators). Figures about people go through disclosure control like
every release: the data-quality counts are the restricted profile's published "not recorded"
row of three standard tables for the current calendar year (cell-key method, no audit entry, no
personal data); one grouped release for the three, kept in the cache for ``CACHE_SECONDS`` (the
same records always give the same published figure, so a cached figure is at most that old).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.statistics.disclosure import Profile
from opennrm.statistics.selectors import statistics_release
from opennrm.statistics.tables import UNKNOWN, Period

CACHE_SECONDS = 900
# The platform's reporting calendar (adjust to the country's obligations): the quarterly release
# is due this many days after its quarter ends; the annual return of a calendar year (the tables
# of GRETA's questionnaire and of Eurostat's data collection on trafficking in human beings) is
# due on this day of the following year.
QUARTERLY_DUE_DAYS = 30
ANNUAL_DUE = (3, 31)
# Shown from this many days before a deadline.
LOOKAHEAD_DAYS = 45
QUALITY_TABLES: tuple[tuple[str, str | Promise], ...] = (
    ("presumed_by_age_group", _("Presumed victims whose age is not recorded")),
    ("presumed_by_form", _("Presumed victims whose form of exploitation is not recorded")),
    ("presumed_by_nationality", _("Presumed victims whose citizenship is not recorded")),
)


@dataclass(frozen=True)
class Deadline:
    label: str | Promise
    start: date
    end: date
    due: date
    url: str

    def days_left(self, today: date) -> int:
        return (self.due - today).days


@dataclass(frozen=True)
class QualityItem:
    label: str | Promise
    display: str  # the published figure ("<5" when small)
    url: str


def _release_url(start: date, end: date, anchor: str = "") -> str:
    query = urlencode({"date_from": start.isoformat(), "date_to": end.isoformat()})
    return f"{reverse('statistics:index')}?{query}" + (f"#{anchor}" if anchor else "")


def _quarter_of(day: date) -> tuple[date, date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = (
        date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    ) - timedelta(days=1)
    return start, end


def reporting_deadlines(today: date) -> list[Deadline]:
    """The quarterly releases and annual returns due from today to ``LOOKAHEAD_DAYS`` ahead
    (a quarter is due only once it has ended), soonest first."""
    found: list[Deadline] = []
    current_start, _current_end = _quarter_of(today)
    previous_start, previous_end = _quarter_of(current_start - timedelta(days=1))
    for start, end in ((previous_start, previous_end), _quarter_of(current_start)):
        due = end + timedelta(days=QUARTERLY_DUE_DAYS)
        if end < today <= due or (today <= due <= today + timedelta(days=LOOKAHEAD_DAYS)):
            label = _("Quarterly release, Q%(quarter)s %(year)s") % {
                "quarter": (start.month - 1) // 3 + 1,
                "year": start.year,
            }
            found.append(Deadline(label, start, end, due, _release_url(start, end)))
    for year in (today.year - 1, today.year):
        due = date(year + 1, *ANNUAL_DUE)
        if today <= due <= today + timedelta(days=LOOKAHEAD_DAYS + 90):
            label = _("Annual return %(year)s: GRETA and Eurostat tables") % {"year": year}
            start, end = date(year, 1, 1), date(year, 12, 31)
            found.append(Deadline(label, start, end, due, _release_url(start, end)))
    return sorted(found, key=lambda d: d.due)


def data_quality(*, actor: User, today: date) -> list[QualityItem]:
    """The published "not recorded" figures of the current year (restricted profile)."""
    start, end = date(today.year, 1, 1), date(today.year, 12, 31)
    key = f"statistics.dashboard.quality:{start.isoformat()}"
    figures: dict[str, str] | None = cache.get(key)
    if figures is None:
        tables = statistics_release(
            actor=actor,
            period=Period(start, end),
            profile=Profile.RESTRICTED,
            table_ids=[table_id for table_id, _label in QUALITY_TABLES],
        )
        figures = {}
        for table in tables:
            labels = table.built.table.row_labels
            if UNKNOWN in labels:
                cell = table.protected.row_totals[labels.index(UNKNOWN)]
                # Only a published count is an item: "<T" may be none at all.
                if cell.value:
                    figures[table.built.id] = cell.display
        cache.set(key, figures, CACHE_SECONDS)
    return [
        QualityItem(label, figures[table_id], _release_url(start, end, table_id))
        for table_id, label in QUALITY_TABLES
        if table_id in figures
    ]


def panel(user: Any, today: date | None = None) -> dict[str, Any] | None:
    if not isinstance(user, User) or not (
        policy.can(user, "stats.official") or policy.can(user, "export.ctdc")
    ):
        return None
    today = today or timezone.localdate()
    quality = data_quality(actor=user, today=today) if policy.can(user, "stats.restricted") else []
    return {
        "title": _("Statistics: what is due"),
        "template": "statistics/_panel.html",
        "deadlines": reporting_deadlines(today),
        "quality": quality,
        "today": today,
        "year": today.year,
    }
