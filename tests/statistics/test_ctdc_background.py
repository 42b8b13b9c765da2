"""The CTDC microdata file made by the background worker, not in the request: asked for on the
page or the API, recoded by the worker, kept with its export report (information loss per column)
for the page and the API to state, downloaded (audited), superseded files removed.

The true rows are the generated ones of ``test_ctdc_useful`` (the test world has too few cases for
groups of eleven), given to the real ``ctdc_release`` as its source."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import override

from opennrm.accounts.models import User
from opennrm.audit.models import AuditEntry
from opennrm.statistics import exports, services
from opennrm.statistics.kanon import MISSING
from opennrm.statistics.models import LOST_AFTER, CtdcExport
from tests.conftest import assert_access
from tests.statistics.test_ctdc_useful import generated

COORDINATORS = ["dragan", "nada", "sanja"]


@pytest.fixture
def many(monkeypatch):
    """2,000 generated cases as every case of the register."""
    rows = generated(2_000)
    monkeypatch.setattr(exports, "_ctdc_source", lambda: iter(rows))
    return rows


def _rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _dragan() -> User:
    return User.objects.get(username="dragan")


@pytest.mark.django_db
def test_the_api_makes_the_file_in_the_background_with_its_report(
    client_for, many, django_capture_on_commit_callbacks
) -> None:
    """Asked for, the file is queued and answered at once (202), nothing recoded in the request;
    the worker makes it after the commit; its status then gives the information loss per column
    in the columns' order and the address of a CSV that is k-anonymous. Coordinators only."""
    assert_access(
        client_for,
        "/api/v1/statistics/ctdc/",
        allowed=COORDINATORS,
        method="post",
        ok_statuses=(202,),
    )
    CtdcExport.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for("dragan").post("/api/v1/statistics/ctdc/?k=12")
    assert response.status_code == 202
    queued = response.json()
    assert (queued["status"], queued["k"], queued["download_url"]) == ("queued", 12, None)
    assert not AuditEntry.objects.filter(verb="statistics.export_ctdc").exists()
    requested = AuditEntry.objects.filter(verb="statistics.ctdc.request")
    assert requested.latest("at").target_id == str(queued["id"])
    # Asked again while it waits: the same file, not a second recoding.
    assert client_for("nada").post("/api/v1/statistics/ctdc/").json()["id"] == queued["id"]
    for callback in callbacks:
        callback()  # the worker (the tests' tasks backend runs the task at once)
    status = client_for("sanja").get(f"/api/v1/statistics/ctdc/{queued['id']}").json()
    assert (status["status"], status["progress"]) == ("done", 100)
    assert status["records_read"] == len(many)
    assert status["records_released"] + status["records_suppressed"] == len(many)
    names = [column.name for column in exports.ctdc_columns()]
    assert [row["column"] for row in status["loss"]] == names
    for row in status["loss"]:
        total = row["given"] + row["generalised"] + row["withheld"] + row["not_recorded"]
        assert total == pytest.approx(1, abs=0.001), row
    loss = {row["column"]: row for row in status["loss"]}
    assert loss["typeOfExploitConcatenated"]["given"] >= 0.9
    assert client_for("cedomir").get(status["download_url"]).status_code == 403
    download = client_for("dragan").get(status["download_url"])
    assert download.status_code == 200
    assert download["X-K"] == "12"
    rows = _rows(download)
    assert rows[0] == names
    released = [tuple(row) for row in rows[1:]]
    assert len(released) == status["records_released"]
    assert min(Counter(released).values()) >= 12  # checked independently of the engine
    # Withheld values are written as MISSING; given and generalised ones are not.
    kind = names.index("typeOfExploitConcatenated")
    shown = sum(1 for row in released if row[kind] != MISSING) / len(released)
    column = loss["typeOfExploitConcatenated"]
    assert shown == pytest.approx(column["given"] + column["generalised"], abs=0.001)
    made = AuditEntry.objects.get(verb="statistics.export_ctdc")
    assert made.actor == _dragan()  # the one who asked, not the worker
    assert AuditEntry.objects.filter(verb="statistics.ctdc.download").count() == 1


@pytest.mark.django_db
def test_a_k_below_the_setting_or_absurdly_large_is_refused_with_a_field_message(
    client_for, many
) -> None:
    response = client_for("dragan").post("/api/v1/statistics/ctdc/?k=5")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "k": "k must be at least 11 (the setting OPENNRM_CTDC_K)."
    }
    huge = client_for("dragan").post(f"/api/v1/statistics/ctdc/?k={2**40}")
    assert huge.status_code == 400
    assert huge.json()["error"]["fields"] == {
        "k": "k must be at most 1000: groups that large would release almost nothing."
    }
    assert not CtdcExport.objects.exists()


