"""The first k-anonymity engine (``opennrm.statistics.kanon`` before it was made compact for a
million records), kept as the reference the compact one is compared with: the same plan, the same
released rows, the same report. Class keys here are byte strings in a ``Counter``, one step at a
time over every class, which is easy to check and slow at scale."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence

from opennrm.statistics.kanon import (
    MISSING,
    OTHER,
    RARE,
    Column,
    ColumnLoss,
    LocalReport,
    Report,
    Row,
    Step,
)


def _apply(step: Step, values: Iterable[str], counts: Counter[str], k: int) -> dict[str, str]:
    """The mapping one step makes of the values present (RARE needs their frequencies)."""
    if step == RARE:
        return {v: (v if counts[v] >= k or v == MISSING else OTHER) for v in values}
    if step == MISSING:
        return dict.fromkeys(values, MISSING)
    assert callable(step)
    return {v: step(v) for v in values}


class _Codes:
    """Value ↔ small-integer code, per column, so a class key is two bytes per column."""

    def __init__(self, n_columns: int) -> None:
        self.index: list[dict[str, int]] = [{} for _ in range(n_columns)]
        self.values: list[list[str]] = [[] for _ in range(n_columns)]

    def code(self, column: int, value: str) -> int:
        index = self.index[column]
        found = index.get(value)
        if found is None:
            found = index[value] = len(self.values[column])
            self.values[column].append(value)
        return found

    def key(self, codes: Sequence[int]) -> bytes:
        return b"".join(code.to_bytes(2, "big") for code in codes)


def _column_counts(classes: Counter[bytes], column: int) -> Counter[int]:
    counts: Counter[int] = Counter()
    for key, n in classes.items():
        counts[int.from_bytes(key[2 * column : 2 * column + 2], "big")] += n
    return counts


def _regroup(classes: Counter[bytes], column: int, recode: dict[int, int]) -> Counter[bytes]:
    grouped: Counter[bytes] = Counter()
    start, end = 2 * column, 2 * column + 2
    new = {old: code.to_bytes(2, "big") for old, code in recode.items()}
    for key, n in classes.items():
        grouped[key[:start] + new[int.from_bytes(key[start:end], "big")] + key[end:]] += n
    return grouped


def _below(classes: Counter[bytes], k: int) -> int:
    return sum(n for n in classes.values() if n < k)


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
) -> tuple[Iterator[Row], Report]:
    """Plan the generalisation (first pass over ``rows()``) and return the released rows (a
    generator making the second pass) with the report, completed as the generator is consumed."""
    chains = [(*column.steps, MISSING) for column in columns]
    position = {col.name: j for j, col in enumerate(columns)}
    report = Report(k=k)
    codes = _Codes(len(columns))
    classes: Counter[bytes] = Counter()
    for raw in rows():
        based = [
            codes.code(j, col.base(v)) for j, (col, v) in enumerate(zip(columns, raw, strict=True))
        ]
        classes[codes.key(based)] += 1
        report.records_read += 1

    levels = [0] * len(columns)
    # Per column: base code → code at its current level, composed step by step.
    final: list[dict[int, int]] = [{c: c for c in range(len(v))} for v in codes.values]
    budget = report.records_read * max_suppressed_share
    for name in plan if plan is not None else default_plan(columns):
        if _below(classes, k) <= budget:
            break
        j = position[name]
        if levels[j] >= len(chains[j]):
            continue
        counts = _column_counts(classes, j)
        by_value = Counter({codes.values[j][c]: n for c, n in counts.items()})
        mapping = _apply(chains[j][levels[j]], by_value.keys(), by_value, k)
        recode = {c: codes.code(j, mapping[codes.values[j][c]]) for c in counts}
        classes = _regroup(classes, j, recode)
        levels[j] += 1
        final[j] = {base: recode.get(code, code) for base, code in final[j].items()}
    if _below(classes, k) > budget:
        # The plan ran out: withhold every column left, the one generalisation always enough.
        for j in range(len(columns)):
            if levels[j] < len(chains[j]):
                missing = codes.code(j, MISSING)
                recode = dict.fromkeys(_column_counts(classes, j), missing)
                classes = _regroup(classes, j, recode)
                levels[j] = len(chains[j])
                final[j] = dict.fromkeys(final[j], missing)

    # Known before the second pass, so a streamed response can announce them up front.
    report.records_suppressed = _below(classes, k)
    report.records_released = report.records_read - report.records_suppressed
    report.levels = {col.name: level for col, level in zip(columns, levels, strict=True)}
    report.withheld_columns = [
        col.name
        for col, level, chain in zip(columns, levels, chains, strict=True)
        if level == len(chain)
    ]

    def emit() -> Iterator[Row]:
        for raw in rows():
            out_codes = []
            unseen = False
            for j, (col, value) in enumerate(zip(columns, raw, strict=True)):
                base = codes.index[j].get(col.base(value))
                if base is None:
                    # A value unseen in the first pass (a record added in between) was never
                    # counted, so its record is suppressed rather than released unchecked.
                    unseen = True
                    break
                out_codes.append(final[j][base])
            if unseen:
                report.records_suppressed += 1
                continue
            if classes[codes.key(out_codes)] < k:
                continue
            out = tuple(codes.values[j][c] for j, c in enumerate(out_codes))
            for j, value in enumerate(out):
                if value == MISSING and raw[j] not in ("", MISSING):
                    report.values_withheld += 1
                elif value not in (raw[j], MISSING):
                    report.values_generalised += 1
            yield out

    return emit(), report


# --- local recoding (Mondrian), as first written: per-record Python over the distinct rows ------
#
# The engine in ``kanon.local_recode`` does the same partitioning with numpy arrays; the test
# compares the two on released rows (in order) and report.


def _level_maps(
    distinct: Sequence[Row], counts: Sequence[int], columns: Sequence[Column], k: int
) -> list[list[dict[str, str]]]:
    """Per column, per level (0 = the base value), base value → value at that level; a RARE step
    uses the counts over all records of the level below."""
    maps: list[list[dict[str, str]]] = []
    for j, column in enumerate(columns):
        values = sorted({row[j] for row in distinct})
        current = {v: v for v in values}
        levels = [current]
        for step in column.steps:
            frequency: dict[str, int] = {}
            if step == RARE:
                for row, n in zip(distinct, counts, strict=True):
                    value = current[row[j]]
                    frequency[value] = frequency.get(value, 0) + n
            mapping = _apply(step, set(current.values()), Counter(frequency), k)
            current = {v: mapping[current[v]] for v in values}
            levels.append(current)
        maps.append(levels)
    return maps


def local_recode(
    rows: Callable[[], Iterable[Sequence[str]]],
    columns: Sequence[Column],
    *,
    k: int,
    priority: Sequence[tuple[str, int]] | None = None,
) -> tuple[Iterator[Row], LocalReport]:
    """k-anonymise by Mondrian partitioning (see above); returns the released rows (grouped by
    partition, not in the source's order) and the report, complete before the first row.

    ``priority`` lists (column name, level) split entries, most wanted first; by default every
    column at its base level in the columns' order."""
    position = {col.name: j for j, col in enumerate(columns)}
    entries = [(position[name], level) for name, level in (priority or [])] or [
        (j, 0) for j in range(len(columns))
    ]
    report = LocalReport(k=k)
    # Distinct base rows with their counts: the partitioning works on these, not on records.
    index: dict[Row, int] = {}
    counts: list[int] = []
    for raw in rows():
        row = tuple(column.base(value) for column, value in zip(columns, raw, strict=True))
        found = index.get(row)
        if found is None:
            index[row] = len(counts)
            counts.append(1)
        else:
            counts[found] += 1
        report.records_read += 1
    distinct = list(index)
    del index
    maps = _level_maps(distinct, counts, columns, k)
    report.columns = {col.name: ColumnLoss() for col in columns}
    if report.records_read < k:
        report.records_suppressed = report.records_read
        report.withheld_columns = [col.name for col in columns]
        return iter(()), report

    leaves: list[tuple[list[int], int]] = []

    def split(members: list[int], total: int, at: int) -> None:
        # Iterative over entries; recursion only into children (depth ≤ log(n / k) + entries).
        while at < len(entries) and total >= 2 * k:
            j, level = entries[at]
            mapping = maps[j][level]
            groups: dict[str, list[int]] = {}
            sizes: dict[str, int] = {}
            for member in members:
                value = mapping[distinct[member][j]]
                groups.setdefault(value, []).append(member)
                sizes[value] = sizes.get(value, 0) + counts[member]
            big = [value for value, size in sizes.items() if size >= k]
            if len(big) >= 2 or (len(big) == 1 and total - sizes[big[0]] >= k):
                children = [(groups[value], sizes[value]) for value in big]
                rest = [m for value in sizes if sizes[value] < k for m in groups[value]]
                rest_total = total - sum(size for _m, size in children)
                if rest_total >= k:
                    children.append((rest, rest_total))
                elif rest:
                    smallest = min(range(len(children)), key=lambda c: children[c][1])
                    merged, size = children[smallest]
                    children[smallest] = (merged + rest, size + rest_total)
                for child, size in children:
                    split(child, size, at + 1 if len(child) == len(members) else at)
                return
            at += 1
        leaves.append((members, total))

    split(list(range(len(distinct))), report.records_read, 0)
    report.partitions = len(leaves)
    report.records_released = report.records_read

    def summary(members: list[int]) -> Row:
        out = []
        for j in range(len(columns)):
            value = MISSING
            for mapping in maps[j]:
                first = mapping[distinct[members[0]][j]]
                if all(mapping[distinct[m][j]] == first for m in members):
                    value = first
                    break
            out.append(value)
        return tuple(out)

    released: list[tuple[Row, int]] = []
    losses = [report.columns[col.name] for col in columns]
    for members, total in leaves:
        out = summary(members)
        released.append((out, total))
        for member in members:
            n, base = counts[member], distinct[member]
            for j, loss in enumerate(losses):
                if base[j] == MISSING:
                    loss.not_recorded += n
                elif out[j] == base[j]:
                    loss.given += n
                elif out[j] == MISSING:
                    loss.withheld += n
                else:
                    loss.generalised += n
    for loss in losses:
        report.values_generalised += loss.generalised
        report.values_withheld += loss.withheld
    report.withheld_columns = [
        col.name
        for col, loss in zip(columns, losses, strict=True)
        if loss.withheld and not loss.given and not loss.generalised
    ]

    def emit() -> Iterator[Row]:
        for out, total in released:
            for _ in range(total):
                yield out

    return emit(), report
