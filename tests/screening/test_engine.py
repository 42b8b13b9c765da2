"""The screening engine: every rule boundary, and properties; no database."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opennrm.screening import engine
from opennrm.screening.catalogue_io import bundled_specs


def _catalogue(list_name: str, rules: engine.Rules) -> engine.Catalogue:
    """Per dimension: 3 strong (S1-3), 4 medium (M1-4), 3 weak (W1-3); codes like EX-S1."""
    abbreviations = {d: d[:2].upper() + str(i) for i, d in enumerate(engine.DIMENSIONS)}
    indicators = []
    for dimension in engine.DIMENSIONS:
        for strength, n in (("strong", 3), ("medium", 4), ("weak", 3)):
            for k in range(1, n + 1):
                code = f"{abbreviations[dimension]}-{strength[0].upper()}{k}"
                indicators.append(engine.IndicatorSpec(code, dimension, strength))
    return engine.Catalogue(list_name, tuple(indicators), rules)


ADULT = _catalogue("adult_labour", engine.ADULT_RULES)
CHILD = _catalogue("child_labour", engine.CHILD_RULES)
CODE = {d: d[:2].upper() + str(i) for i, d in enumerate(engine.DIMENSIONS)}


def codes(dimension: str, *wanted: str) -> list[str]:
    """codes("exploitation", "S1", "M2") → ["EX3-S1", "EX3-M2"]."""
    return [f"{CODE[dimension]}-{w}" for w in wanted]


def present(*groups: list[str]) -> dict[str, str]:
    return {code: engine.PRESENT for group in groups for code in group}


def dimension_positive(*wanted: str) -> bool:
    result = engine.evaluate(ADULT, present(codes("exploitation", *wanted)))
    return result.dimension("exploitation").positive


@pytest.mark.parametrize(
    ("wanted", "positive", "rule"),
    [
        ((), False, None),
        (("S1",), False, None),  # one strong alone is not enough
        (("S1", "S2"), True, "a"),
        (("S1", "M1"), True, "b"),
        (("S1", "W1"), True, "b"),
        (("M1", "M2"), False, None),
        (("M1", "M2", "M3"), True, "c"),
        (("M1", "M2", "W1"), True, "d"),
        (("M1", "W1", "W2"), False, None),
        (("W1", "W2", "W3"), False, None),  # weak alone never
    ],
)
def test_step_one_boundaries(wanted: tuple[str, ...], positive: bool, rule: str | None) -> None:
    result = engine.evaluate(ADULT, present(codes("exploitation", *wanted)))
    dimension = result.dimension("exploitation")
    assert dimension.positive is positive
    assert dimension.rule == rule


def test_a_positive_dimension_names_its_deciding_indicators_strongest_first() -> None:
    result = engine.evaluate(ADULT, present(codes("exploitation", "W1", "S1")))
    assert result.dimension("exploitation").deciding == ["EX3-S1", "EX3-W1"]


def test_a_negative_dimension_says_what_is_missing() -> None:
    result = engine.evaluate(ADULT, present(codes("exploitation", "S1")))
    assert result.dimension("exploitation").missing == {"medium_or_weak": 1}
    result = engine.evaluate(ADULT, present(codes("exploitation", "M1", "M2")))
    assert result.dimension("exploitation").missing == {"medium": 1}
    nothing = engine.evaluate(ADULT, {})
    assert nothing.dimension("exploitation").missing == {"strong": 1, "medium_or_weak": 1}


ADULT_FULL = [
    codes("deceptive_recruitment", "S1", "S2"),
    codes("exploitation", "M1", "M2", "M3"),
    codes("coercion_at_destination", "S1", "M1"),
]


def test_adult_needs_recruitment_exploitation_and_means() -> None:
    assert engine.evaluate(ADULT, present(*ADULT_FULL)).outcome == "indicators_of_trafficking"
    without_means = engine.evaluate(ADULT, present(*ADULT_FULL[:2]))
    assert without_means.outcome == "insufficient_indicators"
    assert without_means.unmet == [
        ["coercion_at_destination", "abuse_of_vulnerability_at_destination"]
    ]


def test_any_recruitment_dimension_and_either_destination_dimension_count_for_an_adult() -> None:
    answers = present(
        codes("recruitment_abuse_of_vulnerability", "M1", "M2", "M3"),
        codes("exploitation", "S1", "S2"),
        codes("abuse_of_vulnerability_at_destination", "M1", "M2", "W1"),
    )
    assert engine.evaluate(ADULT, answers).outcome == "indicators_of_trafficking"


def test_child_needs_only_recruitment_and_exploitation() -> None:
    answers = present(*ADULT_FULL[:2])
    assert engine.evaluate(CHILD, answers).outcome == "indicators_of_trafficking"
    assert engine.evaluate(ADULT, answers).outcome == "insufficient_indicators"
    only_exploitation = present(ADULT_FULL[1])
    result = engine.evaluate(CHILD, only_exploitation)
    assert result.outcome == "insufficient_indicators"
    assert result.unmet == [list(engine.RECRUITMENT)]


def test_unknown_answers_are_gaps_and_never_count() -> None:
    answers = present(ADULT_FULL[0], ADULT_FULL[2]) | dict.fromkeys(
        codes("exploitation", "S1", "S2", "S3"), engine.UNKNOWN
    )
    result = engine.evaluate(ADULT, answers)
    assert result.outcome == "insufficient_indicators"
    assert result.gaps == ["EX3-S1", "EX3-S2", "EX3-S3"]
    assert result.dimension("exploitation").unknown == ["EX3-S1", "EX3-S2", "EX3-S3"]
    assert result.dimension("exploitation").counts == {"strong": 0, "medium": 0, "weak": 0}


def test_rules_are_data_of_the_catalogue() -> None:
    strict = engine.Rules((engine.Combination("x", {"strong": 3}),), (("exploitation",),))
    catalogue = engine.Catalogue("adult_labour", ADULT.indicators, strict)
    two = present(codes("exploitation", "S1", "S2"))
    assert engine.evaluate(catalogue, two).outcome == "insufficient_indicators"
    three = present(codes("exploitation", "S1", "S2", "S3"))
    assert engine.evaluate(catalogue, three).outcome == "indicators_of_trafficking"


def test_rules_survive_their_stored_form() -> None:
    assert engine.rules_from_data(engine.rules_to_data(engine.ADULT_RULES)) == engine.ADULT_RULES


def test_it_refuses_unknown_duplicate_and_conflicting_codes_naming_each() -> None:
    with pytest.raises(engine.InvalidAnswers) as caught:
        engine.answers_from_lists(ADULT, ["EX3-S1", "NOPE", "EX3-S1"], ["EX3-S1"])
    assert [(p.code, p.kind) for p in caught.value.problems] == [
        ("NOPE", "unknown_code"),
        ("EX3-S1", "duplicate"),
        ("EX3-S1", "conflicting_answers"),
    ]
    with pytest.raises(engine.InvalidAnswers):
        engine.evaluate(ADULT, {"EX3-S1": "maybe"})


def test_the_bundled_labour_lists_have_the_reference_counts() -> None:
    specs = {s.list_name: s for s in bundled_specs()}
    adult = Counter(i.dimension for i in specs["adult_labour"].indicators)
    child = Counter(i.dimension for i in specs["child_labour"].indicators)
    assert [adult[d] for d in engine.DIMENSIONS] == [10, 10, 16, 9, 15, 7]
    assert sum(adult.values()) == 67
    assert [child[d] for d in engine.DIMENSIONS] == [10, 10, 15, 8, 15, 7]
    assert sum(child.values()) == 65
    assert not any(i.strength == "weak" for i in specs["child_labour"].indicators)
    assert specs["adult_labour"].verified
    assert specs["child_labour"].verified
    assert not specs["adult_sexual"].verified
    assert not specs["child_sexual"].verified
    sexual_exploitation = [
        i.strength for i in specs["adult_sexual"].indicators if i.dimension == "exploitation"
    ]
    assert "strong" not in sexual_exploitation


ANSWER = st.sampled_from(engine.ANSWERS)
ALL_CODES = [i.code for i in ADULT.indicators]
ANSWER_MAPS = st.dictionaries(st.sampled_from(ALL_CODES), ANSWER, max_size=40)


@settings(max_examples=200, deadline=None)
@given(
    answers=ANSWER_MAPS, extra=st.sampled_from(ALL_CODES), catalogue=st.sampled_from([ADULT, CHILD])
)
def test_adding_a_present_indicator_never_turns_positive_into_negative(
    answers: dict[str, str], extra: str, catalogue: engine.Catalogue
) -> None:
    before = engine.evaluate(catalogue, answers)
    after = engine.evaluate(catalogue, answers | {extra: engine.PRESENT})
    if before.positive:
        assert after.positive
    for b, a in zip(before.dimensions, after.dimensions, strict=True):
        assert a.positive or not b.positive


@settings(max_examples=200, deadline=None)
@given(answers=ANSWER_MAPS, catalogue=st.sampled_from([ADULT, CHILD]))
def test_unknown_answers_never_change_the_outcome(
    answers: dict[str, str], catalogue: engine.Catalogue
) -> None:
    only_present = {c: v for c, v in answers.items() if v == engine.PRESENT}
    assert (
        engine.evaluate(catalogue, answers).outcome
        == engine.evaluate(catalogue, only_present).outcome
    )


@settings(max_examples=200, deadline=None)
@given(answers=ANSWER_MAPS)
def test_absent_is_the_same_as_not_answered(answers: dict[str, str]) -> None:
    without_absent = {c: v for c, v in answers.items() if v != engine.ABSENT}
    left = engine.evaluate(ADULT, answers).as_dict()
    right = engine.evaluate(ADULT, without_absent).as_dict()
    assert left == right


@settings(max_examples=100, deadline=None)
@given(answers=ANSWER_MAPS)
def test_a_child_result_is_never_stricter_than_an_adult_one(answers: dict[str, str]) -> None:
    if engine.evaluate(ADULT, answers).positive:
        assert engine.evaluate(CHILD, answers).positive
