"""Reading uploaded CSV and XLSX files row by row, with errors that name the row and the column.

Every importer in OpenNRM (legacy case records, e-learning completion reports, GRETA
recommendations, the proceedings register) uses this module, so that they all behave the same way:
the header is matched to canonical column names (case- and space-insensitive, with aliases), each
row comes with the number a person sees in a spreadsheet (header = row 1), and validation errors are
collected for the whole file before anything is written. Importers validate every row first and
write in one transaction only when ``RowErrors`` is empty: all or nothing.

CSV: UTF-8 (with or without BOM), or Windows-1250/1251 as Serbian offices export them; the delimiter
(comma, semicolon, tab) is sniffed. XLSX: the first sheet, read in openpyxl's read-only mode so a
large file is streamed, not loaded.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opennrm.core.errors import ValidationFailed

MAX_ERRORS = 1000


@dataclass(frozen=True)
class RowError:
    row: int  # as in the spreadsheet: the header is row 1, the first data row is row 2
    column: str
    message: str


class TabularError(ValidationFailed):
    """The file cannot be imported; ``errors`` names every problem found (row, column, why)."""

    code = "import_invalid"

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        count = len(self.errors)
        super().__init__(
            ngettext(
                "The file was not imported: %(count)d problem was found. Nothing was changed.",
                "The file was not imported: %(count)d problems were found. Nothing was changed.",
                count,
            )
            % {"count": count}
        )


@dataclass
class RowErrors:
    """Collects row-level errors while validating a whole file."""

    errors: list[RowError] = field(default_factory=list)

    def add(self, row: int, column: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, column, str(message)))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise TabularError(self.errors)


def normalise_header(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1250", "cp1251"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TabularError([RowError(0, "", _("The file is not text in UTF-8 or a Windows encoding."))])


def _csv_rows(raw: bytes) -> Iterator[list[str]]:
    text = _decode(raw)
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text, newline=""), dialect)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(raw: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken file
        raise TabularError(
            [RowError(0, "", _("The file is not a readable XLSX workbook."))]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in values]
    finally:
        workbook.close()


def read_rows(
    source: IO[bytes] | bytes,
    *,
    filename: str,
    columns: Sequence[str],
    required: Sequence[str] = (),
    aliases: Mapping[str, str] | None = None,
    extra: str = "ignore",
) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """Match the header and return ``(header, rows)``; rows yield ``(row_number, {column: text})``.

    ``columns`` are the canonical names the importer understands; ``aliases`` maps other header
    spellings (normalised) to them; ``required`` columns must be present in the header. With
    ``extra="error"`` unknown columns are refused, with ``"keep"`` they are passed through under their
    normalised name (e.g. one column per e-learning module). Blank rows are skipped.
    """
    raw = source if isinstance(source, bytes) else source.read()
    lowered = filename.lower()
    if lowered.endswith(".xlsx"):
        rows = _xlsx_rows(raw)
    elif lowered.endswith((".csv", ".txt")):
        rows = _csv_rows(raw)
    else:
        raise TabularError([RowError(0, "", _("Only CSV and XLSX files can be imported."))])
    try:
        header_cells = next(rows)
    except StopIteration:
        raise TabularError([RowError(1, "", _("The file is empty."))]) from None
    known = {normalise_header(name): name for name in columns}
    for alias, target in (aliases or {}).items():
        known[normalise_header(alias)] = target
    header: list[str] = []
    errors = RowErrors()
    for index, cell in enumerate(header_cells, start=1):
        key = normalise_header(cell)
        if not key:
            header.append("")
            continue
        if key in known:
            name = known[key]
        elif extra == "keep":
            name = key
        elif extra == "error":
            errors.add(
                1,
                cell,
                _("Unknown column “%(name)s” (column %(index)d).") % {"name": cell, "index": index},
            )
            name = ""
        else:
            name = ""
        if name and name in header:
            errors.add(1, cell, _("Column “%(name)s” appears twice.") % {"name": cell})
        header.append(name)
    for name in required:
        if name not in header:
            errors.add(1, name, _("The required column “%(name)s” is missing.") % {"name": name})
    errors.raise_if_any()

    def body() -> Iterator[tuple[int, dict[str, str]]]:
        for number, cells in enumerate(rows, start=2):
            if not any((cell or "").strip() for cell in cells):
                continue
            record = {
                name: (cells[i].strip() if i < len(cells) and cells[i] else "")
                for i, name in enumerate(header)
                if name
            }
            yield number, record

    return header, body()


def parse_date(text: str) -> date:
    """ISO dates and the forms Serbian offices write (31.12.2020., 31/12/2020); ValueError otherwise."""
    value = text.strip().rstrip(".")
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d. %m. %Y", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(value, pattern).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise ValueError(
        _("“%(value)s” is not a date (use YYYY-MM-DD or DD.MM.YYYY).") % {"value": text}
    )


def error_report_csv(errors: Sequence[RowError]) -> bytes:
    """A downloadable report of what was wrong, one line per problem (UTF-8 with BOM for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Row"), _("Column"), _("Problem")])
    for error in errors:
        writer.writerow([error.row, error.column, error.message])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


ProgressCallback = Callable[[int], None]
