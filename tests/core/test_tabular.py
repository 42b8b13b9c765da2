from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from opennrm.core.tabular import TabularError, parse_date, read_rows


def test_csv_rows_are_numbered_as_in_the_spreadsheet_and_headers_matched_loosely() -> None:
    data = "Case Code;Year Of Birth\nRS-2020-00001;1990\n\n;\nRS-2020-00002;2001\n".encode("cp1250")
    _header, rows = read_rows(data, filename="legacy.csv", columns=["case_code", "year_of_birth"])
    assert list(rows) == [
        (2, {"case_code": "RS-2020-00001", "year_of_birth": "1990"}),
        (5, {"case_code": "RS-2020-00002", "year_of_birth": "2001"}),
    ]


def test_a_missing_required_column_is_named() -> None:
    with pytest.raises(TabularError) as caught:
        read_rows(b"name\nx\n", filename="a.csv", columns=["name", "code"], required=["code"])
    assert [(e.row, e.column) for e in caught.value.errors] == [(1, "code")]
    assert (
        caught.value.message
        == "The file was not imported: 1 problem was found. Nothing was changed."
    )


def test_xlsx_is_read_from_the_first_sheet() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "when"])
    sheet.append(["A", "2020-04-01"])
    buffer = io.BytesIO()
    book.save(buffer)
    _header, rows = read_rows(buffer.getvalue(), filename="x.xlsx", columns=["code", "when"])
    assert list(rows) == [(2, {"code": "A", "when": "2020-04-01"})]


def test_other_formats_are_refused() -> None:
    with pytest.raises(TabularError):
        read_rows(b"%PDF", filename="x.pdf", columns=["a"])


def test_dates_in_serbian_office_format_are_understood() -> None:
    assert parse_date("31.12.2020.").isoformat() == "2020-12-31"
    with pytest.raises(ValueError, match="is not a date"):
        parse_date("yesterday")


@pytest.mark.parametrize("delimiter", ["\t", ","])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_csv_is_read_not_reported_as_missing_columns(delimiter: str, encoding: str) -> None:
    # Excel's "Unicode text" is UTF-16 with a byte-order mark, tab separated (issue 13, item 13);
    # the -le/-be codecs write no mark, as some other tools do.
    text = delimiter.join(["code", "name"]) + "\r\n" + delimiter.join(["RS-1", "Ђурђа"]) + "\r\n"
    _header, rows = read_rows(
        text.encode(encoding), filename="export.csv", columns=["code", "name"], required=["code"]
    )
    assert list(rows) == [(2, {"code": "RS-1", "name": "Ђурђа"})]
