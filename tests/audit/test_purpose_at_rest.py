"""The purpose of an audit entry is encrypted at rest (issue 13, finding 6), and the chain, the
auditor's pages and key rotation keep working with it."""

from __future__ import annotations

import base64
import csv
import importlib
import io
from collections.abc import Callable
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client, override_settings
from django.urls import reverse

from opennrm.accounts.models import User
from opennrm.audit import chain, triggers
from opennrm.audit.models import AuditEntry
from opennrm.audit.services import record, seal_pending
from opennrm.audit.verification import verify_chain
from opennrm.core import crypto
from opennrm.core.management.commands.rotate_keys import columns_for

pytestmark = pytest.mark.django_db

NAMED = "Checking whether Jelisaveta Radovanović was referred twice"
migration = importlib.import_module("opennrm.audit.migrations.0003_encrypt_purpose")


def _stored_purpose(entry_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT purpose FROM audit_auditentry WHERE id = %s", [entry_id])
        return str(cursor.fetchone()[0])


def test_a_purpose_naming_a_person_is_stored_encrypted_and_read_back_in_clear(
    personas: dict[str, User],
) -> None:
    entry = record(actor=personas["vesna"], verb="case.view_pii", purpose=NAMED)

    stored = _stored_purpose(entry.pk)
    assert stored.startswith("enc1:")
    assert "Radovanovi" not in stored
    assert AuditEntry.objects.get(pk=entry.pk).purpose == NAMED


def test_entries_sealed_over_clear_purposes_still_verify_after_the_migration_encrypts_them(
    personas: dict[str, User],
) -> None:
    before = seal_pending()  # the personas' own entries
    entries = [
        record(actor=personas["vesna"], verb="case.view_pii", purpose=f"{NAMED} ({n})")
        for n in range(3)
    ]
    editor = SimpleNamespace(connection=connection)
    migration.decrypt(None, editor)  # the trail as it was before the migration: clear purposes
    assert _stored_purpose(entries[0].pk) == f"{NAMED} (0)"
    assert seal_pending() == 3  # sealed over the clear values, as the old code did

    migration.encrypt(None, editor)

    assert all(_stored_purpose(e.pk).startswith("enc1:") for e in entries)
    report = verify_chain()
    assert (report.ok, report.checked) == (True, before + 3)
    # The migration put the append-only triggers back.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entries[0].pk).update(verb="x")


def test_a_tampered_purpose_ciphertext_is_reported_as_an_altered_entry(
    personas: dict[str, User],
) -> None:
    entries = [record(actor=personas["vesna"], verb="case.view_pii", purpose=NAMED) for _ in "ab"]
    seal_pending()
    other = _stored_purpose(entries[0].pk)
    triggers.uninstall(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_auditentry SET purpose = %s WHERE id = %s",
                [other[:-4] + "AAAA", entries[1].pk],
            )
        problem = verify_chain().problems[0]
    finally:
        triggers.install(connection)
    assert (problem.entry_id, problem.code) == (entries[1].pk, chain.ALTERED)


KEY_A = "A:" + base64.b64encode(b"a" * 32).decode()
KEY_B = "B:" + base64.b64encode(b"b" * 32).decode()


def test_rotate_keys_reseals_purposes_and_the_chain_still_verifies() -> None:
    assert "audit_auditentry.purpose" in {c.label for c in columns_for()}
    with override_settings(OPENNRM_DATA_KEYS=KEY_A):
        entry = record(actor=None, actor_label="vesna", verb="case.view_pii", purpose=NAMED)
        seal_pending()
    with override_settings(OPENNRM_DATA_KEYS=f"{KEY_A},{KEY_B}"):
        out = StringIO()
        call_command("rotate_keys", stdout=out)
        assert crypto.key_id_of(_stored_purpose(entry.pk)) == "B"
        assert AuditEntry.objects.get(pk=entry.pk).purpose == NAMED
        assert verify_chain().ok
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).update(verb="x")
    assert "audit_auditentry.purpose: 1 values, 1 re-encrypted" in out.getvalue()


def test_the_auditor_still_reads_purposes_on_the_page_and_in_the_csv_export(
    personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    record(actor=personas["vesna"], verb="case.view_pii", purpose=NAMED)
    zoran = client_for("zoran")

    assert NAMED in zoran.get(reverse("audit:list")).content.decode()
    body = b"".join(zoran.get(reverse("audit:export")).streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert NAMED in [row["purpose"] for row in rows]
