"""Dates and times as each language writes them (issue 20): British English, day first and
24-hour (the English interface showed 12/04/2026 and 4 p.m.); Serbian in both scripts."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.formats import date_format


@pytest.mark.parametrize(
    ("language", "long", "short"),
    [
        ("en", "1 June 2019", "01/06/2019"),
        ("sr", "1. јун 2019.", "1.06.2019."),
        ("sr-latn", "1. jun 2019.", "1.06.2019."),
    ],
)
def test_a_date_reads_as_the_language_writes_it(language: str, long: str, short: str) -> None:
    with translation.override(language):
        assert date_format(date(2019, 6, 1), "DATE_FORMAT") == long
        assert date_format(date(2019, 6, 1), "SHORT_DATE_FORMAT") == short


@pytest.mark.parametrize("language", ["en", "sr", "sr-latn"])
def test_times_use_the_24_hour_clock(language: str) -> None:
    with translation.override(language):
        text = date_format(datetime(2026, 12, 4, 16, 5), "SHORT_DATETIME_FORMAT")
    assert "16:05" in text
    assert "p.m." not in text


def test_a_moment_is_shown_in_belgrade_time() -> None:
    # 23:30 UTC on 4 December is 00:30 on 5 December in Belgrade.
    with (
        time_machine.travel(datetime(2026, 12, 4, 23, 30, tzinfo=ZoneInfo("UTC")), tick=False),
        translation.override("en"),
    ):
        rendered = Template('{{ now|date:"SHORT_DATETIME_FORMAT" }}').render(
            Context({"now": timezone.now()})
        )
        assert timezone.localdate() == date(2026, 12, 5)
    assert rendered == "05/12/2026 00:30"
