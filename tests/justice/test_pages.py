"""Pages and API: who may see what, and the victim's name never reaches a justice user."""

from __future__ import annotations

import io
from datetime import date, timedelta

from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from opennrm.accounts.services import token_issue
from opennrm.audit.models import AuditEntry
from opennrm.justice import services
from tests.conftest import assert_access


def _with_victim(proceeding, personas, victim_case):  # type: ignore[no-untyped-def]
    services.victim_link(
        actor=personas["jelena"], proceeding=proceeding, case_code=victim_case.code
    )
    services.hearing_schedule(
        actor=personas["jelena"],
        proceeding=proceeding,
        at=timezone.now() + timedelta(days=5),
        place="Viši sud, sudnica 4",
    )
    return proceeding


def test_only_justice_users_of_its_agencies_see_the_proceeding(client_for, proceeding) -> None:
    assert_access(client_for, "/justice/", allowed=["jelena"])
    assert_access(client_for, f"/justice/{proceeding.pk}/", allowed=["jelena"])
    assert_access(client_for, f"/justice/{proceeding.pk}/move/", allowed=["jelena"])


def test_the_prosecutor_sees_the_case_code_and_status_but_never_the_name(
    client_for, proceeding, personas, victim_case
) -> None:
    _with_victim(proceeding, personas, victim_case)
    html = client_for("jelena").get(f"/justice/{proceeding.pk}/").content.decode()
    assert "RS-2020-00042/1" in html
    assert "Identified victim" in html
    for secret in ("Милица", "Јанковић", "Milica", "1999-05-04"):
        assert secret not in html

    _token, plaintext = token_issue(actor=None, user=personas["jelena"], name="t", scope="write")
    body = (
        Client()
        .get(
            f"/api/v1/justice/proceedings/{proceeding.pk}", HTTP_AUTHORIZATION=f"Bearer {plaintext}"
        )
        .content.decode()
    )
    assert "RS-2020-00042/1" in body
    assert "Милица" not in body
    assert "Јанковић" not in body

    response = client_for("jelena").get("/justice/?format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "RS-2020-00042/1" in cells
    assert not any("Милица" in c or "Јанковић" in c for c in cells)
    assert (
        AuditEntry.objects.filter(verb="proceeding.export", actor=personas["jelena"]).count() == 1
    )


def test_the_caseworker_sees_stage_and_next_hearing_but_not_the_file(
    client_for, proceeding, personas, victim_case
) -> None:
    _with_victim(proceeding, personas, victim_case)
    response = client_for("vesna").get("/justice/case/RS-2020-00042/1/")
    assert response.status_code == 200
    html = response.content.decode()
    assert proceeding.code in html
    assert "Investigation" in html
    assert "Viši sud, sudnica 4" in html
    assert "KTO 1/20" not in html  # the file number belongs to the file, not to the caseworker
    assert client_for("vesna").get(f"/justice/{proceeding.pk}/").status_code == 403
    assert client_for("cedomir").get("/justice/case/RS-2020-00042/1/").status_code == 403
    assert client_for("jelena").get("/justice/case/RS-2020-00042/1/").status_code == 403


def test_the_home_page_lists_the_next_hearing_for_prosecutor_and_caseworker(
    client_for, proceeding, personas, victim_case
) -> None:
    _with_victim(proceeding, personas, victim_case)
    for username in ("jelena", "vesna"):
        assert "Viši sud, sudnica 4" in client_for(username).get("/").content.decode()
    assert "Viši sud, sudnica 4" not in client_for("cedomir").get("/").content.decode()


def test_a_form_shows_the_domain_error_and_keeps_the_input(client_for, proceeding) -> None:
    response = client_for("jelena").post(
        f"/justice/{proceeding.pk}/move/",
        {"version": proceeding.version, "stage": "indictment", "on": "2019-01-01", "note": "x"},
    )
    assert response.status_code == 200
    assert (
        "The date is before the start of the current stage (3 February 2020)."
        in response.content.decode()
    )


def test_a_stale_form_is_refused(client_for, proceeding, personas) -> None:
    stale = proceeding.version
    services.proceeding_move(
        actor=personas["jelena"],
        proceeding=proceeding,
        expected_version=stale,
        stage="indictment",
        on=date(2020, 5, 1),
    )
    response = client_for("jelena").post(
        f"/justice/{proceeding.pk}/close/",
        {"version": stale, "status": "dismissed", "on": "2020-05-02", "reason": "no evidence"},
    )
    assert "Someone else saved this record while you were editing it." in response.content.decode()


def test_the_api_returns_409_for_a_stale_version(proceeding, personas) -> None:
    _token, plaintext = token_issue(actor=None, user=personas["jelena"], name="t", scope="write")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    url = f"/api/v1/justice/proceedings/{proceeding.pk}/stage"
    first = client.post(
        url,
        {"stage": "indictment", "on": "2020-05-01", "version": proceeding.version},
        content_type="application/json",
    )
    assert first.status_code == 200
    second = client.post(
        url,
        {"stage": "first_instance", "on": "2020-06-01", "version": proceeding.version},
        content_type="application/json",
    )
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "stale_record"


def test_the_case_page_shows_the_proceeding_stage_and_next_hearing(
    client_for, proceeding, personas, victim_case
) -> None:
    _with_victim(proceeding, personas, victim_case)
    html = client_for("vesna").get(f"/cases/{victim_case.pk}/").content.decode()
    assert "Criminal proceedings" in html
    assert proceeding.code in html
    assert "Viši sud, sudnica 4" in html
    assert "KTO 1/20" not in html
