"""Reading uploaded CSV and XLSX files row by row, with errors that name the row and the column.

Every importer in OpenNRM (legacy case records, e-learning completion reports, GRETA
recommendations, the proceedings register) uses this module, so that they all behave the same way:
the header is matched to canonical column names (case- and space-insensitive, with aliases), each
row comes with the number a person sees in a spreadsheet (header = row 1), and validation errors are
collected for the whole file before anything is written. Importers validate every row first and
write in one transaction only when ``RowErrors`` is empty: all or nothing.

CSV: UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text"), or Windows-1250/1251 as
Serbian offices export them; the delimiter (comma, semicolon, tab) is sniffed. XLSX: the first
sheet, read in openpyxl's read-only mode so a large file is streamed, not loaded.

One upload policy for every import (``UploadLimits``, from the ``OPENNRM_UPLOAD_*`` settings): the
file's size, the unpacked size of an XLSX's parts (the sizes the zip declares are checked before
openpyxl opens anything, and the bytes actually inflated are counted while it reads, since a zip can
lie), the number of rows and of cells, and the time spent reading. A file over any limit is refused
with a ``TabularError`` naming the limit; a zip bomb is refused before a byte of it is inflated.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opennrm.core.errors import ValidationFailed

MAX_ERRORS = 1000
# An XLSX saved by Excel or LibreOffice has a few dozen parts; thousands mean something else.
MAX_XLSX_PARTS = 1000
_CHUNK = 1024 * 1024


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
        # The API's ``error.fields``: "file" for the file as a whole, else "row N, column".
        fields: dict[str, str] = {}
        for error in self.errors:
            if error.row == 0:
                key = "file"
            elif error.column:
                key = f"row {error.row}, {error.column}"
            else:
                key = f"row {error.row}"
            fields.setdefault(key, error.message)
        if count == 1 and self.errors[0].row == 0:
            # One problem with the file as a whole (its size, its format): say it, not a count.
            message = self.errors[0].message
        else:
            message = ngettext(
                "The file was not imported: %(count)d problem was found. Nothing was changed.",
                "The file was not imported: %(count)d problems were found. Nothing was changed.",
                count,
            ) % {"count": count}
        super().__init__(message, fields=fields)


def _refuse(message: str) -> TabularError:
    return TabularError([RowError(0, "", message)])


@dataclass(frozen=True)
class UploadLimits:
    """What any uploaded file may cost; ``from_settings()`` reads the ``OPENNRM_UPLOAD_*`` settings."""

    max_bytes: int
    max_unpacked_bytes: int
    max_rows: int
    max_cells: int
    max_seconds: float

    @classmethod
    def from_settings(cls) -> UploadLimits:
        return cls(
            max_bytes=settings.OPENNRM_UPLOAD_MAX_BYTES,
            max_unpacked_bytes=settings.OPENNRM_UPLOAD_MAX_UNPACKED_BYTES,
            max_rows=settings.OPENNRM_UPLOAD_MAX_ROWS,
            max_cells=settings.OPENNRM_UPLOAD_MAX_CELLS,
            max_seconds=settings.OPENNRM_UPLOAD_MAX_SECONDS,
        )


def too_large(size: int, limits: UploadLimits | None = None) -> str | None:
    """The message refusing a file of ``size`` bytes, or None when it is within the limit."""
    limit = (limits or UploadLimits.from_settings()).max_bytes
    if size <= limit:
        return None
    return _("The file is %(size)s, more than the limit of %(limit)s; split it in parts.") % {
        "size": filesizeformat(size),
        "limit": filesizeformat(limit),
    }


def read_upload(
    upload: IO[bytes], *, filename: str = "", limits: UploadLimits | None = None
) -> bytes:
    """The bytes of an uploaded file, refused (``TabularError``) when over the size limit.

    Reads at most one byte more than the limit, so a huge upload never lands in memory whole. With
    an XLSX ``filename`` the sizes its parts declare are checked too, so an importer that stores
    the file for a background job refuses a zip bomb at once, not in the worker.
    """
    limits = limits or UploadLimits.from_settings()
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and (message := too_large(declared, limits)):
        raise _refuse(message)
    data = upload.read(limits.max_bytes + 1)
    if message := too_large(len(data), limits):
        raise _refuse(message)
    if filename.lower().endswith(".xlsx"):
        _check_declared_sizes(data, limits)
    return data


class _Budget:
    """Reading time and inflated bytes spent on one file, checked as they are spent.

    Time is counted only while the reader works (not while the importer handles the rows it was
    given), so a slow importer is not blamed on the file.
    """

    def __init__(self, limits: UploadLimits) -> None:
        self.limits = limits
        self.spent = 0.0
        self.resumed: float | None = None
        self.unpacked = 0

    def resume(self) -> None:
        self.resumed = time.monotonic()

    def pause(self) -> None:
        if self.resumed is not None:
            self.spent += time.monotonic() - self.resumed
            self.resumed = None

    def check_time(self) -> None:
        spent = self.spent
        if self.resumed is not None:
            spent += time.monotonic() - self.resumed
        if spent > self.limits.max_seconds:
            raise _refuse(
                _(
                    "Reading the file took longer than the limit of %(limit)d seconds; "
                    "split it in parts."
                )
                % {"limit": self.limits.max_seconds}
            )

    def inflate(self, count: int) -> None:
        self.unpacked += count
        if self.unpacked > self.limits.max_unpacked_bytes:
            raise _refuse(
                _("The workbook unpacks to more than the limit of %(limit)s; it was not read.")
                % {"limit": filesizeformat(self.limits.max_unpacked_bytes)}
            )
        self.check_time()


class _CountedPart(io.RawIOBase):
    """One part of the zip, read through the budget: every inflated byte is counted."""

    def __init__(self, part: IO[bytes], budget: _Budget) -> None:
        super().__init__()
        self.part = part
        self.budget = budget

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            chunks = []
            while chunk := self.read(_CHUNK):
                chunks.append(chunk)
            return b"".join(chunks)
        data = self.part.read(min(size, _CHUNK))
        self.budget.inflate(len(data))
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.part.close()
        super().close()


class _CountedZipFile(zipfile.ZipFile):
    """A zip whose parts are read through the budget (openpyxl reads every part with ``open``)."""

    budget: _Budget

    def open(self, name: Any, mode: Any = "r", pwd: Any = None, **kwargs: Any) -> Any:
        part = super().open(name, mode, pwd, **kwargs)
        if mode != "r":
            return part
        return _CountedPart(part, self.budget)


def _check_declared_sizes(raw: bytes, limits: UploadLimits) -> None:
    """Refuse a zip whose parts declare more than the limits, before inflating any of them."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(_("The file is not a readable XLSX workbook.")) from None
    if len(parts) > MAX_XLSX_PARTS:
        raise _refuse(
            _("The workbook has %(count)d parts, more than the limit of %(limit)d.")
            % {"count": len(parts), "limit": MAX_XLSX_PARTS}
        )
    declared = sum(part.file_size for part in parts)
    if declared > limits.max_unpacked_bytes:
        raise _refuse(
            _(
                "The workbook unpacks to %(size)s, more than the limit of %(limit)s; "
                "it was not opened."
            )
            % {
                "size": filesizeformat(declared),
                "limit": filesizeformat(limits.max_unpacked_bytes),
            }
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


def _encoding(raw: bytes) -> str:
    """The file's text encoding: UTF-16 by its byte-order mark or its zero bytes, else the first
    of UTF-8, Windows-1250 (Latin) and Windows-1251 (Cyrillic) that decodes the whole file.

    The check decodes in chunks and keeps nothing, so the file's text is never held whole (four
    bytes a character in the worst case, twice the file for Serbian Latin's č, ć, ž, š, đ).
    """
    encodings: tuple[str, ...] = ("utf-8-sig", "cp1250", "cp1251")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" and many Windows tools: UTF-16 with its byte-order mark.
        encodings = ("utf-16",)
    elif b"\x00" in raw[:4096]:
        # UTF-16 without a mark: every other byte of Latin text is zero, which no 8-bit text has.
        sample = raw[:4096]
        encodings = (
            ("utf-16-le",) if sample[1::2].count(0) > sample[::2].count(0) else ("utf-16-be",)
        )
    view = memoryview(raw)
    for encoding in encodings:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(raw), _CHUNK):
                decoder.decode(view[start : start + _CHUNK])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise _refuse(_("The file is not text in UTF-8, UTF-16 or a Windows encoding."))


