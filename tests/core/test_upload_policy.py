"""One upload policy for every import (issue 13, finding 4): size, unpacked size, rows, cells, time.

The finding: a 1.1 MB XLSX whose sheet unpacks to 392 MB (8 million rows, no dimension tag) ran
for over 8 minutes and grew the server to 1.5 GB. Every importer reads through ``core.tabular``;
these tests feed it that file, through the reader and through each importer's page and API.
"""

from __future__ import annotations

import io
import time
import tracemalloc
from collections.abc import Callable
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from opennrm.accounts.models import Agency, User
from opennrm.core import tabular
from opennrm.core.tabular import TabularError, UploadLimits, read_rows, read_upload
from tests.core.hostile import SHEET, lying_xlsx, zip_bomb_xlsx

BOMB_MESSAGE = (
    "The workbook unpacks to 373.9\xa0MB, more than the limit of 256.0\xa0MB; it was not opened."
)


def _limits(**changes: float) -> UploadLimits:
    values = {
        "max_bytes": 50 * 1024 * 1024,
        "max_unpacked_bytes": 256 * 1024 * 1024,
        "max_rows": 1_000_000,
        "max_cells": 20_000_000,
        "max_seconds": 300,
    }
    values.update(changes)
    return UploadLimits(**values)  # type: ignore[arg-type]


def _read_all(data: bytes, filename: str, **kwargs: object) -> list[tuple[int, dict[str, str]]]:
    _header, rows = read_rows(data, filename=filename, columns=["code", "name"], **kwargs)  # type: ignore[arg-type]
    return list(rows)


def test_the_zip_bomb_is_refused_in_under_a_second_naming_the_limit_with_flat_memory() -> None:
    bomb = zip_bomb_xlsx()
    assert len(bomb) < 1_200_000
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(TabularError) as caught:
            _read_all(bomb, "hostile.xlsx")
        elapsed = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 10 * 1024 * 1024  # a few copies of the 1.1 MB upload at most
    assert [(e.row, e.column, e.message) for e in caught.value.errors] == [(0, "", BOMB_MESSAGE)]
    assert caught.value.fields == {"file": BOMB_MESSAGE}


def test_the_limits_are_settings() -> None:
    with override_settings(OPENNRM_UPLOAD_MAX_UNPACKED_BYTES=400 * 1024 * 1024):
        assert UploadLimits.from_settings().max_unpacked_bytes == 400 * 1024 * 1024
    assert UploadLimits.from_settings() == _limits()


def test_a_zip_that_lies_about_its_size_is_refused_not_inflated() -> None:
    with pytest.raises(TabularError) as caught:
        _read_all(lying_xlsx(), "liar.xlsx")
    assert caught.value.errors[0].message == "The file is not a readable XLSX workbook."


def test_inflated_bytes_are_counted_while_reading_whatever_the_zip_declares() -> None:
    # A budget below what the (honest) parts declare, checked only while reading: the counting
    # reader stops it, so even a zip whose declared sizes were believed could not run away.
    bomb = zip_bomb_xlsx(rows=200_000)
    budget = tabular._Budget(_limits(max_unpacked_bytes=1024 * 1024))
    archive = tabular._CountedZipFile(io.BytesIO(bomb))
    archive.budget = budget

    def drain() -> None:
        with archive.open(SHEET) as part:
            while part.read(64 * 1024):
                pass

    with pytest.raises(TabularError) as caught:
        drain()
    assert caught.value.errors[0].message == (
        "The workbook unpacks to more than the limit of 1.0\xa0MB; it was not read."
    )
    assert budget.unpacked <= 1024 * 1024 + 1024 * 1024


def test_rows_over_the_limit_are_refused() -> None:
    data = ("code,name\n" + "A,b\n" * 11).encode()
    with pytest.raises(TabularError) as caught:
        _read_all(data, "a.csv", limits=_limits(max_rows=10))
    assert caught.value.errors[0].message == (
        "The file has more than 10 rows, the limit; split it in parts."
    )
    assert len(_read_all(data, "a.csv", limits=_limits(max_rows=11))) == 11


def test_cells_over_the_limit_are_refused_even_in_a_few_wide_rows() -> None:
    data = ("code,name\n" + "A" + ",b" * 99 + "\n").encode()
    with pytest.raises(TabularError) as caught:
        _read_all(data, "a.csv", limits=_limits(max_cells=50))
    assert caught.value.errors[0].message == (
        "The file has more than 50 cells, the limit; split it in parts."
    )


def test_reading_time_over_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter(float(second) for second in range(0, 10_000, 2))
    monkeypatch.setattr(tabular.time, "monotonic", lambda: next(clock))
    data = ("code,name\n" + "A,b\n" * 100).encode()
    with pytest.raises(TabularError) as caught:
        _read_all(data, "a.csv", limits=_limits(max_seconds=5))
    assert caught.value.errors[0].message == (
        "Reading the file took longer than the limit of 5 seconds; split it in parts."
    )


