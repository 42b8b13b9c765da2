"""Who seals the chain: the web processes after commit ("inline") or one ``seal_audit --follow``
process ("external"), and the sealer's bounded look near the chain head."""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from opennrm.audit import chain, services
from opennrm.audit.models import AuditEntry, AuditSeal
from opennrm.audit.services import record, seal_follow, seal_pending
from opennrm.audit.verification import verify_chain

pytestmark = pytest.mark.django_db


def _entries(count: int) -> list[AuditEntry]:
    return [
        record(actor=None, actor_label=f"user{n}", verb="case.update", target_id=str(n))
        for n in range(count)
    ]


def test_with_an_external_sealer_a_commit_leaves_the_entry_for_it(
    settings: pytest.FixtureRequest, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    settings.AUDIT_SEALER = "external"  # type: ignore[attr-defined]
    services._last_seal_attempt = 0.0  # not throttled by an earlier test's sealing
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # type: ignore[attr-defined]
        _entries(2)

    assert len(callbacks) == 2  # type: ignore[arg-type]
    assert not AuditSeal.objects.exists()
    assert verify_chain().unsealed == 2
    assert seal_pending() == 2


def test_inline_sealing_seals_after_the_commit(
    settings: pytest.FixtureRequest, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    settings.AUDIT_SEALER = "inline"  # type: ignore[attr-defined]
    services._last_seal_attempt = 0.0
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        entry = _entries(1)[0]

    assert AuditSeal.objects.filter(entry=entry).exists()


def _fake_seal(seq: int, entry: AuditEntry) -> AuditSeal:
    return AuditSeal.objects.create(seq=seq, entry=entry, prev_hash="0" * 64, hash="1" * 64)


def test_the_look_near_the_head_finds_the_unsealed_entries_of_its_window_in_order() -> None:
    e = _entries(6)
    _fake_seal(1, e[0])
    _fake_seal(2, e[2])
    _fake_seal(3, e[5])

    def near(low: int, batch: int) -> list[int]:
        return [values[0] for values in services._unsealed_near(low, batch)]

    assert near(e[0].pk - 1, 10) == [e[1].pk, e[3].pk, e[4].pk]
    assert near(e[2].pk, 10) == [e[3].pk, e[4].pk]
    assert near(e[0].pk - 1, 2) == [e[1].pk, e[3].pk]
    assert near(e[5].pk, 10) == []
    # what the sealer hashes is what the model (and so verification) hashes
    assert services._unsealed_near(e[3].pk - 1, 1)[0] == [
        e[3].hash_values()[name] for name in chain.HASHED_FIELDS
    ]


def test_an_entry_behind_the_window_waits_for_the_full_sweep(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services, "SEAL_LOOKBACK_IDS", 2)
    late = _entries(1)[0]  # a long transaction's entry, committed after the others were sealed
    early = _entries(4)
    for seq, entry in enumerate(early, start=1):  # sealed by hand, the head far ahead of it
        _fake_seal(seq, entry)

    assert seal_pending(full=False) == 0
    assert seal_pending(full=True) == 1
    assert AuditSeal.objects.get(entry=late).seq == 5


def _at(pk: int) -> AuditEntry:
    """An entry with a chosen id: how these tests open a gap in the ids, as a transaction that is
    still open (or was rolled back) does for a sealer."""
    return AuditEntry.objects.create(id=pk, actor_label="late", verb="case.update")


@pytest.fixture
def head() -> int:
    """A sealed chain head; the ids below it belong to other tests' rolled-back transactions."""
    entry = _entries(1)[0]
    seal_pending()
    return entry.pk


def test_the_follower_reads_on_from_where_its_last_round_ended(head: int) -> None:
    follower = services._Follower()
    first = _entries(3)
    assert services._seal_batches(follower.find) == 3
    assert (follower.low, follower.holes) == (first[-1].pk, {})

    more = _entries(2)
    assert services._seal_batches(follower.find) == 2
    assert follower.low == more[-1].pk
    assert verify_chain().ok


def test_the_follower_watches_a_gap_seals_what_fills_it_and_leaves_it_to_the_sweep_at_last(
    head: int,
) -> None:
    now = [0.0]
    follower = services._Follower(clock=lambda: now[0])
    base = head + 1
    _at(base)
    assert services._seal_batches(follower.find) == 1
    assert (follower.holes, follower.low) == ({}, base)

    _at(base + 3)
    assert services._seal_batches(follower.find) == 1
    assert set(follower.holes) == {base + 1, base + 2}
    assert follower.low == base

    now[0] = 5.0
    _at(base + 1)  # a transaction committed late
    assert services._seal_batches(follower.find) == 1
    assert (set(follower.holes), follower.low) == ({base + 2}, base + 1)

    now[0] = services.HOLE_SECONDS + 1
    assert services._seal_batches(follower.find) == 0
    assert (follower.holes, follower.low) == ({}, base + 3)

    _at(base + 2)  # committed after the follower stopped looking: the full sweep seals it
    assert services._seal_batches(follower.find) == 0
    assert seal_pending(full=True) == 1
    report = verify_chain()
    assert report.ok
    assert (report.checked, report.unsealed) == (5, 0)


def test_the_follower_starts_again_near_the_head_when_another_sealer_moved_it(head: int) -> None:
    follower = services._Follower()
    _entries(2)
    services._seal_batches(follower.find)
    late = _entries(2)
    assert seal_pending() == 2  # e.g. verify_audit --seal, or an import sealing its own entries
    assert services._seal_batches(follower.find) == 0
    assert follower.low == late[-1].pk
    assert AuditSeal.objects.count() == 5


def test_follow_seals_everything_then_what_comes_next_until_stopped() -> None:
    _entries(3)
    rounds = 0
    reported: list[int] = []

    def stop() -> bool:
        nonlocal rounds
        rounds += 1
        if rounds == 3:
            _entries(2)  # written while the sealer runs
        return rounds > 4

    seal_follow(interval=0, stop=stop, on_sealed=reported.append)

    assert reported == [3, 2]
    report = verify_chain()
    assert report.ok
    assert (report.checked, report.unsealed) == (5, 0)


def test_follow_logs_a_failed_round_and_goes_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _entries(2)
    real = services.seal_pending
    calls = 0

    def flaky(*, limit: int | None = None, full: bool = True) -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database went away")
        return real(limit=limit, full=full)

    monkeypatch.setattr(services, "seal_pending", flaky)
    with caplog.at_level(logging.ERROR, logger="opennrm.audit.services"):
        seal_follow(interval=0, stop=lambda: calls >= 2)

    assert "Sealing the audit trail failed" in caplog.text
    assert verify_chain().unsealed == 0


def test_seal_audit_follow_runs_until_sigterm_and_leaves_nothing_unsealed() -> None:
    _entries(3)
    before = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM))
    out = StringIO()
    timer.start()
    try:
        call_command("seal_audit", "--follow", "--interval", "0.05", "-v", "2", stdout=out)
    finally:
        timer.cancel()

    text = out.getvalue()
    assert "Sealed 3 entries (3 since start)." in text
    assert "sealed 3 entries." in text
    assert verify_chain().unsealed == 0
    assert signal.getsignal(signal.SIGTERM) == before  # the test runner's handler is back


def test_seal_audit_refuses_a_non_positive_interval() -> None:
    with pytest.raises(CommandError, match="positive number of seconds"):
        call_command("seal_audit", "--follow", "--interval", "0")
