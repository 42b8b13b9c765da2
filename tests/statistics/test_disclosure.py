"""Disclosure control: exact behaviour on small tables, and random tables attacked by a solver."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from opennrm.statistics.disclosure import (
    Profile,
    Reason,
    Table,
    Thresholds,
    bridges,
    protect,
    protect_linked,
    round_to_base,
)
from tests.statistics.attack import pinned, pinned_linked

T = Thresholds(restricted=5, public=10, rounding=5)


def displays(protected):
    return [[cell.display for cell in row] for row in protected.grid()]


def test_official_publishes_every_exact_count():
    table = Table.build(["2025", "2026"], ["F", "M"], [[1, 2], [0, 7]])
    protected = protect(table, Profile.OFFICIAL, T)
    assert displays(protected) == [["1", "2", "3"], ["0", "7", "7"], ["1", "9", "10"]]
    assert protected.primary == protected.secondary == 0


def test_restricted_hides_a_small_cell_and_enough_others_that_it_cannot_be_recomputed():
    table = Table.build(["a", "b", "c"], ["F", "M"], [[3, 20], [10, 30], [12, 40]])
    protected = protect(table, Profile.RESTRICTED, T)
    # the 3 is primary; its row partner 20 and the smallest cells closing a cycle are complementary
    assert displays(protected) == [
        ["<5", "x", "23"],
        ["x", "x", "40"],
        ["12", "40", "52"],
        ["25", "90", "115"],
    ]
    assert (protected.primary, protected.secondary) == (1, 3)
    assert pinned(table.grid(), set(protected.suppressed_positions)) == {}


def test_restricted_publishes_zeros_and_never_uses_them_to_hide_others():
    table = Table.build(["a", "b"], ["F", "M", "X"], [[2, 0, 9], [6, 0, 8]])
    protected = protect(table, Profile.RESTRICTED, T)
    assert [c.display for c in protected.cells[0]][1] == "0"
    assert [c.display for c in protected.cells[1]][1] == "0"
    assert protected.column_totals[1].display == "0"
    grid = table.grid()
    assert all(grid[i][j] > 0 for i, j in protected.suppressed_positions)
    assert pinned(grid, set(protected.suppressed_positions)) == {}


def test_a_small_total_is_suppressed_and_cannot_be_derived_from_the_grand_total():
    # Row "b" totals 4: it is hidden, and so must be something else in its column of totals.
    table = Table.build(["a", "b", "c"], ["F", "M"], [[30, 25], [4, 0], [20, 21]])
    protected = protect(table, Profile.RESTRICTED, T)
    assert protected.row_totals[1].display == "<5"
    assert protected.cells[1][0].display == "<5"
    assert protected.cells[1][1].display == "0"
    assert pinned(table.grid(), set(protected.suppressed_positions)) == {}
    hidden_totals = [t for t in protected.row_totals if t.suppressed]
    assert len(hidden_totals) >= 2


def test_a_single_small_row_in_a_one_column_table_hides_another_row():
    table = Table.build(["a", "b", "c"], ["n"], [[2], [40], [33]])
    protected = protect(table, Profile.RESTRICTED, T)
    assert displays(protected) == [["<5", "<5"], ["40", "40"], ["x", "x"], ["75", "75"]]
    assert pinned(table.grid(), set(protected.suppressed_positions)) == {}


def test_public_suppresses_below_ten_and_rounds_the_rest_to_base_five():
    table = Table.build(["a", "b"], ["F", "M"], [[12, 13], [27, 100]])
    protected = protect(table, Profile.PUBLIC, T)
    assert displays(protected) == [["10", "15", "25"], ["25", "100", "125"], ["40", "115", "150"]]


def test_public_marks_primary_cells_below_ten():
    table = Table.build(["a", "b"], ["F", "M"], [[9, 40], [30, 50]])
    protected = protect(table, Profile.PUBLIC, T)
    assert protected.cells[0][0].display == "<10"
    assert protected.cells[0][0].value is None
    assert protected.cells[0][0].reason is Reason.PRIMARY
    assert {c.reason for row in protected.cells for c in row if c.suppressed} == {
        Reason.PRIMARY,
        Reason.SECONDARY,
    }


def test_an_empty_table_publishes_zeros():
    table = Table.build(["a"], ["F", "M"], [[0, 0]])
    protected = protect(table, Profile.PUBLIC, T)
    assert displays(protected) == [["0", "0", "0"], ["0", "0", "0"]]


def test_rounding_is_to_the_nearest_multiple_halves_up():
    assert [round_to_base(v, 5) for v in (10, 12, 13, 17, 18, 0)] == [10, 10, 15, 15, 20, 0]


small_counts = st.one_of(st.just(0), st.integers(1, 4), st.integers(5, 12), st.integers(13, 200))


@st.composite
def tables(draw):
    n_rows = draw(st.integers(1, 6))
    n_cols = draw(st.integers(1, 5))
    cells = [[draw(small_counts) for _ in range(n_cols)] for _ in range(n_rows)]
    return Table.build([f"r{i}" for i in range(n_rows)], [f"c{j}" for j in range(n_cols)], cells)


@settings(max_examples=300, deadline=None)
@given(tables(), st.sampled_from([Profile.RESTRICTED, Profile.PUBLIC]))
def test_no_suppressed_figure_can_be_solved_from_the_published_ones(table, profile):
    protected = protect(table, profile, T)
    grid = table.grid()
    suppressed = set(protected.suppressed_positions)
    # the attacker is given the exact published values (stronger than the rounded ones)
    assert pinned(grid, suppressed) == {}
    assert bridges(suppressed, len(grid)) == []
    threshold = T.restricted if profile is Profile.RESTRICTED else T.public
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            cell = protected.grid()[i][j]
            if 0 < value < threshold:
                assert cell.suppressed
                assert cell.display == f"<{threshold}"
            if cell.suppressed:
                assert value > 0
                assert cell.value is None
            elif profile is Profile.PUBLIC:
                assert cell.value == round_to_base(value, 5)
            else:
                assert cell.value == value


def test_the_solver_does_find_a_lone_suppressed_cell():
    # guard against a solver that never finds anything
    table = Table.build(["a", "b"], ["F", "M"], [[3, 20], [10, 30]])
    assert pinned(table.grid(), {(0, 0)}) == {(0, 0): 3}
    assert bridges({(0, 0)}, 3) == [(0, 0)]


@st.composite
def linked_tables(draw):
    """Tables of one population by different row dimensions: same column totals and grand total,
    i.e. different partitions of the same people."""
    n_cols = draw(st.integers(1, 3))
    people = draw(st.lists(st.integers(0, n_cols - 1), min_size=0, max_size=60))
    tables = []
    for n_rows in draw(st.lists(st.integers(1, 5), min_size=2, max_size=3)):
        rows = [draw(st.integers(0, n_rows - 1)) for _ in people]
        cells = [[0] * n_cols for _ in range(n_rows)]
        for row, column in zip(rows, people, strict=True):
            cells[row][column] += 1
        tables.append(
            Table.build([f"r{i}" for i in range(n_rows)], [str(j) for j in range(n_cols)], cells)
        )
    return tables


@settings(max_examples=200, deadline=None)
@given(linked_tables(), st.sampled_from([Profile.RESTRICTED, Profile.PUBLIC]))
def test_linked_tables_of_one_release_hide_the_same_margins(tables, profile):
    protected = protect_linked(tables, profile, T)
    hidden_margins = {
        frozenset(j for i, j in p.suppressed_positions if i == len(t.row_labels))
        for p, t in zip(protected, tables, strict=True)
    }
    assert len(hidden_margins) == 1
    assert (
        pinned_linked([t.grid() for t in tables], [set(p.suppressed_positions) for p in protected])
        == {}
    )
