"""The formula guard of every export (issue 13, item 13): formulas neutralised, numbers kept."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from opennrm.core.exports import Sheet, csv_stream, safe_cell, xlsx_bytes


@pytest.mark.parametrize("number", ["-99", "-1", "-1.5", "-0,25", "-2e3"])
def test_a_plain_negative_number_stays_a_number(number: str) -> None:
    # CTDC's missing-value code is -99; it came out as '-99.
    assert safe_cell(number) == number


@pytest.mark.parametrize(
    "formula",
    [
        "=1+1",
        '=HYPERLINK("http://x")',
        "+1+cmd|' /C calc'!A0",
        "+381 64 123",
        "-1+1",
        "-cmd|' /C calc'!A0",
        "-",
        "-99;=1",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
    ],
)
def test_a_formula_is_neutralised(formula: str) -> None:
    assert safe_cell(formula) == "'" + formula


def test_csv_and_xlsx_keep_minus_99_and_neutralise_a_formula() -> None:
    rows = [["-99", "=1+1"], [-99, "-1+1"]]
    text = "".join(csv_stream(["age", "note"], rows)).lstrip("\ufeff")
    assert list(csv.reader(io.StringIO(text)))[1:] == [["-99", "'=1+1"], ["-99", "'-1+1"]]
    book = load_workbook(io.BytesIO(xlsx_bytes([Sheet("x", ["age", "note"], rows)])))
    values = [list(row) for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert values == [["-99", "'=1+1"], [-99, "'-1+1"]]
