"""A trainer imports e-learning completion reports in the browser through the import pipeline:
a bad file is refused with its problems named and nothing imported; a good one updates the cohort
and the coverage; a 3,000-row report with Serbian headers runs as a background job whose progress
the page follows; Moodle's activity-completion download imports as CSV and as its Excel variant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from opennrm.accounts.models import Agency, User
from opennrm.imports import services as import_services
from opennrm.imports import tasks as import_tasks
from opennrm.imports.models import ImportJob
from opennrm.training import services
from opennrm.training.models import Cohort, ModuleCompletion
from tests import live_server_sqlite
from tests.training.test_import_specs import moodle_csv, moodle_excel_csv

HEADER = "First name,Surname,Email address,Module 1: Indicators,Module 2: Referral\n"


def labour_cohort(personas: dict[str, User], agencies: dict[str, Agency]) -> Cohort:
    marija = personas["marija"]
    course = services.course_create(
        actor=marija,
        code="li-basic",
        title="Recognising labour exploitation",
        modules=[("indicators", "Indicators"), ("referral", "Referral")],
    )
    cohort = services.cohort_create(
        actor=marija,
        course=course,
        code="li-2020",
        title="Labour inspectors 2020",
        target_group="labour_inspectors",
        start=date(2020, 2, 1),
        end=date(2020, 12, 31),
        organiser=agencies["coe"],
    )
    population = services.population_create(
        actor=marija,
        code="labour_inspectors",
        name="Labour inspectors",
        profession="labour_inspector",
        qualifying_courses=[course],
    )
    services.headcount_record(actor=marija, population=population, on=date(2020, 1, 1), headcount=4)
    return cohort


def upload(page: Page, path: Path) -> None:
    """From the cohort page: upload, accept the suggested columns, reach the preview."""
    page.get_by_label("Completion report (CSV or XLSX)").set_input_files(str(path))
    page.get_by_role("button", name="Import").click()
    page.get_by_role("button", name="Confirm the columns").click()


def test_a_trainer_imports_a_completion_report_and_sees_coverage_rise(
    page: Page,
    login_as: Callable[[Page, str], None],
    personas: dict[str, User],
    agencies: dict[str, Agency],
    tmp_path: Path,
) -> None:
    labour_cohort(personas, agencies)
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "Ana,Kos,ana.kos@example.org,2020-03-01,soon\nBo,,bo@x,,\n")
    good = tmp_path / "good.csv"
    good.write_text(
        HEADER + "Ana,Kos,ana.kos@example.org,2020-03-01,2020-03-09\n"
        "Bora,Lukić,bora.lukic@example.org,2020-03-02,\n"
    )

    login_as(page, "marija")
    page.get_by_role("link", name="Training", exact=True).first.click()
    page.get_by_role("link", name="Labour inspectors 2020").click()
    upload(page, bad)
    errors = page.locator("#import-errors")
    expect(errors.get_by_role("row", name="2 Referral")).to_contain_text("“soon” is not a date")
    expect(errors.get_by_role("row", name="3 Last name")).to_contain_text(
        "The last name of a new learner is missing."
    )
    expect(errors.get_by_role("row", name="3 E-mail")).to_contain_text(
        "“bo@x” is not an e-mail address."
    )
    expect(page.get_by_role("button", name="Import")).to_have_count(0)
    assert ModuleCompletion.objects.count() == 0

    page.get_by_role("link", name="Training", exact=True).first.click()
    page.get_by_role("link", name="Labour inspectors 2020").click()
    upload(page, good)
    expect(page.locator("#preview-counts")).to_contain_text("To create: 3")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status").filter(has_text="Imported:")).to_contain_text(
        "Imported: 2 rows read, 3 created"
    )
    page.get_by_role("link", name="Training", exact=True).first.click()
    page.get_by_role("link", name="Labour inspectors 2020").click()
    expect(page.locator('[data-figure="completed"]')).to_have_text("1")
    expect(page.locator("#learners")).to_contain_text("ana.kos@example.org")

    page.get_by_role("link", name="Coverage").first.click()
    expect(page.locator('[data-population="labour_inspectors"]')).to_have_text("25%")
    expect(page.locator("#coverage-history tbody tr").last).to_contain_text("25%")
    expect(page.locator('canvas[data-chart="coverage-chart"]')).to_have_attribute(
        "data-rendered", "1"
    )


class _Queue:
    """Stands in for the background worker's queue: the job waits until the test runs it."""

    def __init__(self) -> None:
        self.ids: list[str] = []

    def enqueue(self, job_id: str) -> None:
        self.ids.append(job_id)