_CHUNK = 1 << 20


def _csv_rows(raw: bytes) -> Iterator[list[str]]:
    encoding = _encoding(raw)
    sample = raw[:16384].decode(encoding, errors="ignore")[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # Decoded as the reader asks for lines (newline="": \r\n, \r or \n kept inside quoted
    # fields, as the csv module wants): only the file's bytes stay in memory, not its text.
    text = io.TextIOWrapper(io.BytesIO(raw), encoding=encoding, newline="")
    del raw  # this generator would otherwise keep a second reference until its last row
    reader = csv.reader(text, dialect)
    try:
        yield from reader
    except csv.Error as problem:  # e.g. a field longer than the csv module's limit
        raise TabularError(
            [
                RowError(
                    reader.line_num,
                    "",
                    _("The line cannot be read as CSV: %(reason)s") % {"reason": problem},
                )
            ]
        ) from None


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


def _xlsx_rows(raw: bytes, budget: _Budget) -> Iterator[list[str]]:
    from openpyxl.reader.excel import ExcelReader

    _check_declared_sizes(raw, budget.limits)
    try:
        reader = ExcelReader(io.BytesIO(raw), read_only=True, data_only=True, keep_links=False)
        reader.archive.close()
        archive = _CountedZipFile(io.BytesIO(raw))
        archive.budget = budget
        reader.archive = archive
        reader.read()
        workbook = reader.wb
    except TabularError:
        raise
    except Exception:  # openpyxl raises many kinds for a broken file
        raise _refuse(_("The file is not a readable XLSX workbook.")) from None
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in values]
    finally:
        workbook.close()


