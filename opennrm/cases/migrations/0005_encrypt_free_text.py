"""Free text that can name a person becomes encrypted (issue 13, finding 6): the reason a
referral or a service request was declined and the details of a case's closure. A referral also
gets a coded ``decline_category``, which is all the referring agency is shown.

The column type stays ``text``: the field changes are made in the migration state only, and the
data step encrypts the clear values already stored (and decrypts them on the way back).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

import opennrm.core.fields

COLUMNS = (
    ("cases_referral", "decline_reason", "cases.referral.decline_reason"),
    ("cases_case", "closure_details", "cases.case.closure_details"),
    ("cases_servicerequest", "decline_reason", "cases.servicerequest.decline_reason"),
)


def _run(schema_editor: Any, *, reverse: bool) -> None:
    from opennrm.core.fields import seal_plaintext_column

    for table, column, context in COLUMNS:
        seal_plaintext_column(
            schema_editor.connection,
            table=table,
            pk="id",
            column=column,
            context=context,
            reverse=reverse,
        )


def encrypt(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, reverse=False)


def decrypt(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, reverse=True)


def _encrypted(model: str, name: str, label: str) -> migrations.AlterField:
    return migrations.AlterField(
        model_name=model,
        name=name,
        field=opennrm.core.fields.EncryptedTextField(blank=True, verbose_name=label),
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_person_name_index_covering")]
    operations = [
        migrations.AddField(
            model_name="referral",
            name="decline_category",
            field=models.CharField(
                blank=True,
                choices=[
                    ("no_indications", "No indications of trafficking"),
                    ("insufficient_information", "Not enough information to assess"),
                    ("already_registered", "The person is already registered"),
                    ("person_declined", "The person declined the referral"),
                    ("other_service", "Referred to another service"),
                    ("other", "Other reason"),
                ],
                max_length=24,
                verbose_name="reason category",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                _encrypted("referral", "decline_reason", "reason for declining"),
                _encrypted("case", "closure_details", "closure details"),
                _encrypted("servicerequest", "decline_reason", "reason for declining"),
            ]
        ),
        migrations.RunPython(encrypt, decrypt),
    ]
