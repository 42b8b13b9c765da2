"""Published figures kept, so that pages read them instead of counting a national register anew.

A release under ``restricted`` or ``public`` is a function of its table, its fixed period
(``periods``), its profile, the thresholds and the data. The first three are the key; the data
moves on, so a kept table is served for ``OPENNRM_FIGURES_MAX_AGE`` seconds after it was counted
(10 minutes by default) and counted again by the first read after that. ``manage.py
refresh_figures`` (a timer in deploy/systemd, every 5 minutes) counts the periods pages ask for
by default ahead of them — the current and the previous year, their quarters and months — so
that a person practically never waits for a count. Pages say when their figures were counted.

Why kept and not counted per request: with 1,000,000 cases a year's tables took about a second
of a database core counted from the rows (bench/README.md; the months kept by ``cube`` now make it
a tenth of that, more when a busy month has just changed), the monitoring dashboard reads two
dozen of them, and 50 people loading pages every few seconds would queue behind one another
(issue 20's benchmark: p95 2.9 s at 200,000 cases). Why not invalidated on every write instead: in a live register a case
changes every few seconds somewhere, so per-write invalidation would count nearly per request;
figures that are minutes old, and say so, are what statistical dashboards publish anyway.

What is kept: the *protected* table only (cells as released, their codes and the threshold), in
the ``figures`` cache (``CACHES``; a directory under ``OPENNRM_VAR_DIR`` shared by the web
processes and the worker). Exact counts and record keys are never written there: a kept table's
``built.table`` carries the labels with zero counts, and nothing outside the official profile
reads its counts. Official releases are exact and audited per read: never kept. A document
that states when it was generated (a progress report, ``monitoring.selectors.report_data``)
counts its figures now, inside ``afresh()``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

from opennrm.statistics.disclosure import Profile, ProtectedTable, Table, Thresholds
from opennrm.statistics.tables import BuiltTable, Period, TableSpec

CACHE = "figures"
VERSION = 1  # bump when the kept structure or the counting rules change


@dataclass(frozen=True)
class Kept:
    counted_at: datetime
    protected: ProtectedTable


_AFRESH: ContextVar[bool] = ContextVar("figures_afresh", default=False)


def max_age() -> int:
    return int(settings.OPENNRM_FIGURES_MAX_AGE)


def _fresh(counted_at: datetime, now: datetime) -> bool:
    return 0 <= (now - counted_at).total_seconds() < max_age()


def value[T](key: str, compute: Callable[[], T]) -> tuple[T, datetime]:
    """Any other figure kept the same way (``compute()`` run when the kept one is missing or
    older than ``max_age()``, or within ``afresh()``): the figure and when it was computed.
    ``key`` must name everything the figure depends on. Only for figures that may be shown to
    whoever may read ``key``'s source (the caller checks permission first)."""
    cache = caches[CACHE]
    now = timezone.now()
    if max_age() <= 0:
        return compute(), now
    full_key = f"value:{VERSION}:{key}"
    entry = None if _AFRESH.get() else cache.get(full_key)
    if isinstance(entry, tuple) and len(entry) == 2 and _fresh(entry[0], now):
        return entry[1], entry[0]
    figure = compute()
    cache.set(full_key, (now, figure), timeout=None)
    return figure, now


@contextmanager
def afresh() -> Iterator[None]:
    """Within this block every release is counted now (and kept for the pages after): what a
    document that states its generation time reads, such as a progress report."""
    token = _AFRESH.set(True)
    try:
        yield
    finally:
        _AFRESH.reset(token)


def _key(spec_id: str, period: Period, profile: Profile, thresholds: Thresholds) -> str:
    raw = f"{VERSION}|{spec_id}|{period.start}|{period.end}|{profile.value}|{thresholds!r}"
    return "release:" + hashlib.sha256(raw.encode()).hexdigest()


def _rebuilt(spec: TableSpec, period: Period, protected: ProtectedTable) -> BuiltTable:
    """The table as ``build_tables`` gives it, from the kept protected table: names in the
    language of the request, labels in their order, counts not kept (zeros)."""
    zeros = tuple(tuple(0 for _c in protected.column_labels) for _r in protected.row_labels)
    return BuiltTable(
        id=spec.id,
        title=spec.title,
        row_dimension=spec.row_dimension,
        column_dimension=spec.column_dimension,
        table=Table(protected.row_labels, protected.column_labels, zeros),
        row_names=spec.row_dimension.names(period, protected.row_labels),
        column_names=spec.column_dimension.names(period, protected.column_labels),
    )


def keep(
    period: Period,
    profile: Profile,
    thresholds: Thresholds,
    tables: Sequence[ProtectedTable],
    counted_at: datetime,
    ids: Sequence[str],
) -> None:
    """Keep ``tables`` (table ``ids[i]`` is ``tables[i]``), as released for ``period`` under
    ``profile``, counted at ``counted_at``."""
    assert profile is not Profile.OFFICIAL, "official releases are exact and never kept"
    caches[CACHE].set_many(
        {
            _key(table_id, period, profile, thresholds): Kept(counted_at, protected)
            for table_id, protected in zip(ids, tables, strict=True)
        },
        timeout=None,
    )


def release(
    specs: Sequence[TableSpec],
    period: Period,
    profile: Profile,
    thresholds: Thresholds,
    count: Callable[[Sequence[TableSpec]], list[tuple[BuiltTable, ProtectedTable]]],
    *,
    fresh: bool = False,
) -> tuple[list[tuple[BuiltTable, ProtectedTable]], datetime]:
    """``specs`` released for ``period`` under ``profile``: kept tables younger than
    ``max_age()``, the others counted by ``count`` (all together, one pass) and kept. ``fresh``
    counts them all. Returns the tables in the order of ``specs`` and when the oldest of them
    was counted."""
    assert profile is not Profile.OFFICIAL, "official releases are exact and never kept"
    cache = caches[CACHE]
    now = timezone.now()
    keys = {spec.id: _key(spec.id, period, profile, thresholds) for spec in specs}
    kept: dict[str, Kept] = {}
    if not (fresh or _AFRESH.get()):
        found = cache.get_many(list(keys.values()))
        for spec in specs:
            entry = found.get(keys[spec.id])
            if isinstance(entry, Kept) and _fresh(entry.counted_at, now):
                kept[spec.id] = entry
    missing = [spec for spec in specs if spec.id not in kept]
    counted: dict[str, tuple[BuiltTable, ProtectedTable]] = {}
    if missing:
        counted = {built.id: (built, protected) for built, protected in count(missing)}
        keep(period, profile, thresholds, [p for _b, p in counted.values()], now, list(counted))
    result = []
    oldest = now
    for spec in specs:
        if spec.id in counted:
            result.append(counted[spec.id])
        else:
            entry = kept[spec.id]
            oldest = min(oldest, entry.counted_at)
            result.append((_rebuilt(spec, period, entry.protected), entry.protected))
    return result, oldest
