"""Training completion reports through the pipeline: Serbian headers, Moodle's own downloads,
and a large report as a background job."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook

from opennrm.accounts.models import User
from opennrm.imports import services
from opennrm.imports.models import ImportJob, Stage
from opennrm.training.models import Cohort, Enrolment, ModuleCompletion, Trainee

SPEC = "training.completions"

SERBIAN = (
    "Име,Презиме,Е-пошта,Модул 1,Модул 2,Модул 3\n"
    "Мила,Перић,mila.peric@example.org,10.04.2020.,20.04.2020.,30.04.2020.\n"
    "Огњен,Ракић,ognjen.rakic@example.org,12.04.2020.,,\n"
)
LATIN = (
    "Ime;Prezime;E-pošta;Modul 1;Modul 2;Modul 3\nVera;Ilić;vera.ilic@example.org;2020-04-11;;\n"
)

# Moodle's "Activity completion" download (report/progress): an empty header cell over the
# full name, the identity field, then per activity its name and its expected date.
MOODLE_ROWS = [
    [
        "",
        "Email address",
        "Module 1: Introduction",
        "",
        "Module 2: Identification of victims",
        "15 May 2020",
        "Module 3: Assistance and protection",
        "",
    ],
    [
        "Mila Perić",
        "mila.peric@example.org",
        "Completed",
        "2020-04-10 09:12:44",
        "Completed (achieved pass grade)",
        "2020-04-20 17:03:00",
        "Completed",
        "2020-04-30 08:00:01",
    ],
    [
        "Ognjen Rakić",
        "ognjen.rakic@example.org",
        "Completed",
        "2020-04-12 10:00:00",
        "Not completed",
        "",
        "Not completed",
        "",
    ],
    ["Madona", "madona@example.org", "Not completed", "", "Not completed", "", "Not completed", ""],
]


def moodle_csv() -> bytes:
    lines = [",".join(f'"{cell}"' for cell in row) for row in MOODLE_ROWS]
    return ("\n".join(lines) + "\n").encode("utf-8")


def moodle_excel_csv() -> bytes:
    """Moodle's "Excel" variant: UTF-16LE with a byte-order mark, tab-separated, quoted."""
    lines = ["\t".join(f'"{cell}"' for cell in row) for row in MOODLE_ROWS]
    return b"\xff\xfe" + ("\n".join(lines) + "\n").encode("utf-16-le")


def moodle_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in MOODLE_ROWS:
        sheet.append([cell or None for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(actor: User, cohort: Cohort, filename: str, data: bytes) -> ImportJob:
    """Upload, accept the suggested columns, preview, queue and run as the worker would."""
    job = services.job_create(
        actor=actor, spec_key=SPEC, target=cohort.code, filename=filename, data=data
    )
    services.job_map_columns(actor=actor, job=job, mapping=job.mapping)
    preview = services.job_preview(actor=actor, job=job)
    assert preview.ok, preview.errors
    services.job_queue(actor=actor, job=job)
    finished = services.job_run(job_id=str(job.pk))
    assert finished is not None
    assert finished.stage == Stage.DONE, (finished.message, services.job_report(finished))
    return finished


def completions() -> set[tuple[str, str, date]]:
    return set(
        ModuleCompletion.objects.values_list(
            "enrolment__trainee__email", "module__code", "completed_on"
        )
    )


def test_serbian_headers_in_cyrillic_and_latin_are_suggested_and_imported(
    personas: dict[str, User], cohort: Cohort
) -> None:
    marija = personas["marija"]
    job = services.job_create(
        actor=marija,
        spec_key=SPEC,
        target=cohort.code,
        filename="izvestaj.csv",
        data=SERBIAN.encode(),
    )
    assert job.mapping == [
        "first_name",
        "last_name",
        "email",
        "module:intro",
        "module:identification",
        "module:assistance",
    ]
    run(marija, cohort, "izvestaj.csv", SERBIAN.encode())
    run(marija, cohort, "latinica.csv", LATIN.encode())
    assert Trainee.objects.get(email="mila.peric@example.org").last_name == "Перић"
    assert Trainee.objects.get(email="vera.ilic@example.org").first_name == "Vera"
    assert len(completions()) == 5
    assert Enrolment.objects.filter(cohort=cohort, completed_on=date(2020, 4, 30)).count() == 1


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("progress.csv", moodle_csv),
        ("progress-excel.csv", moodle_excel_csv),
        ("progress.xlsx", moodle_xlsx),
    ],
)
def test_moodles_activity_completion_download_imports_in_each_format(
    personas: dict[str, User], cohort: Cohort, filename: str, data
) -> None:
    marija = personas["marija"]
    job = services.job_create(
        actor=marija, spec_key=SPEC, target=cohort.code, filename=filename, data=data()
    )
    # one column per activity; the expected-date columns are gone
    assert job.header == [
        "Full name",
        "Email address",
        "Module 1: Introduction",
        "Module 2: Identification of victims",
        "Module 3: Assistance and protection",
    ]
    assert job.mapping == [
        "full_name",
        "email",
        "module:intro",
        "module:identification",
        "module:assistance",
    ]
    finished = run(marija, cohort, filename, data())
    assert completions() == {
        ("mila.peric@example.org", "intro", date(2020, 4, 10)),
        ("mila.peric@example.org", "identification", date(2020, 4, 20)),
        ("mila.peric@example.org", "assistance", date(2020, 4, 30)),
        ("ognjen.rakic@example.org", "intro", date(2020, 4, 12)),
    }
    mila = Trainee.objects.get(email="mila.peric@example.org")
    assert (mila.first_name, mila.last_name) == ("Mila", "Perić")  # the full name split
    madona = Trainee.objects.get(email="madona@example.org")
    assert (madona.first_name, madona.last_name) == ("Madona", "")  # one word kept whole
    assert finished.result["created"] == 4
    # the same download again changes nothing
    again = run(marija, cohort, filename, data())
    assert (again.result["created"], again.result["skipped"]) == (0, 4)
    assert len(completions()) == 4


