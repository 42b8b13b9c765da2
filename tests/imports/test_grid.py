"""``core.tabular.read_grid``: the raw header and rows the pipeline maps (no database)."""

from __future__ import annotations

from opennrm.core.tabular import read_grid, read_rows

MOODLE_EXCEL = (
    '""\t"Email address"\t"Module 1"\t""\n'
    '"Ana Anić"\t"ana@example.org"\t"Completed"\t"2020-04-03 10:15:00"\n'
)


def test_it_reads_utf16_with_a_byte_order_mark_tab_separated() -> None:
    # Moodle's "Excel" download: UTF-16LE with BOM, tabs, every value quoted.
    data = b"\xff\xfe" + MOODLE_EXCEL.encode("utf-16-le")
    header, rows = read_grid(data, filename="progress.csv")
    assert header == ["", "Email address", "Module 1", ""]
    assert list(rows) == [(2, ["Ana Anić", "ana@example.org", "Completed", "2020-04-03 10:15:00"])]


def test_read_rows_reads_the_same_utf16_file() -> None:
    data = b"\xff\xfe" + MOODLE_EXCEL.encode("utf-16-le")
    _header, rows = read_rows(data, filename="p.csv", columns=["email_address"])
    assert list(rows) == [(2, {"email_address": "ana@example.org"})]


def test_the_grid_keeps_empty_header_cells_and_skips_blank_rows() -> None:
    header, rows = read_grid(b",a\r\nx,1\r\n,\r\ny,2\r\n", filename="f.csv")
    assert header == ["", "a"]
    assert list(rows) == [(2, ["x", "1"]), (4, ["y", "2"])]
