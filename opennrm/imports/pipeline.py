"""The steps every import shares, between the upload and the spec: reading the stored file,
suggesting and applying the column mapping, finding and applying value mappings, and the template.

No writes here (those are in ``services``); everything reads the file again through
``core.tabular`` rather than keeping its rows, so a job holds one copy of the data: the file.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from opennrm.core.tabular import RowError, read_grid
from opennrm.imports.models import ImportJob, ValueMapping
from opennrm.imports.spec import Column, ImportSpec, Rows, Vocabulary, match_key

_SPLIT = re.compile(r"\s*[;,|]\s*")

_RESOLVED_MEMO = 100_000

# Value mappings of an agency: vocabulary name → {match_key(raw): code}.
ValueMaps = dict[str, dict[str, str]]


def header_signature(header: Sequence[str]) -> str:
    """The layout of a file: its header cells, normalised, in order."""
    joined = "\x1f".join(match_key(cell) for cell in header)
    return hashlib.sha256(joined.encode()).hexdigest()


def column_names(column: Column) -> set[str]:
    """Every header (normalised) that names ``column``: key, aliases and its label in each of the
    platform's languages."""
    names = {match_key(column.key), *(match_key(alias) for alias in column.aliases)}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(match_key(str(column.label)))
    names.discard("")
    return names


def suggest_mapping(header: Sequence[str], columns: Sequence[Column]) -> list[str]:
    """A column key per header cell ("" when nothing matches); each column taken once."""
    by_name: dict[str, str] = {}
    for column in columns:
        for name in column_names(column):
            by_name.setdefault(name, column.key)
    taken: set[str] = set()
    mapping: list[str] = []
    for cell in header:
        key = by_name.get(match_key(cell), "")
        if key in taken:
            key = ""
        taken.add(key)
        mapping.append(key)
    return mapping


def mapping_problems(mapping: Sequence[str], columns: Sequence[Column]) -> list[str]:
    """What is wrong with a column mapping, as sentences: a required column no file column
    gives, or a column given twice."""
    problems: list[str] = []
    by_key = {column.key: column for column in columns}
    counts = Counter(key for key in mapping if key)
    for key, count in counts.items():
        if count > 1 and key in by_key:
            problems.append(
                _("Two columns of the file are mapped to “%(column)s”; choose one.")
                % {"column": by_key[key].label}
            )
    for column in columns:
        if column.required and column.key not in counts:
            problems.append(
                _("The required column “%(column)s” is not mapped to a column of the file.")
                % {"column": column.label}
            )
    return problems


_PACKED = "z:"


def pack_upload(data: bytes) -> str:
    """An uploaded file as the job stores it (then encrypted): zlib-compressed, base64.

    A register compresses five- to tenfold, and every copy of the stored value a read makes
    (the database's text, the token, the plaintext) shrinks with it: at 100,000 rows the
    worker's memory while reading the job fell from 259 to 159 MB. Level 1: the upload request
    pays a tenth of a second.
    """
    return _PACKED + base64.b64encode(zlib.compress(data, 1)).decode("ascii")


def unpack_upload(stored: str) -> bytes:
    """The file ``pack_upload`` stored (or plain base64, as jobs stored before it)."""
    if stored.startswith(_PACKED):
        return zlib.decompress(base64.b64decode(stored[len(_PACKED) :]))
    return base64.b64decode(stored)


def read_source(
    job: ImportJob, spec: ImportSpec
) -> tuple[list[str], Iterable[tuple[int, list[str]]]]:
    """The job's file as the spec sees it: header and rows after the spec's ``reshape``."""
    data = unpack_upload(job.upload or "")
    header, rows = read_grid(data, filename=job.filename)
    return spec.reshape(header, rows)


def load_value_maps(agency_id: int | None) -> ValueMaps:
    maps: ValueMaps = {}
    found = ValueMapping.objects.filter(
        **({"agency_id": agency_id} if agency_id else {"agency__isnull": True})
    )
    for vocabulary, raw, code in found.values_list("vocabulary", "raw", "code"):
        maps.setdefault(vocabulary, {})[raw] = code
    return maps


def _parts(column: Column, text: str) -> list[str]:
    if not column.multiple:
        return [text]
    return [part for part in _SPLIT.split(text) if part]


class _Matcher:
    """Vocabulary lookups with a cache: a file repeats the same few values on every row."""

    def __init__(self, maps: ValueMaps) -> None:
        self.maps = maps
        self.cache: dict[tuple[str, str], tuple[str, bool]] = {}

    def resolve(self, vocabulary: Vocabulary, raw: str) -> tuple[str, bool]:
        """(value to pass on, whether it is known): the code when the vocabulary knows the
        value or the agency mapped it, else the raw text, unknown."""
        key = (vocabulary.name, raw)
        found = self.cache.get(key)
        if found is None:
            matched = vocabulary.match(raw)
            if matched is not None:
                found = (matched, True)
            else:
                code = self.maps.get(vocabulary.name, {}).get(match_key(raw))
                found = (code, True) if code is not None else (raw, False)
            self.cache[key] = found
        return found


