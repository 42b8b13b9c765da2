"""Encryption of personal data at rest, and the blind index for duplicate search.

AES-256-GCM from ``cryptography`` (authenticated: a wrong key or a tampered value fails loudly
instead of decrypting to garbage). Every value carries the id of the key that sealed it, so keys
rotate without a flag day: ``OPENNRM_DATA_KEYS`` lists ``kid:base64key`` pairs, the last one
encrypts, all of them decrypt, and ``manage.py rotate_keys`` re-seals old values under the newest.
The associated data binds a value to its column (``app.model.field``), so a ciphertext copied into
another column does not decrypt.

The blind index is an HMAC-SHA256 of a folded value (see ``translit.fold``) under its own key: equal
names in any script or spelling give equal digests, and the digest reveals nothing without the key.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from opennrm.core.translit import fold

PREFIX = "enc1"
_NONCE_BYTES = 12
_TAG_BYTES = 16


class CryptoError(Exception):
    """Base class: something about keys or ciphertexts is wrong; never returns plaintext."""


class KeyConfigurationError(CryptoError):
    pass


class UnknownKeyError(CryptoError):
    pass


class DecryptionError(CryptoError):
    pass


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]
    current_id: str
    # One cipher object per key, built on first use: building AESGCM costs more than sealing a
    # short value, and a bulk import seals hundreds of thousands. A ring never changes its keys
    # (a new OPENNRM_DATA_KEYS gives a new ring), so a cached object can never be stale.
    _aeads: dict[str, AESGCM] = field(default_factory=dict, compare=False, repr=False)

    def aead(self, key_id: str) -> AESGCM:
        aead = self._aeads.get(key_id)
        if aead is not None:
            return aead
        try:
            aead = AESGCM(self.keys[key_id])
        except KeyError:
            raise UnknownKeyError(
                f"The value was encrypted with key {key_id!r}, which is not in OPENNRM_DATA_KEYS."
            ) from None
        self._aeads[key_id] = aead
        return aead


def parse_keys(spec: str) -> KeyRing:
    """Parse ``kid:base64key,kid:base64key``; the last key is the current one."""
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for index, item in enumerate(part.strip() for part in spec.split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id or not encoded:
            raise KeyConfigurationError(
                f"OPENNRM_DATA_KEYS entry {index + 1} must look like 'kid:base64key'."
            )
        # ASCII only: the id is written into every ciphertext and must survive any column type.
        if not (key_id.isascii() and key_id.isalnum()):
            raise KeyConfigurationError(
                f"Key id {key_id!r} in OPENNRM_DATA_KEYS must be ASCII letters and digits."
            )
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise KeyConfigurationError(
                f"Key {key_id!r} in OPENNRM_DATA_KEYS is not valid base64."
            ) from None
        if len(raw) != 32:
            raise KeyConfigurationError(
                f"Key {key_id!r} in OPENNRM_DATA_KEYS is {len(raw)} bytes; AES-256 needs 32."
            )
        if key_id in keys:
            raise KeyConfigurationError(f"Key id {key_id!r} appears twice in OPENNRM_DATA_KEYS.")
        keys[key_id] = raw
        order.append(key_id)
    if not order:
        raise KeyConfigurationError("OPENNRM_DATA_KEYS holds no key.")
    return KeyRing(keys=keys, current_id=order[-1])


@lru_cache(maxsize=4)
def _ring_for(spec: str) -> KeyRing:
    return parse_keys(spec)


def keyring() -> KeyRing:
    return _ring_for(settings.OPENNRM_DATA_KEYS)


def generate_key_spec(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode('ascii')}"


def _aad(context: str, key_id: str) -> bytes:
    return f"{PREFIX}|{context}|{key_id}".encode()


def encrypt(plaintext: str, *, context: str, ring: KeyRing | None = None) -> str:
    ring = ring or keyring()
    nonce = os.urandom(_NONCE_BYTES)
    sealed = ring.aead(ring.current_id).encrypt(
        nonce, plaintext.encode("utf-8"), _aad(context, ring.current_id)
    )
    body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
    return f"{PREFIX}:{ring.current_id}:{body}"


def encrypt_many(
    plaintexts: Iterable[str], *, context: str, ring: KeyRing | None = None
) -> list[str]:
    """``encrypt`` of each value (same tokens, each with its own random nonce), for bulk writes:
    the key, the associated data and one read of the random source are shared by the batch."""
    values = [plaintext.encode("utf-8") for plaintext in plaintexts]
    ring = ring or keyring()
    key_id = ring.current_id
    seal = ring.aead(key_id).encrypt
    aad = _aad(context, key_id)
    head = f"{PREFIX}:{key_id}:"
    nonces = os.urandom(_NONCE_BYTES * len(values))
    encode = base64.urlsafe_b64encode
    tokens = []
    for position, value in enumerate(values):
        nonce = nonces[position * _NONCE_BYTES : (position + 1) * _NONCE_BYTES]
        tokens.append(head + encode(nonce + seal(nonce, value, aad)).decode("ascii"))
    return tokens


def key_id_of(token: str) -> str:
    prefix, _sep, rest = token.partition(":")
    if prefix != PREFIX:
        raise DecryptionError("The stored value is not an OpenNRM ciphertext.")
    return rest.partition(":")[0]


def decrypt(token: str, *, context: str, ring: KeyRing | None = None) -> str:
    ring = ring or keyring()
    parts = token.split(":", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        raise DecryptionError(f"The stored value in {context} is not an OpenNRM ciphertext.")
    _prefix, key_id, body = parts
    aead = ring.aead(key_id)
    try:
        raw = base64.b64decode(body.encode("ascii"), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):  # UnicodeEncodeError is a ValueError
        raise DecryptionError(
            f"The stored value in {context} is corrupted (bad encoding)."
        ) from None
    if len(raw) < _NONCE_BYTES + _TAG_BYTES:
        raise DecryptionError(f"The stored value in {context} is corrupted (truncated).")
    nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
    try:
        return aead.decrypt(nonce, sealed, _aad(context, key_id)).decode("utf-8")
    except InvalidTag:
        raise DecryptionError(
            f"The stored value in {context} could not be authenticated with key {key_id!r}: "
            "the key is wrong or the value was altered."
        ) from None


def reencrypt(token: str, *, context: str, ring: KeyRing | None = None) -> str | None:
    """The token sealed under the current key, or None when it already is."""
    ring = ring or keyring()
    if key_id_of(token) == ring.current_id:
        return None
    return encrypt(decrypt(token, context=context, ring=ring), context=context, ring=ring)


def blind_index(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 (hex) of the folded value; ``purpose`` separates e.g. names from documents."""
    key = settings.OPENNRM_BLIND_INDEX_KEY.encode("utf-8")
    message = f"{purpose}|{fold(value)}".encode()
    # hmac.digest: the one-shot form, same digest as hmac.new(...).hexdigest() without the object.
    return hmac.digest(key, message, "sha256").hex()
