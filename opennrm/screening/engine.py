"""The ILO/EC screening engine: answers + catalogue → dimensions, outcome and explanation.

Pure Python with no Django import, so it is tested without a database and can be reused by the
API's stateless ``evaluate`` endpoint. The output is structured data; the text a user reads is
rendered from it in their language by ``screening.explain``.

Step 1 (a dimension is positive) and step 2 (which dimensions must be positive) are data of the
catalogue version (``Rules``), because the reference marks them [S]/[R]: a country that checks
them against the primary brochure can load corrected rules without a code change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

STRENGTHS = ("strong", "medium", "weak")
# medium_or_weak counts either tier: combination (b) "1 strong plus 1 medium or 1 weak".
COUNT_KEYS = (*STRENGTHS, "medium_or_weak")
DIMENSIONS = (
    "deceptive_recruitment",
    "coercive_recruitment",
    "recruitment_abuse_of_vulnerability",
    "exploitation",
    "coercion_at_destination",
    "abuse_of_vulnerability_at_destination",
)
RECRUITMENT = DIMENSIONS[:3]
DESTINATION = DIMENSIONS[4:]

INDICATORS_OF_TRAFFICKING = "indicators_of_trafficking"
INSUFFICIENT_INDICATORS = "insufficient_indicators"

PRESENT, ABSENT, UNKNOWN = "present", "absent", "unknown"
ANSWERS = (PRESENT, ABSENT, UNKNOWN)


@dataclass(frozen=True)
class Combination:
    """Minimum counts (by ``COUNT_KEYS``) that together make a dimension positive."""

    name: str
    minimum: Mapping[str, int]

    def met_by(self, counts: Mapping[str, int]) -> bool:
        return all(_count(counts, key) >= need for key, need in self.minimum.items())

    def shortfall(self, counts: Mapping[str, int]) -> dict[str, int]:
        """Extra indicators needed, by key; adding one medium also serves ``medium_or_weak``."""
        short = {k: max(0, n - _count(counts, k)) for k, n in self.minimum.items()}
        either = short.pop("medium_or_weak", 0)
        covered = short.get("medium", 0) + short.get("weak", 0)
        if either > covered:
            short["medium_or_weak"] = either - covered
        return {k: v for k, v in short.items() if v}


def _count(counts: Mapping[str, int], key: str) -> int:
    if key == "medium_or_weak":
        return counts.get("medium", 0) + counts.get("weak", 0)
    return counts.get(key, 0)


@dataclass(frozen=True)
class Rules:
    combinations: tuple[Combination, ...]
    # Every group needs at least one positive dimension (AND of ORs).
    required: tuple[tuple[str, ...], ...]


# The reference's step 1 (domain.md §1.2): strong>=2 | strong>=1 & medium+weak>=1 | medium>=3 |
# medium>=2 & weak>=1. Weak indicators alone never suffice, nor does one strong alone.
STEP1: tuple[Combination, ...] = (
    Combination("a", {"strong": 2}),
    Combination("b", {"strong": 1, "medium_or_weak": 1}),
    Combination("c", {"medium": 3}),
    Combination("d", {"medium": 2, "weak": 1}),
)
ADULT_RULES = Rules(STEP1, (RECRUITMENT, ("exploitation",), DESTINATION))
# Palermo Art. 3(c): for a child the "means" element is not required.
CHILD_RULES = Rules(STEP1, (RECRUITMENT, ("exploitation",)))


def rules_to_data(rules: Rules) -> dict[str, Any]:
    return {
        "combinations": [{"name": c.name, "minimum": dict(c.minimum)} for c in rules.combinations],
        "required": [list(group) for group in rules.required],
    }


def rules_from_data(data: Mapping[str, Any]) -> Rules:
    """Rules from their stored form; the importer has validated the shape beforehand."""
    return Rules(
        tuple(
            Combination(str(c["name"]), {str(k): int(v) for k, v in c["minimum"].items()})
            for c in data["combinations"]
        ),
        tuple(tuple(str(d) for d in group) for group in data["required"]),
    )


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    dimension: str
    strength: str


@dataclass(frozen=True)
class Catalogue:
    list_name: str
    indicators: tuple[IndicatorSpec, ...]
    rules: Rules
    verified: bool = True

    def by_code(self) -> dict[str, IndicatorSpec]:
        return {i.code: i for i in self.indicators}


@dataclass(frozen=True)
class InputProblem:
    code: str
    kind: str  # "unknown_code" | "duplicate" | "conflicting_answers" | "bad_answer"


class InvalidAnswers(ValueError):
    def __init__(self, problems: Sequence[InputProblem]) -> None:
        super().__init__(", ".join(f"{p.code}: {p.kind}" for p in problems))
        self.problems = list(problems)


@dataclass
class DimensionResult:
    dimension: str
    counts: dict[str, int]
    positive: bool
    rule: str | None  # name of the first combination met
    deciding: list[str]  # present codes in this dimension, strongest first
    present: list[str]
    unknown: list[str]
    missing: dict[str, int]  # smallest addition that would make it positive; {} when positive

    def as_dict(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "counts": dict(self.counts),
            "positive": self.positive,
            "rule": self.rule,
            "deciding": list(self.deciding),
            "present": list(self.present),
            "unknown": list(self.unknown),
            "missing": dict(self.missing),
        }


@dataclass
class Result:
    list_name: str
    verified: bool
    outcome: str
    dimensions: list[DimensionResult]
    required: list[list[str]]
    unmet: list[list[str]]  # required groups with no positive dimension
    gaps: list[str] = field(default_factory=list)  # every "unknown" code: to explore, never counted

    @property
    def positive(self) -> bool:
        return self.outcome == INDICATORS_OF_TRAFFICKING

    def dimension(self, name: str) -> DimensionResult:
        return next(d for d in self.dimensions if d.dimension == name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "list": self.list_name,
            "verified": self.verified,
            "outcome": self.outcome,
            "dimensions": [d.as_dict() for d in self.dimensions],
            "required": [list(g) for g in self.required],
            "unmet": [list(g) for g in self.unmet],
            "gaps": list(self.gaps),
        }


def answers_from_lists(
    catalogue: Catalogue, present: Iterable[str], unknown: Iterable[str] = ()
) -> dict[str, str]:
    """Validate lists of codes (as the API receives them) into an answer map.

    Every problem is collected, not only the first: an unknown or foreign code, a code given twice,
    a code both present and unknown. Codes not mentioned are absent.
    """
    known = catalogue.by_code()
    problems: list[InputProblem] = []
    answers: dict[str, str] = {}
    for value, codes in ((PRESENT, list(present)), (UNKNOWN, list(unknown))):
        for code in codes:
            if code not in known:
                problems.append(InputProblem(code, "unknown_code"))
            elif answers.get(code) == value:
                problems.append(InputProblem(code, "duplicate"))
            elif code in answers:
                problems.append(InputProblem(code, "conflicting_answers"))
            else:
                answers[code] = value
    if problems:
        raise InvalidAnswers(problems)
    return answers


def evaluate(catalogue: Catalogue, answers: Mapping[str, str]) -> Result:
    """Apply step 1 to each dimension and step 2 to the dimensions; see the module docstring.

    ``answers`` maps codes to present / absent / unknown; a code not in it counts as absent. Only
    "present" counts; "unknown" is listed as a gap and never changes the outcome.
    """
    known = catalogue.by_code()
    bad = [InputProblem(c, "unknown_code") for c in answers if c not in known]
    bad += [
        InputProblem(c, "bad_answer") for c, v in answers.items() if c in known and v not in ANSWERS
    ]
    if bad:
        raise InvalidAnswers(bad)
    rank = {s: i for i, s in enumerate(STRENGTHS)}
    dimensions: list[DimensionResult] = []
    gaps: list[str] = []
    for dimension in DIMENSIONS:
        specs = [i for i in catalogue.indicators if i.dimension == dimension]
        present = [i for i in specs if answers.get(i.code) == PRESENT]
        unknown = [i.code for i in specs if answers.get(i.code) == UNKNOWN]
        gaps.extend(unknown)
        counts = {s: sum(1 for i in present if i.strength == s) for s in STRENGTHS}
        matched = next((c for c in catalogue.rules.combinations if c.met_by(counts)), None)
        ordered = [i.code for i in sorted(present, key=lambda i: rank[i.strength])]
        missing: dict[str, int] = {}
        if matched is None:
            missing = _cheapest_shortfall(catalogue.rules.combinations, counts, specs)
        dimensions.append(
            DimensionResult(
                dimension=dimension,
                counts=counts,
                positive=matched is not None,
                rule=matched.name if matched else None,
                deciding=ordered if matched else [],
                present=ordered,
                unknown=unknown,
                missing=missing,
            )
        )
    positive = {d.dimension for d in dimensions if d.positive}
    required = [list(group) for group in catalogue.rules.required]
    unmet = [group for group in required if not positive.intersection(group)]
    return Result(
        list_name=catalogue.list_name,
        verified=catalogue.verified,
        outcome=INSUFFICIENT_INDICATORS if unmet else INDICATORS_OF_TRAFFICKING,
        dimensions=dimensions,
        required=required,
        unmet=unmet,
        gaps=gaps,
    )


def _cheapest_shortfall(
    combinations: Sequence[Combination],
    counts: Mapping[str, int],
    specs: Sequence[IndicatorSpec],
) -> dict[str, int]:
    """The smallest shortfall that the dimension's remaining indicators could still fill."""
    available = {s: sum(1 for i in specs if i.strength == s) - counts.get(s, 0) for s in STRENGTHS}
    best: dict[str, int] | None = None
    for combination in combinations:
        short = combination.shortfall(counts)
        need_mw = short.get("medium_or_weak", 0)
        feasible = all(available.get(k, 0) >= n for k, n in short.items() if k in STRENGTHS) and (
            available["medium"] - short.get("medium", 0) + available["weak"] - short.get("weak", 0)
            >= need_mw
        )
        # Ties go to the option needing fewer strong indicators: those are the rarer findings.
        if feasible and (best is None or _cost(short) < _cost(best)):
            best = short
    return best or {}


def _cost(short: Mapping[str, int]) -> tuple[int, int]:
    return sum(short.values()), short.get("strong", 0)
