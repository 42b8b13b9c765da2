"""Hostile uploads for the upload-policy tests: made here with zipfile, never stored in the repo."""

from __future__ import annotations

import io
import zipfile
from functools import cache

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_ROW = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'


def _workbook(rows: list[list[str]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@cache
def zip_bomb_xlsx(rows: int = 8_000_000) -> bytes:
    """An XLSX of about 1.1 MB whose sheet unpacks to 392 MB (8 million rows), no dimension tag.

    The finding's file: openpyxl, asked for the rows of a sheet without a dimension, reads them all.
    """
    source = zipfile.ZipFile(io.BytesIO(_workbook([["code"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename != SHEET:
                target.writestr(info, source.read(info.filename))
                continue
            with target.open(SHEET, "w", force_zip64=True) as part:
                part.write(_HEAD)
                block = _ROW * 20_000
                for _ in range(rows // 20_000):
                    part.write(block)
                part.write(b"</sheetData></worksheet>")
    return out.getvalue()


def lying_xlsx(declared: int = 1000) -> bytes:
    """A small bomb whose zip headers say its sheet unpacks to only ``declared`` bytes."""
    data = bytearray(zip_bomb_xlsx(rows=200_000))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(SHEET)
        true_size = info.file_size
    # Patch the uncompressed size wherever the headers carry it (local header, central directory,
    # zip64 extra fields): the sizes are 4- or 8-byte little-endian integers.
    for width in (4, 8):
        needle = true_size.to_bytes(width, "little")
        start = 0
        while (found := data.find(needle, start)) != -1:
            data[found : found + width] = declared.to_bytes(width, "little")
            start = found + width
    return bytes(data)
