"""A differentially private synthetic dataset: the second public microdata product, as the CTDC's.

The CTDC publishes, besides its k-anonymised dataset, a Global Synthetic Dataset generated with
differential privacy (reference/domain.md §2.1–2.2 (b)). This module makes the same product from
the platform's cases, with the CTDC synthetic dataset's columns (means of control merged into its
eight composite flags, flags ``1`` or empty).

Synthesizer: **pac-synth** (Microsoft Research, "Private Accurate Combination"; PyPI
``pac-synth``), the DP Aggregate Seeded synthesizer of the family behind the CTDC Global
Synthetic Dataset. It computes differentially private counts of every combination of up to
``reporting_length`` attribute values (Gaussian noise, budget ε, δ set from the number of records)
and samples records that reproduce them. It installs as one abi3 wheel with no Python
dependencies (checked on this Python 3.13); ``smartnoise-synth`` would bring PyTorch, pandas and
OpenDP for synthesizers (MWEM, MST) built for the same marginal-preserving job.

Two guarantees on what leaves, each tested:

* ε-differential privacy of the synthesis, ε a setting (``OPENNRM_SYNTHETIC_EPSILON``);
* **no combination rarer than k in the true data**: every combination of up to
  ``reporting_length`` attribute values of a released row occurs at least k times
  (``OPENNRM_CTDC_K``) among the true records — the "k-synthetic" rule of Microsoft's
  synthetic-data showcase (its ``reporting_resolution``). After synthesis and before release, a
  row breaking it loses the values involved (places first), as the CTDC suppresses attributes
  it cannot protect; a row left empty is dropped.

The utility report gives the error of every 1-way and 2-way marginal of the released rows against
the true records, as total variation distance (half the sum of the absolute differences of the
shares, 0 = identical, 1 = disjoint).

Pure functions except :func:`synthetic_release` and :func:`synthetic_response`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import StreamingHttpResponse

    from opennrm.accounts.models import User

type Row = tuple[str, ...]

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


def synthesise(
    rows: Sequence[Row], *, epsilon: float, reporting_length: int = REPORTING_LENGTH
) -> list[Row]:
    """Synthetic rows with ε-differential privacy (pac-synth's DP Aggregate Seeded synthesizer);
    empty strings are absent values, as in the CTDC file."""
    import pacsynth

    if not rows:
        return []
    parameters = (
        pacsynth.DpAggregateSeededParametersBuilder()
        .epsilon(epsilon)
        .reporting_length(reporting_length)
        .build()
    )
    synthesizer = pacsynth.DpAggregateSeededSynthesizer(parameters)
    synthesizer.fit(pacsynth.Dataset([list(HEADERS), *(list(row) for row in rows)]))
    sampled = synthesizer.sample()
    position = [sampled[0].index(name) for name in HEADERS]
    return [tuple(record[j] for j in position) for record in sampled[1:]]


def _items(row: Row) -> list[tuple[int, str]]:
    return [(j, value) for j, value in enumerate(row) if value]


def combination_counts(rows: Iterable[Row], length: int) -> Counter[tuple[tuple[int, str], ...]]:
    """How many rows hold each combination of up to ``length`` present attribute values."""
    distinct = Counter(rows)
    counts: Counter[tuple[tuple[int, str], ...]] = Counter()
    for row, n in distinct.items():
        items = _items(row)
        for size in range(1, length + 1):
            for combination in combinations(items, size):
                counts[combination] += n
    return counts


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
    counts = combination_counts(true, length)
    rank = {j: r for r, j in enumerate(WITHHOLD_FIRST)}
    done: dict[Row, Row] = {}
    kept = []
    for row in synthetic:
        safe = done.get(row)
        if safe is None:
            safe = done[row] = _protect(row, counts, k, length, rank)
        if any(safe):
            kept.append(safe)
    return kept


def _protect(
    row: Row,
    counts: Counter[tuple[tuple[int, str], ...]],
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
            if counts[combination] < k
        ]
        if not rare:
            return tuple(values)
        involved = Counter(j for combination in rare for j, _v in combination)
        worst = max(involved, key=lambda j: (involved[j], -rank.get(j, len(rank) + j)))
        values[worst] = ""


def _distance(true: Counter[Row], released: Counter[Row], n_true: int, n_released: int) -> float:
    if not n_true or not n_released:
        return 1.0
    keys = true.keys() | released.keys()
    return sum(abs(true[key] / n_true - released[key] / n_released) for key in keys) / 2


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
    as a value of their own)."""
    true_rows, released_rows = Counter(true), Counter(released)
    n_true, n_released = len(true), len(released)
    columns = range(len(HEADERS))
    for j in columns:
        a: Counter[Row] = Counter()
        b: Counter[Row] = Counter()
        for row, n in true_rows.items():
            a[(row[j],)] += n
        for row, n in released_rows.items():
            b[(row[j],)] += n
        utility.one_way[HEADERS[j]] = _distance(a, b, n_true, n_released)
    for i, j in combinations(columns, 2):
        a, b = Counter(), Counter()
        for row, n in true_rows.items():
            a[(row[i], row[j])] += n
        for row, n in released_rows.items():
            b[(row[i], row[j])] += n
        utility.two_way[f"{HEADERS[i]} × {HEADERS[j]}"] = _distance(a, b, n_true, n_released)
    return utility


def release_rows(true: Sequence[Row], *, epsilon: float, k: int) -> tuple[list[Row], Utility]:
    """Synthesise, drop the rows with a combination rarer than k, and measure the utility."""
    utility = Utility(epsilon=epsilon, k=k, records_true=len(true))
    synthetic = synthesise(true, epsilon=epsilon)
    utility.records_synthesised = len(synthetic)
    released = k_filter(synthetic, true, k=k)
    utility.records_released = len(released)
    return released, marginal_errors(true, released, utility)


# --- the release: cases in, audited, for the command, the API and the page -----------------------


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


def synthetic_release(
    *, actor: User | None, epsilon: float | None = None
) -> tuple[list[str], list[Row], Utility]:
    """The synthetic dataset of every case (ε from ``OPENNRM_SYNTHETIC_EPSILON`` unless given,
    never above it; k from ``OPENNRM_CTDC_K``). Requires ``export.ctdc``; audited with its
    utility. ``actor`` None is the operator's command line."""
    from django.conf import settings
    from django.db import transaction
    from django.utils.translation import gettext as _

    from opennrm.accounts import policy
    from opennrm.audit.services import record
    from opennrm.core.errors import ValidationFailed

    if actor is not None:
        policy.require(actor, "export.ctdc")
    ceiling = float(settings.OPENNRM_SYNTHETIC_EPSILON)
    if epsilon is not None and epsilon <= 0:
        message = _("The privacy budget ε must be above 0.")
        raise ValidationFailed(message, fields={"epsilon": message})
    epsilon = min(epsilon or ceiling, ceiling)
    rows = true_rows()
    if len(rows) < MIN_RECORDS:
        raise ValidationFailed(
            _(
                "There are too few cases (%(count)d) for a synthetic dataset: at least "
                "%(minimum)d are needed for its counts to mean anything."
            )
            % {"count": len(rows), "minimum": MIN_RECORDS}
        )
    released, utility = release_rows(rows, epsilon=epsilon, k=settings.OPENNRM_CTDC_K)
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


def synthetic_response(*, actor: User, epsilon: float | None = None) -> StreamingHttpResponse:
    from django.utils import timezone

    from opennrm.core.exports import csv_response

    headers, rows, utility = synthetic_release(actor=actor, epsilon=epsilon)
    response = csv_response(
        f"synthetic-{timezone.localdate().isoformat()}.csv", headers, iter(rows)
    )
    response["X-Epsilon"] = str(utility.epsilon)
    response["X-K"] = str(utility.k)
    response["X-Records-Released"] = str(utility.records_released)
    response["X-Marginal-Error-1-Way"] = f"{utility.one_way_mean:.4f}"
    response["X-Marginal-Error-2-Way"] = f"{utility.two_way_mean:.4f}"
    return response
