"""One date parser for every import: the forms offices write, Excel's, and refusals that say why."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opennrm.core.dates import DateError, parse_date, two_digit_year

TODAY = date(2026, 12, 4)
days = st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 12, 31))


@given(days)
def test_every_written_form_of_a_date_reads_as_that_date(day: date) -> None:
    d, m, y = day.day, day.month, day.year
    for text in (
        day.isoformat(),
        f"{y}-{m}-{d}",
        f"{y}/{m:02d}/{d:02d}",
        f"{y}.{m:02d}.{d:02d}",
        f"{d:02d}.{m:02d}.{y}",
        f"{d:02d}.{m:02d}.{y}.",
        f"{d}.{m}.{y}.",
        f"{d}. {m}. {y}.",
        f"{d:02d}/{m:02d}/{y}",
        f"{d:02d}-{m:02d}-{y}",
        f"{day.isoformat()}T10:30:00",
        f"{day.isoformat()} 00:00:00",
    ):
        assert parse_date(text, today=TODAY) == day, text


@given(days)
def test_a_two_digit_year_is_the_latest_such_year_not_after_this_one(day: date) -> None:
    text = f"{day.day:02d}.{day.month:02d}.{day.year % 100:02d}"
    parsed = parse_date(text, today=TODAY)
    assert (parsed.month, parsed.day) == (day.month, day.day)
    assert parsed.year % 100 == day.year % 100
    assert TODAY.year - 100 < parsed.year <= TODAY.year


def test_the_century_rule_in_figures() -> None:
    assert parse_date("09.02.13", today=TODAY) == date(2013, 2, 9)
    assert parse_date("09/02/26", today=TODAY) == date(2026, 2, 9)
    assert parse_date("09.02.27", today=TODAY) == date(1927, 2, 9)
    assert two_digit_year(0, today=TODAY) == 2000


@given(st.dates(min_value=date(1927, 5, 18), max_value=date(2173, 10, 14)))
def test_excel_serial_numbers_and_true_date_cells_read_as_their_date(day: date) -> None:
    serial = (day - date(1899, 12, 30)).days
    assert parse_date(str(serial)) == day
    assert parse_date(f"{serial}.5") == day  # noon of that day
    assert parse_date(float(serial)) == day
    assert parse_date(datetime(day.year, day.month, day.day, 8, 15)) == day
    assert parse_date(day) == day


def test_the_dates_of_the_issue_are_read() -> None:
    assert parse_date("2013/02/09") == date(2013, 2, 9)
    assert parse_date("09.02.13", today=TODAY) == date(2013, 2, 9)
    assert parse_date("41314") == date(2013, 2, 9)
    assert parse_date("２０２０-01-01") == date(2020, 1, 1)  # other digits, as strptime reads them


@pytest.mark.parametrize(
    "text",
    ["2019-02-29", "31.02.1990", "2020-13-01", "2020-W01-1", "20200101", "2013", "yesterday", ""],
)
def test_what_is_not_a_date_is_refused_naming_the_accepted_forms(text: str) -> None:
    with pytest.raises(DateError) as refused:
        parse_date(text)
    assert str(refused.value) == (
        f"“{text}” is not a date. Accepted forms: 2013-02-09, 09.02.2013, 9. 2. 2013., "
        "09/02/2013, 2013/02/09, 09.02.13 (a two-digit year is the latest such year not after "
        "this one), or an Excel date."
    )


@given(days.filter(lambda d: d.day <= 12))
def test_a_month_first_date_is_refused_as_ambiguous_never_guessed(day: date) -> None:
    month_first = f"{day.month:02d}/{day.day + 12 if day.day + 12 <= 28 else 13:02d}/{day.year}"
    with pytest.raises(DateError, match="is ambiguous: it reads as month first"):
        parse_date(month_first)


def test_an_excel_serial_is_five_digits_so_a_year_is_never_taken_for_one() -> None:
    assert parse_date("10000") == date(1899, 12, 30) + timedelta(days=10000)
    with pytest.raises(DateError):
        parse_date("9999")
