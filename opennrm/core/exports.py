"""Tabular downloads (XLSX and CSV) for any page's table, streamed where it can be.

XLSX uses XlsxWriter in ``constant_memory`` mode (rows are flushed to disk as they are written);
CSV is streamed row by row. Both neutralise spreadsheet formulas in text cells (CSV/formula
injection): a value starting with = + - @, a tab or a carriage return is prefixed with an
apostrophe, except a plain negative number (CTDC's missing-value code ``-99``, a balance of
``-1.5``), which no spreadsheet runs as a formula and which partners' tools must read as a number.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, StreamingHttpResponse

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NEGATIVE_NUMBER = re.compile(r"-\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    if (
        isinstance(value, str)
        and value.startswith(_FORMULA_PREFIXES)
        and not _NEGATIVE_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    import xlsxwriter

    with tempfile.TemporaryFile() as handle:
        workbook = xlsxwriter.Workbook(
            handle, {"constant_memory": True, "in_memory": False, "strings_to_formulas": False}
        )
        bold = workbook.add_format({"bold": True})
        for sheet in sheets:
            worksheet = workbook.add_worksheet(sheet.title[:31])
            worksheet.write_row(0, 0, [str(h) for h in sheet.headers], bold)
            for number, row in enumerate(sheet.rows, start=1):
                worksheet.write_row(
                    number,
                    0,
                    [
                        safe_cell(v if v is None or isinstance(v, int | float) else str(v))
                        for v in row
                    ],
                )
        workbook.close()
        handle.seek(0)
        return handle.read()


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> FileResponse:
    response = FileResponse(
        io.BytesIO(xlsx_bytes(sheets)),
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return response


def csv_file_response(file: FieldFile, fallback: str, headers: Mapping[str, str]) -> FileResponse:
    """A CSV file kept by a model (``file``) as a download under its own base name (``fallback``
    when it has none), with ``headers`` added (what the file is: its k, its counts…)."""
    response = FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=(file.name or fallback).rsplit("/", 1)[-1],
        content_type="text/csv; charset=utf-8",
    )
    for name, value in headers.items():
        response[name] = value
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([str(h) for h in headers])
    for row in rows:
        yield writer.writerow([safe_cell("" if v is None else str(v)) for v in row])


def csv_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_stream(headers, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
