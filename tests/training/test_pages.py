"""Training pages: who may see them, what they show, and what they export."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from datetime import date

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opennrm.accounts.models import Agency, User
from opennrm.audit.models import AuditEntry
from opennrm.training import services
from opennrm.training.models import Cohort, Enrolment, ModuleCompletion
from tests.conftest import assert_access
from tests.training.test_import import BAD, GOOD

VIEWERS = ["marija", "dragan", "nada", "sanja"]


def _population(personas: dict[str, User], agencies: dict[str, Agency]) -> None:
    actor = personas["marija"]
    event = services.event_create(
        actor=actor,
        code="li-1",
        title="Basic training",
        kind="seminar",
        start=date(2020, 3, 2),
        end=date(2020, 3, 3),
        organiser=agencies["coe"],
        place="Niš",
    )
    inspectors = [
        services.trainee_register(
            actor=actor,
            first_name="Insp",
            last_name=str(n),
            email=f"i{n}@example.org",
            profession="labour_inspector",
            agency=agencies["labour"],
            sex="female" if n % 2 else "male",
        )
        for n in range(3)
    ]
    services.attendance_record(actor=actor, event=event, trainees=inspectors)
    population = services.population_create(
        actor=actor,
        code="labour_inspectors",
        name="Labour inspectors",
        profession="labour_inspector",
        qualifying_events=[event],
    )
    services.headcount_record(actor=actor, population=population, on=date(2020, 1, 1), headcount=4)


def test_training_pages_are_for_trainers_and_coordinators(
    client_for: Callable[[str], Client],
    cohort: Cohort,
    personas: dict[str, User],
    agencies: dict[str, Agency],
) -> None:
    _population(personas, agencies)
    for url in (
        "/training/",
        f"/training/cohorts/{cohort.code}/",
        "/training/coverage/",
        "/training/events/",
        "/training/events/li-1/",
        "/training/planning/",
    ):
        assert_access(client_for, url, allowed=VIEWERS)


class _Rereadable:
    """An upload that every persona of the permission matrix can send again."""

    name = "report.csv"

    def read(self) -> bytes:
        return GOOD


def test_only_trainers_may_post_an_import(
    client_for: Callable[[str], Client], cohort: Cohort
) -> None:
    assert_access(
        client_for,
        f"/training/cohorts/{cohort.code}/import/",
        method="post",
        data={"file": _Rereadable()},
        allowed=["marija"],
        ok_statuses=(302,),
    )


def test_a_bad_upload_lists_errors_by_row_in_the_pipeline_preview(
    client_for: Callable[[str], Client], cohort: Cohort
) -> None:
    client = client_for("marija")
    response = client.post(
        f"/training/cohorts/{cohort.code}/import/", {"file": SimpleUploadedFile("r.csv", BAD)}
    )
    assert response.status_code == 302  # into the import pipeline's column mapping
    columns = response["Location"]
    assert columns.endswith("/columns/")
    page = client.get(columns).content.decode()
    assert 'value="module:identification" selected' in page
    confirmed = client.post(columns, _selected(page))
    preview = client.get(confirmed["Location"], follow=True)
    html = preview.content.decode()
    assert "The first name of a new learner is missing." in html
    assert "<td>3</td><td>First name</td>" in html
    assert ModuleCompletion.objects.count() == 0


def _selected(page: str) -> dict[str, str]:
    """The column mapping the page suggests, as the form would post it."""
    import re

    found: dict[str, str] = {}
    for name, body in re.findall(r'<select[^>]*name="(col-\d+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        found[name] = chosen.group(1) if chosen else ""
    return found


def test_a_good_upload_shows_the_completion(
    client_for: Callable[[str], Client], cohort: Cohort, django_capture_on_commit_callbacks
) -> None:
    client = client_for("marija")
    response = client.post(
        f"/training/cohorts/{cohort.code}/import/", {"file": SimpleUploadedFile("r.csv", GOOD)}
    )
    columns = response["Location"]
    client.post(columns, _selected(client.get(columns).content.decode()))
    preview = columns.replace("/columns/", "/preview/")
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(preview)
    html = client.get(done["Location"]).content.decode()
    assert "Imported: 2 rows read, 4 created, 0 updated, 0 already there." in html
    assert "Learners who have completed the course: 1" in html
    html = client.get(f"/training/cohorts/{cohort.code}/").content.decode()
    assert 'data-figure="completed">1<' in html
    assert AuditEntry.objects.filter(verb="training.trainees_view").exists()


def test_the_certificate_is_a_pdf_naming_the_trainee_and_course(
    client_for: Callable[[str], Client], cohort: Cohort, personas: dict[str, User]
) -> None:
    services.completion_import(
        actor=personas["marija"], cohort=cohort, source=GOOD, filename="r.csv"
    )
    done = Enrolment.objects.get(trainee__email="mila.peric@example.org")
    response = client_for("dragan").get(f"/training/certificates/{done.pk}.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=b"".join(response), capture_output=True, check=True
    ).stdout.decode()
    assert "Mila Perić" in text
    assert "completed all 3 modules of the course" in text
    assert "Completed on 30 April 2020" in text
    assert AuditEntry.objects.filter(verb="training.certificate_issue").count() == 1
    unfinished = Enrolment.objects.get(trainee__email="ognjen.rakic@example.org")
    refused = client_for("marija").get(f"/training/certificates/{unfinished.pk}.pdf", follow=True)
    assert "A certificate is issued only when every module of the course is completed." in (
        refused.content.decode()
    )
    assert client_for("cedomir").get(f"/training/certificates/{done.pk}.pdf").status_code == 403


def test_the_coverage_page_and_its_export_show_the_same_figures(
    client_for: Callable[[str], Client], personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    _population(personas, agencies)
    response = client_for("nada").get("/training/coverage/")
    assert 'data-population="labour_inspectors">75%' in response.content.decode()
    export = client_for("nada").get("/training/coverage/?export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export)))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows == [
        ("Population", "Trained", "Headcount", "Share trained (%)"),
        ("Labour inspectors", 3, 4, 75),
    ]
    history = list(book.worksheets[1].iter_rows(values_only=True))
    assert history[1:] == [("2020-01-01", 0, 4, 0), ("2020-03-03", 3, 4, 75)]


def test_event_attendance_is_broken_down_without_names(
    client_for: Callable[[str], Client], personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    _population(personas, agencies)
    export = client_for("dragan").get("/training/events/li-1/?export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export)))
    by_sex = list(book.worksheets[2].iter_rows(values_only=True))
    assert by_sex == [("Group", "Attendees"), ("Female", 1), ("Male", 2)]
    html = client_for("dragan").get("/training/events/li-1/").content.decode()
    assert "Insp" not in html


def test_the_cohort_export_lists_learners_and_is_audited(
    client_for: Callable[[str], Client], cohort: Cohort, personas: dict[str, User]
) -> None:
    services.completion_import(
        actor=personas["marija"], cohort=cohort, source=GOOD, filename="r.csv"
    )
    export = client_for("marija").get(f"/training/cohorts/{cohort.code}/?export=xlsx")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(export))).active.iter_rows(values_only=True)
    )
    assert rows[1] == (
        "Perić",
        "Mila",
        "mila.peric@example.org",
        "Law student",
        "Not stated",
        "3/3",
        "2020-04-30",
    )
    assert AuditEntry.objects.filter(verb="training.trainees_export").count() == 1


def test_a_stale_cohort_edit_is_refused_and_keeps_the_input(
    client_for: Callable[[str], Client], cohort: Cohort
) -> None:
    url = f"/training/cohorts/{cohort.code}/edit/"
    data = {
        "version": 1,
        "title": "Spring 2020",
        "start": "2020-04-01",
        "end": "2020-06-30",
        "language": "sr",
    }
    assert client_for("marija").post(url, data).status_code == 302
    stale = client_for("marija").post(url, {**data, "title": "Autumn 2020"})
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "Someone else saved this record while you were editing it." in html
    assert 'value="Autumn 2020"' in html
    cohort.refresh_from_db()
    assert (cohort.title, cohort.version) == ("Spring 2020", 2)
    backwards = client_for("marija").post(url, {**data, "version": 2, "end": "2020-03-01"})
    assert "The end must be on or after the start." in backwards.content.decode()
    assert_access(client_for, url, allowed=["marija"])
