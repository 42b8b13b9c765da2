"""k-anonymity: every released row shares its exact values with at least k - 1 others."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from opennrm.statistics.kanon import (
    MISSING,
    OTHER,
    RARE,
    Column,
    age_bracket,
    anonymise,
    broad_bracket,
    local_recode,
    majority,
)
from tests.statistics import kanon_reference as reference

AGE = Column("ageBroad", base=age_bracket, steps=(broad_bracket, majority))
REGION = {"RS": "Europe", "DE": "Europe", "NG": "Africa", "VN": "Asia", "CN": "Asia"}
COUNTRY = Column("citizenship", steps=(lambda c: REGION.get(c, OTHER), RARE))
GENDER = Column("gender", steps=(RARE,))
FLAG = Column("isForcedLabour")


def release(rows, columns, k, share=0.05):
    out, report = anonymise(lambda: iter(rows), columns, k=k, max_suppressed_share=share)
    return list(out), report


def test_ages_fall_into_the_ctdc_brackets():
    assert [age_bracket(a) for a in ("0", "8", "9", "17", "18", "29", "30", "47", "48", "")] == [
        "0--8",
        "0--8",
        "9--17",
        "9--17",
        "18--20",
        "27--29",
        "30--38",
        "39--47",
        "48+",
        MISSING,
    ]


def test_a_large_uniform_group_is_released_only_bracketed():
    rows = [("25", "RS", "Feminine", "1")] * 11
    released, report = release(rows, [AGE, COUNTRY, GENDER, FLAG], k=11)
    assert released == [("24--26", "RS", "Feminine", "1")] * 11
    assert (report.records_released, report.records_suppressed) == (11, 0)
    assert report.values_generalised == 11
    assert report.levels == {"ageBroad": 0, "citizenship": 0, "gender": 0, "isForcedLabour": 0}


def test_it_generalises_country_to_region_before_suppressing_records():
    rows = [("30", "DE", "Masculine", "1")] * 6 + [("31", "RS", "Masculine", "1")] * 6
    released, report = release(rows, [AGE, COUNTRY, GENDER, FLAG], k=11, share=0.0)
    assert released == [("30--38", "Europe", "Masculine", "1")] * 12
    assert report.levels["citizenship"] == 1
    assert report.records_suppressed == 0


def test_it_suppresses_an_outlier_rather_than_coarsen_everyone():
    rows = [("30", "RS", "Feminine", "1")] * 40 + [("70", "VN", "Masculine", "0")]
    released, report = release(rows, [AGE, COUNTRY, GENDER, FLAG], k=11, share=0.05)
    assert released == [("30--38", "RS", "Feminine", "1")] * 40
    assert (report.records_read, report.records_released, report.records_suppressed) == (41, 40, 1)


def test_too_few_records_are_never_released():
    rows = [("30", "RS", "Feminine", "1")] * 10
    released, report = release(rows, [AGE, COUNTRY, GENDER, FLAG], k=11, share=0.0)
    assert released == []
    assert report.records_suppressed == 10
    assert report.withheld_columns == ["ageBroad", "citizenship", "gender", "isForcedLabour"]


records = st.lists(
    st.tuples(
        st.one_of(st.just(""), st.integers(0, 90).map(str)),
        st.sampled_from(["RS", "DE", "NG", "VN", "CN", "BR", ""]),
        st.sampled_from(["Feminine", "Masculine", "NonConforming"]),
        st.sampled_from(["0", "1"]),
    ),
    max_size=300,
)


@settings(max_examples=150, deadline=None)
@given(records, st.integers(2, 15), st.sampled_from([0.0, 0.05, 0.3]))
def test_every_group_of_identical_released_rows_has_at_least_k_members(rows, k, share):
    released, report = release(rows, [AGE, COUNTRY, GENDER, FLAG], k=k, share=share)
    assert all(n >= k for n in Counter(released).values())
    assert report.records_released + report.records_suppressed == len(rows)
    assert report.records_released == len(released)
    if len(rows) >= k:
        # generalising to a single class always works, so no more than the budget is dropped
        assert report.records_suppressed <= len(rows) * share


@settings(max_examples=150, deadline=None)
@given(
    records,
    st.integers(2, 15),
    st.sampled_from([0.0, 0.05, 0.3]),
    st.sampled_from([None, (4,), (1, 2, 1), (2, 2)]),
    st.sampled_from([None, [], ["gender", "ageBroad", "citizenship", "ageBroad"]]),
)
def test_the_compact_engine_releases_what_the_reference_engine_releases(
    rows, k, share, blocks, plan
):
    columns = [AGE, COUNTRY, GENDER, FLAG]
    expected_rows, expected = reference.anonymise(
        lambda: iter(rows), columns, k=k, max_suppressed_share=share, plan=plan
    )
    released, report = anonymise(
        lambda: iter(rows), columns, k=k, max_suppressed_share=share, plan=plan, blocks=blocks
    )
    assert list(released) == list(expected_rows)
    assert report == expected


def test_the_records_are_read_once_and_what_was_counted_is_released():
    reads = []

    def rows():
        reads.append(1)
        return iter([("30", "RS", "Feminine", "1")] * 40 + [("70", "VN", "Masculine", "0")])

    released, report = anonymise(rows, [AGE, COUNTRY, GENDER, FLAG], k=11, blocks=(2, 2))
    assert list(released) == [("30--38", "RS", "Feminine", "1")] * 40
    assert (report.records_released, report.records_suppressed, len(reads)) == (40, 1, 1)


def test_blocks_must_cover_the_columns():
    with pytest.raises(ValueError, match="blocks must be positive sizes"):
        anonymise(lambda: iter([]), [AGE, COUNTRY, GENDER, FLAG], k=11, blocks=(2, 1))


# The local recoding: the numpy engine against the first (per-record Python) formulation, kept in
# kanon_reference. Rows with many repeats and values present at some levels only, so that splits
# leave small groups behind (the rest child, and the rest joining the smallest group).
local_records = st.lists(
    st.tuples(
        st.one_of(st.just(""), st.integers(0, 90).map(str)),
        st.sampled_from(["RS", "DE", "NG", "VN", "CN", "BR", "AL", "UA", MISSING]),
        st.sampled_from(["Feminine", "Masculine", "NonConforming"]),
        st.sampled_from(["0", "1"]),
    ),
    max_size=400,
).flatmap(
    lambda rows: (
        st.lists(st.sampled_from(rows), min_size=len(rows), max_size=3 * len(rows))
        if rows
        else st.just(rows)
    )
)


# Small age groups left over in the order of their first record, then split on citizenship: the
# children's order (and so the released rows' order) follows the rest's member order.
RESTS = [("30", "RS", "Feminine", "1")] * 3 + [
    ("5", "DE", "Feminine", "1"),
    ("10", "NG", "Feminine", "1"),
    ("5", "VN", "Feminine", "1"),
    ("10", "DE", "Feminine", "1"),
    ("19", "NG", "Feminine", "1"),
    ("19", "VN", "Feminine", "1"),
    ("22", "DE", "Feminine", "1"),
    ("22", "NG", "Feminine", "1"),
    ("25", "VN", "Feminine", "1"),
]


@settings(max_examples=150, deadline=None)
@example(rows=RESTS, k=3, blocks=None, priority=None)
@given(
    local_records,
    st.integers(2, 15),
    st.sampled_from([None, (4,), (1, 2, 1), (2, 2)]),
    st.sampled_from(
        [
            None,
            [("citizenship", 1), ("gender", 0), ("ageBroad", 1), ("citizenship", 0)],
            [("isForcedLabour", 0), ("ageBroad", 2), ("ageBroad", 0), ("citizenship", 2)],
        ]
    ),
)
def test_the_local_recoding_releases_what_the_reference_formulation_releases(
    rows, k, blocks, priority
):
    columns = [AGE, COUNTRY, GENDER, FLAG]
    expected_rows, expected = reference.local_recode(
        lambda: iter(rows), columns, k=k, priority=priority
    )
    released, report = local_recode(
        lambda: iter(rows), columns, k=k, priority=priority, blocks=blocks
    )
    assert list(released) == list(expected_rows)
    assert report == expected


def test_the_local_recoding_checks_blocks_and_row_widths():
    with pytest.raises(ValueError, match="blocks must be positive sizes"):
        local_recode(lambda: iter([]), [AGE, COUNTRY, GENDER, FLAG], k=11, blocks=(3, 0, 1))
    with pytest.raises(ValueError, match="a row has 3 values for 4 columns"):
        local_recode(lambda: iter([("30", "RS", "Feminine")]), [AGE, COUNTRY, GENDER, FLAG], k=2)


def test_a_block_with_more_than_65536_distinct_values_is_read_whole():
    # The reading keeps two bytes per record and block until a block's 65,537th distinct value;
    # the records before and after the switch must all be counted as they were read.
    code = Column("code", base=lambda value: str(int(value) % 7))
    rows = [(str(i), "RS" if i % 3 else "DE", "1" if i % 5 else "0") for i in range(70_000)]
    columns = [code, COUNTRY, FLAG]
    expected_rows, expected = reference.local_recode(lambda: iter(rows), columns, k=11)
    released, report = local_recode(lambda: iter(rows), columns, k=11)
    out = list(released)
    assert out == list(expected_rows)
    assert report == expected
    assert Counter(row[0] for row in out) == Counter(str(i % 7) for i in range(70_000))
