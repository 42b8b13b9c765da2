"""Encryption of personal data: round trips, and loud failures instead of garbage."""

from __future__ import annotations

import base64

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from opennrm.core import crypto
from tests.core.keyrings import KEY_A, KEY_A_OTHER, KEY_B, RING_A, RING_AB, RING_B


def test_a_value_round_trips_and_names_its_key() -> None:
    token = crypto.encrypt("Јелена Петровић", context="cases.person.name", ring=RING_A)

    assert token.startswith("enc1:A:")
    assert "Петровић" not in token
    assert crypto.decrypt(token, context="cases.person.name", ring=RING_A) == "Јелена Петровић"


def test_the_same_plaintext_encrypts_differently_each_time() -> None:
    first = crypto.encrypt("Ana", context="c", ring=RING_A)
    second = crypto.encrypt("Ana", context="c", ring=RING_A)

    assert first != second


@given(st.text())
def test_any_unicode_text_round_trips(text: str) -> None:
    token = crypto.encrypt(text, context="x.y.z", ring=RING_AB)

    assert crypto.decrypt(token, context="x.y.z", ring=RING_AB) == text


@given(st.text())
def test_rotation_from_an_old_ring_to_a_new_one_keeps_every_value(text: str) -> None:
    old = crypto.encrypt(text, context="x.y.z", ring=RING_A)

    rotated = crypto.reencrypt(old, context="x.y.z", ring=RING_AB)

    assert rotated is not None
    assert crypto.key_id_of(rotated) == "B"
    assert crypto.decrypt(rotated, context="x.y.z", ring=RING_B) == text
    assert crypto.reencrypt(rotated, context="x.y.z", ring=RING_AB) is None


def test_a_value_under_an_unknown_key_names_the_key() -> None:
    token = crypto.encrypt("secret", context="c", ring=RING_A)

    with pytest.raises(crypto.UnknownKeyError) as error:
        crypto.decrypt(token, context="c", ring=RING_B)

    assert str(error.value) == (
        "The value was encrypted with key 'A', which is not in OPENNRM_DATA_KEYS."
    )


def test_wrong_key_material_under_the_same_id_fails_instead_of_returning_garbage() -> None:
    token = crypto.encrypt("secret", context="c", ring=RING_A)

    with pytest.raises(crypto.DecryptionError) as error:
        crypto.decrypt(token, context="c", ring=crypto.parse_keys(KEY_A_OTHER))

    assert str(error.value) == (
        "The stored value in c could not be authenticated with key 'A': "
        "the key is wrong or the value was altered."
    )


def test_a_tampered_ciphertext_is_refused() -> None:
    token = crypto.encrypt("secret value", context="c", ring=RING_A)
    prefix, body = token.rsplit(":", 1)
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[-1] ^= 0x01
    tampered = f"{prefix}:{base64.urlsafe_b64encode(bytes(raw)).decode()}"

    with pytest.raises(crypto.DecryptionError, match="could not be authenticated"):
        crypto.decrypt(tampered, context="c", ring=RING_A)


def test_a_ciphertext_moved_to_another_column_is_refused() -> None:
    token = crypto.encrypt("secret", context="cases.person.first_name", ring=RING_A)

    with pytest.raises(crypto.DecryptionError, match=r"cases\.person\.last_name could not"):
        crypto.decrypt(token, context="cases.person.last_name", ring=RING_A)


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        ("plain text", "The stored value in c is not an OpenNRM ciphertext."),
        ("enc1:A:not base64!", "The stored value in c is corrupted (bad encoding)."),
        ("enc1:A:Žž", "The stored value in c is corrupted (bad encoding)."),
        ("enc1:A:AAAA", "The stored value in c is corrupted (truncated)."),
    ],
)
def test_a_malformed_stored_value_gives_a_clear_error(stored: str, message: str) -> None:
    with pytest.raises(crypto.DecryptionError) as error:
        crypto.decrypt(stored, context="c", ring=RING_A)

    assert str(error.value) == message


