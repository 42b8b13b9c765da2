"""A differentially private synthetic dataset: the second public microdata product, as the CTDC's.

The CTDC publishes, besides its k-anonymised dataset, a Global Synthetic Dataset generated with
differential privacy (reference/domain.md §2.1–2.2 (b)). This module makes the same product from
the platform's cases, with the CTDC synthetic dataset's columns (means of control merged into its
eight composite flags, flags ``1`` or empty).

Synthesizer: **pac-synth** (Microsoft Research, "Private Accurate Combination"; PyPI
``pac-synth``), the DP Aggregate Seeded synthesizer of the family behind the CTDC Global
Synthetic Dataset. It computes differentially private counts of every combination of up to
``reporting_length`` attribute values (Gaussian noise, budget ε, δ set from the number of records)
and samples records that reproduce them. Here a record goes in as eight attributes that are
never empty (the flags as three patterns, "not recorded" as a value: see ``pack``), the length is 2
(``SYNTHESIS_LENGTH``; the measurements are beside it), and past ``PART_SIZE`` records random
parts (each record's part drawn for it alone: ``deal``) are synthesised in parallel (parallel
composition keeps ε). It installs as one abi3 wheel with no Python dependencies (checked on
this Python 3.13); ``smartnoise-synth`` would bring PyTorch, pandas and OpenDP for synthesizers
(MWEM, MST) built for the same marginal-preserving job.

Two guarantees on what leaves, each tested:

* ε-differential privacy of the synthesis, ε a setting (``OPENNRM_SYNTHETIC_EPSILON``);
* **no combination rarer than k in the true data**: every combination of up to three
  (``REPORTING_LENGTH``) present values of a released row occurs at least k times
  (``OPENNRM_CTDC_K``) among the true records — the "k-synthetic" rule of Microsoft's
  synthetic-data showcase (its ``reporting_resolution``). After synthesis and before release, a
  row breaking it loses the values involved (places first), as the CTDC suppresses attributes
  it cannot protect; a row left empty is dropped.

The utility report gives the error of every 1-way and 2-way marginal of the released rows against
the true records, as total variation distance (half the sum of the absolute differences of the
shares, 0 = identical, 1 = disjoint).

The k rule and the marginals are counted with numpy over the distinct rows (per set of columns, a
table of joint value codes), so that a million cases spend their time in the synthesizer.

Pure functions except :func:`synthetic_release` (and :func:`synthesise`, which forks worker
processes for a large dataset) and :func:`dataset_response`, a made dataset's download. The page
and the API never synthesise in a request: they ask the background worker for a dataset
(``services.synthetic_request``, ``models.SyntheticDataset``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from django.http import FileResponse

    from opennrm.accounts.models import User
    from opennrm.statistics.models import SyntheticDataset

type Row = tuple[str, ...]

# The k rule's length: no released combination of up to this many present values is rarer than k.
REPORTING_LENGTH = 3
# Below this many cases the synthesizer's noise swamps the counts (and pac-synth fails when the
# noisy number of records turns negative): no synthetic dataset is made.
MIN_RECORDS = 1000

# The CTDC Global Synthetic Dataset's composite means of control (2024 release) from the flags of
# the k-anonymised dataset (exports.MEANS_FLAGS).
COMPOSITE_MEANS: dict[str, tuple[str, ...]] = {
    "meansDebtBondageEarnings": (
        "meansOfControlDebtBondage",
        "meansOfControlTakesEarnings",
        "meansOfControlRestrictsFinancialAccess",
    ),
    "meansThreats": ("meansOfControlThreats", "meansOfControlThreatOfLawEnforcement"),
    "meansAbusePsyPhySex": (
        "meansOfControlPsychologicalAbuse",
        "meansOfControlPhysicalAbuse",
        "meansOfControlSexualAbuse",
    ),
    "meansFalsePromises": ("meansOfControlFalsePromises",),
    "meansDrugsAlcohol": ("meansOfControlPsychoactiveSubstances",),
    "meansDenyBasicNeeds": (
        "meansOfControlRestrictsMedicalCare",
        "meansOfControlWithholdsNecessities",
    ),
    "meansExcessiveWorkHours": ("meansOfControlExcessiveWorkingHours",),
    "meansWithholdDocs": ("meansOfControlWithholdsDocuments",),
}
OTHER_EXPLOITATION = (
    "isOtherExploit",
    "isForcedMarriage",
    "isForcedMilitary",
    "isOrganRemoval",
    "isSlaveryAndPractices",
)
HEADERS: tuple[str, ...] = (
    "yearOfRegistration",
    "gender",
    "ageBroad",
    "citizenship",
    "CountryOfExploitation",
    *COMPOSITE_MEANS,
    "isForcedLabour",
    "isSexualExploit",
    "isOtherExploit",
)


def from_ctdc(names: Sequence[str], row: Sequence[str], age_bracket: str) -> Row:
    """One CTDC source row (``exports.ctdc_columns`` order, raw) as a synthetic-dataset row."""
    value = dict(zip(names, row, strict=True))

    def flag(*columns: str) -> str:
        return "1" if any(value[c] == "1" for c in columns) else ""

    return (
        value["yearOfRegistration"],
        value["gender"],
        age_bracket,
        value["citizenship"],
        value["CountryOfExploitation"],
        *(flag(*flags) for flags in COMPOSITE_MEANS.values()),
        flag("isForcedLabour"),
        flag("isSexualExploit"),
        flag(*OTHER_EXPLOITATION),
    )


# The synthesizer sees each record as eight attributes, every one always present: the five person
# and place columns, a value not recorded being a value of its own (ABSENT), then the eight
# means-of-control flags as two patterns of four ("0100", "0100") and the three exploitation flags
# as a third ("100"). pac-synth, like the CTDC file, takes an empty value for "absent": it counts
# and reproduces combinations of present values only, so with one attribute per flag it never
# learned that a row *lacks* a flag and joined flags that seldom occur together, and it never
# joined an unrecorded age with a recorded sex. Reporting length 2 (pairs of these attributes)
# beat 3 on every measure, and is faster. One locked run on the same random 100,000 of the
# benchmark's cases, ε = 4, k = 11 (bench/HISTORY.md, 6 December 2026); errors are total
# variation distances:
#
#   encoding, reporting length        time  2-way mean / max  FL × SE  sex × age  sex × age × type
#   one attribute per flag, 3 (old)  47.8 s    0.101 / 0.499    0.499      0.165         0.810
#   flags packed, 3                  99.2 s    0.027 / 0.145    0.011      0.145         0.158
#   flags packed, 2                  67.9 s    0.014 / 0.166    0.000      0.166         0.169
#   flags packed, absent a value, 2  75.5 s    0.012 / 0.045    0.000      0.007         0.023
#
# The means flags were first one pattern of eight (245 of its 256 values occur). The sampler
# weighs every value of every column not yet drawn at each step of each record, and the rare
# patterns fall under the noise: each flag's share drifted (mean 1-way error 0.0045 at 100,000
# records, 0.018 at 25,000). As two patterns of four (16 values each) every pattern is common,
# and the pair of patterns keeps their joint through the 2-way counts. Same random parts of the
# benchmark's cases, one locked run (bench/HISTORY.md, 6 December 2026):
#
#   means as        records  sampling  1-way mean / max   2-way mean / max
#   one pattern      100,000   115.7 s   0.0045 / 0.0103   0.0095 / 0.0445
#   two patterns     100,000    87.2 s   0.0004 / 0.0010   0.0036 / 0.0462
#   three patterns   100,000    86.9 s   0.0002 / 0.0009   0.0036 / 0.0464
#   four patterns    100,000   104.5 s   0.0004 / 0.0014   0.0040 / 0.0507
#   a flag each      100,000    41.4 s   0.0005 / 0.0009   0.0551 / 0.4344
#   one pattern       25,000    17.9 s   0.0182 / 0.0384   0.0351 / 0.0589
#   two patterns      25,000    18.4 s   0.0024 / 0.0048   0.0081 / 0.0572
#   two patterns      50,000    33.3 s   0.0009 / 0.0018   0.0050 / 0.0547
#
# ("a flag each" is a flag per attribute, "0" or "1": fast, but it loses which flags go together.)
SYNTHESIS_LENGTH = 2
MEANS = range(5, 5 + len(COMPOSITE_MEANS))
EXPLOITATION = range(5 + len(COMPOSITE_MEANS), len(HEADERS))
MEANS_PATTERNS = (MEANS[:4], MEANS[4:])
PACKED_HEADERS = (*HEADERS[:5], "means1", "means2", "exploitation")
ABSENT = "-"
# pac-synth samples on one core, and a record costs more the more records it is given. Past
# PART_SIZE records, the records are dealt at random into parts of about that many, each
# synthesised on its own (in worker processes, one per CPU) with the whole budget ε. Each record
# is in exactly one part, drawn for it alone (``deal``): whatever the other records are, and
# whether a given record is there or not, every other record's part has the same distribution,
# so two neighbouring datasets differ in one part by one record, and by parallel composition the
# union is ε-differentially private as each part is. (Shuffling and then dealing in turn, as
# before, fixed the parts' sizes: one record more moved others from part to part.) The number of
# parts, one per PART_SIZE cases, is the only thing taken from the data outside the
# synthesizer. Sampling costs 0.67 ms a record in parts of 50,000 and 0.87 ms in parts of
# 100,000 (the table above); with the means as two patterns, parts of 50,000 are more accurate
# than parts of 100,000 were with one.
PART_SIZE = 50_000


def _pattern(row: Row, columns: range) -> str:
    return "".join("1" if row[j] else "0" for j in columns)


def pack(row: Row) -> Row:
    """A synthetic-dataset row as the synthesizer's eight attributes (every one present)."""
    return (
        *(value or ABSENT for value in row[:5]),
        *(_pattern(row, columns) for columns in MEANS_PATTERNS),
        _pattern(row, EXPLOITATION),
    )


