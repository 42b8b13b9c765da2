"""Disclosure control for counts (DESIGN §4): one pure module, no Django import.

Every count the platform shows about people — the statistics tables, the logframe's live
indicators, screening statistics — is released through :func:`protect` (a table) or
:func:`protect_count` (one figure) under a release profile:

``official``
    Exact counts, nothing withheld (the national co-ordinator's GRETA / Eurostat reply); the
    selectors audit every official read.
``restricted`` and ``public``
    The **cell-key method** (Australian Bureau of Statistics TableBuilder; recommended by
    Eurostat for the 2021 census round; the UK ONS's Census 2021 outputs), on fixed reporting
    periods only (``periods.py``). ``public`` also rounds every published figure to the nearest
    multiple of ``rounding``.

Why not suppression alone
-------------------------
Cell suppression with complementary cells protects one table. A user who may choose the period
subtracts two releases (2024-01-01..06-30 from 2024-01-01..07-01: 55 − 54 = 1) and recovers what
each release hides; asking every interval of a week pins dozens of hidden counts. Suppression
that held across every sequence of queries would have to plan the pattern over all of them at
once. The cell-key method needs no such plan: the noise of a figure depends only on *which
records* it counts, so asking again gives the same figure, and two figures over different sets of
records carry different, independent noise — their difference is noise, not a count.

The method
----------
* Every counted record has a fixed random **record key** in ``0..KEY_RANGE-1`` (``keys.py``:
  a keyed hash of its id, computed in the database beside the count).
* A figure's **cell key** is the sum of the keys of the records it counts, modulo ``KEY_RANGE``:
  uniform, and the same whenever the same records are counted. Totals are figures of their own
  (their records' keys), so a published table need not add up: its margins are not sums of its
  published cells.
* The **perturbation table** (:func:`ptable`) gives, for a true count ``n``, the published values
  and how many of the ``KEY_RANGE`` cell keys lead to each. It is the design of the ONS's
  ``cell-key-perturbation`` package and sdcTools' ``ptable`` (a probability for each
  (count, published value) pair, read by the cell key), with these choices:

  - ``0`` is published as ``0`` (a figure about nobody);
  - ``1 .. T-1`` (``T`` the profile's threshold) is never published as itself: it becomes ``0``
    or ``T``, ``T`` with probability ``n / T``, so the expected value is still ``n``;
  - ``n ≥ T`` is published as ``n + k`` with ``|k| ≤ min(D, n - T)`` (``D`` the profile's
    spread), with triangular probabilities (``D + 1 - |k|``): unbiased, never below ``T``, and
    most often exact or off by one.

  A published ``0`` is shown as "<T": it stands for any count from 0 to ``T-1``.

The ptable is written here, not taken from the ONS package: that package cross-tabulates record
rows held in a pandas DataFrame, while these counts are made in the database (one GROUPING SETS
query per population, the key sums beside the counts), and its ptables are files to ship; the
ptable above is a few lines, and :func:`possible_counts` gives an attacker (and the tests) its
exact inverse.

What the method does not do alone
---------------------------------
Independent noise can be averaged away: a user who can ask for many *different* sets of records
that differ by the same few people (every interval of a week) collects many noisy copies of one
small count. So ``restricted`` and ``public`` releases are made only for **fixed reporting
periods** (a calendar month, quarter or year; ``periods.py``); a figure for any other period (a
logframe on a given day, a report's period) is built from the figures of the fixed periods it
covers (``selectors.released_figure``), so it carries no noise of its own to average.
Complementary suppression is no longer used anywhere: the cell-key noise on totals is what
keeps a small cell from being recomputed from its margins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

KEY_RANGE = 256


class Profile(StrEnum):
    OFFICIAL = "official"
    RESTRICTED = "restricted"
    PUBLIC = "public"


class Reason(StrEnum):
    SMALL = "small"  # published as 0: the true count is anything from 0 to threshold - 1


@dataclass(frozen=True)
class Thresholds:
    """Release settings (``OPENNRM_RESTRICTED_THRESHOLD``, ``OPENNRM_PUBLIC_THRESHOLD``,
    ``OPENNRM_PUBLIC_ROUNDING``); ``*_spread`` is the largest perturbation of a count at or
    above the threshold."""

    restricted: int = 5
    public: int = 10
    rounding: int = 5
    restricted_spread: int = 2
    public_spread: int = 3


@dataclass(frozen=True)
class Table:
    """A two-way table of counts and, for perturbed releases, the sum of the record keys of
    each cell (``keys``). Totals and their key sums are derived from the cells."""

    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    cells: tuple[tuple[int, ...], ...]
    keys: tuple[tuple[int, ...], ...] | None = None

    def __post_init__(self) -> None:
        if len(self.cells) != len(self.row_labels):
            raise ValueError("one row of cells per row label")
        for row in self.cells:
            if len(row) != len(self.column_labels):
                raise ValueError("one cell per column label in every row")
            if any(value < 0 for value in row):
                raise ValueError("counts cannot be negative")
        if self.keys is not None and [len(r) for r in self.keys] != [len(r) for r in self.cells]:
            raise ValueError("one key sum per cell")

    @classmethod
    def build(
        cls,
        row_labels: Sequence[str],
        column_labels: Sequence[str],
        cells: Sequence[Sequence[int]],
        keys: Sequence[Sequence[int]] | None = None,
    ) -> Table:
        return cls(
            tuple(row_labels),
            tuple(column_labels),
            tuple(tuple(r) for r in cells),
            None if keys is None else tuple(tuple(r) for r in keys),
        )

    @property
    def row_totals(self) -> tuple[int, ...]:
        return tuple(sum(row) for row in self.cells)

    @property
    def column_totals(self) -> tuple[int, ...]:
        return tuple(sum(row[j] for row in self.cells) for j in range(len(self.column_labels)))

    @property
    def grand_total(self) -> int:
        return sum(self.row_totals)

    def grid(self) -> list[list[int]]:
        """The ``(R+1) × (C+1)`` grid: cells, row totals last column, column totals last row."""
        return _grid(self.cells)

    def key_grid(self) -> list[list[int]]:
        """The record-key sums of :meth:`grid`'s figures (zeros when the table has none)."""
        if self.keys is None:
            return [[0] * (len(self.column_labels) + 1) for _ in range(len(self.row_labels) + 1)]
        return _grid(self.keys)


