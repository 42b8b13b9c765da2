"""Files being made by the long-job worker (CTDC files, synthetic datasets), as their users see
them while they wait: one file of each kind is made at a time (two requests at the same instant
queue one file between them, not two recodings of the same cases); a file that waits long says
whom to tell; a file the worker never finished (it stopped or was restarted) is said to be lost
instead of being polled for ever.

Concurrency is a PostgreSQL matter: SQLite's transactions are IMMEDIATE (settings), so two
requests there are already one after the other."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection, connections
from django.utils import timezone

from opennrm.accounts.models import User
from opennrm.statistics import exports, services, synthetic, tasks
from opennrm.statistics.models import LOST_AFTER, STALLED_AFTER, CtdcExport, SyntheticDataset
from tests.statistics.test_ctdc_useful import generated

KINDS = [
    pytest.param(CtdcExport, "ctdc", {"k": 11}, id="ctdc"),
    pytest.param(SyntheticDataset, "synthetic", {"k": 11, "epsilon": 4.0}, id="synthetic"),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("ask", "model"),
    [
        (lambda user: services.ctdc_request(actor=user), CtdcExport),
        (lambda user: services.synthetic_request(actor=user), SyntheticDataset),
    ],
    ids=["ctdc", "synthetic"],
)
def test_two_requests_at_once_queue_one_file(
    ask, model, personas, audit_flushable, monkeypatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's IMMEDIATE transactions already take requests one at a time.")
    # The worker is not what is tested: nothing is enqueued, and the world's few cases may ask.
    for task in ("make_ctdc", "make_synthetic"):
        monkeypatch.setattr(tasks, task, SimpleNamespace(enqueue=lambda *args: None))
    monkeypatch.setattr(synthetic, "require_enough", lambda count: None)

    # The first request pauses between finding no pending file and creating its own, as a busy
    # server might; the second request comes in during that pause.
    find_pending = services._pending
    first_looked = threading.Event()

    def slow_pending(kind):
        found = find_pending(kind)
        first_looked.set()
        time.sleep(0.5)
        return found

    monkeypatch.setattr(services, "_pending", slow_pending)
    made: list[int] = []
    errors: list[BaseException] = []

    def request(username: str) -> None:
        try:
            made.append(ask(User.objects.get(username=username)).pk)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    first = threading.Thread(target=request, args=("dragan",))
    second = threading.Thread(target=request, args=("nada",))
    first.start()
    assert first_looked.wait(10)
    second.start()
    first.join()
    second.join()

    assert errors == []
    assert model.objects.count() == 1
    assert made == [model.objects.get().pk] * 2


def _asked(model, fields, *, ago: timedelta, status: str = "queued", progress_ago=None):
    made = model.objects.create(
        requested_by=User.objects.get(username="dragan"), status=status, **fields
    )
    now = timezone.now()
    model.objects.filter(pk=made.pk).update(
        created_at=now - ago, updated_at=now - (ago if progress_ago is None else progress_ago)
    )
    made.refresh_from_db()
    return made


# (status, asked for how long ago, last progress how long ago)
LOST = [
    pytest.param("queued", LOST_AFTER + timedelta(minutes=1), None, id="queued-too-long"),
    pytest.param(
        "running",
        STALLED_AFTER + timedelta(minutes=10),
        STALLED_AFTER + timedelta(minutes=1),
        id="no-progress",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "path", "fields"), KINDS)
@pytest.mark.parametrize(("status", "ago", "progress_ago"), LOST)
def test_a_file_the_worker_never_finished_is_said_lost_not_polled_for_ever(
    client_for, model, path, fields, status, ago, progress_ago
) -> None:
    """Still queued LOST_AFTER after it was asked for, or being made with no progress for
    STALLED_AFTER: the worker stopped or was restarted with it (a killed worker leaves its task
    running for good). The page stops polling and says to ask again; the API says failed, with
    the same words, so that a client stops polling too; a new request makes a new file."""
    lost = _asked(model, fields, ago=ago, status=status, progress_ago=progress_ago)
    client = client_for("dragan")

    shown = client.get(f"/statistics/{path}/{lost.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in shown
    assert "<progress" not in shown
    assert "was not finished: the background worker stopped or was restarted" in shown
    answer = client.get(f"/api/v1/statistics/{path}/{lost.pk}").json()
    assert answer["status"] == "failed"
    assert "was not finished: the background worker stopped" in answer["error"]
    assert answer["download_url"] is None

    shown = client.get(
        f"/statistics/{path}/{lost.pk}/", HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="sr"
    ).content.decode()
    assert "позадински" in shown
    assert not model.objects.filter(model.alive_q(timezone.now())).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "path", "fields"), KINDS)
def test_a_long_job_that_keeps_progressing_is_not_lost(client_for, model, path, fields) -> None:
    """Asked for seven hours ago and still being made, with progress a minute ago (a very large
    register): still polled, still the pending file a new request is given."""
    busy = _asked(
        model,
        fields,
        ago=LOST_AFTER + timedelta(hours=1),
        status="running",
        progress_ago=timedelta(minutes=1),
    )
    shown = client_for("dragan").get(f"/statistics/{path}/{busy.pk}/", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' in shown.content.decode()
    assert list(model.objects.filter(model.alive_q(timezone.now()))) == [busy]


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "path", "fields"), KINDS)
def test_the_worker_s_progress_keeps_a_file_being_made_alive(personas, model, path, fields) -> None:
    """``save_progress`` (what the worker calls as it goes) dates the file's progress: a file
    whose last progress is old becomes alive again when progress is saved."""
    stalled = _asked(
        model, fields, ago=timedelta(hours=1), status="running", progress_ago=timedelta(hours=1)
    )
    assert stalled.lost
    model.save_progress(stalled.pk, 40)
    stalled.refresh_from_db()
    assert (stalled.progress, stalled.lost, stalled.pending) == (40, False, True)


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "path", "fields"), KINDS)
def test_a_file_waiting_long_for_the_worker_says_whom_to_tell(
    client_for, model, path, fields
) -> None:
    """Queued for 20 minutes and not started: the long-job worker may be stopped (or a large
    synthetic dataset is ahead of it). The page keeps polling and tells the user how long it has
    waited and to tell the administrator if it does not start; a file asked for a minute ago
    says nothing of the kind, nor does one being made."""
    client = client_for("dragan")
    waiting = _asked(model, fields, ago=timedelta(minutes=20))
    shown = client.get(f"/statistics/{path}/{waiting.pk}/", HTTP_HX_REQUEST="true")
    text = shown.content.decode()
    assert 'hx-trigger="every 2s"' in text
    assert "Waiting for the background worker for 20 minutes" in text
    assert "tell the administrator" in text

    for fresh in (
        _asked(model, fields, ago=timedelta(minutes=1)),
        _asked(model, fields, ago=timedelta(minutes=20), status="running"),
    ):
        text = client.get(f"/statistics/{path}/{fresh.pk}/", HTTP_HX_REQUEST="true")
        assert "Waiting for the background worker" not in text.content.decode()


@pytest.mark.django_db
def test_a_ctdc_file_queued_an_hour_is_alive_while_the_worker_recodes_it(
    personas, monkeypatch
) -> None:
    """Queued for an hour behind a synthetic dataset, then taken by the worker: its start is
    saved as progress, so it is not taken for lost while the cases are recoded."""
    rows = generated(2_000)
    monkeypatch.setattr(exports, "_ctdc_source", lambda: iter(rows))
    queued = _asked(CtdcExport, {"k": 11}, ago=timedelta(hours=1))
    seen: list[bool] = []
    recode = exports.ctdc_release

    def watched(**kwargs):
        seen.append(CtdcExport.objects.get(pk=queued.pk).pending)
        return recode(**kwargs)

    monkeypatch.setattr(exports, "ctdc_release", watched)
    made = services.ctdc_make(export_id=queued.pk)
    assert seen == [True]
    assert made.status == "done"