def unpack(record: Row) -> Row:
    """The synthesizer's attributes as a synthetic-dataset row (an absent pattern: no flag)."""
    patterns = zip((*MEANS_PATTERNS, EXPLOITATION), record[5:], strict=True)
    bits = "".join(pattern or "0" * len(columns) for columns, pattern in patterns)
    return (
        *("" if value == ABSENT else value for value in record[:5]),
        *("1" if bit == "1" else "" for bit in bits),
    )


def deal(records: int, parts: int, rng: np.random.Generator) -> list[list[int]]:
    """The record numbers of each of ``parts`` parts: each record's part drawn uniformly and
    independently of every other record (so a record added at the end leaves the others where
    they were, for the same generator)."""
    import numpy as np

    drawn = rng.integers(parts, size=records)
    order = np.argsort(drawn, kind="stable")
    bounds = np.searchsorted(drawn[order], np.arange(parts + 1))
    return [order[bounds[i] : bounds[i + 1]].tolist() for i in range(parts)]


# The parts being synthesised, read by forked workers (inherited, never pickled to them).
_PARTS: list[list[Row]] = []


def _synthesise_part(task: tuple[int, float, int]) -> list[Row]:
    import pacsynth

    index, epsilon, reporting_length = task
    parameters = (
        pacsynth.DpAggregateSeededParametersBuilder()
        .epsilon(epsilon)
        .reporting_length(reporting_length)
        .build()
    )
    synthesizer = pacsynth.DpAggregateSeededSynthesizer(parameters)
    synthesizer.fit(pacsynth.Dataset([list(PACKED_HEADERS), *map(list, _PARTS[index])]))
    sampled = synthesizer.sample()
    position = [sampled[0].index(name) for name in PACKED_HEADERS]
    return [tuple(record[j] for j in position) for record in sampled[1:]]


