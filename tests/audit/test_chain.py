"""The hash chain: sealing, verification, and tampering that is detected and named."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from opennrm.audit import chain, triggers
from opennrm.audit.models import AuditEntry, AuditSeal
from opennrm.audit.services import record, seal_pending
from opennrm.audit.verification import verify_chain

pytestmark = pytest.mark.django_db


def _entries(count: int) -> list[AuditEntry]:
    return [
        record(actor=None, actor_label=f"user{n}", verb="case.update", target_id=str(n))
        for n in range(1, count + 1)
    ]


def _sql(statement: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


@pytest.fixture
def tamper() -> Iterator[None]:
    """Lift the append-only triggers for the length of the test, as an intruder with DDL could."""
    triggers.uninstall(connection)
    yield
    triggers.install(connection)


def test_recorded_entries_are_sealed_and_verify() -> None:
    entries = _entries(3)

    assert seal_pending() == 3
    assert seal_pending() == 0
    report = verify_chain()

    assert report.ok
    assert report.checked == 3
    assert report.unsealed == 0
    seals = list(AuditSeal.objects.order_by("seq"))
    assert [s.entry_id for s in seals] == [e.pk for e in entries]
    assert seals[0].prev_hash == chain.GENESIS
    assert [s.prev_hash for s in seals[1:]] == [s.hash for s in seals[:-1]]
    assert report.head_hash == seals[-1].hash


def test_an_empty_trail_verifies() -> None:
    report = verify_chain()

    assert report.ok
    assert report.checked == 0


def test_entries_of_a_rolled_back_transaction_are_never_sealed() -> None:
    _entries(1)

    class Abort(Exception):
        pass

    def abandoned() -> None:
        with transaction.atomic():
            _entries(2)
            raise Abort

    with pytest.raises(Abort):
        abandoned()

    assert seal_pending() == 1
    assert AuditEntry.objects.count() == 1
    assert verify_chain().ok


def test_an_altered_entry_is_named(tamper: None) -> None:
    entries = _entries(4)
    seal_pending()

    _sql("UPDATE audit_auditentry SET purpose = 'nothing to see' WHERE id = %s", [entries[2].pk])
    report = verify_chain()

    assert not report.ok
    problem = report.problems[0]
    assert (problem.entry_id, problem.seq, problem.code) == (entries[2].pk, 3, chain.ALTERED)


def test_a_deleted_entry_is_named(tamper: None) -> None:
    entries = _entries(4)
    seal_pending()

    _sql("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    problem = verify_chain().problems[0]

    assert (problem.entry_id, problem.seq, problem.code) == (entries[1].pk, 2, chain.ENTRY_DELETED)


def test_a_deleted_seal_is_named_at_the_next_seal(tamper: None) -> None:
    entries = _entries(4)
    seal_pending()

    _sql("DELETE FROM audit_auditseal WHERE seq = 2")
    report = verify_chain()

    problem = report.problems[0]
    assert (problem.entry_id, problem.seq, problem.code) == (entries[2].pk, 3, chain.SEAL_MISSING)
    assert problem.reason == "the seal before it (2) is missing (a seal was deleted)"
    assert report.unsealed == 1


def test_swapped_entries_are_named(tamper: None) -> None:
    entries = _entries(4)
    seal_pending()
    first, second = entries[1], entries[2]

    # Swap the content of two entries (each keeps its id), as a reordering would.
    _sql(
        "UPDATE audit_auditentry SET actor_label = %s, target_id = %s WHERE id = %s",
        [second.actor_label, second.target_id, first.pk],
    )
    _sql(
        "UPDATE audit_auditentry SET actor_label = %s, target_id = %s WHERE id = %s",
        [first.actor_label, first.target_id, second.pk],
    )
    problem = verify_chain().problems[0]

    assert (problem.entry_id, problem.seq, problem.code) == (first.pk, 2, chain.ALTERED)


def test_reordered_seals_are_named(tamper: None) -> None:
    entries = _entries(4)
    seal_pending()

    _sql("UPDATE audit_auditseal SET entry_id = -1 WHERE seq = 2")
    _sql("UPDATE audit_auditseal SET entry_id = %s WHERE seq = 3", [entries[1].pk])
    _sql("UPDATE audit_auditseal SET entry_id = %s WHERE seq = 2", [entries[2].pk])
    problem = verify_chain().problems[0]

    assert (problem.entry_id, problem.seq, problem.code) == (entries[2].pk, 2, chain.ALTERED)


def test_every_problem_is_listed_when_asked(tamper: None) -> None:
    entries = _entries(5)
    seal_pending()

    _sql(
        "UPDATE audit_auditentry SET verb = 'x' WHERE id IN (%s, %s)",
        [entries[1].pk, entries[3].pk],
    )

    problems = verify_chain(stop_at_first=False).problems
    assert [(p.entry_id, p.code) for p in problems] == [
        (entries[1].pk, chain.ALTERED),
        (entries[3].pk, chain.ALTERED),
    ]


def test_verify_audit_prints_the_count_when_intact() -> None:
    _entries(3)
    out = StringIO()

    call_command("verify_audit", "--seal", stdout=out, stderr=StringIO())

    assert "Sealed 3 pending entries." in out.getvalue()
    assert "Audit chain intact: 3 entries verified in" in out.getvalue()
    assert f"Head hash: {AuditSeal.objects.get(seq=3).hash}" in out.getvalue()


def test_verify_audit_fails_naming_the_entry(tamper: None) -> None:
    entries = _entries(3)
    seal_pending()
    _sql("UPDATE audit_auditentry SET flagged = %s WHERE id = %s", [True, entries[0].pk])

    with pytest.raises(CommandError) as error:
        call_command("verify_audit", stdout=StringIO(), stderr=StringIO())

    assert str(error.value) == (
        f"Audit chain broken at entry {entries[0].pk} (seal 1): "
        "the entry's content was altered (or entries were swapped)."
    )
    assert error.value.returncode == 1


def test_parallel_slices_find_the_same_first_break(
    tamper: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opennrm.audit import verification

    monkeypatch.setattr(verification, "SLICE", 2)
    entries = _entries(7)
    seal_pending()
    assert verify_chain().checked == 7

    _sql("DELETE FROM audit_auditseal WHERE seq = 5")
    problem = verify_chain().problems[0]

    assert (problem.entry_id, problem.seq, problem.code) == (entries[5].pk, 6, chain.SEAL_MISSING)


@pytest.mark.parametrize("table", triggers.TABLES)
@pytest.mark.parametrize(
    "statement", ["UPDATE {table} SET {column} = {column}", "DELETE FROM {table}"]
)
def test_the_database_refuses_updates_and_deletes(table: str, statement: str) -> None:
    triggers.install(connection)
    _entries(1)
    seal_pending()
    column = "verb" if table == "audit_auditentry" else "hash"
    operation = statement.split()[0]

    with pytest.raises(DatabaseError) as error, transaction.atomic():
        _sql(statement.format(table=table, column=column))

    assert f"The audit trail is append-only: {operation} on {table} is refused." in str(error.value)


def test_the_orm_cannot_update_or_delete_entries_either() -> None:
    triggers.install(connection)
    entry = _entries(1)[0]

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(verb="nothing")
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).verb == "case.update"


@pytest.mark.parametrize("table", triggers.TABLES)
def test_postgresql_refuses_truncate(table: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL (SQLite has no such statement).")
    triggers.install(connection)

    with pytest.raises(DatabaseError) as error, transaction.atomic():
        _sql(f"TRUNCATE {table}")

    assert f"The audit trail is append-only: TRUNCATE on {table} is refused." in str(error.value)


def test_triggers_install_is_idempotent() -> None:
    triggers.install(connection)
    triggers.install(connection)
    entry = _entries(1)[0]

    with pytest.raises(DatabaseError), transaction.atomic():
        _sql("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_sealers_leave_an_intact_chain_sealing_each_entry_once(
    audit_flushable: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer; concurrency is a PostgreSQL matter.")
    writers, per_writer = 6, 40
    done = threading.Event()
    errors: list[BaseException] = []

    def write(number: int) -> None:
        try:
            for n in range(per_writer):
                with transaction.atomic():
                    record(
                        actor=None, actor_label=f"w{number}", verb="case.update", target_id=str(n)
                    )
                    record(actor=None, actor_label=f"w{number}", verb="case.view_pii")
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    def seal() -> None:
        try:
            while not done.is_set():
                seal_pending(full=False)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    sealers = [threading.Thread(target=seal) for _ in range(2)]
    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in sealers + threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    for thread in sealers:
        thread.join()
    seal_pending()

    assert errors == []
    total = writers * per_writer * 2
    from opennrm.audit import verification

    monkeypatch.setattr(verification, "SLICE", 50)  # several slices, checked by two processes
    report = verify_chain(jobs=2)
    assert report.ok
    assert (report.checked, report.unsealed) == (total, 0)
    assert AuditSeal.objects.values("entry_id").distinct().count() == total
    assert AuditEntry.objects.count() == total
