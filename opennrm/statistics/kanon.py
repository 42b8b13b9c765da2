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

One read of the data; memory proportional to the number of distinct classes, plus a few bytes
per record:

1. count the classes of base-mapped rows. A class is one Python integer: each column's value is a
   digit (its index among the column's values present) in a mixed-radix number, the first column
   most significant. Rows are read in *blocks* of columns that come from one source field (the
   caller says which; e.g. sixteen means-of-control flags from one list): each distinct block is
   base-mapped once and remembered, so a row costs a few dictionary look-ups, not one call per
   column. While reading, only one small index per block per row is kept (compact arrays); the
   class keys are then formed and sorted bucket by bucket (the first block's digits are the most
   significant), counted, and held as two compact arrays (key, count) sorted by key;
2. follow the *generalisation plan* — an ordered list of columns, each entry raising that column
   by one step — until at most ``max_suppressed_share`` of the records would be suppressed; each
   step re-aggregates the class counts only. The default plan raises the last column first and
   walks back to the first, round after round, so columns listed first (the ones analysts use
   most: year, sex, age) keep their detail longest, and withholding a whole column comes only
   after every generalising step. A fixed plan rather than a search over every
   column at every step keeps the cost at one re-aggregation per step, which matters at a million
   records; the plan is part of the release's documentation. A step changes one column's digit,
   so classes that merge share every column before it: they are adjacent in key order, and each
   run of them is merged with a small dictionary, keeping the arrays sorted without a global sort
   or a dictionary of every class;
3. replay the records from their block indexes (``rows()`` is read once), map them (block by
   block, once per distinct block) to their final values, and drop the records whose class is
   still below ``k``.

At a million records with every column independent (the benchmark's worst case, ~1 M classes)
this holds 16 bytes per class (keys that fit in 64 bits; wider ones are a list of integers) and
4 bytes per block per record, instead of a dictionary entry and a key object (~150 bytes).

The :class:`Report` says how many records were released or suppressed, how many values were
generalised or withheld, and at which level each column was released.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableSequence, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain
from math import prod
from operator import getitem

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


def _apply(step: Step, values: Iterable[str], counts: Mapping[str, int], k: int) -> dict[str, str]:
    """The mapping one step makes of the values present (RARE needs their frequencies)."""
    if step == RARE:
        return {v: (v if counts[v] >= k or v == MISSING else OTHER) for v in values}
    if step == MISSING:
        return dict.fromkeys(values, MISSING)
    assert callable(step)
    return {v: step(v) for v in values}


def _keys(bound: int) -> MutableSequence[int]:
    """An empty store for class keys below ``bound``: 8 bytes a key when they fit in 64 bits."""
    return array("Q") if bound <= 1 << 64 else []


class _Classes:
    """Class counts: keys (mixed-radix, sorted) and counts in two parallel arrays, plus each
    column's current values (a key's digit for column j indexes ``values[j]``)."""

    def __init__(self, values: list[list[str]]) -> None:
        self.values = values
        self.keys: MutableSequence[int] = _keys(self.bound())
        self.counts = array("Q")

    def radix(self, j: int) -> int:
        return max(1, len(self.values[j]))

    def weight(self, j: int) -> int:
        return prod(self.radix(i) for i in range(j + 1, len(self.values)))

    def bound(self) -> int:
        return prod(self.radix(i) for i in range(len(self.values)))

    def count(self, partial_keys: list[list[int]], indexes: list[array[int]]) -> None:
        """Set the classes from the records' block indexes (a class key is the sum of its
        blocks' parts). Records are sorted bucket by bucket on the first block's part (the most
        significant digits), so only one bucket's keys are ever a Python list."""
        first, rest, rest_indexes = partial_keys[0], partial_keys[1:], indexes[1:]
        highs = sorted(set(first))
        rank = {high: r for r, high in enumerate(highs)}
        bucket_of = [rank[high] for high in first]
        ends = [0] * (len(highs) + 1)
        for index in indexes[0]:
            ends[bucket_of[index] + 1] += 1
        ends = list(accumulate(ends))
        # A counting sort of the record positions by bucket, in a compact array.
        fill = ends[:-1]
        positions = array("I", bytes(4 * len(indexes[0])))
        for position, index in enumerate(indexes[0]):
            bucket = bucket_of[index]
            positions[fill[bucket]] = position
            fill[bucket] += 1
        store, counts = _keys(self.bound()), array("Q")
        for bucket, high in enumerate(highs):
            keys = sorted(
                high
                + sum(part[block[position]] for part, block in zip(rest, rest_indexes, strict=True))
                for position in positions[ends[bucket] : ends[bucket + 1]]
            )
            previous = -1
            for key in keys:
                if key == previous:
                    counts[-1] += 1
                else:
                    store.append(key)
                    counts.append(1)
                    previous = key
        self.keys, self.counts = store, counts

    def below(self, k: int) -> int:
        return sum(n for n in self.counts if n < k)

    def column_counts(self, j: int) -> list[int]:
        weight, radix = self.weight(j), self.radix(j)
        counts = [0] * radix
        for key, n in zip(self.keys, self.counts, strict=True):
            counts[key // weight % radix] += n
        return counts

    def recode(self, j: int, mapping: Mapping[str, str]) -> list[int]:
        """Map column ``j``'s values through ``mapping`` and merge the classes that become equal;
        returns old digit → new digit."""
        new_values: list[str] = []
        index: dict[str, int] = {}
        digits = []
        for value in self.values[j]:
            mapped = mapping[value]
            if mapped not in index:
                index[mapped] = len(new_values)
                new_values.append(mapped)
            digits.append(index[mapped])
        weight, radix = self.weight(j), self.radix(j)
        span, new_radix = weight * radix, max(1, len(new_values))
        self.values[j] = new_values
        keys, counts = _keys(self.bound()), array("Q")
        run: dict[int, int] = {}
        run_prefix = -1

        def flush() -> None:
            for key in sorted(run):
                keys.append(key)
                counts.append(run[key])
            run.clear()

        for key, n in zip(self.keys, self.counts, strict=True):
            prefix, rest = divmod(key, span)
            if prefix != run_prefix:
                flush()
                run_prefix = prefix
            digit, low = divmod(rest, weight)
            new = (prefix * new_radix + digits[digit]) * weight + low
            run[new] = run.get(new, 0) + n
        flush()
        self.keys, self.counts = keys, counts
        return digits


def default_plan(columns: Sequence[Column]) -> list[str]:
    """Every generalising step first (round by round, last column first), then withholding
    columns (last first): a coarser value is always worth more than no value."""
    depth = max((len(c.steps) for c in columns), default=0)
    steps = [
        col.name for level in range(depth) for col in reversed(columns) if level < len(col.steps)
    ]
    return steps + [col.name for col in reversed(columns)]


def anonymise(
    rows: Callable[[], Iterable[Sequence[str]]],
    columns: Sequence[Column],
    *,
    k: int,
    max_suppressed_share: float = 0.05,
    plan: Sequence[str] | None = None,
    blocks: Sequence[int] | None = None,
) -> tuple[Iterator[Row], Report]:
    """Plan the generalisation (first pass over ``rows()``) and return the released rows (a
    generator making the second pass) with the report, completed as the generator is consumed.

    ``blocks`` (default: one per column) are the sizes of consecutive groups of columns whose
    values are read, mapped and remembered together; it changes the speed, never the result."""
    sizes = list(blocks) if blocks is not None else [1] * len(columns)
    if sum(sizes) != len(columns) or any(size < 1 for size in sizes):
        raise ValueError("blocks must be positive sizes adding up to the number of columns")
    spans = list(zip(accumulate([0, *sizes[:-1]]), accumulate(sizes), strict=True))
    chains = [(*column.steps, MISSING) for column in columns]
    position = {col.name: j for j, col in enumerate(columns)}
    report = Report(k=k)

    # Pass 1: one index per block per record; each distinct block's base values once.
    seen: list[dict[tuple[str, ...], int]] = [{} for _ in spans]
    indexes = [array("I") for _ in spans]
    for raw in rows():
        for memo, store, (start, end) in zip(seen, indexes, spans, strict=True):
            part = tuple(raw[start:end])
            found = memo.get(part)
            if found is None:
                found = memo[part] = len(memo)
            store.append(found)
        report.records_read += 1
    base_index: list[dict[str, int]] = [{} for _ in columns]
    for memo, (start, _end) in zip(seen, spans, strict=True):
        for part in memo:
            for j, value in enumerate(part, start):
                base_index[j].setdefault(columns[j].base(value), len(base_index[j]))
    classes = _Classes([list(index) for index in base_index])
    weights = [classes.weight(j) for j in range(len(columns))]
    partial_keys = []
    for memo, (start, _end) in zip(seen, spans, strict=True):
        partial = [0] * len(memo)
        for part, i in memo.items():
            partial[i] = sum(
                base_index[j][columns[j].base(value)] * weights[j]
                for j, value in enumerate(part, start)
            )
        partial_keys.append(partial)
    parts = [list(memo) for memo in seen]  # a block's distinct values, by index
    del seen
    if spans:
        classes.count(partial_keys, indexes)

    levels = [0] * len(columns)
    # Per column: base digit → digit at its current level, composed step by step.
    final: list[list[int]] = [list(range(len(index))) for index in base_index]

    def raise_column(j: int, step: Step) -> None:
        counts: dict[str, int] = {}
        if step == RARE:
            counts = dict(zip(classes.values[j], classes.column_counts(j), strict=True))
        mapping = _apply(step, classes.values[j], counts, k)
        digits = classes.recode(j, mapping)
        levels[j] += 1
        final[j] = [digits[d] for d in final[j]]

    budget = report.records_read * max_suppressed_share
    for name in plan if plan is not None else default_plan(columns):
        if classes.below(k) <= budget:
            break
        j = position[name]
        if levels[j] >= len(chains[j]):
            continue
        raise_column(j, chains[j][levels[j]])
    if classes.below(k) > budget:
        # The plan ran out: withhold every column left, the one generalisation always enough.
        for j in range(len(columns)):
            if levels[j] < len(chains[j]):
                raise_column(j, MISSING)
                levels[j] = len(chains[j])

    # Known before the second pass, so a streamed response can announce them up front.
    report.records_suppressed = classes.below(k)
    report.records_released = report.records_read - report.records_suppressed
    report.levels = {col.name: level for col, level in zip(columns, levels, strict=True)}
    report.withheld_columns = [
        col.name
        for col, level, chain in zip(columns, levels, chains, strict=True)
        if level == len(chain)
    ]
    released = {key for key, n in zip(classes.keys, classes.counts, strict=True) if n >= k}
    weights = [classes.weight(j) for j in range(len(columns))]
    values = classes.values

    # Pass 2 replays the records read in pass 1 from their block indexes (so what is released
    # is exactly what was counted, even if cases changed in between): per distinct block, its
    # part of the final key, its released values and its generalised and withheld values.
    def finish(part: tuple[str, ...], start: int) -> tuple[int, tuple[str, ...], int, int]:
        key, out, generalised, withheld = 0, [], 0, 0
        for j, raw in enumerate(part, start):
            digit = final[j][base_index[j][columns[j].base(raw)]]
            value = values[j][digit]
            key += digit * weights[j]
            out.append(value)
            if value == MISSING and raw not in ("", MISSING):
                withheld += 1
            elif value not in (raw, MISSING):
                generalised += 1
        return key, tuple(out), generalised, withheld

    finished = [
        list(zip(*(finish(part, start) for part in block), strict=True)) or [(), (), (), ()]
        for block, (start, _end) in zip(parts, spans, strict=True)
    ]
    del parts
    key_parts, out_parts, generalised_parts, withheld_parts = (
        [block[field] for block in finished] for field in range(4)
    )

    def emit() -> Iterator[Row]:
        for record in zip(*indexes, strict=True):
            if sum(map(getitem, key_parts, record)) in released:
                report.values_generalised += sum(map(getitem, generalised_parts, record))
                report.values_withheld += sum(map(getitem, withheld_parts, record))
                yield tuple(chain.from_iterable(map(getitem, out_parts, record)))

    return emit(), report
