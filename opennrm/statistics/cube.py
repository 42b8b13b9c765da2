"""Counts kept per calendar month, so that a release of many years reads them instead of counting
every row of the period (PostgreSQL).

At a million cases a ten-year release counted from the rows scans 900,000 rows per population,
joined to persons and referrals: 8–12 s, of which the best hand-written SQL alone takes 7–10 s
(bench/README.md). Statistical offices keep such counts per smallest period they publish and add
the periods up; here that is the calendar month:

* ``MonthCount`` holds, for each month and each population counted into tables by date
  (``tables.CUBED``: presumed victims, identified victims, victims granted a reflection period
  or a residence permit, victims assisted, referrals), every breakdown × column cell: its count
  and the sum of its records' keys (the cell-key method of ``disclosure``, whose sums add up
  like the counts). They are counted by the very query a release runs on the rows
  (``tables.population_counts``, grouped by month as well), so the two cannot count
  differently.
* A **release** adds up the months wholly inside its period that are current, and counts from the
  rows only the days outside them (before its first whole month and after its last) and any
  month that is not current. A fixed period (a month, a quarter, a year) is whole months.
* A month is **current** when it was counted by today's rules (``CountedMonth.signature``: a hash
  of the counting queries, so a change to a breakdown, to the seed of the record keys or to the
  country of the NRM makes every month old) and no committed change has touched it since.
  Changes are found by the database itself: triggers on the cases, persons, referrals, agencies,
  identification decisions, permits and service requests (migration 0004) write each month
  whose counts a statement may move into ``StaleMonth``, also for bulk loads, raw SQL and
  erasure, which no Django signal sees. A release on the primary first counts again the months
  of its period that are not current (under an advisory lock, one at a time), so the next one
  reads them; on a read replica it counts them from the rows and writes nothing. ``manage.py
  refresh_figures`` (every 5 minutes, deploy/systemd) keeps every month current ahead of the
  releases.
* **Counted once per period.** A victim identified twice in a period is one identified victim,
  and a victim sheltered twice is one victim sheltered: ``count(DISTINCT case)`` is not a sum
  over months. The triggers therefore also keep how many rows each case has in each
  distinct-counted population (``RecordTimes``, per type of permit or service); the months keep
  only the cases with one, and those with more (few) are counted from the rows of the whole
  period, distinct, and added. Each case is in exactly one of the parts, so the sum is the
  figure the rows give.

Why triggers rather than counting changes in the services: counts that are wrong are worse than
slow ones, and a trigger cannot be bypassed by a writer that forgets. Why the month and not the
day: a month holds a few hundred cells per population, so ten years are tens of thousands of
rows to add (milliseconds); days would be thirty times as many. Why not a materialised view:
refreshing one counts everything again. The cost is on the writes: each statement that changes
such rows writes the months it touched (a few rows; measured in bench/README.md).

The tests compare every cell of every kept population, counts and key sums, with the counting
from the rows, after changes made through the services, the ORM and raw SQL, on the primary and
as a replica reads (tests/statistics/test_cube.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta

from django.db import connection, router, transaction
from django.db.models import Sum
from django.utils import timezone

from opennrm.statistics.disclosure import KEY_RANGE
from opennrm.statistics.models import CountedMonth, MonthCount, StaleMonth
from opennrm.statistics.tables import (
    _BREAKDOWNS,
    CUBED,
    KeyedCounts,
    Period,
    Span,
    counting_planner,
    population_counts,
    population_query,
)

# Bump when the kept rows change meaning in a way the counting queries' text does not show.
VERSION = 1
# Every breakdown each population keeps (a release sums those it asks for).
KEPT: dict[str, tuple[str, ...]] = {
    "presumed": tuple(key for key, _suffix, _dim in _BREAKDOWNS),
    "identified": tuple(key for key, _suffix, _dim in _BREAKDOWNS),
    "reflection": ("age_group",),
    "permits": ("row",),
    "assistance": ("row",),
    "referrals": ("row",),
}
# pg_advisory_xact_lock key: one refresh at a time ("opnrmcub").
_LOCK = 0x6F706E726D637562


def month_end(month: date) -> date:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _next_month(month: date) -> date:
    return month_end(month) + timedelta(days=1)


def split(period: Period) -> tuple[list[date], list[Span]]:
    """The calendar months wholly inside ``period`` (their first days) and the spans of its
    other days (none, one or two)."""
    first = period.start if period.start.day == 1 else _next_month(period.start)
    months: list[date] = []
    month = first
    while month_end(month) <= period.end:
        months.append(month)
        month = _next_month(month)
    if not months:
        return [], [(period.start, period.end)]
    edges: list[Span] = []
    if period.start < months[0]:
        edges.append((period.start, months[0] - timedelta(days=1)))
    if month_end(months[-1]) < period.end:
        edges.append((_next_month(months[-1]), period.end))
    return months, edges


def merge(spans: Iterable[Span]) -> list[Span]:
    """``spans`` sorted, with adjacent or overlapping ones joined (fewer ranges to scan)."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def signature() -> str:
    """A hash of the queries that count a month (their SQL and parameters: the breakdowns'
    expressions, the seed of the record keys, the NRM's country): months counted otherwise are
    not current."""
    digest = hashlib.sha256(f"v{VERSION}".encode())
    sample = [(date(2000, 1, 1), date(2000, 1, 31))]
    for name, keys in KEPT.items():
        query = population_query(CUBED[name], keys, sample, by_month=True, repeats=False)
        digest.update(f"{name}|{query}".encode())
    return digest.hexdigest()


