"""An attacker's solver: which suppressed figures do the published figures of a table pin down?

The unknowns are the suppressed grid entries; the equations are "cells of a row sum to the row
total", "cells of a column sum to the column total" and the same for the margins, with every
published figure substituted. Exact rational Gauss-Jordan elimination (``fractions``); an unknown
is determined exactly when the unit vector on it lies in the row space, i.e. when its reduced row
has no other non-zero coefficient.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction


def equations(
    grid: Sequence[Sequence[int]], suppressed: set[tuple[int, int]]
) -> tuple[list[tuple[int, int]], list[list[Fraction]]]:
    """The augmented system ``[A | b]`` over the suppressed positions of ``grid``."""
    n_rows, n_cols = len(grid), len(grid[0])
    unknowns = sorted(suppressed)
    index = {position: k for k, position in enumerate(unknowns)}
    lines: list[list[tuple[tuple[int, int], int]]] = []
    for i in range(n_rows):
        lines.append([((i, j), 1) for j in range(n_cols - 1)] + [((i, n_cols - 1), -1)])
    for j in range(n_cols):
        lines.append([((i, j), 1) for i in range(n_rows - 1)] + [((n_rows - 1, j), -1)])
    matrix: list[list[Fraction]] = []
    for line in lines:
        row = [Fraction(0)] * (len(unknowns) + 1)
        for position, sign in line:
            if position in index:
                row[index[position]] += sign
            else:
                row[-1] -= sign * grid[position[0]][position[1]]
        matrix.append(row)
    return unknowns, matrix


def pinned(grid: Sequence[Sequence[int]], suppressed: set[tuple[int, int]]) -> dict:
    """Suppressed positions whose exact value follows from the published figures, with it."""
    unknowns, matrix = equations(grid, suppressed)
    return _solve(unknowns, matrix)


def pinned_linked(grids: Sequence[Sequence[Sequence[int]]], suppressed: Sequence[set]) -> dict:
    """The same attack on tables that share their last row (column totals and grand total):
    a shared figure is one unknown for all of them."""

    def name(t: int, i: int, j: int) -> tuple:
        return ("shared", j) if i == len(grids[t]) - 1 else (t, i, j)

    unknown_names = sorted({name(t, i, j) for t, s in enumerate(suppressed) for i, j in s}, key=str)
    index = {n: k for k, n in enumerate(unknown_names)}
    matrix: list[list[Fraction]] = []
    for t, grid in enumerate(grids):
        n_rows, n_cols = len(grid), len(grid[0])
        lines = [
            [((i, j), 1) for j in range(n_cols - 1)] + [((i, n_cols - 1), -1)]
            for i in range(n_rows)
        ] + [
            [((i, j), 1) for i in range(n_rows - 1)] + [((n_rows - 1, j), -1)]
            for j in range(n_cols)
        ]
        hidden = {name(t, i, j) for i, j in suppressed[t]}
        for line in lines:
            row = [Fraction(0)] * (len(unknown_names) + 1)
            for (i, j), sign in line:
                key = name(t, i, j)
                if key in hidden or (key[0] == "shared" and key in index):
                    row[index[key]] += sign
                else:
                    row[-1] -= sign * grid[i][j]
            matrix.append(row)
    return _solve(unknown_names, matrix)


def _solve(unknowns: list, matrix: list[list[Fraction]]) -> dict:
    n = len(unknowns)
    pivot_row = 0
    pivots: list[int] = []
    for column in range(n):
        found = next((r for r in range(pivot_row, len(matrix)) if matrix[r][column] != 0), None)
        if found is None:
            continue
        matrix[pivot_row], matrix[found] = matrix[found], matrix[pivot_row]
        lead = matrix[pivot_row][column]
        matrix[pivot_row] = [value / lead for value in matrix[pivot_row]]
        for r in range(len(matrix)):
            if r != pivot_row and matrix[r][column] != 0:
                factor = matrix[r][column]
                matrix[r] = [
                    a - factor * b for a, b in zip(matrix[r], matrix[pivot_row], strict=True)
                ]
        pivots.append(column)
        pivot_row += 1
    result = {}
    for r, column in enumerate(pivots):
        if not any(matrix[r][c] != 0 for c in range(n) if c != column):
            result[unknowns[column]] = matrix[r][-1]
    return result