def _worker_start() -> None:
    """A forked worker dies of SIGTERM, as the pool expects when it ends it: the parent may have
    its own handler (the background worker's graceful shutdown), which the fork inherits and
    which would keep the child alive and report a shutdown that is not one."""
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def synthesise(
    rows: Sequence[Row],
    *,
    epsilon: float,
    reporting_length: int = SYNTHESIS_LENGTH,
    part_size: int = PART_SIZE,
    processes: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    rng: np.random.Generator | None = None,
) -> list[Row]:
    """Synthetic rows with ε-differential privacy (pac-synth's DP Aggregate Seeded synthesizer,
    records packed as :func:`pack`); empty strings are absent values, as in the CTDC file.
    ``progress(parts done, parts)`` after each part; ``rng`` deals the records into parts (fresh
    from the operating system's entropy unless given)."""
    import multiprocessing
    import os

    import numpy as np

    if not rows:
        return []
    packed = [pack(row) for row in rows]
    count = -(-len(packed) // part_size)
    if count > 1:
        dealt = deal(len(packed), count, rng if rng is not None else np.random.default_rng())
        _PARTS[:] = [[packed[i] for i in part] for part in dealt]
    else:
        _PARTS[:] = [packed]
    tasks = [(i, epsilon, reporting_length) for i in range(count)]
    processes = min(count, processes or os.cpu_count() or 1)
    sampled: list[Row] = []
    try:
        if processes > 1:
            with multiprocessing.get_context("fork").Pool(processes, _worker_start) as pool:
                for done, part in enumerate(pool.imap_unordered(_synthesise_part, tasks), 1):
                    sampled.extend(part)
                    if progress is not None:
                        progress(done, count)
        else:
            for done, task in enumerate(tasks, 1):
                sampled.extend(_synthesise_part(task))
                if progress is not None:
                    progress(done, count)
    finally:
        _PARTS.clear()
    return [unpack(record) for record in sampled]


def _items(row: Row) -> list[tuple[int, str]]:
    return [(j, value) for j, value in enumerate(row) if value]


def _encode(rows: Sequence[Row], codes: list[dict[str, int]], *, add: bool) -> list[np.ndarray]:
    """Each column of ``rows`` as an array of value codes, ``codes[j]`` mapping column j's values;
    a value not there yet gets the next code (``add``) or -1."""
    import numpy as np

    def column(j: int, known: dict[str, int]) -> Iterable[int]:
        if add:
            return (known.setdefault(row[j], len(known)) for row in rows)
        return (known.get(row[j], -1) for row in rows)

    return [
        np.fromiter(column(j, known), dtype=np.int64, count=len(rows))
        for j, known in enumerate(codes)
    ]


def _joint_key(codes: Sequence[np.ndarray], sizes: Sequence[int]) -> np.ndarray:
    """One code per row for the joint value of several columns (mixed radix: ``codes[i]`` holds
    codes below ``sizes[i]``, never negative)."""
    key = codes[0].copy()
    for values, size in zip(codes[1:], sizes[1:], strict=True):
        key *= size
        key += values
    return key


class CombinationCounts:
    """How many rows hold each combination of up to ``length`` present values (of rows as wide as
    ``HEADERS``). Counted with numpy per set of columns over the distinct rows' value codes, each
    set's counts a table of its joint codes (or, for a very large product of the columns' value
    counts, sorted keys): for a million rows seconds, not a Python loop over the 129
    combinations of each distinct row. Code 0 is "absent"; a value never seen counts 0."""

    TABLE_LIMIT = 1 << 22

    def __init__(self, rows: Sequence[Row], length: int) -> None:
        import numpy as np

        self.length = length
        self.width = len(HEADERS)
        self.codes: list[dict[str, int]] = [{"": 0} for _ in range(self.width)]
        distinct = Counter(rows)
        self.columns = _encode(list(distinct), self.codes, add=True)
        self.weights = np.fromiter(distinct.values(), dtype=np.int64, count=len(distinct))
        self.sizes = [len(values) for values in self.codes]
        self.tables: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray | None]] = {}

    def column_sets(self) -> Iterable[tuple[int, ...]]:
        for size in range(1, self.length + 1):
            yield from combinations(range(self.width), size)

    def _key(self, codes: Sequence[np.ndarray], columns: tuple[int, ...]) -> np.ndarray:
        return _joint_key(codes, [self.sizes[j] for j in columns])

    def _table(self, columns: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray | None]:
        import numpy as np

        table = self.tables.get(columns)
        if table is None:
            key = self._key([self.columns[j] for j in columns], columns)
            bins = math.prod(self.sizes[j] for j in columns)
            if bins <= self.TABLE_LIMIT:
                table = (np.bincount(key, weights=self.weights, minlength=bins), None)
            else:
                keys, inverse = np.unique(key, return_inverse=True)
                table = (np.bincount(inverse, weights=self.weights), keys)
            self.tables[columns] = table
        return table

    def _lookup(self, columns: tuple[int, ...], key: np.ndarray) -> np.ndarray:
        import numpy as np

        counts, keys = self._table(columns)
        if keys is None:
            found: np.ndarray = counts[key]
            return found
        at = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
        return np.where(keys[at] == key, counts[at], 0) if len(keys) else np.zeros(len(key))

    def count(self, combination: tuple[tuple[int, str], ...]) -> int:
        """How many rows hold this combination of (column, value) pairs."""
        import numpy as np

        columns = tuple(j for j, _v in combination)
        key = 0
        for j, value in combination:
            code = self.codes[j].get(value, -1)
            if code < 0:
                return 0
            key = key * self.sizes[j] + code
        return int(self._lookup(columns, np.array([key], dtype=np.int64))[0])

    def rare(self, rows: Sequence[Row], k: int) -> list[bool]:
        """For each row, whether it holds a combination of present values rarer than ``k``."""
        import numpy as np

        codes = _encode(rows, self.codes, add=False)
        present = [values != 0 for values in codes]
        unseen = [values < 0 for values in codes]  # never in the true rows: a count of 0
        known = [np.maximum(values, 0) for values in codes]
        rare = np.zeros(len(rows), dtype=bool)
        for columns in self.column_sets():
            holds = present[columns[0]].copy()
            new = unseen[columns[0]].copy()
            for j in columns[1:]:
                holds &= present[j]
                new |= unseen[j]
            count = self._lookup(columns, self._key([known[j] for j in columns], columns))
            rare |= holds & (new | (count < k))
        return [bool(flag) for flag in rare]