def read_grid(
    source: IO[bytes] | bytes, *, filename: str, limits: UploadLimits | None = None
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The first row's cells as written and the rows after it as ``(row_number, cells)``.

    For importers that match the header themselves (the import pipeline's column mapping);
    blank rows are skipped, cells are text (``_cell_text`` for XLSX values).

    Every file goes through the upload policy (``limits``, default from settings): a file over a
    limit raises ``TabularError`` naming it, before the header when the size says so, else while
    the rows are read (importers validate everything before writing, so nothing is changed).
    """
    limits = limits or UploadLimits.from_settings()
    if isinstance(source, bytes):
        if message := too_large(len(source), limits):
            raise _refuse(message)
        raw = source
    else:
        raw = read_upload(source, limits=limits)
    lowered = filename.lower()
    budget = _Budget(limits)
    if lowered.endswith(".xlsx"):
        rows = _xlsx_rows(raw, budget)
    elif lowered.endswith((".csv", ".txt")):
        rows = _csv_rows(raw)
    else:
        raise _refuse(_("Only CSV and XLSX files can be imported."))

    def next_row() -> list[str] | None:
        """The next row, with the time spent reading it counted against the budget."""
        budget.resume()
        try:
            return next(rows, None)
        finally:
            budget.pause()
            budget.check_time()

    header_cells = next_row()
    if header_cells is None:
        raise TabularError([RowError(1, "", _("The file is empty."))])

    def body() -> Iterator[tuple[int, list[str]]]:
        number = 1
        cell_count = len(header_cells)
        while (cells := next_row()) is not None:
            number += 1
            if number - 1 > limits.max_rows:
                raise _refuse(
                    _("The file has more than %(limit)d rows, the limit; split it in parts.")
                    % {"limit": limits.max_rows}
                )
            cell_count += len(cells)
            if cell_count > limits.max_cells:
                raise _refuse(
                    _("The file has more than %(limit)d cells, the limit; split it in parts.")
                    % {"limit": limits.max_cells}
                )
            if any((cell or "").strip() for cell in cells):
                yield number, cells

    return [cell or "" for cell in header_cells], body()


def read_rows(
    source: IO[bytes] | bytes,
    *,
    filename: str,
    columns: Sequence[str],
    required: Sequence[str] = (),
    aliases: Mapping[str, str] | None = None,
    extra: str = "ignore",
    limits: UploadLimits | None = None,
) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """Match the header and return ``(header, rows)``; rows yield ``(row_number, {column: text})``.

    ``columns`` are the canonical names the importer understands; ``aliases`` maps other header
    spellings (normalised) to them; ``required`` columns must be present in the header. With
    ``extra="error"`` unknown columns are refused, with ``"keep"`` they are passed through under their
    normalised name (e.g. one column per e-learning module). Blank rows are skipped. The upload
    policy applies as in ``read_grid``.
    """
    header_cells, grid = read_grid(source, filename=filename, limits=limits)
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
        for number, cells in grid:
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
