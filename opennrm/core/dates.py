"""Dates as offices write them: the one parser every import uses for a calendar date.

Accepted, day first wherever day and month are both written (Serbian and European usage):

- ISO ``2013-02-09`` (also with a time, ``2013-02-09T10:30:00`` or ``2013-02-09 10:30:00``, the
  time ignored), and year first with slashes or dots ``2013/02/09``, ``2013.02.09``;
- ``09.02.2013``, ``9.2.2013.``, ``9. 2. 2013.`` (the Serbian full stop after the year is optional),
  ``09/02/2013`` and ``09-02-2013``;
- a two-digit year, ``09.02.13`` or ``09/02/13``, read by the **century rule**: the latest year
  ending in those two digits that is not after the current year (in 2026, ``13`` is 2013, ``26``
  is 2026 and ``27`` is 1927);
- Excel: a true date cell (a ``date``/``datetime`` value, or the ISO text ``core.tabular`` makes of
  it) and an **Excel serial number** (days since 1899-12-30, as Excel stores a date in a cell
  formatted as a number), recognised when it has five digits, optionally with a fraction of a
  day: 10000 to 99999 is 1927-05-18 to 2173-10-14. A four-digit number is a year, never a serial.

Anything else raises :class:`DateError`, whose message names the value and the forms accepted.
A value is also refused as **ambiguous** when it reads as month first (``02/13/2013``: 13 cannot
be a month, so whoever wrote it put the month first, and ``02/03/2013`` in the same file would be
read wrongly): the message says so rather than guessing.

No library is used: ``dateutil`` guesses (it reads ``02/13/2013`` as 13 February and
``02/03/2013`` as 3 February or 2 March depending on a flag), and the point here is to refuse a
guess; the forms are few and the century rule is this project's, so it is stated in one place.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (its day 60 is the fictional 1900-02-29)
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.+\-Z]*)?")
_YEAR_FIRST = re.compile(r"(\d{4})\s*[/.]\s*(\d{1,2})\s*[/.]\s*(\d{1,2})\.?")
_DAY_FIRST = re.compile(r"(\d{1,2})\s*([./-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})\.?")


class DateError(ValueError):
    """The value is not a date in an accepted form; ``str()`` is the user's message."""


def accepted_forms() -> str:
    """The accepted forms, as named in error messages."""
    return _(
        "2013-02-09, 09.02.2013, 9. 2. 2013., 09/02/2013, 2013/02/09, 09.02.13 (a two-digit year "
        "is the latest such year not after this one), or an Excel date"
    )


def two_digit_year(yy: int, *, today: date) -> int:
    """The century rule: the latest year ending in ``yy`` that is not after ``today``'s year."""
    year = today.year - today.year % 100 + yy
    return year if year <= today.year else year - 100


def _invalid(text: str) -> DateError:
    return DateError(
        _("“%(value)s” is not a date. Accepted forms: %(forms)s.")
        % {"value": text, "forms": accepted_forms()}
    )


def _make(text: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _invalid(text) from None


def parse_date(value: object, *, today: date | None = None) -> date:
    """The calendar date ``value`` stands for (see the module docstring), or ``DateError``.

    ``today`` anchors the century rule (the current date by default).
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = repr(value)
    text = str(value).strip()
    if match := _ISO.fullmatch(text):
        return _make(text, int(match[1]), int(match[2]), int(match[3]))
    if match := _YEAR_FIRST.fullmatch(text):
        return _make(text, int(match[1]), int(match[2]), int(match[3]))
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year_text = int(match[1]), int(match[3]), match[4]
        if month > 12 and day <= 12:
            raise DateError(
                _(
                    "“%(value)s” is ambiguous: it reads as month first, and a date is written "
                    "day first here. Accepted forms: %(forms)s."
                )
                % {"value": text, "forms": accepted_forms()}
            )
        if len(year_text) == 2:
            year = two_digit_year(int(year_text), today=today or timezone.localdate())
        else:
            year = int(year_text)
        return _make(text, year, month, day)
    if _SERIAL.fullmatch(text):
        return EXCEL_EPOCH + timedelta(days=int(float(text)))
    raise _invalid(text)
