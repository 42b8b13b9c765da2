"""Specs over importers that read a file themselves (the register, GRETA recommendations,
indicator catalogues): the pipeline's mapped rows are handed to them as the CSV with canonical
headers they read, their errors get the uploaded file's row numbers and the columns' labels back,
and the preview is the import run in a transaction that is rolled back (exact counts, no writes).
"""

from __future__ import annotations

import csv
import io
from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from opennrm.accounts.models import User
from opennrm.core.tabular import RowError, TabularError
from opennrm.imports.pipeline import allowed_text
from opennrm.imports.spec import Column, ImportSpec, Preview, Progress, Result, Rows


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    figures: dict[str, int] = field(default_factory=dict)
    details: list[tuple[str, int]] = field(default_factory=list)


class _Rollback(Exception):
    pass


@dataclass
class Converted:
    """Rows as the importer reads them, with what is needed to explain its errors."""

    data: bytes
    numbers: list[int]  # the uploaded file's row number of each row
    values: list[dict[str, str]]


def as_csv(rows: Rows, keys: Sequence[str]) -> Converted:
    """The rows as a CSV with ``keys`` as header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(keys)
    numbers: list[int] = []
    kept: list[dict[str, str]] = []
    for number, values in rows:
        writer.writerow([values.get(key, "") for key in keys])
        numbers.append(number)
        kept.append(values)
    return Converted(buffer.getvalue().encode("utf-8"), numbers, kept)


def relabel(problem: TabularError, rows: Converted, columns: Sequence[Column]) -> TabularError:
    """``problem`` with the uploaded file's row numbers and the columns' labels; an error on a
    value its column's vocabulary does not know names the value and the allowed values, in the
    user's language."""
    by_key = {column.key: column for column in columns}
    errors = []
    for error in problem.errors:
        index = error.row - 2
        row = rows.numbers[index] if 0 <= index < len(rows.numbers) else error.row
        column = by_key.get(error.column)
        if column is None:
            errors.append(RowError(row, error.column, error.message))
            continue
        message = error.message
        value = rows.values[index].get(column.key, "") if 0 <= index < len(rows.values) else ""
        vocabulary = column.vocabulary
        if vocabulary is not None and value and vocabulary.match(value) is None:
            message = _(
                "“%(value)s” is not an allowed value of “%(column)s”. Allowed values: %(allowed)s."
            ) % {"value": value, "column": column.label, "allowed": allowed_text(vocabulary)}
        errors.append(RowError(row, str(column.label), message))
    return TabularError(errors)


class LegacySpec(ImportSpec):
    """A spec whose ``run`` imports a CSV with the columns' keys as header."""

    @abstractmethod
    def run(self, data: bytes, *, actor: User) -> Outcome:
        """Import ``data`` (all or nothing), raising TabularError naming rows and columns."""

    def preview(self, rows: Rows, *, actor: User) -> Preview:
        columns = self.columns()
        converted = as_csv(rows, [column.key for column in columns])
        preview = Preview(rows=len(converted.numbers))
        outcome: Outcome | None = None
        try:
            with transaction.atomic():
                outcome = self.run(converted.data, actor=actor)
                raise _Rollback
        except _Rollback:
            pass
        except TabularError as problem:
            preview.errors = relabel(problem, converted, columns).errors
            return preview
        assert outcome is not None
        preview.create, preview.update, preview.skip = (
            outcome.created,
            outcome.updated,
            outcome.skipped,
        )
        preview.warnings = [f"{label}: {count}" for label, count in outcome.details]
        return preview

    def commit(self, rows: Rows, *, actor: User, progress: Progress) -> Result:
        columns = self.columns()
        converted = as_csv(rows, [column.key for column in columns])
        try:
            outcome = self.run(converted.data, actor=actor)
        except TabularError as problem:
            raise relabel(problem, converted, columns) from None
        total = len(converted.numbers)
        progress(total, total)
        return Result(
            rows=total,
            created=outcome.created,
            updated=outcome.updated,
            skipped=outcome.skipped,
            details=outcome.details,
            figures=outcome.figures,
        )
