"""Restore verification and tool selection, in the suite's own database."""

from __future__ import annotations

import subprocess

import pytest
from django.db import connection

from opennrm.audit.services import record, seal_pending
from opennrm.lifecycle import backups


@pytest.fixture
def sealed_trail(db: None) -> None:
    for n in range(3):
        record(actor=None, verb="test.event", target_type="x", target_id=str(n), actor_label="t")
    seal_pending()


def test_a_restored_database_equal_to_its_manifest_has_no_differences(sealed_trail: None) -> None:
    result = backups.verify_restored(backups.current_manifest())
    assert result.differences == []
    assert result.chain_checked >= 3


def test_a_chain_cut_short_of_the_recorded_head_is_a_difference(sealed_trail: None) -> None:
    manifest = backups.current_manifest()
    head = manifest["audit_head"]
    # The backup recorded a longer chain than the one restored: only the recorded head shows it.
    manifest["audit_head"] = {"seq": head["seq"] + 1, "hash": "f" * 64}
    manifest["tables"]["audit_auditseal"] += 1
    differences = backups.verify_restored(manifest).differences
    assert differences == [
        f"table audit_auditseal: {head['seq'] + 1} rows in the backup, {head['seq']} restored",
        f"audit chain head: the backup recorded seal {head['seq'] + 1} {'f' * 64}, "
        f"the database has seal {head['seq']} {head['hash']}",
    ]


def test_a_table_missing_from_the_backup_is_a_difference(sealed_trail: None) -> None:
    manifest = backups.current_manifest()
    del manifest["tables"]["cases_person"]
    assert (
        "table cases_person is not in the backup" in backups.verify_restored(manifest).differences
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump is for PostgreSQL")
def test_pg_dump_is_the_one_of_the_servers_major_version(db: None) -> None:
    tool = backups.pg_tool("pg_dump")
    version = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True)
    assert backups._major(version.stdout) == connection.pg_version // 10000


def test_the_major_version_is_read_from_pg_dumps_banner() -> None:
    assert backups._major("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)") == 15
    assert backups._major("pg_restore (PostgreSQL) 17.2") == 17