def _grid(cells: Sequence[Sequence[int]]) -> list[list[int]]:
    width = len(cells[0]) if cells else 0
    rows = [[*row, sum(row)] for row in cells]
    rows.append([sum(row[j] for row in cells) for j in range(width)] + [sum(map(sum, cells))])
    return rows


@dataclass(frozen=True)
class Cell:
    """One published figure: ``value`` is None when shown as "<T"; ``display`` is what users
    see."""

    value: int | None
    suppressed: bool
    reason: Reason | None
    display: str


@dataclass(frozen=True)
class ProtectedTable:
    profile: Profile
    threshold: int
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    cells: tuple[tuple[Cell, ...], ...]
    row_totals: tuple[Cell, ...]
    column_totals: tuple[Cell, ...]
    grand_total: Cell

    def grid(self) -> list[list[Cell]]:
        rows = [[*r, t] for r, t in zip(self.cells, self.row_totals, strict=True)]
        rows.append([*self.column_totals, self.grand_total])
        return rows

    @property
    def withheld(self) -> int:
        """How many figures are shown as "<T"."""
        return sum(cell.suppressed for row in self.grid() for cell in row)


def threshold_for(profile: Profile, thresholds: Thresholds) -> int:
    if profile is Profile.RESTRICTED:
        return thresholds.restricted
    if profile is Profile.PUBLIC:
        return thresholds.public
    return 0


def spread_for(profile: Profile, thresholds: Thresholds) -> int:
    if profile is Profile.RESTRICTED:
        return thresholds.restricted_spread
    if profile is Profile.PUBLIC:
        return thresholds.public_spread
    return 0


def rounding_for(profile: Profile, thresholds: Thresholds) -> int:
    return thresholds.rounding if profile is Profile.PUBLIC else 1


