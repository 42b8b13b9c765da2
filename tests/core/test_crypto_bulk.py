"""Bulk encryption and the per-key cipher cache: the same tokens and key rules as one by one."""

from __future__ import annotations

import base64

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from opennrm.core import crypto
from tests.core.keyrings import KEY_A, KEY_A_OTHER, KEY_B, RING_A, RING_AB, RING_B


@given(st.lists(st.text(), max_size=20))
def test_bulk_tokens_decrypt_one_by_one_under_the_current_key(texts: list[str]) -> None:
    tokens = crypto.encrypt_many(texts, context="x.y.z", ring=RING_AB)

    assert len(tokens) == len(texts)
    assert all(crypto.key_id_of(token) == "B" for token in tokens)
    assert [crypto.decrypt(token, context="x.y.z", ring=RING_B) for token in tokens] == texts


def test_every_bulk_token_has_its_own_nonce() -> None:
    tokens = crypto.encrypt_many(["Ana"] * 200, context="c", ring=RING_A)

    nonces = {base64.urlsafe_b64decode(token.split(":")[2])[:12] for token in tokens}
    assert len(nonces) == 200


def test_bulk_tokens_are_bound_to_their_column() -> None:
    (token,) = crypto.encrypt_many(["Ana"], context="cases.person.given_names", ring=RING_A)

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, context="cases.person.family_name", ring=RING_A)


def test_nothing_to_encrypt_gives_no_tokens() -> None:
    assert crypto.encrypt_many([], context="c", ring=RING_A) == []


def test_a_ring_builds_one_cipher_per_key_and_reuses_it() -> None:
    ring = crypto.parse_keys(f"{KEY_A},{KEY_B}")

    assert ring.aead("A") is ring.aead("A")
    assert ring.aead("B") is ring.aead("B")
    assert ring.aead("A") is not ring.aead("B")


def test_an_unknown_key_is_refused_every_time_not_cached() -> None:
    ring = crypto.parse_keys(KEY_B)
    for _attempt in range(2):
        with pytest.raises(crypto.UnknownKeyError):
            ring.aead("A")


def test_new_key_material_under_the_same_id_is_used_at_once() -> None:
    # The cached cipher belongs to its ring: a changed setting gives a new ring and new cipher.
    with override_settings(OPENNRM_DATA_KEYS=KEY_A):
        old = crypto.encrypt_many(["secret"], context="c")[0]
    with override_settings(OPENNRM_DATA_KEYS=KEY_A_OTHER):
        new = crypto.encrypt_many(["secret"], context="c")[0]
        assert crypto.decrypt(new, context="c") == "secret"
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(old, context="c")
    with override_settings(OPENNRM_DATA_KEYS=KEY_A):
        assert crypto.decrypt(old, context="c") == "secret"
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(new, context="c")


def test_the_rings_compare_by_their_keys_not_by_their_cache() -> None:
    ring = crypto.parse_keys(KEY_A)
    ring.aead("A")

    assert ring == crypto.parse_keys(KEY_A)