def test_a_3000_row_report_with_serbian_headers_runs_in_the_background_with_progress(
    page: Page,
    login_as: Callable[[Page, str], None],
    personas: dict[str, User],
    agencies: dict[str, Agency],
    tmp_path: Path,
    monkeypatch: Any,
) -> None:
    labour_cohort(personas, agencies)
    report = tmp_path / "izvestaj.csv"
    report.write_text(
        "Име,Презиме,Е-пошта,Модул 1,Модул 2\n"
        + "".join(f"Име{i},Презиме{i},polaznik{i}@example.org,10.03.2020.,\n" for i in range(3000)),
        encoding="utf-8",
    )
    queue = _Queue()
    monkeypatch.setattr(import_tasks, "run_import_job", queue)
    page.set_default_timeout(30_000)
    login_as(page, "marija")
    page.goto("/training/cohorts/li-2020/")
    upload(page, report)
    expect(page.locator("#preview-counts")).to_contain_text("To create: 3000")
    page.get_by_role("button", name="Import").click()
    # the request only queued the job; the page shows its progress bar and polls it
    expect(page.locator("#import-progress")).to_contain_text("Waiting for the background worker")
    expect(page.locator("progress#import-bar")).to_have_attribute("value", "0")
    (job_id,) = queue.ids
    # the worker; the page polls meanwhile, and on SQLite in memory shares this thread's connection
    with live_server_sqlite.exclusive():
        assert ModuleCompletion.objects.count() == 0
        job = import_services.job_run(job_id=job_id)
    assert job is not None
    assert job.stage == "done"
    expect(page.get_by_role("status").filter(has_text="Imported:")).to_contain_text(
        "Imported: 3000 rows read, 3000 created"
    )
    assert ModuleCompletion.objects.count() == 3000
    assert ImportJob.objects.get(pk=job_id).result["rows"] == 3000


@pytest.mark.parametrize(
    ("name", "make"), [("progress.csv", moodle_csv), ("progress-excel.csv", moodle_excel_csv)]
)
def test_moodles_activity_completion_download_imports_as_csv_and_excel_csv(
    page: Page,
    login_as: Callable[[Page, str], None],
    personas: dict[str, User],
    agencies: dict[str, Agency],
    tmp_path: Path,
    name: str,
    make: Callable[[], bytes],
) -> None:
    marija = personas["marija"]
    course = services.course_create(
        actor=marija,
        code="help-thb",
        title="HELP: Combating trafficking in human beings",
        modules=[
            ("intro", "Introduction"),
            ("identification", "Identification of victims"),
            ("assistance", "Assistance and protection"),
        ],
    )
    services.cohort_create(
        actor=marija,
        course=course,
        code="help-2020",
        title="Law students 2020",
        target_group="law_students",
        start=date(2020, 4, 1),
        end=date(2020, 6, 30),
        organiser=agencies["coe"],
    )
    path = tmp_path / name
    path.write_bytes(make())
    login_as(page, "marija")
    page.goto("/training/cohorts/help-2020/")
    page.get_by_label("Completion report (CSV or XLSX)").set_input_files(str(path))
    page.get_by_role("button", name="Import").click()
    # Moodle's name column (empty header) and its activities, suggested
    expect(page.get_by_label("Full name")).to_have_value("full_name")
    expect(page.get_by_label("Module 2: Identification of victims")).to_have_value(
        "module:identification"
    )
    page.get_by_role("button", name="Confirm the columns").click()
    expect(page.locator("#preview-counts")).to_contain_text("To create: 4")
    expect(page.locator("#preview-sample")).to_contain_text("Perić")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status").filter(has_text="Imported:")).to_contain_text(
        "Imported: 3 rows read, 4 created"
    )
    assert ModuleCompletion.objects.count() == 4
