"""The attacker of issue 14: integer programming over the true counts behind every figure
obtained, across any number of releases (scipy's ``milp``).

The attacker knows the method (it is documented): for each published figure the set of true
counts it may stand for (``disclosure.possible_counts``; exact for ``official``, and for code
without a perturbation table, whose figures were exact whenever shown). A figure shown as
withheld ("<N" or "x") stands for 0 .. N-1, resp. any count.

Unknowns: the true count of each *atom* × cell, where the atoms are the pieces of time cut by the
boundaries of every period obtained (days when the attacker asks for days). Each published
figure — a cell, a row or column total, the grand total, of one period — is the sum of its atoms'
cells; it must lie in its set of possible counts. A true count is *pinned* when minimising and
maximising it over all integer solutions give the same value; the attacker wins when a pinned
count is from 1 to the threshold less one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from opennrm.statistics import disclosure

CAP = 10_000  # no cell counts more people than this in the tests


@dataclass(frozen=True)
class Figure:
    """One published figure: the period, the cells it adds up (row, column) and what the
    attacker may conclude about its true count (an inclusive range)."""

    start: date
    end: date
    cells: tuple[tuple[str, str], ...]
    low: int
    high: int


def possible(value: int | None, suppressed: bool, profile: str) -> tuple[int, int]:
    """The range of true counts a published figure may stand for."""
    perturbed = hasattr(disclosure, "possible_counts") and profile != "official"
    if not perturbed:
        # Exact when shown; withheld figures ("<N" or "x") were never zeros.
        return (value, value) if value is not None else (1, CAP)
    published = 0 if value is None else value
    counts = disclosure.possible_counts(
        published, disclosure.Profile(profile), _thresholds(), upto=published + 50
    )
    assert counts == list(range(counts[0], counts[-1] + 1)), "a contiguous range"
    return counts[0], counts[-1]


def _thresholds() -> disclosure.Thresholds:
    from opennrm.statistics.selectors import thresholds

    return thresholds()


def figures_of_table(body: dict, start: date, end: date, profile: str) -> list[Figure]:
    """Every figure of one API table answer."""
    columns = sorted({c["column"] for c in body["cells"]})
    rows = sorted({c["row"] for c in body["cells"]})
    out = []
    for c in body["cells"]:
        out.append(
            Figure(
                start,
                end,
                ((c["row"], c["column"]),),
                *possible(c["value"], c["suppressed"], profile),
            )
        )
    for t in body["row_totals"]:
        cells = tuple((t["row"], col) for col in columns)
        out.append(Figure(start, end, cells, *possible(t["value"], t["suppressed"], profile)))
    for t in body["column_totals"]:
        cells = tuple((row, t["column"]) for row in rows)
        out.append(Figure(start, end, cells, *possible(t["value"], t["suppressed"], profile)))
    grand = body["grand_total"]
    cells = tuple((row, col) for row in rows for col in columns)
    out.append(Figure(start, end, cells, *possible(grand["value"], grand["suppressed"], profile)))
    return out


@dataclass
class Attack:
    figures: list[Figure]
    extra_cuts: Sequence[date] = ()  # cut atoms here too (e.g. every day of a window)
    atoms: list[tuple[date, date]] = field(default_factory=list)

    def __post_init__(self) -> None:
        cuts = {f.start for f in self.figures} | {f.end + timedelta(days=1) for f in self.figures}
        cuts |= set(self.extra_cuts)
        points = sorted(cuts)
        self.atoms = [(a, b - timedelta(days=1)) for a, b in pairwise(points)]
        self.cells = sorted({cell for f in self.figures for cell in f.cells})
        self.index = {
            (a, cell): k
            for k, (a, cell) in enumerate(
                (a, c) for a in range(len(self.atoms)) for c in self.cells
            )
        }
        rows, lows, highs = [], [], []
        for f in self.figures:
            rows.append(self.vector(f.start, f.end, f.cells))
            lows.append(f.low)
            highs.append(f.high)
        self.constraint = LinearConstraint(np.array(rows), np.array(lows), np.array(highs))

    def vector(self, start: date, end: date, cells: Iterable[tuple[str, str]]) -> np.ndarray:
        v = np.zeros(len(self.index))
        for a, (first, last) in enumerate(self.atoms):
            if start <= first and last <= end:
                for cell in cells:
                    v[self.index[(a, cell)]] = 1
        return v

    def _solve(self, c: np.ndarray) -> float:
        result = milp(
            c,
            constraints=[self.constraint],
            integrality=np.ones(len(c)),
            bounds=Bounds(0, CAP),
        )
        assert result.status == 0, result.message  # the true counts are always a solution
        return float(result.fun)

    def range_of(self, start: date, end: date, cells: Iterable[tuple[str, str]]) -> tuple[int, int]:
        v = self.vector(start, end, cells)
        return round(self._solve(v)), round(-self._solve(-v))

    def truth(self, counts: Callable[[date, date], dict[tuple[str, str], int]]) -> np.ndarray:
        """The true counts of every atom × cell (``counts(first, last)`` by cell), checked to
        satisfy every published figure: the attacker's model of the method is right."""
        x = np.zeros(len(self.index))
        for a, (first, last) in enumerate(self.atoms):
            for cell, n in counts(first, last).items():
                if (a, cell) in self.index:
                    x[self.index[(a, cell)]] = n
        sums = self.constraint.A @ x
        assert (sums >= self.constraint.lb).all(), "a published figure the method cannot give"
        assert (sums <= self.constraint.ub).all(), "a published figure the method cannot give"
        return x

    def pinned_small(
        self,
        targets: Iterable[tuple[date, date, tuple[tuple[str, str], ...]]],
        threshold: int,
        truth: np.ndarray,
    ) -> dict:
        """The targets whose true count the attacker pins to a value from 1 to threshold - 1.

        The true counts are one solution, so a pinned count is its true value: only targets
        whose true count is from 1 to threshold - 1 need solving (a shortcut of the test, not
        knowledge the attacker uses)."""
        found: dict = {}
        seen: set[bytes] = set()
        for start, end, cells in targets:
            v = self.vector(start, end, cells)
            true = round(float(v @ truth))
            if not 0 < true < threshold or v.tobytes() in seen:
                continue
            seen.add(v.tobytes())
            if round(self._solve(v)) == true and round(-self._solve(-v)) == true:
                found[(start, end, cells)] = true
        return found