# When a row holds a rare combination, values are withheld from it in this order (the first listed
# first): places, then the registration year, then age and gender; flags last. The CTDC does the
# same in its synthetic dataset ("some attributes, e.g. countries, suppressed when they cannot be
# protected").
WITHHOLD_FIRST = (4, 3, 0, 2, 1)


def k_filter(
    synthetic: Sequence[Row], true: Sequence[Row], *, k: int, length: int = REPORTING_LENGTH
) -> list[Row]:
    """The synthetic rows with every combination of up to ``length`` present values occurring
    at least ``k`` times in ``true``. A row holding a rarer combination loses values (the one in
    most rare combinations, ties broken by ``WITHHOLD_FIRST``) until none is left; a row left
    with no value at all is dropped."""
    counts = CombinationCounts(true, length)
    rank = {j: r for r, j in enumerate(WITHHOLD_FIRST)}
    distinct = list(dict.fromkeys(synthetic))
    safe = {
        row: _protect(row, counts, k, length, rank) if rare else row
        for row, rare in zip(distinct, counts.rare(distinct, k), strict=True)
    }
    return [safe[row] for row in synthetic if any(safe[row])]


def _protect(
    row: Row,
    counts: CombinationCounts,
    k: int,
    length: int,
    rank: dict[int, int],
) -> Row:
    values = list(row)
    while True:
        items = _items(tuple(values))
        rare = [
            combination
            for size in range(1, length + 1)
            for combination in combinations(items, size)
            if counts.count(combination) < k
        ]
        if not rare:
            return tuple(values)
        involved = Counter(j for combination in rare for j, _v in combination)
        worst = max(involved, key=lambda j: (involved[j], -rank.get(j, len(rank) + j)))
        values[worst] = ""


