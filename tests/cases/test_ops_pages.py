"""The import pages, the case-file PDF and the operational API, with their permissions."""

from __future__ import annotations

import io
import subprocess
import tempfile
from datetime import UTC, datetime

import time_machine

from opennrm.audit.models import AuditEntry
from opennrm.cases import services
from opennrm.cases.models import Case, Person
from tests.cases.test_ops_imports import GOOD_ROWS, csv_bytes
from tests.conftest import assert_access


def pdf_text(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        return subprocess.run(
            ["pdftotext", "-layout", handle.name, "-"], capture_output=True, check=True, text=True
        ).stdout


def open_case(personas) -> Case:
    referral = services.referral_create(
        actor=personas["ana"],
        given_names="Милица",
        family_name="Стојковић",
        year_of_birth=1999,
        consent_given=True,
        consent_scope=["referral", "services"],
    )
    return services.referral_accept(
        actor=personas["vesna"], referral=referral, expected_version=referral.version
    )


def test_only_case_managers_reach_the_import_page(client_for) -> None:
    # the case import is one of the import pipeline's (tests/imports)
    assert_access(client_for, "/cases/import/", allowed=["vesna"], ok_statuses=(302,))
    assert_access(client_for, "/cases/import/template.csv", allowed=["vesna"], ok_statuses=(302,))
    assert_access(client_for, "/imports/cases/", allowed=["vesna"])
    assert_access(client_for, "/imports/cases/template.xlsx", allowed=["vesna"])


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
        "data subject",
        "data subject access request",
        case.code,
    )


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
                    "“tomorrow” is not a date. Accepted forms: 2013-02-09, 09.02.2013, "
                    "9. 2. 2013., 09/02/2013, 2013/02/09, 09.02.13 (a two-digit year is the "
                    "latest such year not after this one), or an Excel date."
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
        actor=personas["ana"],
        given_names="Ivana",
        family_name="Ilić",
        year_of_birth=1995,
        consent_given=True,
    )
    body = client_for("vesna").get("/api/v1/cases/deadlines/").json()
    assert body["count"] == 1
    [item] = body["items"]
    assert (item["kind"], item["code"], item["overdue"]) == (
        "referral_ack",
        f"R-{referral.pk}",
        False,
    )
    assert client_for("cedomir").get("/api/v1/cases/deadlines/").json()["count"] == 0
