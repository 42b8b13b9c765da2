"""The package format on its own: sealing, verifying and opening, and every way to break it."""

from __future__ import annotations

import base64
import copy
import os
from datetime import UTC, datetime, timedelta

import pytest

from opennrm.transnational import envelope as e

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
SERBIA = e.KeyPair.from_seed(bytes(range(32)))
MACEDONIA = e.KeyPair.from_seed(bytes(range(1, 33)))


def sealed(**overrides: object) -> dict:
    values = {
        "kind": "referral",
        "payload": {"purpose": "identify", "data": {"prs_FirstName": "Ана"}},
        "sender": "RS",
        "recipient": "MK",
        "sender_keys": SERBIA,
        "recipient_keys": MACEDONIA.public,
        "now": NOW,
        "ttl": timedelta(hours=72),
    }
    values.update(overrides)
    return e.seal(**values)  # type: ignore[arg-type]


def test_the_recipient_opens_what_the_sender_signed() -> None:
    package = sealed()
    e.verify(package, [SERBIA.public])
    assert e.open_payload(package, [MACEDONIA]) == {
        "purpose": "identify",
        "data": {"prs_FirstName": "Ана"},
    }
    assert package["expires_at"] == "2026-12-07T12:00:00Z"
    assert "Ана" not in str(package)


def test_signing_and_encryption_keys_differ_and_are_stable_per_seed() -> None:
    again = e.KeyPair.from_seed(bytes(range(32)))
    assert again.public == SERBIA.public
    assert SERBIA.public.sign_public != SERBIA.public.box_public
    assert len(SERBIA.public.fingerprint.split()) == 10


def test_a_changed_header_breaks_the_signature() -> None:
    package = sealed()
    package["expires_at"] = "2030-01-01T00:00:00Z"
    with pytest.raises(e.EnvelopeError) as refused:
        e.verify(package, [SERBIA.public])
    assert refused.value.code == "bad_signature"


def test_a_changed_ciphertext_breaks_the_signature_and_the_seal() -> None:
    package = sealed()
    raw = bytearray(base64.b64decode(package["ciphertext"]))
    raw[-1] ^= 1
    package["ciphertext"] = base64.b64encode(bytes(raw)).decode()
    with pytest.raises(e.EnvelopeError) as refused:
        e.verify(package, [SERBIA.public])
    assert refused.value.code == "bad_signature"
    with pytest.raises(e.EnvelopeError) as unopened:
        e.open_payload(package, [MACEDONIA])
    assert unopened.value.code == "undecryptable"


def test_a_ciphertext_moved_under_another_signed_header_is_refused() -> None:
    # The attacker holds a valid signing key (a compromised partner) and re-wraps a package
    # meant for one referral under a new id: the payload's binding gives it away.
    original = sealed()
    rewrapped = copy.deepcopy(original)
    rewrapped["id"] = "00000000-0000-4000-8000-000000000000"
    unsigned = {k: v for k, v in rewrapped.items() if k != "signature"}
    rewrapped["signature"] = base64.b64encode(
        SERBIA.signing.sign(e.canonical(unsigned)).signature
    ).decode()
    e.verify(rewrapped, [SERBIA.public])
    with pytest.raises(e.EnvelopeError) as refused:
        e.open_payload(rewrapped, [MACEDONIA])
    assert refused.value.code == "tampered"


def test_another_key_cannot_sign_or_open() -> None:
    stranger = e.KeyPair.from_seed(os.urandom(32))
    forged = sealed(sender_keys=stranger)
    with pytest.raises(e.EnvelopeError) as refused:
        e.verify(forged, [SERBIA.public])
    assert refused.value.code == "unknown_key"
    with pytest.raises(e.EnvelopeError) as unopened:
        e.open_payload(sealed(), [stranger])
    assert unopened.value.code == "unknown_key"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda p: p.pop("signature"), "malformed"),
        (lambda p: p.update(format="other/9"), "unsupported_format"),
        (lambda p: p.update(kind="gossip"), "malformed"),
        (lambda p: p.update(extra="x"), "malformed"),
    ],
)
def test_a_malformed_envelope_is_refused_before_any_crypto(change, code) -> None:  # type: ignore[no-untyped-def]
    package = sealed()
    change(package)
    with pytest.raises(e.EnvelopeError) as refused:
        e.header_of(package)
    assert refused.value.code == code
