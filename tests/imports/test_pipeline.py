"""The pipeline's pages end to end: upload → columns → values → preview → job → report."""

from __future__ import annotations

import csv
import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opennrm.cases.models import Case
from opennrm.imports.models import ColumnMapping, ImportJob, Stage, ValueMapping

# A register with Serbian headers, a gender the vocabulary does not know ("Жен.") and an
# HTCDS name with the template's own misspelling left unused.
HEADER = [
    "Ime",
    "Prezime",
    "Pol",
    "Godina",
    "vic_TraffickingStatus",
    "cas_Status",
    "cas_ReferringOrganisation",
    "Datum upućivanja",
]
ROWS = [
    [
        "Jovana",
        "Petrović",
        "Жен.",
        "1998",
        "ActualVictimOfTrafficking",
        "Active",
        "ASTRA",
        "2020-03-01",
    ],
    [
        "Milica",
        "Ilić",
        "Жен.",
        "1995",
        "PossibleVictimOfTrafficking",
        "Active",
        "ASTRA",
        "2021-06-01",
    ],
    ["Marko", "Nikolić", "M", "1990", "ActualVictimOfTrafficking", "Active", "ASTRA", "2022-09-30"],
]


def upload_file(rows: list[list[str]] = ROWS, header: list[str] = HEADER) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile("register.csv", buffer.getvalue().encode(), "text/csv")


def _job_id(response) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r"/imports/jobs/([0-9a-f-]{36})/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def walk_to_preview(client: Client) -> str:
    response = client.post("/imports/cases/", {"file": upload_file()})
    assert response.status_code == 302
    job_id = _job_id(response)
    page = client.get(f"/imports/jobs/{job_id}/columns/").content.decode()
    # suggested from the Serbian headers and the HTCDS names
    assert 'value="prs_FirstName" selected' in page
    assert 'value="cas_IncomingReferralDate" selected' in page
    mapping = {
        f"col-{i}": key
        for i, key in enumerate(
            [
                "prs_FirstName",
                "prs_SecondName",
                "prs_Gender",
                "prs_Birthdate",
                "vic_TraffickingStatus",
                "cas_Status",
                "cas_ReferringOrganisation",
                "cas_IncomingReferralDate",
            ]
        )
    }
    response = client.post(f"/imports/jobs/{job_id}/columns/", mapping)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/imports/jobs/{job_id}/values/")
    return job_id


def walk_to_values_mapped(client: Client) -> str:
    """Through the columns and the one unknown value ("Жен." is "Feminine"): ready to import."""
    job_id = walk_to_preview(client)
    page = client.get(f"/imports/jobs/{job_id}/values/").content.decode()
    field = re.search(r'name="(val-[0-9a-f]+)"', page).group(1)
    client.post(f"/imports/jobs/{job_id}/values/", {field: "Feminine"})
    return job_id


def test_a_file_goes_through_every_step_and_imports_all_rows(
    client_for, django_capture_on_commit_callbacks
) -> None:
    vesna = client_for("vesna")
    job_id = walk_to_preview(vesna)
    page = vesna.get(f"/imports/jobs/{job_id}/values/").content.decode()
    assert "Жен." in page
    assert '<td class="text-end">2</td>' in page
    field = re.search(r'name="(val-[0-9a-f]+)"', page).group(1)
    response = vesna.post(f"/imports/jobs/{job_id}/values/", {field: "Feminine"})
    assert response["Location"].endswith(f"/imports/jobs/{job_id}/preview/")
    page = vesna.get(f"/imports/jobs/{job_id}/preview/").content.decode()
    assert "To create: 3" in page
    assert "Feminine" in page
    assert Case.objects.count() == 0  # the preview writes nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = vesna.post(f"/imports/jobs/{job_id}/preview/")
    assert response.status_code == 302
    job = ImportJob.objects.get(pk=job_id)
    assert job.stage == Stage.DONE
    assert job.result["created"] == 3
    assert job.upload is None  # the file is dropped when the job ends
    assert Case.objects.count() == 3
    page = vesna.get(f"/imports/jobs/{job_id}/").content.decode()
    assert "Imported: 3 rows read, 3 created, 0 updated, 0 already there." in page
    report = vesna.get(f"/imports/jobs/{job_id}/report.csv").content.decode("utf-8-sig")
    assert "Created,3" in report


def test_mappings_are_remembered_and_the_same_file_again_changes_nothing(
    client_for, django_capture_on_commit_callbacks
) -> None:
    vesna = client_for("vesna")
    job_id = walk_to_values_mapped(vesna)
    with django_capture_on_commit_callbacks(execute=True):
        vesna.post(f"/imports/jobs/{job_id}/preview/")
    assert Case.objects.count() == 3
    assert ColumnMapping.objects.count() == 1
    assert ValueMapping.objects.get().code == "Feminine"
    # second time: the confirmed mapping is offered, no value asks, nothing new is written
    response = vesna.post("/imports/cases/", {"file": upload_file()})
    second = _job_id(response)
    page = vesna.get(f"/imports/jobs/{second}/columns/").content.decode()
    assert 'value="prs_Birthdate" selected' in page  # "Godina" was mapped by hand
    response = vesna.get(f"/imports/jobs/{second}/values/")
    assert response["Location"].endswith(f"/imports/jobs/{second}/preview/")
    page = vesna.get(f"/imports/jobs/{second}/preview/").content.decode()
    assert "To create: 0" in page
    assert "Already there (skipped): 3" in page
    with django_capture_on_commit_callbacks(execute=True):
        vesna.post(f"/imports/jobs/{second}/preview/")
    assert Case.objects.count() == 3
    assert ImportJob.objects.get(pk=second).result["skipped"] == 3


def test_an_unmapped_value_is_an_error_naming_row_column_value_and_allowed_values(
    client_for,
) -> None:
    vesna = client_for("vesna")
    job_id = walk_to_preview(vesna)
    page = vesna.get(f"/imports/jobs/{job_id}/preview/").content.decode()
    assert "Nothing can be imported until these problems are solved" in page
    assert "“Жен.” is not an allowed value. Allowed values: Female (Feminine);" in page
    response = vesna.post(f"/imports/jobs/{job_id}/preview/")
    assert response.status_code == 400
    assert Case.objects.count() == 0
    assert ImportJob.objects.get(pk=job_id).stage == Stage.UPLOADED


def test_a_required_column_left_unmapped_is_refused_by_name(client_for) -> None:
    vesna = client_for("vesna")
    job_id = _job_id(vesna.post("/imports/cases/", {"file": upload_file()}))
    response = vesna.post(f"/imports/jobs/{job_id}/columns/", {"col-0": "prs_FirstName"})
    assert response.status_code == 400
    assert "The required column “Last name” is not mapped to a column of the file." in (
        response.content.decode()
    )


def test_nobody_else_sees_a_job_and_only_importers_reach_the_pages(client_for) -> None:
    vesna = client_for("vesna")
    job_id = walk_to_preview(vesna)
    for username in ("dragan", "ana", "marija"):
        other = client_for(username)
        for step in ("", "columns/", "values/", "preview/", "report.csv"):
            assert other.get(f"/imports/jobs/{job_id}/{step}").status_code in (403, 404)
    assert client_for("ana").get("/imports/cases/").status_code == 403
    assert vesna.get("/imports/cases/").status_code == 200
