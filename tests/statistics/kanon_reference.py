"""The first k-anonymity engine (``opennrm.statistics.kanon`` before it was made compact for a
million records), kept as the reference the compact one is compared with: the same plan, the same
released rows, the same report. Class keys here are byte strings in a ``Counter``, one step at a
time over every class, which is easy to check and slow at scale."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence

from opennrm.statistics.kanon import MISSING, OTHER, RARE, Column, Report, Row, Step


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