@dataclass
class Utility:
    """Errors of the marginals of the released rows against the true records (total variation
    distance), and how many rows the synthesis and the k rule left."""

    epsilon: float
    k: int
    records_true: int = 0
    records_synthesised: int = 0
    records_released: int = 0
    one_way: dict[str, float] = field(default_factory=dict)
    two_way: dict[str, float] = field(default_factory=dict)

    @staticmethod
    def _mean(values: Iterable[float]) -> float:
        values = list(values)
        return sum(values) / len(values) if values else 0.0

    @property
    def one_way_mean(self) -> float:
        return self._mean(self.one_way.values())

    @property
    def two_way_mean(self) -> float:
        return self._mean(self.two_way.values())

    @property
    def one_way_max(self) -> float:
        return max(self.one_way.values(), default=0.0)

    @property
    def two_way_max(self) -> float:
        return max(self.two_way.values(), default=0.0)


def marginal_errors(true: Sequence[Row], released: Sequence[Row], utility: Utility) -> Utility:
    """Fill ``utility`` with the error of every 1-way and 2-way marginal (absent values count
    as a value of their own). Counted with numpy over the distinct rows, each column's values
    as codes: 120 pairs of a million rows in seconds, not minutes."""
    import numpy as np

    width = len(HEADERS)
    codes: list[dict[str, int]] = [{} for _ in range(width)]

    def encoded(rows: Sequence[Row]) -> tuple[list[np.ndarray], np.ndarray]:
        distinct = Counter(rows)
        weights = np.fromiter(distinct.values(), dtype=np.float64, count=len(distinct))
        return _encode(list(distinct), codes, add=True), weights / max(len(rows), 1)

    a, a_share = encoded(true)
    b, b_share = encoded(released)
    sizes = [len(values) for values in codes]

    def distance(*columns: int) -> float:
        if not len(true) or not len(released):
            return 1.0
        bins = [sizes[j] for j in columns]
        key_a = _joint_key([a[j] for j in columns], bins)
        key_b = _joint_key([b[j] for j in columns], bins)
        total = math.prod(bins)
        shares = np.bincount(key_a, weights=a_share, minlength=total) - np.bincount(
            key_b, weights=b_share, minlength=total
        )
        return float(np.abs(shares).sum() / 2)

    for j in range(width):
        utility.one_way[HEADERS[j]] = distance(j)
    for i, j in combinations(range(width), 2):
        utility.two_way[f"{HEADERS[i]} × {HEADERS[j]}"] = distance(i, j)
    return utility


