"""Disclosure control: the cell-key method on its own, no database (the cross-query attacker
against the real API is ``test_cross_query_attack.py``)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opennrm.statistics.disclosure import (
    KEY_RANGE,
    Profile,
    Reason,
    Table,
    Thresholds,
    perturb,
    possible_counts,
    protect,
    protect_count,
    ptable,
    released_value,
    round_to_base,
)

T = Thresholds(restricted=5, public=10, rounding=5, restricted_spread=2, public_spread=3)


def displays(protected):
    return [[cell.display for cell in row] for row in protected.grid()]


def test_official_publishes_every_exact_count():
    table = Table.build(["2025", "2026"], ["F", "M"], [[1, 2], [0, 7]])
    protected = protect(table, Profile.OFFICIAL, T)
    assert displays(protected) == [["1", "2", "3"], ["0", "7", "7"], ["1", "9", "10"]]
    assert protected.withheld == 0


@pytest.mark.parametrize("count", range(0, 60))
def test_every_ptable_row_shares_out_all_cell_keys_without_bias(count):
    for threshold, spread in ((5, 2), (10, 3)):
        row = ptable(count, threshold, spread)
        assert sum(slots for _value, slots in row) == KEY_RANGE
        assert all(slots > 0 for _value, slots in row)
        mean = Fraction(sum(v * s for v, s in row), KEY_RANGE)
        if count == 0 or count >= threshold:
            assert mean == count
        else:
            # 0 or T; the keys are whole, so the mean is within half a key's share of n.
            assert {v for v, _s in row} == {0, threshold}
            assert abs(mean - count) <= Fraction(threshold, 2 * KEY_RANGE)


@settings(max_examples=500)
@given(st.integers(0, 400), st.integers(0, 10**6), st.sampled_from(list(Profile)))
def test_a_figure_is_a_fixed_function_of_its_count_and_keys_and_never_a_small_count(
    count, key_sum, profile
):
    value = released_value(count, key_sum, profile, T)
    assert value == released_value(count, key_sum, profile, T)  # the same records, the same
    assert value == released_value(count, key_sum + KEY_RANGE, profile, T)  # keys modulo range
    assert count in possible_counts(value, profile, T, upto=count + 20)
    if profile is Profile.OFFICIAL:
        assert value == count
        return
    threshold = T.restricted if profile is Profile.RESTRICTED else T.public
    assert value == 0 or value >= threshold  # a count from 1 to T-1 is never published
    if count == 0:
        assert value == 0
    if count >= threshold:
        spread = T.restricted_spread if profile is Profile.RESTRICTED else T.public_spread
        raw = perturb(count, key_sum, threshold, spread)
        assert abs(raw - count) <= spread
        assert raw >= threshold
        if profile is Profile.PUBLIC:
            assert value == round_to_base(raw, T.rounding)


def test_a_small_count_is_shown_as_below_the_threshold_and_zero_too():
    shown = {
        protect_count(n, key, Profile.RESTRICTED, T).display for n in range(5) for key in range(256)
    }
    assert shown == {"<5", "5"}
    cell = protect_count(0, 0, Profile.RESTRICTED, T)
    assert (cell.value, cell.suppressed, cell.reason) == (None, True, Reason.SMALL)


def test_the_noise_differs_between_sets_of_records_so_a_difference_is_not_a_count():
    # 55 and 54 people: over all pairs of cell keys, the difference of the published figures
    # is anything from -3 to 5, and 1 (the true difference) only about a fifth of the time.
    differences = [
        released_value(55, a, Profile.RESTRICTED, T) - released_value(54, b, Profile.RESTRICTED, T)
        for a in range(KEY_RANGE)
        for b in range(KEY_RANGE)
    ]
    assert min(differences) == -3
    assert max(differences) == 5
    assert differences.count(1) / len(differences) < 0.3


def test_totals_are_figures_of_their_own_perturbed_by_their_own_keys():
    table = Table.build(["a", "b"], ["F", "M"], [[30, 20], [3, 40]], keys=[[1, 2], [3, 4]])
    protected = protect(table, Profile.RESTRICTED, T)
    grid, keys = table.grid(), table.key_grid()
    assert keys == [[1, 2, 3], [3, 4, 7], [4, 6, 10]]
    for i, row in enumerate(protected.grid()):
        for j, cell in enumerate(row):
            expected = released_value(grid[i][j], keys[i][j], Profile.RESTRICTED, T)
            assert (cell.value or 0) == expected


def test_a_perturbed_release_needs_the_record_keys():
    with pytest.raises(ValueError, match="record-key sum"):
        protect(Table.build(["a"], ["F"], [[3]]), Profile.RESTRICTED, T)


def test_public_rounds_the_perturbed_figures_to_base_five():
    table = Table.build(["a", "b"], ["F", "M"], [[12, 13], [27, 100]], keys=[[7, 9], [11, 13]])
    protected = protect(table, Profile.PUBLIC, T)
    assert all(
        cell.value is None or cell.value % 5 == 0 for row in protected.grid() for cell in row
    )


def test_an_empty_table_shows_only_marks_below_the_threshold():
    table = Table.build(["a"], ["F", "M"], [[0, 0]], keys=[[0, 0]])
    protected = protect(table, Profile.PUBLIC, T)
    assert displays(protected) == [["<10", "<10", "<10"], ["<10", "<10", "<10"]]


def test_rounding_is_to_the_nearest_multiple_halves_up():
    assert [round_to_base(v, 5) for v in (10, 12, 13, 17, 18, 0)] == [10, 10, 15, 15, 20, 0]