@pytest.mark.django_db
def test_the_page_follows_the_file_and_states_its_information_loss(
    client_for, many, django_capture_on_commit_callbacks
) -> None:
    client = client_for("nada")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/statistics/ctdc/make/")
    export = CtdcExport.objects.get()
    assert response["Location"] == f"/statistics/ctdc/{export.pk}/"
    export.refresh_from_db()
    page = client.get(response["Location"]).content.decode()
    assert f"/statistics/ctdc/{export.pk}/csv" in page
    assert f"{export.records_released:,} rows from 2,000 cases" in page
    assert "Information loss per column" in page
    assert "hx-trigger" not in page  # made: no more polling
    given = dict(export.loss_rows())["typeOfExploitConcatenated"][0]
    assert f"{given * 100:.1f}%".replace(".0%", "%") in page
    listing = client.get("/statistics/ctdc/").content.decode()
    assert f"/statistics/ctdc/{export.pk}/csv" in listing
    assert "Files kept: the newest 3. When a new one is made, older ones are removed." in listing
    assert _rows(client.get(f"/statistics/ctdc/{export.pk}/csv"))[0][0] == "yearOfRegistration"


@pytest.mark.django_db
def test_shares_are_written_as_each_language_writes_a_percentage() -> None:
    from opennrm.core.templatetags.core_text import share

    with override("en"):
        assert (share(0.2073), share(0.97), share(None)) == ("20.7%", "97%", "—")
    with override("sr-latn"):
        assert share(0.2073) == "20,7 %"


@pytest.mark.django_db
def test_a_file_being_made_is_polled_and_a_crash_is_shown_without_its_internals(
    client_for, many, monkeypatch
) -> None:
    def crash(*args, **kwargs):
        raise RuntimeError("recoding crashed at row 17")

    client = client_for("dragan")
    queued = CtdcExport.objects.create(k=11, requested_by=_dragan())
    polled = client.get(f"/statistics/ctdc/{queued.pk}/", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' in polled.content.decode()
    assert client.get(f"/statistics/ctdc/{queued.pk}/csv").status_code == 404  # not made yet
    monkeypatch.setattr(exports, "local_recode", crash)
    with pytest.raises(RuntimeError):
        services.ctdc_make(export_id=queued.pk)
    queued.refresh_from_db()
    assert (queued.status, queued.file.name) == ("failed", "")
    shown = client.get(f"/statistics/ctdc/{queued.pk}/").content.decode()
    assert "The CTDC microdata file could not be made. Try again" in shown
    assert "row 17" not in shown
    # A failed file holds nothing back: the next request makes a new one.
    assert services.ctdc_request(actor=_dragan()).pk != queued.pk


@pytest.mark.django_db
def test_superseded_files_are_removed_when_a_new_one_is_made(
    client_for, many, settings, django_capture_on_commit_callbacks
) -> None:
    """The worker keeps the newest OPENNRM_CTDC_KEEP made files and removes the older ones and
    the failures and lost requests before them (records at once, files after the commit), in one
    audited entry; a request still within its time is never removed."""
    settings.OPENNRM_CTDC_KEEP = 1
    user = _dragan()
    failed = CtdcExport.objects.create(k=11, requested_by=user, status="failed")
    lost = CtdcExport.objects.create(k=11, requested_by=user, status="queued")
    CtdcExport.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - LOST_AFTER - timedelta(hours=1)
    )
    made = []
    for _ in range(2):
        queued = CtdcExport.objects.create(k=11, requested_by=user)
        with django_capture_on_commit_callbacks(execute=True):
            made.append(services.ctdc_make(export_id=queued.pk))
    first, newest = made
    assert set(CtdcExport.objects.values_list("pk", flat=True)) == {newest.pk}
    storage = CtdcExport._meta.get_field("file").storage
    assert not storage.exists(first.file.name)
    assert storage.exists(newest.file.name)
    entries = AuditEntry.objects.filter(verb="statistics.ctdc.prune").order_by("at")
    assert [entry.changes for entry in entries] == [
        {"removed": [failed.pk, lost.pk], "kept": [first.pk]},
        {"removed": [first.pk], "kept": [newest.pk]},
    ]
    assert client_for("dragan").get(f"/statistics/ctdc/{first.pk}/csv").status_code == 404


@pytest.mark.django_db
def test_a_coordinator_who_lost_the_role_before_the_worker_ran_gets_no_file(
    client_for, many
) -> None:
    """An insider who asked and was then removed from the role: the worker re-checks the
    permission of the one who asked, recodes nothing, and the file fails with the refusal."""
    from opennrm.accounts.models import RoleAssignment

    queued = services.ctdc_request(actor=_dragan())
    RoleAssignment.objects.filter(user=_dragan()).delete()
    made = services.ctdc_make(export_id=queued.pk)
    assert (made.status, made.file.name) == ("failed", "")
    assert made.error
    assert not AuditEntry.objects.filter(verb="statistics.export_ctdc").exists()
    shown = client_for("nada").get(f"/statistics/ctdc/{queued.pk}/").content.decode()
    assert made.error in shown