def mapped_rows(
    header: Sequence[str],
    rows: Iterable[tuple[int, list[str]]],
    mapping: Sequence[str],
    columns: Sequence[Column],
    maps: ValueMaps,
) -> Rows:
    """Rows as ``{column key: text}`` with the value mappings applied, for the spec."""
    by_key = {column.key: column for column in columns}
    # Per mapped cell: its position, its column key, and the column when it has a vocabulary.
    plan = [
        (index, key, column if column is not None and column.vocabulary is not None else None)
        for index, key in enumerate(mapping)
        if key
        for column in (by_key.get(key),)
    ]
    matcher = _Matcher(maps)
    # A file repeats the same few values in a controlled column: each distinct cell is split and
    # resolved once (bounded, for the free-text-like vocabularies such as agencies).
    resolved: dict[tuple[str, str], str] = {}

    def body() -> Iterator[tuple[int, dict[str, str]]]:
        for number, cells in rows:
            values: dict[str, str] = {}
            width = len(cells)
            for index, key, column in plan:
                text = ((cells[index] if index < width else "") or "").strip()
                if text and column is not None:
                    done = resolved.get((key, text))
                    if done is None:
                        vocabulary = column.vocabulary
                        assert vocabulary is not None
                        done = "; ".join(
                            matcher.resolve(vocabulary, part)[0] for part in _parts(column, text)
                        )
                        if len(resolved) < _RESOLVED_MEMO:
                            resolved[(key, text)] = done
                    text = done
                values[key] = text
            yield number, values

    del header  # the mapping is by position; the header only names the cells for people
    return body()


@dataclass(frozen=True)
class Unknown:
    """A value of a vocabulary column that neither the vocabulary nor a mapping recognises."""

    column: Column
    raw: str
    count: int
    first_row: int


def unknown_values(
    rows: Iterable[tuple[int, list[str]]],
    mapping: Sequence[str],
    columns: Sequence[Column],
    maps: ValueMaps,
) -> list[Unknown]:
    """Every unrecognised value of every vocabulary column, with how often it occurs."""
    by_key = {column.key: column for column in columns}
    watched = [
        (index, by_key[key])
        for index, key in enumerate(mapping)
        if key in by_key and by_key[key].vocabulary is not None
    ]
    matcher = _Matcher(maps)
    counts: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], int] = {}
    shown: dict[tuple[str, str], str] = {}
    for number, cells in rows:
        for index, column in watched:
            text = (cells[index] if index < len(cells) else "").strip()
            if not text:
                continue
            vocabulary = column.vocabulary
            assert vocabulary is not None
            for part in _parts(column, text):
                if matcher.resolve(vocabulary, part)[1]:
                    continue
                key = (column.key, match_key(part))
                counts[key] += 1
                first.setdefault(key, number)
                shown.setdefault(key, part)
    order = {column.key: position for position, column in enumerate(columns)}
    return sorted(
        (Unknown(by_key[c], shown[(c, raw)], n, first[(c, raw)]) for (c, raw), n in counts.items()),
        key=lambda u: (order[u.column.key], -u.count, u.raw),
    )


def allowed_text(vocabulary: Vocabulary, limit: int = 12) -> str:
    """The allowed values of a vocabulary for an error message: "a, b, c" (and how many more)."""
    labels = [label for _code, label in vocabulary.choices()]
    text = ", ".join(labels[:limit])
    if len(labels) > limit:
        text += " " + _("(and %(count)d more)") % {"count": len(labels) - limit}
    return text


def unknown_value_errors(unknown: Sequence[Unknown]) -> list[RowError]:
    """One error per unmapped value (at its first row), naming column, value and what is allowed."""
    errors = []
    for item in unknown:
        assert item.column.vocabulary is not None
        errors.append(
            RowError(
                item.first_row,
                str(item.column.label),
                _(
                    "“%(value)s” is not a known value of “%(column)s” (%(count)d rows). "
                    "Allowed values: %(allowed)s."
                )
                % {
                    "value": item.raw,
                    "column": item.column.label,
                    "count": item.count,
                    "allowed": allowed_text(item.column.vocabulary),
                },
            )
        )
    return errors


def template_xlsx(spec: ImportSpec, *, language: str) -> bytes:
    """The spec's template in ``language``: headers, a sample row, and a sheet of allowed values."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    with translation.override(language):
        columns = list(spec.columns())
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = _("Records")[:31]
        sheet.append([str(column.label) for column in columns])
        sheet.append([column.example for column in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, column in enumerate(columns, start=1):
            letter = sheet.cell(row=1, column=index).column_letter
            sheet.column_dimensions[letter].width = max(14, min(40, len(str(column.label)) + 4))
        allowed = workbook.create_sheet(_("Allowed values")[:31])
        allowed.append([_("Column"), _("Value"), _("Meaning"), _("Required")])
        for cell in allowed[1]:
            cell.font = Font(bold=True)
        for column in columns:
            required = _("yes") if column.required else _("no")
            if column.vocabulary is None:
                allowed.append([str(column.label), "", str(column.help), required])
                continue
            for code, label in column.vocabulary.choices():
                allowed.append([str(column.label), label, code, required])
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()
