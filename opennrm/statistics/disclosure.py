"""Disclosure control for tables of counts (DESIGN §4): one pure module, no Django import.

A :class:`Table` holds the counts of a two-way table; its row totals, column totals and grand
total are always the sums of its cells (every standard table is built additive, see
``tables.py``). :func:`protect` applies one release profile:

``official``
    Exact counts, nothing withheld (the national co-ordinator's GRETA / Eurostat reply).
``restricted``
    Primary suppression of every count from 1 to ``restricted - 1`` (cells *and* totals), then
    complementary suppression. **Zeros are published**: GRETA and Eurostat publish zeros, and a
    zero is about nobody. A published zero is a known value to an attacker, so the attack tests
    treat it as such, and complementary suppression never uses a zero cell (see below).
``public``
    Primary suppression from 1 to ``public - 1``, complementary suppression, then every published
    count (cells and totals alike) is rounded to the nearest multiple of ``rounding``. Totals are
    rounded from their exact values, not summed from rounded cells, so each published figure is at
    most ``rounding // 2`` from the truth; two overlapping releases differ by a rounded amount and
    cannot be subtracted to reveal one person.

Complementary suppression
-------------------------
Write the table with its margins as an ``(R+1) × (C+1)`` grid (the last row holds column totals,
the last column row totals, the corner the grand total). Negating the margin entries (and keeping
the corner positive) makes every row and every column of the grid sum to zero, so the published
equations are exactly "each grid row and column sums to zero". The suppressed entries are the
edges of a bipartite graph between grid rows and grid columns, and the solutions of the system
that keep the published values differ by *circulations* on that graph. Hence:

    a suppressed entry is pinned down by the published figures  ⇔  it is a bridge of that graph
    (it lies on no cycle).

So the algorithm repeats: find a suppressed entry that is a bridge; close a cycle through it by the
cheapest path between its two ends in the graph of suppressible entries; suppress that path. Path
cost is the count withheld (smallest cells first), already-suppressed entries cost nothing (so
rows and columns that already have suppressions are preferred), and margins cost more than inner
cells (``_MARGIN_WEIGHT``), the grand total most (``_GRAND_WEIGHT``), because users need totals
most. Adding entries never turns a cycle edge into a bridge, so every round removes at least one
bridge and the loop ends. A path always exists: with the grand total above zero, a non-zero cell,
its row total, its column total and the grand total form a cycle.

Zeros are never chosen as complementary cells. Every suppressed entry is therefore at least 1, and
moving one unit around any cycle (in either direction) yields another non-negative integer
solution: even an attacker who uses non-negativity and integrality cannot pin a suppressed count.

The greedy is not optimal (optimal cell suppression is NP-hard), but it is simple, its result is
checked (``_bridges`` must be empty) and it runs in microseconds on tables of this size.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Profile(StrEnum):
    OFFICIAL = "official"
    RESTRICTED = "restricted"
    PUBLIC = "public"


class Reason(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"


@dataclass(frozen=True)
class Thresholds:
    """Release thresholds (settings ``OPENNRM_RESTRICTED_THRESHOLD`` etc.)."""

    restricted: int = 5
    public: int = 10
    rounding: int = 5


_MARGIN_WEIGHT = 4
_GRAND_WEIGHT = 16
_SECONDARY_MARK = "x"


@dataclass(frozen=True)
class Table:
    """An additive two-way table of counts; totals are derived from the cells."""

    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    cells: tuple[tuple[int, ...], ...]

    def __post_init__(self) -> None:
        if len(self.cells) != len(self.row_labels):
            raise ValueError("one row of cells per row label")
        for row in self.cells:
            if len(row) != len(self.column_labels):
                raise ValueError("one cell per column label in every row")
            if any(value < 0 for value in row):
                raise ValueError("counts cannot be negative")

    @classmethod
    def build(
        cls, row_labels: Sequence[str], column_labels: Sequence[str], cells: Sequence[Sequence[int]]
    ) -> Table:
        return cls(tuple(row_labels), tuple(column_labels), tuple(tuple(r) for r in cells))

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
        rows = [[*row, total] for row, total in zip(self.cells, self.row_totals, strict=True)]
        rows.append([*self.column_totals, self.grand_total])
        return rows


@dataclass(frozen=True)
class Cell:
    """One published figure: ``value`` is None when suppressed; ``display`` is what users see."""

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
    primary: int = 0
    secondary: int = 0
    suppressed_positions: frozenset[tuple[int, int]] = field(default_factory=frozenset)

    def grid(self) -> list[list[Cell]]:
        rows = [[*r, t] for r, t in zip(self.cells, self.row_totals, strict=True)]
        rows.append([*self.column_totals, self.grand_total])
        return rows


def threshold_for(profile: Profile, thresholds: Thresholds) -> int:
    if profile is Profile.RESTRICTED:
        return thresholds.restricted
    if profile is Profile.PUBLIC:
        return thresholds.public
    return 0


def primary_positions(grid: Sequence[Sequence[int]], threshold: int) -> set[tuple[int, int]]:
    """Grid positions (cells and totals) with a count from 1 to ``threshold - 1``."""
    return {
        (i, j) for i, row in enumerate(grid) for j, value in enumerate(row) if 0 < value < threshold
    }


def _adjacency(
    positions: set[tuple[int, int]], n_rows: int
) -> dict[int, list[tuple[int, tuple[int, int]]]]:
    # Nodes 0..n_rows-1 are grid rows, n_rows.. are grid columns; each edge remembers its position.
    graph: dict[int, list[tuple[int, tuple[int, int]]]] = {}
    for i, j in positions:
        graph.setdefault(i, []).append((n_rows + j, (i, j)))
        graph.setdefault(n_rows + j, []).append((i, (i, j)))
    return graph


def _connected_without(
    graph: dict[int, list[tuple[int, tuple[int, int]]]],
    start: int,
    goal: int,
    skip: tuple[int, int],
) -> bool:
    seen = {start}
    stack = [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        for other, position in graph.get(node, []):
            if position != skip and other not in seen:
                seen.add(other)
                stack.append(other)
    return False


def bridges(positions: set[tuple[int, int]], n_rows: int) -> list[tuple[int, int]]:
    """Suppressed grid positions that lie on no cycle, i.e. that the margins pin down."""
    graph = _adjacency(positions, n_rows)
    return sorted(
        (i, j) for i, j in positions if not _connected_without(graph, i, n_rows + j, skip=(i, j))
    )


def _cost(grid: Sequence[Sequence[int]], i: int, j: int) -> int:
    last_row, last_col = len(grid) - 1, len(grid[0]) - 1
    value = grid[i][j]
    if i == last_row and j == last_col:
        return value * _GRAND_WEIGHT
    if i == last_row or j == last_col:
        return value * _MARGIN_WEIGHT
    return value


def _cheapest_cycle(
    grid: Sequence[Sequence[int]], suppressed: set[tuple[int, int]], edge: tuple[int, int]
) -> list[tuple[int, int]]:
    """Positions to add so that ``edge`` lies on a cycle (Dijkstra between its two ends)."""
    n_rows, n_cols = len(grid), len(grid[0])
    start, goal = edge[0], n_rows + edge[1]
    best: dict[int, int] = {start: 0}
    back: dict[int, tuple[int, tuple[int, int]]] = {}
    queue: list[tuple[int, int]] = [(0, start)]
    while queue:
        cost, node = heapq.heappop(queue)
        if node == goal:
            break
        if cost > best.get(node, cost):
            continue
        if node < n_rows:
            steps = [(n_rows + j, (node, j)) for j in range(n_cols)]
        else:
            steps = [(i, (i, node - n_rows)) for i in range(n_rows)]
        for other, position in steps:
            if position == edge:
                continue
            if position in suppressed:
                step = 0
            elif grid[position[0]][position[1]] > 0:
                step = _cost(grid, *position)
            else:
                continue
            if cost + step < best.get(other, cost + step + 1):
                best[other] = cost + step
                back[other] = (node, position)
                heapq.heappush(queue, (cost + step, other))
    if goal not in back:
        raise AssertionError("no cycle closes a suppressed entry; the grand total must be zero")
    path: list[tuple[int, int]] = []
    node = goal
    while node != start:
        node, position = back[node]
        if position not in suppressed:
            path.append(position)
    return path


def suppression_pattern(
    grid: Sequence[Sequence[int]],
    threshold: int,
    force: frozenset[tuple[int, int]] = frozenset(),
) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """Primary and complementary grid positions for ``threshold`` (both empty when it is 0).

    ``force`` adds positions that must be withheld because another table of the same release
    withholds the same figure (a shared margin); zeros in it are ignored.
    """
    primary = primary_positions(grid, threshold)
    suppressed = primary | {(i, j) for i, j in force if grid[i][j] > 0}
    n_rows = len(grid)
    while True:
        open_edges = bridges(suppressed, n_rows)
        if not open_edges:
            break
        suppressed.update(_cheapest_cycle(grid, suppressed, open_edges[0]))
    return primary, suppressed - primary


def round_to_base(value: int, base: int) -> int:
    """Nearest multiple of ``base``, halves rounded up (12 → 10, 13 → 15 for base 5)."""
    if base <= 1:
        return value
    return ((value + base // 2) // base) * base


def protect(
    table: Table,
    profile: Profile,
    thresholds: Thresholds,
    *,
    force: frozenset[tuple[int, int]] = frozenset(),
) -> ProtectedTable:
    """Apply ``profile`` to ``table``: suppress, complement, and round for ``public``."""
    threshold = threshold_for(profile, thresholds)
    grid = table.grid()
    if threshold == 0:
        force = frozenset()
    primary, secondary = suppression_pattern(grid, threshold, force)
    rounding = thresholds.rounding if profile is Profile.PUBLIC else 1

    def cell(i: int, j: int) -> Cell:
        if (i, j) in primary:
            return Cell(None, True, Reason.PRIMARY, f"<{threshold}")
        if (i, j) in secondary:
            return Cell(None, True, Reason.SECONDARY, _SECONDARY_MARK)
        value = round_to_base(grid[i][j], rounding)
        return Cell(value, False, None, str(value))

    published = [[cell(i, j) for j in range(len(grid[0]))] for i in range(len(grid))]
    return ProtectedTable(
        profile=profile,
        threshold=threshold,
        row_labels=table.row_labels,
        column_labels=table.column_labels,
        cells=tuple(tuple(row[:-1]) for row in published[:-1]),
        row_totals=tuple(row[-1] for row in published[:-1]),
        column_totals=tuple(published[-1][:-1]),
        grand_total=published[-1][-1],
        primary=len(primary),
        secondary=len(secondary),
        suppressed_positions=frozenset(primary | secondary),
    )


def protect_linked(
    tables: Sequence[Table], profile: Profile, thresholds: Thresholds
) -> list[ProtectedTable]:
    """Protect tables that share their column margins and grand total (same population, same
    column dimension): a margin withheld in one is withheld in all, repeated until no table
    adds one, so no table publishes a figure that another hides."""
    shared: set[int] = set()
    while True:
        protected = []
        for table in tables:
            last = len(table.row_labels)
            force = frozenset((last, j) for j in shared)
            protected.append(protect(table, profile, thresholds, force=force))
        hidden = {
            j
            for result, table in zip(protected, tables, strict=True)
            for i, j in result.suppressed_positions
            if i == len(table.row_labels)
        }
        if hidden <= shared:
            return protected
        shared |= hidden