def release_rows(
    true: Sequence[Row],
    *,
    epsilon: float,
    k: int,
    processes: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Row], Utility]:
    """Synthesise, drop the rows with a combination rarer than k, and measure the utility."""
    utility = Utility(epsilon=epsilon, k=k, records_true=len(true))
    synthetic = synthesise(true, epsilon=epsilon, processes=processes, progress=progress)
    utility.records_synthesised = len(synthetic)
    released = k_filter(synthetic, true, k=k)
    utility.records_released = len(released)
    return released, marginal_errors(true, released, utility)


# --- the release: cases in, audited, for the command, the API and the page -----------------------


def case_count() -> int:
    """How many true rows :func:`true_rows` gives (every case), without reading them."""
    from opennrm.cases.models import Case

    return Case.objects.count()


def true_rows() -> list[Row]:
    """Every case as a synthetic-dataset row (the CTDC source, ages by the one age rule)."""
    from opennrm.statistics import exports

    columns = exports.ctdc_columns()
    names = [column.name for column in columns]
    age = columns[names.index("ageBroad")].base
    position = names.index("ageBroad")
    rows = []
    for raw in exports._ctdc_source():
        bracket = age(raw[position])
        rows.append(from_ctdc(names, raw, "" if bracket == "-99" else bracket))
    return rows


