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
from typing import Any

import numpy as np
from numpy.typing import NDArray

from opennrm.statistics.ages import ctdc_bracket

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
    return ctdc_bracket(int(value))


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


# --- local recoding (Mondrian) ------------------------------------------------------------------
#
# ``anonymise`` recodes globally: a column is generalised (or withheld) in every row at once, so
# at a few tens of thousands of cases every exploitation and means-of-control column ends up
# withheld in every row. ``local_recode`` generalises per group of records instead, after
# LeFevre, DeWitt and Ramakrishnan, "Mondrian multidimensional k-anonymity" (ICDE 2006), the
# method of the ARX tool's local recoding: the records are split top-down into partitions of at
# least k records, and each partition releases, per column, the finest value its records share
# (the value as given, else a coarser level of the column's steps, else "-99"). Every record of a
# partition is released as the same row, so every released row occurs at least k times over all
# columns, as the CTDC requires, and nothing is suppressed unless there are fewer than k records.
#
# Splits follow a *priority*: a list of (column, level) entries, coarse before fine where the
# analyst needs the coarse value more than the next column (age broad before the next column,
# region before country). A partition is split on the first entry, in that order, whose values
# give at least two groups of k or more records (groups under k go together into one more group,
# or into the smallest group when they are fewer than k together). An entry that cannot split a
# partition cannot split any part of it, so each partition resumes at its parent's entry: the
# work is about (records × (entries + depth)) dictionary look-ups.


@dataclass
class ColumnLoss:
    """How a column's values were released: counts of records."""

    given: int = 0
    generalised: int = 0
    withheld: int = 0
    not_recorded: int = 0  # missing in the source ("-99" before any recoding)

    def shares(self) -> dict[str, float]:
        total = self.given + self.generalised + self.withheld + self.not_recorded
        if not total:
            return {"given": 0.0, "generalised": 0.0, "withheld": 0.0, "not_recorded": 0.0}
        return {
            "given": self.given / total,
            "generalised": self.generalised / total,
            "withheld": self.withheld / total,
            "not_recorded": self.not_recorded / total,
        }


@dataclass
class LocalReport(Report):
    partitions: int = 0
    columns: dict[str, ColumnLoss] = field(default_factory=dict)


class _Levels:
    """One column's values at each level (0 = the base value, then one per step) and, per level,
    the code of each base value's generalisation: ``codes[level][base code]``."""

    def __init__(self, column: Column, base: list[str], counts: NDArray[np.int64], k: int) -> None:
        self.values: list[list[str]] = [base]
        self.codes: list[NDArray[np.intp]] = [np.arange(len(base), dtype=np.intp)]
        for step in column.steps:
            previous = self.values[-1]
            frequency: dict[str, int] = {}
            if step == RARE:
                # A RARE step counts every record, at the level below.
                totals = np.bincount(self.codes[-1], weights=counts, minlength=len(previous))
                frequency = {v: int(n) for v, n in zip(previous, totals, strict=True)}
            mapping = _apply(step, set(previous), frequency, k)
            values: list[str] = []
            index: dict[str, int] = {}
            for value in previous:
                mapped = mapping[value]
                if mapped not in index:
                    index[mapped] = len(values)
                    values.append(mapped)
            recode = np.array([index[mapping[v]] for v in previous], dtype=np.intp)
            self.values.append(values)
            self.codes.append(recode[self.codes[-1]])


