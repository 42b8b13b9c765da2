"""Issue 13, finding 4, against a live server: the hostile spreadsheet on every import endpoint.

The review's file: 1.1 MB of XLSX whose sheet unpacks to 392 MB (8 million rows, no dimension tag).
It ran 8 minutes and grew the server to 1.5 GB on the case import, 45 s and +700 MB on the others.
Here each import page and API, as the role that may use it, refuses it at once with the limit named.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

import pytest

from opennrm.accounts.models import Agency, User
from tests.core.hostile import zip_bomb_xlsx
from tests.security.conftest import Session, csrf_from

LIMIT = "more than the limit of 256.0\xa0MB"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def cohort(personas: dict[str, User], agencies: dict[str, Agency]) -> str:
    from opennrm.training import services

    course = services.course_create(
        actor=personas["marija"],
        code="help-thb",
        title="HELP: Trafficking in human beings",
        modules=[("intro", "Introduction")],
    )
    services.cohort_create(
        actor=personas["marija"],
        course=course,
        code="law-2020",
        title="Law students 2020",
        target_group="law_students",
        start=date(2020, 4, 1),
        end=date(2020, 6, 30),
        organiser=agencies["coe"],
    )
    return "law-2020"


PAGES = [
    ("vesna", "/imports/cases/", {}),
    ("jelena", "/imports/justice.register/", {}),
    ("dragan", "/imports/monitoring.recommendations/", {}),
    ("marija", "/imports/training.completions/", {"target": "law-2020"}),
    ("dragan", "/monitoring/recommendations/import/", {}),
]


def test_every_import_page_refuses_the_zip_bomb_at_once(
    sign_in: Callable[[str], Session], cohort: str
) -> None:
    bomb = zip_bomb_xlsx()
    sessions: dict[str, Session] = {}
    for username, path, extra in PAGES:
        session = sessions.get(username) or sessions.setdefault(username, sign_in(username))
        form = session.get(path + (f"?target={extra['target']}" if extra else ""))
        assert form.status_code == 200, path
        started = time.monotonic()
        response = session.post(
            path,
            data={"csrfmiddlewaretoken": csrf_from(form.text), **extra},
            files={"file": ("hostile.xlsx", bomb, XLSX)},
            headers={"Referer": session.base_url + path},
        )
        elapsed = time.monotonic() - started
        assert elapsed < 3.0, f"{path} took {elapsed:.1f} s"
        assert response.status_code in (200, 400), path
        assert LIMIT in response.text, path


def test_every_import_api_refuses_the_zip_bomb_with_a_400_naming_the_limit(
    sign_in: Callable[[str], Session], cohort: str
) -> None:
    bomb = zip_bomb_xlsx()
    for username, path in [
        ("vesna", "/api/v1/cases/import/"),
        ("marija", f"/api/v1/training/cohorts/{cohort}/import"),
    ]:
        session = sign_in(username)
        started = time.monotonic()
        response = session.api("POST", path, files={"file": ("hostile.xlsx", bomb, XLSX)})
        assert time.monotonic() - started < 3.0, path
        assert response.status_code == 400, (path, response.text[:500])
        assert LIMIT in response.json()["error"]["fields"]["file"], path
