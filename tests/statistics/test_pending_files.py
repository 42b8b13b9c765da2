"""One file of each kind is made at a time: two requests at the same instant for a CTDC file, or
for a synthetic dataset, queue one file between them, not two recodings of the same cases.

Concurrency is a PostgreSQL matter: SQLite's transactions are IMMEDIATE (settings), so two
requests there are already one after the other."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from django.db import connection, connections

from opennrm.accounts.models import User
from opennrm.statistics import services, synthetic, tasks
from opennrm.statistics.models import CtdcExport, SyntheticDataset


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
