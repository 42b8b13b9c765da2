"""Fixed reporting periods: the only periods released under the ``restricted`` and ``public``
profiles (``disclosure``: why the cell-key method needs them), and how any other period is
answered from them.

A fixed period is a calendar month, a calendar quarter or a calendar year. Any other period —
a logframe read on a given day, a progress report's six months — is cut into the whole months
it covers, and those into the largest fixed periods that fit (years, then quarters, then
months): its figure is the sum of theirs, so it adds no figure over a new set of records, and so
no new noise an attacker could average. A month not yet complete on the period's last day is
left out (the figure runs to the end of the last complete month), as is a month begun before the
period's first day.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Span:
    start: date
    end: date


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def is_fixed(start: date, end: date) -> bool:
    """Whether ``start..end`` is one calendar month, quarter or year."""
    if start.day != 1 or start.year != end.year:
        return False
    if end == _month_end(start.year, start.month):
        return True
    if start.month in (1, 4, 7, 10) and end == _month_end(start.year, start.month + 2):
        return True
    return start.month == 1 and end == date(start.year, 12, 31)


def _months(start: date, end: date) -> list[tuple[int, int]]:
    """The calendar months wholly inside ``start..end``."""
    year, month = start.year, start.month
    if start.day != 1:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    months = []
    while _month_end(year, month) <= end:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def fixed_cover(start: date, end: date) -> list[Span]:
    """The fixed periods whose union is the whole months of ``start..end``, largest first
    within each year (a whole year, then whole quarters, then months), in date order."""
    months = _months(start, end)
    spans: list[Span] = []
    i = 0
    while i < len(months):
        year, month = months[i]
        if month == 1 and i + 11 < len(months) and months[i + 11] == (year, 12):
            spans.append(Span(date(year, 1, 1), date(year, 12, 31)))
            i += 12
        elif month in (1, 4, 7, 10) and i + 2 < len(months) and months[i + 2] == (year, month + 2):
            spans.append(Span(date(year, month, 1), _month_end(year, month + 2)))
            i += 3
        else:
            spans.append(Span(date(year, month, 1), _month_end(year, month)))
            i += 1
    return spans


def last_complete_month_end(on: date) -> date:
    """The last day of the last calendar month complete on ``on``."""
    if on == _month_end(on.year, on.month):
        return on
    return on.replace(day=1) - timedelta(days=1)
