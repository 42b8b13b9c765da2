"""/readyz: each check of the brief (database, migrations, worker heartbeat, audit sealer lag,
disk) passes on a healthy platform and fails, alone, when its own condition is broken."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from opennrm.audit.models import AuditEntry
from opennrm.audit.services import record, seal_pending
from opennrm.lifecycle import health
from opennrm.lifecycle.tasks import heartbeat

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _readyz() -> tuple[int, dict]:  # type: ignore[type-arg]
    response = Client().get("/readyz")
    return response.status_code, response.json()


@pytest.fixture(autouse=True)
def _fresh_migration_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "_migrations_applied", False)


def test_a_healthy_platform_is_ready(db: None) -> None:
    status, body = _readyz()
    assert status == 200
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "worker", "audit_sealer", "disk"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["migrations"]["pending"] == 0


def test_healthz_says_alive_without_the_other_checks(db: None) -> None:
    assert Client().get("/healthz").json() == {"status": "ok", "database": "up"}


def test_an_unapplied_migration_makes_it_unready(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)])
    status, body = _readyz()
    assert status == 503
    assert body["checks"]["migrations"] == {"ok": False, "pending": 1}
    assert body["checks"]["database"]["ok"] is True


@override_settings(TASKS=DB_TASKS)
def test_the_worker_heartbeat_is_asked_for_and_a_dead_worker_makes_it_unready(db: None) -> None:
    status, body = _readyz()
    # A fresh installation: the first heartbeat waits, which counts as starting.
    assert status == 200
    assert body["checks"]["worker"] == {"ok": True, "heartbeat_age_seconds": None, "starting": True}
    waiting = DBTaskResult.objects.get(task_path=heartbeat.module_path)
    assert waiting.status == "READY"
    # Nobody took it in four minutes: no worker runs.
    DBTaskResult.objects.filter(pk=waiting.pk).update(
        enqueued_at=timezone.now() - timedelta(minutes=4)
    )
    status, body = _readyz()
    assert status == 503
    assert body["checks"]["worker"]["error"] == "no background worker has taken a task lately"
    # A worker runs it: ready again, and no second heartbeat is asked for within the minute.
    DBTaskResult.objects.filter(pk=waiting.pk).update(
        status="SUCCESSFUL", finished_at=timezone.now() - timedelta(seconds=5)
    )
    status, body = _readyz()
    assert status == 200
    assert 4 <= body["checks"]["worker"]["heartbeat_age_seconds"] < 60
    assert DBTaskResult.objects.filter(task_path=heartbeat.module_path).count() == 1


@override_settings(AUDIT_SEALER="external", OPENNRM_READY_SEALER_LAG_SECONDS=120)
def test_audit_entries_waiting_too_long_for_the_sealer_make_it_unready(db: None) -> None:
    record(actor=None, verb="test.first", actor_label="t")
    seal_pending()
    entry = record(actor=None, verb="test.waiting", actor_label="t")
    status, body = _readyz()
    assert status == 200
    assert body["checks"]["audit_sealer"]["unsealed"] == 1
    # The entry is append-only: its age is made by the clock, not by an UPDATE.
    import time_machine

    with time_machine.travel(entry.at + timedelta(minutes=3)):
        status, body = _readyz()
    assert status == 503
    assert body["checks"]["audit_sealer"]["error"] == (
        "audit entries wait more than 120 s to be sealed"
    )
    seal_pending()
    with time_machine.travel(entry.at + timedelta(minutes=3)):
        status, body = _readyz()
    assert status == 200
    assert body["checks"]["audit_sealer"] == {"ok": True, "unsealed": 0, "lag_seconds": 0.0}
    assert AuditEntry.objects.count() == 2


@override_settings(OPENNRM_READY_MIN_FREE_MB=10**12)
def test_a_full_disk_makes_it_unready(db: None) -> None:
    status, body = _readyz()
    assert status == 503
    assert body["checks"]["disk"]["ok"] is False
    assert body["checks"]["disk"]["error"] == f"less than {10**12} MB free"