@given(st.text(), st.integers(min_value=0), st.characters())
def test_any_single_character_change_fails_or_gives_the_exact_plaintext(
    text: str, where: int, replacement: str
) -> None:
    token = crypto.encrypt(text, context="c", ring=RING_A)
    body_start = len("enc1:A:")
    position = body_start + where % (len(token) - body_start)
    tampered = token[:position] + replacement + token[position + 1 :]

    # Base64's unused trailing bits can change without changing the bytes: then the value is
    # the original one, never a different plaintext.
    try:
        assert crypto.decrypt(tampered, context="c", ring=RING_A) == text
    except crypto.CryptoError:
        assert tampered != token


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "OPENNRM_DATA_KEYS holds no key."),
        (" , ", "OPENNRM_DATA_KEYS holds no key."),
        ("nokey", "OPENNRM_DATA_KEYS entry 1 must look like 'kid:base64key'."),
        (f"{KEY_A},B:", "OPENNRM_DATA_KEYS entry 2 must look like 'kid:base64key'."),
        ("k-1:" + KEY_A[2:], "Key id 'k-1' in OPENNRM_DATA_KEYS must be ASCII letters and digits."),
        (
            "ключ:" + KEY_A[2:],
            "Key id 'ключ' in OPENNRM_DATA_KEYS must be ASCII letters and digits.",
        ),
        ("A:###", "Key 'A' in OPENNRM_DATA_KEYS is not valid base64."),
        (
            "A:" + base64.b64encode(b"short").decode(),
            "Key 'A' in OPENNRM_DATA_KEYS is 5 bytes; AES-256 needs 32.",
        ),
        (f"{KEY_A},{KEY_A_OTHER}", "Key id 'A' appears twice in OPENNRM_DATA_KEYS."),
    ],
)
def test_a_bad_key_specification_names_the_problem(spec: str, message: str) -> None:
    with pytest.raises(crypto.KeyConfigurationError) as error:
        crypto.parse_keys(spec)

    assert str(error.value) == message


def test_the_last_key_of_the_specification_encrypts() -> None:
    assert RING_AB.current_id == "B"
    assert crypto.parse_keys(f"{KEY_B},{KEY_A}").current_id == "A"


def test_the_settings_keyring_follows_the_setting() -> None:
    with override_settings(OPENNRM_DATA_KEYS=f"{KEY_A},{KEY_B}"):
        token = crypto.encrypt("x", context="c")
    with override_settings(OPENNRM_DATA_KEYS=KEY_B):
        assert crypto.decrypt(token, context="c") == "x"
    with override_settings(OPENNRM_DATA_KEYS=KEY_A), pytest.raises(crypto.UnknownKeyError):
        crypto.decrypt(token, context="c")


def test_generated_key_specs_parse_as_32_byte_keys() -> None:
    ring = crypto.parse_keys(crypto.generate_key_spec("k2027"))

    assert ring.current_id == "k2027"
    assert len(ring.keys["k2027"]) == 32


@pytest.mark.parametrize("spelling", ["Đorđević", "Djordjevic", "ĐORĐEVIĆ", "Ђорђевић"])
def test_the_blind_index_folds_script_case_and_diacritics(spelling: str) -> None:
    assert crypto.blind_index(spelling, purpose="name") == crypto.blind_index(
        "djordjevic", purpose="name"
    )


def test_the_blind_index_differs_by_purpose_key_and_value() -> None:
    digest = crypto.blind_index("Đorđević", purpose="name")

    assert len(digest) == 64
    assert crypto.blind_index("Đorđević", purpose="document") != digest
    assert crypto.blind_index("Petrović", purpose="name") != digest
    with override_settings(OPENNRM_BLIND_INDEX_KEY="another-key"):
        assert crypto.blind_index("Đorđević", purpose="name") != digest