def local_recode(
    rows: Callable[[], Iterable[Sequence[str]]],
    columns: Sequence[Column],
    *,
    k: int,
    priority: Sequence[tuple[str, int]] | None = None,
    blocks: Sequence[int] | None = None,
) -> tuple[Iterator[Row], LocalReport]:
    """k-anonymise by Mondrian partitioning (see above); returns the released rows (grouped by
    partition, not in the source's order) and the report, complete before the first row.

    ``priority`` lists (column name, level) split entries, most wanted first; by default every
    column at its base level in the columns' order. ``blocks``, as for :func:`anonymise`, are
    groups of consecutive columns read and mapped together; they change the speed only.

    The records are read once, keeping one small index per block per record; the partitioning
    runs on the distinct rows (numpy arrays: the rows' codes at each split entry, a partition is
    an array of row numbers), so its cost is a few array operations per partition, not a
    dictionary look-up per record and entry."""
    sizes = list(blocks) if blocks is not None else [1] * len(columns)
    if sum(sizes) != len(columns) or any(size < 1 for size in sizes):
        raise ValueError("blocks must be positive sizes adding up to the number of columns")
    spans = list(zip(accumulate([0, *sizes[:-1]]), accumulate(sizes), strict=True))
    position = {col.name: j for j, col in enumerate(columns)}
    entries = [(position[name], level) for name, level in (priority or [])] or [
        (j, 0) for j in range(len(columns))
    ]
    width = len(columns)
    report = LocalReport(k=k)
    report.columns = {col.name: ColumnLoss() for col in columns}

    # Read: one index per block per record, each distinct block remembered once.
    seen: list[dict[tuple[str, ...], int]] = [{} for _ in spans]
    indexes = [array("H") for _ in spans]
    for raw in rows():
        if len(raw) != width:
            raise ValueError(f"a row has {len(raw)} values for {width} columns")
        for b, (start, end) in enumerate(spans):
            memo = seen[b]
            part = tuple(raw[start:end])
            found = memo.get(part)
            if found is None:
                found = memo[part] = len(memo)
                if found == 1 << 16:  # two bytes per record until a block needs more
                    indexes[b] = array("I", indexes[b])
            indexes[b].append(found)
        report.records_read += 1
    if report.records_read < k:
        report.records_suppressed = report.records_read
        report.withheld_columns = [col.name for col in columns]
        return iter(()), report

    # Base values: each distinct block's values mapped once; per column, base value → code.
    base_values: list[list[str]] = []
    block_codes: list[NDArray[np.intp]] = []  # per column: distinct block index → base code
    block_of: list[int] = []
    for b, (memo, (start, end)) in enumerate(zip(seen, spans, strict=True)):
        for j in range(start, end):
            index: dict[str, int] = {}
            codes = []
            for part in memo:
                value = columns[j].base(part[j - start])
                found = index.get(value)
                if found is None:
                    found = index[value] = len(index)
                codes.append(found)
            base_values.append(list(index))
            block_codes.append(np.array(codes, dtype=np.intp))
            block_of.append(b)
    del seen  # the distinct blocks' values are no longer needed, only their codes

    # Blocks that differ only in values with the same base (two exact ages in one bracket) are
    # one block from here on: the partitioning reads base codes only.
    canon: list[NDArray[np.uint32]] = []  # per block: raw block index → merged block index
    radices = []
    for start, end in spans:
        by_block = np.stack([block_codes[j] for j in range(start, end)], axis=1)
        distinct, inverse = np.unique(by_block, axis=0, return_inverse=True)
        for j in range(start, end):
            block_codes[j] = np.ascontiguousarray(distinct[:, j - start])
        radices.append(len(distinct))
        canon.append(inverse.reshape(-1).astype(np.uint32))
    del by_block, distinct, inverse

    def merged(b: int) -> NDArray[np.uint32]:
        """Every record's (merged) index in block ``b``."""
        raw: NDArray[Any] = np.frombuffer(indexes[b], dtype=np.dtype(indexes[b].typecode))
        out: NDArray[np.uint32] = canon[b][raw]
        return out

    # Distinct rows (in the order they first occur) and how many records each stands for.
    distinct_parts: list[NDArray[Any]] = []  # each distinct row's block indexes
    if prod(radices) < 1 << 62:
        # One mixed-radix key per record (the raw indexes freed block by block), and
        # np.unique(return_index, return_counts) without its copies: a stable sort keeps each
        # distinct key's first record first; the distinct keys give back the block indexes.
        key = np.zeros(report.records_read, dtype=np.int64)
        for b, radix in enumerate(radices):
            key *= radix
            key += merged(b)
            indexes[b] = array("H")
        perm = np.argsort(key, kind="stable")
        key = key[perm]
        starts = np.flatnonzero(key[1:] != key[:-1]) + 1
        starts = np.concatenate(([0], starts))
        distinct_keys = key[starts]
        del key
        first = perm[starts]
        counts = np.diff(np.append(starts, report.records_read))
        del perm, starts
        order = np.argsort(first, kind="stable")
        counts, distinct_keys = counts[order].astype(np.int64), distinct_keys[order]
        for radix in reversed(radices):
            distinct_keys, digit = np.divmod(distinct_keys, radix)
            distinct_parts.insert(0, digit.astype(np.min_scalar_type(radix - 1)))
        del distinct_keys, digit, first, order
    else:
        parts = [merged(b) for b in range(len(spans))]
        stacked = np.stack(parts, axis=1)
        _rows, first, counts = np.unique(stacked, axis=0, return_index=True, return_counts=True)
        del stacked, _rows
        order = np.argsort(first, kind="stable")
        first, counts = first[order], counts[order].astype(np.int64)
        distinct_parts = [p[first] for p in parts]
        del parts, first, order
    indexes.clear()  # the raw indexes and their merging are no longer needed
    canon.clear()

    def base_codes(j: int) -> NDArray[np.intp]:
        codes: NDArray[np.intp] = block_codes[j][distinct_parts[block_of[j]]]
        return codes

    def small(values: NDArray[Any]) -> NDArray[Any]:
        """``values`` (non-negative codes) in the smallest unsigned type that holds them: the
        per-record arrays below are read once per column and level."""
        return values.astype(np.min_scalar_type(int(values.max(initial=0))), copy=False)

    levels = []
    for j, column in enumerate(columns):
        frequency = np.bincount(base_codes(j), weights=counts, minlength=len(base_values[j]))
        levels.append(_Levels(column, base_values[j], frequency.astype(np.int64), k))

    # The rows' code at every split entry: one small integer per entry per distinct row.
    n_values = np.array([len(levels[j].values[level]) for j, level in entries], dtype=np.intp)
    span = int(n_values.max(initial=1))
    codes_at = np.empty((len(counts), len(entries)), dtype=np.uint8 if span <= 256 else np.uint32)
    for e, (j, level) in enumerate(entries):
        codes_at[:, e] = levels[j].codes[level][base_codes(j)]
    offsets = np.arange(len(entries), dtype=np.intp) * span

    def first_split(
        members: NDArray[np.intp], weights: NDArray[np.int64], total: int, at: int
    ) -> tuple[int, NDArray[np.float64]] | None:
        """The first entry from ``at`` on that splits the partition, and its value sizes."""
        if len(members) * (len(entries) - at) <= 1 << 15:
            # Every remaining entry at once: value sizes per entry from one bincount.
            block = codes_at[members, at:].astype(np.intp) + offsets[: len(entries) - at]
            found = np.bincount(
                block.ravel(),
                weights=np.repeat(weights, len(entries) - at),
                minlength=(len(entries) - at) * span,
            ).reshape(len(entries) - at, span)
            big = found >= k
            n_big = big.sum(axis=1)
            rest = total - np.where(big, found, 0).sum(axis=1)
            ok = (n_big >= 2) | ((n_big == 1) & (rest >= k))
            if not ok.any():
                return None
            e = int(ok.argmax())
            return at + e, found[e]
        for e in range(at, len(entries)):
            sizes_e = np.bincount(codes_at[members, e], weights=weights, minlength=span)
            large = sizes_e >= k
            n_large = int(large.sum())
            if n_large >= 2 or (n_large == 1 and total - sizes_e[large].sum() >= k):
                return e, sizes_e
        return None

    # Mondrian, depth first with an explicit stack, children in the order of the reference
    # formulation: the large groups in the order their values first occur, then the rest (the
    # small groups one after another, in the same order), or the rest added to the end of the
    # smallest group when it holds fewer than k records.
    # The partitions' members, one after another: copied out as each partition is final, so a
    # partition's array (children are views of it) is freed once its last child is done.
    members_out: NDArray[np.intp] = np.empty(len(counts), dtype=np.int32)
    leaf_lengths: list[int] = []
    filled = 0
    stack: list[tuple[NDArray[np.intp], int, int]] = [
        (np.arange(len(counts), dtype=np.int32), report.records_read, 0)
    ]
    while stack:
        members, total, at = stack.pop()
        split = None
        if total >= 2 * k and at < len(entries):
            split = first_split(members, counts[members], total, at)
        if split is None:
            members_out[filled : filled + len(members)] = members
            filled += len(members)
            leaf_lengths.append(len(members))
            continue
        e, value_sizes = split
        row_values = codes_at[members, e]  # small integers: temporaries stay small
        present, first_seen = np.unique(row_values, return_index=True)
        present = present[np.argsort(first_seen, kind="stable")]  # by first occurrence
        rank = np.empty(span, dtype=np.int32)
        rank[present] = np.arange(len(present), dtype=np.int32)
        is_big = value_sizes[present] >= k
        big = present[is_big]
        child = np.full(span, -1, dtype=np.int32)
        child[big] = np.arange(len(big))
        big_sizes = value_sizes[big].astype(np.int64)
        rest_total = total - int(big_sizes.sum())
        child_sizes = [int(n) for n in big_sizes]
        if rest_total >= k:
            child[present[~is_big]] = len(big)
            child_sizes.append(rest_total)
        elif rest_total > 0:
            smallest = int(np.argmin(big_sizes))
            child[present[~is_big]] = smallest
            child_sizes[smallest] += rest_total
        # Sort key: child, then (for the rest) the value's first occurrence; stable on position.
        in_rest = np.ones(span, dtype=bool)
        in_rest[big] = False
        in_rest = in_rest[row_values]
        key = (child[row_values] * 2 + in_rest) * len(present) + np.where(
            in_rest, rank[row_values], 0
        )
        members = members[np.argsort(key, kind="stable")]
        child_lengths = np.bincount(child[row_values], minlength=len(child_sizes))
        ends = np.cumsum(child_lengths)
        for c in reversed(range(len(child_sizes))):
            child_members = members[ends[c] - child_lengths[c] : ends[c]]
            stack.append(
                (child_members, child_sizes[c], e + 1 if len(child_members) == len(members) else e)
            )

    report.partitions = len(leaf_lengths)
    report.records_released = report.records_read
    lengths = np.array(leaf_lengths, dtype=np.intp)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.intp)
    members = members_out
    del leaf_lengths, members_out
    codes_at = codes_at[:0].copy()  # free the split codes
    weights = counts[members]
    totals = np.add.reduceat(weights, starts)

    # Per column: the finest level whose out_value every member of a partition shares (else the
    # column is withheld there), and what each record lost.
    out_names: list[list[str]] = []  # per column: its released values
    out_codes = np.empty((len(lengths), len(columns)), dtype=np.uint32)  # per partition
    losses = [report.columns[col.name] for col in columns]
    for j, column_levels in enumerate(levels):
        base = small(block_codes[j])[distinct_parts[block_of[j]][members]]
        chosen = np.full(len(lengths), -1, dtype=np.int8)
        out_value = np.zeros(len(lengths), dtype=np.intp)
        offset = 0
        names: list[str] = []
        # category[level + 1][base code]: 0 given, 1 generalised, 2 withheld, 3 not recorded
        base_names = column_levels.values[0]
        missing = np.array([v == MISSING for v in base_names])
        category = [np.where(missing, 3, 2).astype(np.int8)]
        for level, (level_values, level_codes) in enumerate(
            zip(column_levels.values, column_levels.codes, strict=True)
        ):
            row_codes = small(level_codes)[base]
            low = np.minimum.reduceat(row_codes, starts)
            shared = (low == np.maximum.reduceat(row_codes, starts)) & (chosen < 0)
            chosen[shared] = level
            out_value[shared] = low[shared].astype(np.intp) + offset
            offset += len(level_values)
            names += level_values
            at_level = [level_values[c] for c in level_codes]
            category.append(
                np.array(
                    [
                        3 if b == MISSING else 0 if o == b else 2 if o == MISSING else 1
                        for b, o in zip(base_names, at_level, strict=True)
                    ],
                    dtype=np.int8,
                )
            )
        names.append(MISSING)
        out_value[chosen < 0] = offset
        out_names.append(names)
        out_codes[:, j] = out_value
        lost = np.stack(category)[np.repeat(chosen + 1, lengths), base]
        given, generalised, withheld, not_recorded = (
            int(n) for n in np.bincount(lost, weights=weights, minlength=4)
        )
        losses[j].given += given
        losses[j].generalised += generalised
        losses[j].withheld += withheld
        losses[j].not_recorded += not_recorded
    for loss in losses:
        report.values_generalised += loss.generalised
        report.values_withheld += loss.withheld
    report.withheld_columns = [
        col.name
        for col, loss in zip(columns, losses, strict=True)
        if loss.withheld and not loss.given and not loss.generalised
    ]
    del members, weights

    def emit() -> Iterator[Row]:
        for codes, total in zip(out_codes, totals.tolist(), strict=True):
            row: Row = tuple(map(getitem, out_names, codes.tolist()))
            for _ in range(total):
                yield row

    return emit(), report
