"""The training API: figures for monitoring, the import, versioned updates, and who may call it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opennrm.accounts.models import User
from opennrm.training import services
from opennrm.training.models import Cohort, ModuleCompletion
from tests.conftest import assert_access
from tests.training.test_import import BAD, GOOD


def test_the_api_is_for_trainers_and_coordinators(
    client_for: Callable[[str], Client], cohort: Cohort
) -> None:
    allowed = ["marija", "dragan", "nada", "sanja"]
    assert_access(client_for, "/api/v1/training/cohorts", allowed=allowed)
    assert_access(client_for, f"/api/v1/training/cohorts/{cohort.code}/figures", allowed=allowed)
    assert_access(client_for, "/api/v1/training/curricula", allowed=allowed)


def test_the_import_endpoint_answers_row_errors_then_figures(
    client_for: Callable[[str], Client], cohort: Cohort
) -> None:
    client = client_for("marija")
    url = f"/api/v1/training/cohorts/{cohort.code}/import"
    refused = client.post(url, {"file": SimpleUploadedFile("r.csv", BAD)})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "import_invalid"
    assert ModuleCompletion.objects.count() == 0
    accepted = client.post(url, {"file": SimpleUploadedFile("r.csv", GOOD)})
    assert accepted.json() == {
        "rows": 2,
        "learners_created": 2,
        "enrolled": 2,
        "completions_added": 4,
        "completed_course": 1,
    }
    figures = client_for("dragan").get(f"/api/v1/training/cohorts/{cohort.code}/figures").json()
    assert figures == {
        "cohort_code": cohort.code,
        "enrolled": 2,
        "completed_all_modules": 1,
        "modules": 3,
        "outcomes": {},
    }
    coordinator = client_for("dragan").post(url, {"file": SimpleUploadedFile("r.csv", GOOD)})
    assert coordinator.status_code == 403


def test_a_stale_cohort_update_is_refused_with_409(
    client_for: Callable[[str], Client], cohort: Cohort
) -> None:
    client = client_for("marija")
    url = f"/api/v1/training/cohorts/{cohort.code}"
    first = client.patch(url, {"version": 1, "title": "Spring"}, content_type="application/json")
    assert first.json()["version"] == 2
    stale = client.patch(url, {"version": 1, "title": "Autumn"}, content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_record"
    cohort.refresh_from_db()
    assert cohort.title == "Spring"


def test_coverage_counts_each_trainee_once_and_only_of_the_profession(
    client_for: Callable[[str], Client], personas: dict[str, User], agencies: dict
) -> None:
    actor = personas["marija"]
    events = [
        services.event_create(
            actor=actor,
            code=f"e{n}",
            title="Seminar",
            kind="seminar",
            start=date(2020, n, 1),
            end=date(2020, n, 2),
            organiser=agencies["coe"],
        )
        for n in (3, 5)
    ]
    inspector = services.trainee_register(
        actor=actor,
        first_name="A",
        last_name="B",
        email="a@example.org",
        profession="labour_inspector",
    )
    police = services.trainee_register(
        actor=actor,
        first_name="C",
        last_name="D",
        email="c@example.org",
        profession="police_officer",
    )
    for event in events:
        services.attendance_record(actor=actor, event=event, trainees=[inspector, police])
    population = services.population_create(
        actor=actor,
        code="labour_inspectors",
        name="Labour inspectors",
        profession="labour_inspector",
        qualifying_events=events,
    )
    services.headcount_record(actor=actor, population=population, on=date(2020, 1, 1), headcount=8)
    services.headcount_record(actor=actor, population=population, on=date(2020, 4, 1), headcount=5)
    series = client_for("nada").get("/api/v1/training/coverage/labour_inspectors/series").json()
    assert [(p["on"], p["trained"], p["headcount"], p["share"]) for p in series] == [
        ("2020-01-01", 0, 8, 0.0),
        ("2020-03-02", 1, 8, 0.125),
        ("2020-04-01", 1, 5, 0.2),
        ("2020-05-02", 1, 5, 0.2),
    ]
    assert (
        client_for("cedomir").get("/api/v1/training/coverage/labour_inspectors").status_code == 403
    )
