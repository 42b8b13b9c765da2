"""The import pages, the case-file PDF and the operational API, with their permissions."""

from __future__ import annotations

import csv
import io
import subprocess
import tempfile
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from opennrm.audit.models import AuditEntry
from opennrm.cases import services
from opennrm.cases.imports import ImportJob, save_job
from opennrm.cases.models import Case, Person
from tests.cases.test_ops_imports import GOOD_ROWS, csv_bytes
from tests.conftest import assert_access


@pytest.fixture(autouse=True)
def jobs_in_tmp(settings, tmp_path) -> None:
    settings.VAR_DIR = tmp_path


def upload(client: Client, data: bytes, name: str = "legacy.csv"):
    file = io.BytesIO(data)
    file.name = name
    return client.post("/cases/import/", {"file": file})


def pdf_text(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        return subprocess.run(
            ["pdftotext", "-layout", handle.name, "-"], capture_output=True, check=True, text=True
        ).stdout


def open_case(personas) -> Case:
    referral = services.referral_create(
        actor=personas["ana"], given_names="Милица", family_name="Стојковић", year_of_birth=1999,
        consent_given=True, consent_scope=["referral", "services"],
    )  # fmt: skip
    return services.referral_accept(
        actor=personas["vesna"], referral=referral, expected_version=referral.version
    )


def test_only_case_managers_reach_the_import_page(client_for) -> None:
    assert_access(client_for, "/cases/import/", allowed=["vesna"])
    assert_access(client_for, "/cases/import/template.csv", allowed=["vesna"])


def test_a_good_upload_imports_and_shows_the_counts(client_for) -> None:
    response = upload(client_for("vesna"), csv_bytes(GOOD_ROWS))
    assert response.status_code == 302
    page = client_for("vesna").get(response["Location"]).content.decode()
    assert "Imported: 3 rows read, 3 cases created, 0 already imported before." in page
    assert Case.objects.count() == 3
    again = upload(client_for("vesna"), csv_bytes(GOOD_ROWS))
    page = client_for("vesna").get(again["Location"]).content.decode()
    assert "Imported: 3 rows read, 0 cases created, 3 already imported before." in page
    assert Case.objects.count() == 3


def test_a_bad_upload_changes_nothing_and_offers_the_error_report(client_for) -> None:
    bad = [GOOD_ROWS[0], [*GOOD_ROWS[1][:4], "Femme", *GOOD_ROWS[1][5:]]]
    response = upload(client_for("vesna"), csv_bytes(bad))
    job_url = response["Location"]
    page = client_for("vesna").get(job_url).content.decode()
    assert "The file was not imported: 1 problem was found. Nothing was changed." in page
    assert "“Femme” is not an HTCDS gender value." in page
    assert Person.objects.count() == 0
    report = client_for("vesna").get(job_url + "errors.csv")
    assert report["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert rows == [
        ["Row", "Column", "Problem"],
        ["3", "prs_Gender", "“Femme” is not an HTCDS gender value."],
    ]


def test_the_progress_fragment_polls_until_the_job_ends(personas, client_for) -> None:
    vesna = client_for("vesna")
    job = ImportJob(
        id="a" * 32, actor_id=personas["vesna"].pk, filename="big.csv", stage="writing",
        done=500, total=2000,
    )  # fmt: skip
    save_job(job)
    fragment = vesna.get(
        f"/cases/import/{job.id}/", headers={"HX-Request": "true"}
    ).content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    assert 'value="25"' in fragment
    assert "Writing: 500 of 2000 rows" in fragment
    page = vesna.get(f"/cases/import/{job.id}/").content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page


def test_nobody_else_sees_an_import_job(client_for) -> None:
    response = upload(client_for("vesna"), csv_bytes(GOOD_ROWS))
    job_url = response["Location"]
    for username in ("cedomir", "ivan", "milan"):
        assert client_for(username).get(job_url).status_code in (403, 404)
        assert client_for(username).get(job_url + "errors.csv").status_code in (403, 404)


def test_the_case_file_holds_the_persons_data_and_history_and_is_audited(personas, client_for):
    case = open_case(personas)
    response = client_for("vesna").get(f"/cases/{case.pk}/file.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert f"Case file {case.person.code}" in text
    assert "Милица" in text
    assert "Стојковић" in text
    assert f"Case {case.code}" in text
    assert "Referral to the identification centre" in text  # the consent recorded at referral
    entry = AuditEntry.objects.get(verb="case.export_file")
    assert (entry.recipient, entry.purpose, entry.target_label) == (
        "data subject", "data subject access request", case.code,
    )  # fmt: skip


def test_the_case_file_is_rendered_in_the_users_language(personas, client_for) -> None:
    case = open_case(personas)
    client = client_for("vesna")
    client.cookies["django_language"] = "sr"
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False):
        text = pdf_text(client.get(f"/cases/{case.pk}/file.pdf").content)
    assert "Милица" in text
    assert "2. март 2026." in text  # dates in Serbian; the strings follow the sr catalogue


def test_only_the_lead_case_manager_exports_the_case_file(personas, client_for) -> None:
    case = open_case(personas)
    assert_access(client_for, f"/cases/{case.pk}/file.pdf", allowed=["vesna"])
    assert AuditEntry.objects.filter(verb="case.export_file").count() == 1


def test_the_api_imports_a_good_file_and_refuses_a_bad_one_with_row_errors(client_for) -> None:
    vesna = client_for("vesna")
    good = io.BytesIO(csv_bytes(GOOD_ROWS))
    good.name = "legacy.csv"
    response = vesna.post("/api/v1/cases/import/", {"file": good})
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 3
    bad = io.BytesIO(csv_bytes([[*GOOD_ROWS[0][:12], "tomorrow"]]))
    bad.name = "bad.csv"
    response = vesna.post("/api/v1/cases/import/", {"file": bad})
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "import_invalid",
            "message": "The file was not imported: 1 problem was found. Nothing was changed.",
            "fields": {
                "row 2, cas_IncomingReferralDate": (
                    "“tomorrow” is not a date (use YYYY-MM-DD or DD.MM.YYYY)."
                )
            },
        }
    }


def test_the_api_refuses_imports_and_case_files_to_everyone_else(personas, client_for) -> None:
    case = open_case(personas)
    for username in ("ana", "milan", "jelena", "ivan", "cedomir"):
        data = io.BytesIO(csv_bytes(GOOD_ROWS))
        data.name = "legacy.csv"
        assert client_for(username).post("/api/v1/cases/import/", {"file": data}).status_code == 403
        status = client_for(username).get(f"/api/v1/cases/cases/{case.pk}/file.pdf").status_code
        assert status in (403, 404)
    assert Person.objects.count() == 1


def test_the_api_lists_my_deadlines(personas, client_for) -> None:
    referral = services.referral_create(
        actor=personas["ana"], given_names="Ivana", family_name="Ilić", year_of_birth=1995,
        consent_given=True,
    )  # fmt: skip
    body = client_for("vesna").get("/api/v1/cases/deadlines/").json()
    assert body["count"] == 1
    [item] = body["items"]
    assert (item["kind"], item["code"], item["overdue"]) == (
        "referral_ack",
        f"R-{referral.pk}",
        False,
    )
    assert client_for("cedomir").get("/api/v1/cases/deadlines/").json()["count"] == 0