def test_a_file_over_the_size_limit_is_refused_without_reading_it_whole() -> None:
    class Upload(io.BytesIO):
        size = 60 * 1024 * 1024

    upload = Upload(b"code\n" * 10)
    with pytest.raises(TabularError) as caught:
        read_upload(upload)
    assert caught.value.errors[0].message == (
        "The file is 60.0\xa0MB, more than the limit of 50.0\xa0MB; split it in parts."
    )
    assert upload.tell() == 0
    with pytest.raises(TabularError):
        read_upload(io.BytesIO(b"x" * 2048), limits=_limits(max_bytes=1024))
    with pytest.raises(TabularError):
        _read_all(b"code\n" + b"x\n" * 1024, "a.csv", limits=_limits(max_bytes=1024))


def test_a_csv_field_longer_than_the_csv_limit_names_its_line() -> None:
    data = b'code,name\nA,b\nB,"' + b"x" * 200_000 + b'"\n'
    with pytest.raises(TabularError) as caught:
        _read_all(data, "a.csv")
    assert caught.value.errors[0].row == 3
    assert caught.value.errors[0].message.startswith("The line cannot be read as CSV: ")


# --- Every importer, through its page and its API ----------------------------------------------


@pytest.fixture
def cohort(personas: dict[str, User], agencies: dict[str, Agency]) -> object:
    from opennrm.training import services

    course = services.course_create(
        actor=personas["marija"],
        code="help-thb",
        title="HELP: Trafficking in human beings",
        modules=[("intro", "Introduction")],
    )
    return services.cohort_create(
        actor=personas["marija"],
        course=course,
        code="law-2020",
        title="Law students 2020",
        target_group="law_students",
        start=date(2020, 4, 1),
        end=date(2020, 6, 30),
        organiser=agencies["coe"],
    )


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("hostile.xlsx", zip_bomb_xlsx(), content_type="application/zip")


PAGES: list[tuple[str, str, Callable[[], str]]] = [
    ("vesna", "cases legacy import", lambda: reverse("imports:upload", args=["cases"])),
    ("jelena", "justice register", lambda: reverse("imports:upload", args=["justice.register"])),
    ("marija", "training completions", lambda: reverse("training:import", args=["law-2020"])),
    ("dragan", "GRETA recommendations", lambda: reverse("monitoring:recommendations_import")),
]


@pytest.mark.parametrize(("username", "importer", "url"), PAGES, ids=[p[1] for p in PAGES])
def test_every_import_page_refuses_the_zip_bomb_at_once(
    client_for: Callable[[str], Client],
    cohort: object,
    username: str,
    importer: str,
    url: Callable[[], str],
) -> None:
    client, upload = client_for(username), _upload()
    client.get(url())  # the first request of a test process loads every URLconf and template
    started = time.monotonic()
    response = client.post(url(), {"file": upload})
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, importer
    assert response.status_code in (200, 400), importer
    assert "more than the limit of 256.0\xa0MB" in response.content.decode(), importer


@pytest.mark.parametrize(
    ("username", "url"),
    [("vesna", "/api/v1/cases/import/"), ("marija", "/api/v1/training/cohorts/law-2020/import")],
    ids=["cases", "training"],
)
def test_every_import_api_refuses_the_zip_bomb_with_a_400_naming_the_limit(
    client_for: Callable[[str], Client], cohort: object, username: str, url: str
) -> None:
    client, upload = client_for(username), _upload()
    started = time.monotonic()
    response = client.post(url, {"file": upload})
    assert time.monotonic() - started < 2.0
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"file": BOMB_MESSAGE}


def test_the_catalogue_import_refuses_the_zip_bomb(tmp_path: object) -> None:
    from opennrm.screening.catalogue_io import parse_csv

    bomb = zip_bomb_xlsx()
    started = time.monotonic()
    with pytest.raises(TabularError) as caught:
        parse_csv(
            bomb,
            filename="catalogue.xlsx",
            list_name="adult_labour",
            verified=False,
            source="test",
            rules=None,
        )
    assert time.monotonic() - started < 1.0
    assert caught.value.errors[0].message == BOMB_MESSAGE


def test_the_training_import_api_names_each_problem_in_fields(
    client_for: Callable[[str], Client], cohort: object
) -> None:
    # Issue 13, item 13: the 400 came with empty ``fields``.
    bad = b"First name,Surname,Email address,Introduction\nMila,Peric,not-an-email,yesterday\n"
    response = client_for("marija").post(
        "/api/v1/training/cohorts/law-2020/import", {"file": SimpleUploadedFile("r.csv", bad)}
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"row 2, E-mail", "row 2, Introduction"}
    assert all(fields.values())
    missing = client_for("marija").post(
        "/api/v1/training/cohorts/law-2020/import",
        {"file": SimpleUploadedFile("r.csv", b"name\nx\n")},
    )
    assert missing.json()["error"]["fields"] == {
        "row 1": "The required column “E-mail” is not mapped to a column of the file."
    }