def test_moodles_course_completion_report_imports(
    personas: dict[str, User], cohort: Cohort
) -> None:
    # report/completion: ID, Name, identity fields, per activity its state and
    # "<name> - Completion date" (Moodle's short date and time), then "Course complete".
    data = (
        '"ID","Name","Email address","Introduction","Introduction - Completion date",'
        '"Identification of victims","Identification of victims - Completion date",'
        '"Course complete"\n'
        '"17","Mila Perić","mila.peric@example.org","Completed","10/04/20, 09:12",'
        '"Not completed","",""\n'
    ).encode()
    run(personas["marija"], cohort, "completion.csv", data)
    assert completions() == {("mila.peric@example.org", "intro", date(2020, 4, 10))}


def test_a_bad_row_names_row_column_and_value_in_the_users_language(
    personas: dict[str, User], cohort: Cohort
) -> None:
    from django.utils import translation

    bad = SERBIAN.replace("20.04.2020.", "јуче").encode()
    with translation.override("sr"):
        job = services.job_create(
            actor=personas["marija"],
            spec_key=SPEC,
            target=cohort.code,
            filename="izvestaj.csv",
            data=bad,
        )
        services.job_map_columns(actor=personas["marija"], job=job, mapping=job.mapping)
        preview = services.job_preview(actor=personas["marija"], job=job)
    assert [(e.row, e.column) for e in preview.errors] == [(2, "Identification of victims")]
    assert "„јуче”" in preview.errors[0].message


def test_a_3000_row_report_runs_as_a_background_job_with_progress(
    personas: dict[str, User], cohort: Cohort, client_for, django_capture_on_commit_callbacks
) -> None:
    lines = ["Ime,Prezime,E-pošta,Modul 1,Modul 2,Modul 3"] + [
        f"Ime{i},Prezime{i},learner{i}@example.org,2020-04-10,2020-04-20," for i in range(3000)
    ]
    marija = client_for("marija")
    upload = io.BytesIO("\n".join(lines).encode())
    upload.name = "big.csv"
    response = marija.post(f"/imports/{SPEC}/", {"file": upload, "target": cohort.code})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.get()
    marija.post(
        f"/imports/jobs/{job.pk}/columns/", {f"col-{i}": key for i, key in enumerate(job.mapping)}
    )
    assert "To create: 6000" in marija.get(f"/imports/jobs/{job.pk}/preview/").content.decode()
    # the request only queues the job: nothing is written inside it
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = marija.post(f"/imports/jobs/{job.pk}/preview/")
    assert response["Location"] == f"/imports/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.stage == Stage.QUEUED
    assert ModuleCompletion.objects.count() == 0
    page = marija.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert 'id="import-bar"' in page
    assert "Waiting for the background worker" in page
    seen: list[tuple[int, int]] = []
    original = services._ProgressWriter.__call__

    def spy(self, done: int, total: int) -> None:  # type: ignore[no-untyped-def]
        seen.append((done, total))
        original(self, done, total)

    services._ProgressWriter.__call__ = spy  # type: ignore[method-assign]
    try:
        for callback in callbacks:
            callback()  # the worker picks the job up (immediate backend)
    finally:
        services._ProgressWriter.__call__ = original  # type: ignore[method-assign]
    job.refresh_from_db()
    assert job.stage == Stage.DONE
    assert ModuleCompletion.objects.count() == 6000
    assert seen[-1] == (3000, 3000)
    assert len(seen) >= 3
    assert [done for done, _total in seen] == sorted(done for done, _total in seen)
    page = marija.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert "Imported: 3000 rows read, 6000 created" in page
    assert "Learners registered: 3000" in page
