"""``manage.py rotate_keys``: every value ends under the newest key, none is lost or corrupted."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.test import override_settings
from django.test.utils import isolate_apps
from hypothesis import given, settings
from hypothesis import strategies as st

from opennrm.accounts.models import Agency
from opennrm.core import crypto
from opennrm.core.fields import EncryptedTextField
from opennrm.core.management.commands.rotate_keys import RotationError, columns_for, rotate
from opennrm.demo.base import ensure_personas, totp_code

KEY_A = "A:" + base64.b64encode(b"a" * 32).decode()
KEY_B = "B:" + base64.b64encode(b"b" * 32).decode()
RING_AB = crypto.parse_keys(f"{KEY_A},{KEY_B}")


def _mfa_tokens() -> list[tuple[int, str]]:
    found = []
    for pk, data in Authenticator.objects.values_list("pk", "data"):
        for key in ("secret", "seed"):
            if key in data:
                found.append((pk, data[key]))
    return found


def test_rotation_moves_two_factor_secrets_to_the_new_key_and_codes_still_validate(
    agencies: dict[str, Agency],
) -> None:
    with override_settings(OPENNRM_DATA_KEYS=KEY_A):
        users = ensure_personas(agencies)
    before = _mfa_tokens()
    assert len(before) == 2 * len(users)
    assert {crypto.key_id_of(token) for _pk, token in before} == {"A"}

    out = StringIO()
    with override_settings(OPENNRM_DATA_KEYS=f"{KEY_A},{KEY_B}"):
        call_command("rotate_keys", "--batch", "3", stdout=out)

    after = _mfa_tokens()
    assert {crypto.key_id_of(token) for _pk, token in after} == {"B"}
    assert f"{len(before)} values re-encrypted under B." in out.getvalue()
    assert "mfa_authenticator.data: 6 values re-encrypted" in out.getvalue()
    with override_settings(OPENNRM_DATA_KEYS=KEY_B):
        vesna = users["vesna"]
        totp = Authenticator.objects.get(user=vesna, type=Authenticator.Type.TOTP)
        assert TOTP(totp).validate_code(totp_code(vesna))
        codes = Authenticator.objects.get(user=vesna, type=Authenticator.Type.RECOVERY_CODES)
        assert RecoveryCodes(codes).validate_code(RecoveryCodes(codes).generate_codes()[0])


def test_rotation_twice_changes_nothing_the_second_time(agencies: dict[str, Agency]) -> None:
    with override_settings(OPENNRM_DATA_KEYS=KEY_A):
        ensure_personas(agencies)
    with override_settings(OPENNRM_DATA_KEYS=f"{KEY_A},{KEY_B}"):
        call_command("rotate_keys", stdout=StringIO())
        once = _mfa_tokens()
        out = StringIO()
        call_command("rotate_keys", stdout=out)

    assert _mfa_tokens() == once
    assert "0 values re-encrypted under B." in out.getvalue()


def test_a_dry_run_counts_and_writes_nothing(agencies: dict[str, Agency]) -> None:
    with override_settings(OPENNRM_DATA_KEYS=KEY_A):
        ensure_personas(agencies)
    before = _mfa_tokens()
    out = StringIO()

    with override_settings(OPENNRM_DATA_KEYS=f"{KEY_A},{KEY_B}"):
        call_command("rotate_keys", "--dry-run", stdout=out)

    assert _mfa_tokens() == before
    assert f"{len(before)} values would be re-encrypted (dry run) under B." in out.getvalue()


def test_it_refuses_to_start_when_a_value_cannot_be_decrypted(
    agencies: dict[str, Agency],
) -> None:
    with override_settings(OPENNRM_DATA_KEYS=KEY_A):
        ensure_personas(agencies)
    before = _mfa_tokens()
    first_pk = min(pk for pk, _token in before)

    with override_settings(OPENNRM_DATA_KEYS=KEY_B), pytest.raises(CommandError) as error:
        call_command("rotate_keys", stdout=StringIO())

    assert str(error.value) == (
        f"Table mfa_authenticator, row {first_pk}, column data: The value was encrypted with "
        "key 'A', which is not in OPENNRM_DATA_KEYS. Nothing was changed."
    )
    assert _mfa_tokens() == before


@pytest.fixture
def secret_model(audit_flushable: None) -> Iterator[type[models.Model]]:
    """A throwaway model with an encrypted column, its table created for the test only."""
    with isolate_apps("opennrm.core"):

        class SecretNote(models.Model):  # noqa: DJ008
            body = EncryptedTextField(blank=True)

            class Meta:
                app_label = "core"

        with connection.schema_editor() as editor:
            editor.create_model(SecretNote)
        try:
            yield SecretNote
        finally:
            with connection.schema_editor() as editor:
                editor.delete_model(SecretNote)


def _stored(model: type[models.Model]) -> list[tuple[int, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, body FROM {model._meta.db_table} ORDER BY id")
        return list(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_every_encrypted_column_value_survives_rotation(secret_model: type[models.Model]) -> None:
    columns = columns_for([secret_model])
    assert [(c.table, c.column, c.context) for c in columns] == [
        ("core_secretnote", "body", "core.secretnote.body")
    ]

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.text(), min_size=1, max_size=7))
    def rotate_and_read_back(values: list[str]) -> None:
        with override_settings(OPENNRM_DATA_KEYS=KEY_A):
            ids = [secret_model.objects.create(body=value).pk for value in values]
        try:
            outcomes = rotate(columns, RING_AB, batch=3)

            non_empty = sum(1 for value in values if value)
            assert outcomes["core_secretnote.body"].rewritten == non_empty
            stored = [token for _pk, token in _stored(secret_model) if token]
            assert {crypto.key_id_of(token) for token in stored} <= {"B"}
            with override_settings(OPENNRM_DATA_KEYS=KEY_B):
                read = [secret_model.objects.get(pk=pk).body for pk in ids]  # type: ignore[attr-defined]
            assert read == values
        finally:
            secret_model.objects.all().delete()

    rotate_and_read_back()


@pytest.mark.django_db(transaction=True)
def test_a_corrupted_value_is_named_and_nothing_is_rewritten(
    secret_model: type[models.Model],
) -> None:
    with override_settings(OPENNRM_DATA_KEYS=KEY_A):
        good = secret_model.objects.create(body="Марија")
        bad = secret_model.objects.create(body="x")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_secretnote SET body = %s WHERE id = %s",
            [crypto.encrypt("x", context="cases.person.name", ring=RING_AB), bad.pk],
        )
    before = _stored(secret_model)

    with pytest.raises(RotationError) as error:
        rotate(columns_for([secret_model]), RING_AB)

    assert str(error.value) == (
        f"Table core_secretnote, row {bad.pk}, column body: The stored value in "
        "core.secretnote.body could not be authenticated with key 'B': the key is wrong or the "
        "value was altered. Nothing was changed."
    )
    assert _stored(secret_model) == before
    assert crypto.key_id_of(dict(before)[good.pk]) == "A"


def test_the_project_columns_include_the_two_factor_secrets() -> None:
    labels = {(c.label, c.context, c.json_keys) for c in columns_for()}

    assert (
        "mfa_authenticator.data",
        "mfa.authenticator",
        ("secret", "seed", "migrated_codes"),
    ) in labels


def test_json_with_migrated_recovery_codes_is_rotated_item_by_item() -> None:
    from opennrm.core.management.commands.rotate_keys import Column, _rewritten

    column = Column("t", "id", "data", "mfa.authenticator", ("secret", "migrated_codes"))
    ring_a = crypto.parse_keys(KEY_A)
    codes = [crypto.encrypt(code, context="mfa.authenticator", ring=ring_a) for code in "12"]
    raw = json.dumps({"migrated_codes": codes, "used_mask": 3})

    fresh, changed = _rewritten(column, raw, RING_AB)

    data = json.loads(fresh)
    assert changed == 2
    assert data["used_mask"] == 3
    assert [
        crypto.decrypt(c, context="mfa.authenticator", ring=RING_AB) for c in data["migrated_codes"]
    ] == ["1", "2"]
    assert {crypto.key_id_of(c) for c in data["migrated_codes"]} == {"B"}