def budget(epsilon: float | None) -> float:
    """The ε a dataset is made with: ``epsilon`` if given, never above the setting
    (``OPENNRM_SYNTHETIC_EPSILON``); ValidationFailed when it is not above 0."""
    from django.conf import settings
    from django.utils.translation import gettext as _

    from opennrm.core.errors import ValidationFailed

    ceiling = float(settings.OPENNRM_SYNTHETIC_EPSILON)
    if epsilon is not None and not epsilon > 0:
        message = _("The privacy budget ε must be above 0.")
        raise ValidationFailed(message, fields={"epsilon": message})
    return min(epsilon or ceiling, ceiling)


def require_enough(count: int) -> None:
    """ValidationFailed when ``count`` cases are too few for a synthetic dataset."""
    from django.utils.translation import gettext as _

    from opennrm.core.errors import ValidationFailed

    if count < MIN_RECORDS:
        raise ValidationFailed(
            _(
                "There are too few cases (%(count)d) for a synthetic dataset: at least "
                "%(minimum)d are needed for its counts to mean anything."
            )
            % {"count": count, "minimum": MIN_RECORDS}
        )


def synthetic_release(
    *,
    actor: User | None,
    epsilon: float | None = None,
    processes: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[str], list[Row], Utility]:
    """The synthetic dataset of every case (ε from ``OPENNRM_SYNTHETIC_EPSILON`` unless given,
    never above it; k from ``OPENNRM_CTDC_K``). Requires ``export.ctdc``; audited with its
    utility. ``actor`` None is the operator's command line; ``progress(parts done, parts)``.
    ``processes``: worker processes for the parts (the command and the background worker use
    the CPUs; never a web process, which must not fork a threaded server)."""
    from django.conf import settings
    from django.db import transaction

    from opennrm.accounts import policy
    from opennrm.audit.services import record

    if actor is not None:
        policy.require(actor, "export.ctdc")
    epsilon = budget(epsilon)
    rows = true_rows()
    require_enough(len(rows))
    released, utility = release_rows(
        rows, epsilon=epsilon, k=settings.OPENNRM_CTDC_K, processes=processes, progress=progress
    )
    with transaction.atomic():
        record(
            actor=actor,
            actor_label="manage.py export_synthetic",
            verb="statistics.export_synthetic",
            target_type="statistics.synthetic",
            target_label=f"epsilon={epsilon}, k={utility.k}, {utility.records_released} rows",
            purpose="public synthetic microdata release",
            changes={
                "records_synthesised": utility.records_synthesised,
                "records_released": utility.records_released,
                "one_way_mean": round(utility.one_way_mean, 4),
                "two_way_mean": round(utility.two_way_mean, 4),
            },
        )
    return list(HEADERS), released, utility


def dataset_response(dataset: SyntheticDataset) -> FileResponse:
    """The file of a made synthetic dataset as a download, with its ε, k, released rows and mean
    marginal errors in headers (the page and the API; the caller audited the read)."""
    from opennrm.core.exports import csv_file_response

    return csv_file_response(
        dataset.file,
        "synthetic.csv",
        {
            "X-Epsilon": str(dataset.epsilon),
            "X-K": str(dataset.k),
            "X-Records-Released": str(dataset.records_released),
            "X-Marginal-Error-1-Way": f"{dataset.one_way_mean or 0:.4f}",
            "X-Marginal-Error-2-Way": f"{dataset.two_way_mean or 0:.4f}",
        },
    )