@lru_cache(maxsize=4096)
def ptable(count: int, threshold: int, spread: int) -> tuple[tuple[int, int], ...]:
    """The perturbation table's row for ``count``: ``(published value, cell keys)`` pairs in
    ascending order of value, the cell keys summing to ``KEY_RANGE`` (each pair's probability is
    its share of the keys)."""
    if count < 0:
        raise ValueError("counts cannot be negative")
    if count == 0 or threshold <= 1:
        return ((count, KEY_RANGE),)
    if count < threshold:
        # 0 or T, with expectation ``count``; both always possible.
        up = min(max(round(KEY_RANGE * count / threshold), 1), KEY_RANGE - 1)
        return ((0, KEY_RANGE - up), (threshold, up))
    reach = min(spread, count - threshold)
    offsets = range(-reach, reach + 1)
    weights = [reach + 1 - abs(k) for k in offsets]
    total = sum(weights)
    slots = [KEY_RANGE * w // total for w in weights]
    # The keys left by the integer division go to the exact value: symmetric, so unbiased.
    slots[reach] += KEY_RANGE - sum(slots)
    return tuple((count + k, s) for k, s in zip(offsets, slots, strict=True) if s)


def perturb(count: int, key_sum: int, threshold: int, spread: int) -> int:
    """The published value of a figure counting ``count`` records whose keys sum to
    ``key_sum``: a deterministic function of both, through :func:`ptable`."""
    cell_key = key_sum % KEY_RANGE
    seen = 0
    for value, slots in ptable(count, threshold, spread):
        seen += slots
        if cell_key < seen:
            return value
    raise AssertionError("a ptable row covers every cell key")


def round_to_base(value: int, base: int) -> int:
    """Nearest multiple of ``base``, halves rounded up (12 → 10, 13 → 15 for base 5)."""
    if base <= 1:
        return value
    return ((value + base // 2) // base) * base


def released_value(count: int, key_sum: int, profile: Profile, thresholds: Thresholds) -> int:
    """The value published for a true ``count`` with record keys summing to ``key_sum``."""
    if profile is Profile.OFFICIAL:
        return count
    value = perturb(
        count, key_sum, threshold_for(profile, thresholds), spread_for(profile, thresholds)
    )
    return round_to_base(value, rounding_for(profile, thresholds))


def possible_counts(
    published: int, profile: Profile, thresholds: Thresholds, upto: int
) -> list[int]:
    """Every true count up to ``upto`` that ``profile`` may publish as ``published``: what an
    attacker who knows the ptable (it is no secret) learns from one figure."""
    if profile is Profile.OFFICIAL:
        return [published] if published <= upto else []
    threshold, spread = threshold_for(profile, thresholds), spread_for(profile, thresholds)
    base = rounding_for(profile, thresholds)
    return [
        n
        for n in range(upto + 1)
        if any(round_to_base(v, base) == published for v, _ in ptable(n, threshold, spread))
    ]


def _cell(value: int, profile: Profile, threshold: int) -> Cell:
    if profile is not Profile.OFFICIAL and value == 0:
        return Cell(None, True, Reason.SMALL, f"<{threshold}")
    return Cell(value, False, None, str(value))


def protect_count(count: int, key_sum: int, profile: Profile, thresholds: Thresholds) -> Cell:
    """One figure released under ``profile``."""
    value = released_value(count, key_sum, profile, thresholds)
    return _cell(value, profile, threshold_for(profile, thresholds))


def protect(table: Table, profile: Profile, thresholds: Thresholds) -> ProtectedTable:
    """``table`` released under ``profile``: exact for ``official``; otherwise every cell and
    every total perturbed by its own records' keys (and rounded for ``public``)."""
    if profile is not Profile.OFFICIAL and table.keys is None:
        raise ValueError("a perturbed release needs the record-key sum of every cell")
    grid, keys = table.grid(), table.key_grid()
    published = [
        [protect_count(n, k, profile, thresholds) for n, k in zip(row, key_row, strict=True)]
        for row, key_row in zip(grid, keys, strict=True)
    ]
    return ProtectedTable(
        profile=profile,
        threshold=threshold_for(profile, thresholds),
        row_labels=table.row_labels,
        column_labels=table.column_labels,
        cells=tuple(tuple(row[:-1]) for row in published[:-1]),
        row_totals=tuple(row[-1] for row in published[:-1]),
        column_totals=tuple(published[-1][:-1]),
        grand_total=published[-1][-1],
    )
