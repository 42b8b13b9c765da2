"""The purpose of an audit entry becomes an encrypted column (issue 13, finding 6).

The column type stays ``text``, so the field change is made in the migration state only (on
SQLite a real AlterField would rebuild the table and drop its append-only triggers). The data step
encrypts the clear purposes already stored, with the append-only triggers lifted for the length
of this one transaction. The chain hashes the plaintext purpose (``verification.entry_values``
decrypts it), so every existing seal still verifies afterwards.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

import opennrm.core.fields

CONTEXT = "audit.auditentry.purpose"


def _run(schema_editor: Any, *, reverse: bool) -> None:
    from opennrm.audit import triggers
    from opennrm.core.fields import seal_plaintext_column

    connection = schema_editor.connection
    triggers.uninstall(connection)
    try:
        seal_plaintext_column(
            connection,
            table="audit_auditentry",
            pk="id",
            column="purpose",
            context=CONTEXT,
            reverse=reverse,
        )
    finally:
        triggers.install(connection)


def encrypt(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, reverse=False)


def decrypt(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, reverse=True)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditentry",
                    name="purpose",
                    field=opennrm.core.fields.EncryptedTextField(blank=True),
                )
            ]
        ),
        migrations.RunPython(encrypt, decrypt),
    ]
