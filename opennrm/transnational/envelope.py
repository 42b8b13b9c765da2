"""The signed and encrypted package two national platforms exchange (format ``opennrm-trm/1``).

No home-made cryptography: PyNaCl (libsodium) does every step.

* **Confidentiality**: the payload (JSON) is encrypted to the recipient's X25519 public key with a
  libsodium *sealed box* (ephemeral X25519 + XSalsa20-Poly1305): only the recipient's private key
  opens it, and any change to the ciphertext makes opening fail.
* **Authenticity and integrity**: the whole envelope — header and ciphertext — is signed with the
  sender's Ed25519 key. The signature covers the canonical JSON of every field but ``signature``.
* **Binding**: the payload repeats the envelope's id, sender, recipient and kind, and opening
  checks they match, so a ciphertext cannot be moved under another (validly signed) header.
* **Freshness**: ``expires_at`` is checked on receipt; the receiver keeps every package id it has
  accepted from a partner, so a replay is refused (see ``services.receive_envelope``).

Keys: an installation holds one or more 32-byte seeds (``OPENNRM_TRM_KEYS``, the last one
current). Each seed gives, by BLAKE2b key derivation with distinct personalisations, one Ed25519
signing key and one X25519 encryption key — never the same key for both uses. A key's id is the
first 16 hex digits of the SHA-256 of its public key; the fingerprint read aloud when two
administrators exchange keys covers both public keys.

This module has no Django import: it is tested on its own (``tests/transnational/test_envelope.py``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from nacl import exceptions as nacl_exceptions
from nacl.encoding import RawEncoder
from nacl.hash import blake2b
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.signing import SigningKey, VerifyKey

FORMAT = "opennrm-trm/1"
KINDS = ("referral", "status")
_HEADER = (
    "format",
    "id",
    "kind",
    "from",
    "to",
    "sender_kid",
    "recipient_kid",
    "created_at",
    "expires_at",
)


class EnvelopeError(Exception):
    """A package that must be refused; ``code`` says why (stable, for the sender's log)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise EnvelopeError("malformed", f"The {what} is not valid base64.") from None


def key_id(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()[:16]


def fingerprint(sign_public: bytes, box_public: bytes) -> str:
    """Forty hex digits in groups of four, for two administrators to read to each other."""
    digest = hashlib.sha256(b"opennrm-trm-fingerprint" + sign_public + box_public).hexdigest()
    return " ".join(digest[i : i + 4].upper() for i in range(0, 40, 4))


@dataclass(frozen=True)
class PublicKeys:
    sign_public: bytes
    box_public: bytes

    @property
    def sign_kid(self) -> str:
        return key_id(self.sign_public)

    @property
    def box_kid(self) -> str:
        return key_id(self.box_public)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.sign_public, self.box_public)

    def as_text(self) -> dict[str, str]:
        return {"sign_public": _b64(self.sign_public), "box_public": _b64(self.box_public)}

    @classmethod
    def from_text(cls, sign_public: str, box_public: str) -> PublicKeys:
        sign, box = _unb64(sign_public, "signing key"), _unb64(box_public, "encryption key")
        if len(sign) != 32 or len(box) != 32:
            raise EnvelopeError("malformed", "A public key must be 32 bytes.")
        return cls(sign, box)


@dataclass(frozen=True)
class KeyPair:
    """One installation key: the seed's signing and encryption keys."""

    signing: SigningKey
    box: PrivateKey

    @classmethod
    def from_seed(cls, seed: bytes) -> KeyPair:
        if len(seed) != 32:
            raise EnvelopeError("bad_key", "An installation key seed must be 32 bytes.")
        sign_seed = blake2b(seed, digest_size=32, person=b"opennrm-trm-sign", encoder=RawEncoder)
        box_seed = blake2b(seed, digest_size=32, person=b"opennrm-trm-box!", encoder=RawEncoder)
        return cls(SigningKey(sign_seed), PrivateKey(box_seed))

    @property
    def public(self) -> PublicKeys:
        return PublicKeys(bytes(self.signing.verify_key), bytes(self.box.public_key))


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def seal(
    *,
    kind: str,
    payload: dict[str, Any],
    sender: str,
    recipient: str,
    sender_keys: KeyPair,
    recipient_keys: PublicKeys,
    now: datetime,
    ttl: timedelta,
    package_id: str | None = None,
) -> dict[str, Any]:
    """A signed envelope carrying ``payload`` encrypted to ``recipient_keys``."""
    if kind not in KINDS:
        raise EnvelopeError("malformed", f"Unknown package kind {kind!r}.")
    header = {
        "format": FORMAT,
        "id": package_id or str(uuid.uuid4()),
        "kind": kind,
        "from": sender,
        "to": recipient,
        "sender_kid": sender_keys.public.sign_kid,
        "recipient_kid": recipient_keys.box_kid,
        "created_at": _iso(now),
        "expires_at": _iso(now + ttl),
    }
    inner = {**payload, "_id": header["id"], "_from": sender, "_to": recipient, "_kind": kind}
    box = SealedBox(PublicKey(recipient_keys.box_public))
    envelope = {**header, "ciphertext": _b64(box.encrypt(canonical(inner)))}
    envelope["signature"] = _b64(sender_keys.signing.sign(canonical(envelope)).signature)
    return envelope


def header_of(envelope: Any) -> dict[str, str]:
    """The envelope's header fields, checked for shape only (nothing is trusted yet)."""
    if not isinstance(envelope, dict):
        raise EnvelopeError("malformed", "The package is not a JSON object.")
    missing = [
        name
        for name in (*_HEADER, "ciphertext", "signature")
        if not isinstance(envelope.get(name), str)
    ]
    if missing:
        raise EnvelopeError("malformed", f"The package lacks {', '.join(missing)}.")
    if envelope["format"] != FORMAT:
        raise EnvelopeError("unsupported_format", f"Only {FORMAT} packages are accepted.")
    if envelope["kind"] not in KINDS:
        raise EnvelopeError("malformed", "Unknown package kind.")
    extra = set(envelope) - {*_HEADER, "ciphertext", "signature"}
    if extra:
        raise EnvelopeError("malformed", f"Unexpected fields: {', '.join(sorted(extra))}.")
    return {name: envelope[name] for name in _HEADER}


def parse_time(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise EnvelopeError("malformed", "A time in the package is not in UTC ISO form.") from None


def verify(envelope: dict[str, Any], sender_keys: list[PublicKeys]) -> None:
    """Raise unless one of ``sender_keys`` (the partner's current or previous key) signed it."""
    header = header_of(envelope)
    signature = _unb64(envelope["signature"], "signature")
    unsigned = {key: value for key, value in envelope.items() if key != "signature"}
    for keys in sender_keys:
        if keys.sign_kid != header["sender_kid"]:
            continue
        try:
            VerifyKey(keys.sign_public).verify(canonical(unsigned), signature)
        except nacl_exceptions.BadSignatureError:
            raise EnvelopeError(
                "bad_signature", "The package's signature does not verify."
            ) from None
        return
    raise EnvelopeError(
        "unknown_key", "The package was signed with a key this platform does not hold."
    )


def open_payload(envelope: dict[str, Any], recipient_keys: list[KeyPair]) -> dict[str, Any]:
    """The decrypted payload, after checking it belongs to this envelope."""
    header = header_of(envelope)
    ciphertext = _unb64(envelope["ciphertext"], "ciphertext")
    for keys in recipient_keys:
        if keys.public.box_kid != header["recipient_kid"]:
            continue
        try:
            inner = json.loads(SealedBox(keys.box).decrypt(ciphertext))
        except (nacl_exceptions.CryptoError, ValueError):
            raise EnvelopeError("undecryptable", "The package cannot be decrypted.") from None
        bound = (inner.get("_id"), inner.get("_from"), inner.get("_to"), inner.get("_kind"))
        if bound != (header["id"], header["from"], header["to"], header["kind"]):
            raise EnvelopeError("tampered", "The package's content does not belong to its header.")
        return {key: value for key, value in inner.items() if not key.startswith("_")}
    raise EnvelopeError(
        "unknown_key", "The package is encrypted to a key this platform does not hold."
    )