def _current(months: Sequence[date], sig: str, using: str) -> set[date]:
    if not months:
        return set()
    stale = StaleMonth.objects.using(using).filter(month__in=months).values("month")
    return set(
        CountedMonth.objects.using(using)
        .filter(month__in=months, signature=sig)
        .exclude(month__in=stale)
        .values_list("month", flat=True)
    )


def refresh(months: Iterable[date]) -> int:
    """Count again those of ``months`` (first days) that are not current; on the primary.
    Returns how many were counted."""
    wanted = sorted(set(months))
    if not wanted:
        return 0
    sig = signature()
    if len(_current(wanted, sig, "default")) == len(wanted):
        return 0
    with transaction.atomic(using="default"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
        # Looked at again under the lock: another refresh may have counted them meanwhile.
        todo = sorted(set(wanted) - _current(wanted, sig, "default"))
        if not todo:
            return 0
        # First the marks, then the counting: a change committed before this statement is
        # seen by the counting (a later statement); one committed after it leaves its mark.
        StaleMonth.objects.filter(month__in=todo).delete()
        spans = merge((month, month_end(month)) for month in todo)
        rows: list[MonthCount] = []
        for name, keys in KEPT.items():
            with counting_planner():
                counted = population_counts(CUBED[name], keys, spans, by_month=True, repeats=False)
            for month, by_key in counted.items():
                assert month is not None
                for key, cells in by_key.items():
                    rows += [
                        MonthCount(
                            population=name,
                            month=month,
                            breakdown=key,
                            row=row,
                            sex=sex,
                            n=n,
                            key_sum=key_sum,
                        )
                        for (row, sex), (n, key_sum) in cells.items()
                    ]
        MonthCount.objects.filter(month__in=todo).delete()
        MonthCount.objects.bulk_create(rows, batch_size=5000)
        CountedMonth.objects.filter(month__in=todo).delete()
        now = timezone.now()
        CountedMonth.objects.bulk_create(
            CountedMonth(month=month, signature=sig, counted_at=now) for month in todo
        )
        return len(todo)


def _day(value: date | datetime) -> date:
    """A row's date: an instant's day in the current time zone."""
    return timezone.localdate(value) if isinstance(value, datetime) else value


def refresh_all() -> int:
    """Count again every month that is not current, from the first month with a row of a kept
    population to the last, and every month a change has touched: what ``refresh_figures``
    runs ahead of the releases."""
    days: list[date] = []
    for pop in CUBED.values():
        dated = pop.base().exclude(**{f"{pop.date_field}__isnull": True}).order_by()
        for order in (pop.date_field, f"-{pop.date_field}"):
            found = dated.order_by(order).values_list(pop.date_field, flat=True).first()
            if found is not None:
                days.append(_day(found))
    months = set(StaleMonth.objects.values_list("month", flat=True))
    if days:
        month = min(days).replace(day=1)
        while month <= max(days):
            months.add(month)
            month = _next_month(month)
    return refresh(months)


def _add(total: KeyedCounts, more: Mapping[str, Mapping[tuple[str, str], tuple[int, int]]]) -> None:
    for key, cells in more.items():
        into = total.setdefault(key, {})
        for cell, (n, key_sum) in cells.items():
            had_n, had_sum = into.get(cell, (0, 0))
            into[cell] = (had_n + n, (had_sum + key_sum) % KEY_RANGE)


def counts(wanted: Mapping[str, Sequence[str]], period: Period) -> dict[str, KeyedCounts]:
    """For each population in ``wanted`` (``tables.CUBED``'s names), its counts and key sums by
    each of its breakdowns × sex in ``period``: the figures ``tables.population_counts`` gives
    from the rows of the whole period, from the kept months and the rows of the other days."""
    months, edges = split(period)
    using = router.db_for_read(MonthCount) or "default"
    if months and using == "default":
        refresh(months)
    sig = signature()
    for _attempt in range(2):
        current = _current(months, sig, using)
        found = _counts(wanted, period, current, edges, months, using)
        # The parts are separate statements: a change committed in between that touched a kept
        # month (say a second decision for a victim counted in it, who now also counts among
        # those identified more than once) would be counted twice. Such a change marks the
        # month: if every kept month used is still current, the parts agree.
        if current <= _current(sorted(current), sig, using):
            return found
    # Changes keep touching the months: count the whole period from the rows.
    return _counts(wanted, period, set(), edges, months, using)


def _counts(
    wanted: Mapping[str, Sequence[str]],
    period: Period,
    current: set[date],
    edges: Sequence[Span],
    months: Sequence[date],
    using: str,
) -> dict[str, KeyedCounts]:
    live = merge([*edges, *((m, month_end(m)) for m in months if m not in current)])
    result: dict[str, KeyedCounts] = {}
    for name, keys in wanted.items():
        pop = CUBED[name]
        total: KeyedCounts = {key: {} for key in keys}
        if current:
            kept = (
                MonthCount.objects.using(using)
                .filter(population=name, month__in=current, breakdown__in=keys)
                .values("breakdown", "row", "sex")
                .annotate(total=Sum("n"), key_total=Sum("key_sum"))
                .values_list("breakdown", "row", "sex", "total", "key_total")
                .order_by()
            )
            for key, row, sex, n, key_sum in kept:
                _add(total, {key: {(row, sex): (int(n), int(key_sum) % KEY_RANGE)}})
        distinct = pop.counted != "pk"
        if live:
            for part in population_counts(
                pop, keys, live, repeats=False if distinct else None
            ).values():
                _add(total, part)
        if distinct:
            # The victims counted more than once in the data: from the rows of the whole period.
            whole = [(period.start, period.end)]
            for part in population_counts(pop, keys, whole, repeats=True).values():
                _add(total, part)
        result[name] = total
    return result
