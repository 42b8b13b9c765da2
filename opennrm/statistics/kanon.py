"""k-anonymity for released microdata, CTDC style (DESIGN §4): pure, no Django import.

Every released column counts (CTDC codebook v6: equivalence sets are defined "by a unique
combination of values of the different variables in a dataset"), so the equivalence class of a
record is its whole output row. The procedure is the CTDC one: **generalise first, then suppress
records**.

Each :class:`Column` has a *base* mapping (applied to every raw value, e.g. an age becomes a CTDC
bracket) and a chain of generalisation *steps*, each mapping the previous level's value to a
coarser one (bracket → broad bracket → Minor/Adult; country → region). ``RARE`` is a step that
replaces every value held by fewer than ``k`` records by ``Other``. A last step that withholds the
column (``MISSING``) is always appended, so generalisation can always reach a single class.

Two passes over the data, memory proportional to the number of distinct classes, not to rows:

1. count the classes of base-mapped rows;
2. greedily raise one column at a time by one step (the step leaving the fewest records in
   classes below ``k``; ties go to the column listed last, so earlier, more useful columns keep
   their detail longest) until at most ``max_suppressed_share`` of records would be suppressed;
   this search works on the class counts only, re-aggregated step by step;
3. stream the rows again, map them to their final values, and drop the records whose class is
   still below ``k``.

The :class:`Report` says how many records were released or suppressed, how many values were
generalised or withheld, and at which level each column was released.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

MISSING = "-99"
OTHER = "Other"
RARE = "rare"

type Step = Callable[[str], str] | str
type Row = tuple[str, ...]


@dataclass(frozen=True)
class Column:
    name: str
    base: Callable[[str], str] = str
    steps: tuple[Step, ...] = ()


@dataclass
class Report:
    k: int
    records_read: int = 0
    records_released: int = 0
    records_suppressed: int = 0
    values_generalised: int = 0
    values_withheld: int = 0
    levels: dict[str, int] = field(default_factory=dict)
    withheld_columns: list[str] = field(default_factory=list)


CTDC_AGE_BRACKETS: tuple[tuple[int, int, str], ...] = (
    (0, 8, "0--8"),
    (9, 17, "9--17"),
    (18, 20, "18--20"),
    (21, 23, "21--23"),
    (24, 26, "24--26"),
    (27, 29, "27--29"),
    (30, 38, "30--38"),
    (39, 47, "39--47"),
    (48, 200, "48+"),
)

_BROAD = {
    "0--8": "0--17",
    "9--17": "0--17",
    "18--20": "18--29",
    "21--23": "18--29",
    "24--26": "18--29",
    "27--29": "18--29",
    "30--38": "30--47",
    "39--47": "30--47",
    "48+": "48+",
}


def age_bracket(value: str) -> str:
    """A raw age in years (``""`` when unknown) to its CTDC ``ageBroad`` bracket."""
    if not value.strip().isdigit():
        return MISSING
    age = int(value)
    for low, high, label in CTDC_AGE_BRACKETS:
        if low <= age <= high:
            return label
    return "48+"


def broad_bracket(value: str) -> str:
    return _BROAD.get(value, value)


def majority(value: str) -> str:
    """A broad bracket to CTDC ``majorityStatus`` (``Minor`` / ``Adult``)."""
    if value == MISSING:
        return MISSING
    return "Minor" if value == "0--17" else "Adult"


def _apply(step: Step, values: Iterable[str], counts: Counter[str], k: int) -> dict[str, str]:
    """The mapping one step makes of the values present (RARE needs their frequencies)."""
    if step == RARE:
        return {v: (v if counts[v] >= k or v == MISSING else OTHER) for v in values}
    if step == MISSING:
        return dict.fromkeys(values, MISSING)
    assert callable(step)
    return {v: step(v) for v in values}


def _regroup(classes: Counter[Row], column: int, mapping: dict[str, str]) -> Counter[Row]:
    grouped: Counter[Row] = Counter()
    for key, n in classes.items():
        new = (*key[:column], mapping[key[column]], *key[column + 1 :])
        grouped[new] += n
    return grouped


def _below(classes: Counter[Row], k: int) -> int:
    return sum(n for n in classes.values() if n < k)


def anonymise(
    rows: Callable[[], Iterable[Sequence[str]]],
    columns: Sequence[Column],
    *,
    k: int,
    max_suppressed_share: float = 0.05,
) -> tuple[Iterator[Row], Report]:
    """Plan the generalisation (first pass over ``rows()``) and return the released rows (a
    generator making the second pass) with the report, completed as the generator is consumed."""
    chains = [(*column.steps, MISSING) for column in columns]
    report = Report(k=k)
    classes: Counter[Row] = Counter()
    for raw in rows():
        classes[tuple(col.base(value) for col, value in zip(columns, raw, strict=True))] += 1
        report.records_read += 1

    levels = [0] * len(columns)
    # Per column: base value → value at its current level, composed step by step.
    final: list[dict[str, str]] = [{key[j]: key[j] for key in classes} for j in range(len(columns))]
    budget = report.records_read * max_suppressed_share
    while _below(classes, k) > budget:
        best: tuple[int, int, dict[str, str], Counter[Row]] | None = None
        for j, chain in enumerate(chains):
            if levels[j] >= len(chain):
                continue
            counts: Counter[str] = Counter()
            for key, n in classes.items():
                counts[key[j]] += n
            mapping = _apply(chain[levels[j]], counts.keys(), counts, k)
            grouped = _regroup(classes, j, mapping)
            small = _below(grouped, k)
            if best is None or small <= best[0]:
                best = (small, j, mapping, grouped)
        if best is None:
            break
        _, j, mapping, classes = best
        levels[j] += 1
        final[j] = {base: mapping[value] for base, value in final[j].items()}

    report.levels = {col.name: level for col, level in zip(columns, levels, strict=True)}
    report.withheld_columns = [
        col.name
        for col, level, chain in zip(columns, levels, chains, strict=True)
        if level == len(chain)
    ]

    def emit() -> Iterator[Row]:
        for raw in rows():
            based = [col.base(value) for col, value in zip(columns, raw, strict=True)]
            # A value unseen in the first pass (a record added in between) was never counted, so
            # its record is suppressed rather than released in an unchecked class.
            out = tuple(final[j].get(value, MISSING) for j, value in enumerate(based))
            if classes[out] < k or any(v not in final[j] for j, v in enumerate(based)):
                report.records_suppressed += 1
                continue
            report.records_released += 1
            for j, value in enumerate(out):
                if value == MISSING and raw[j] not in ("", MISSING):
                    report.values_withheld += 1
                elif value != raw[j] and value != MISSING:
                    report.values_generalised += 1
            yield out

    return emit(), report
