"""The backup file: compressed by the producer, encrypted and authenticated in chunks, checksummed.

No Django import: the format is pure and tested on its own.

Layout::

    MAGIC (16 bytes)
    header length (4 bytes, big-endian) + header (JSON, UTF-8, in clear)
    chunks: length (4 bytes) + AES-256-GCM ciphertext, each
    (the last chunk carries the trailer: JSON with the payload's SHA-256, size and the manifest)

Encryption is AES-256-GCM from ``cryptography`` (the AEAD the platform already uses for personal
data) in the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizárd: a random 7-byte nonce
prefix per file, a 4-byte chunk counter and a 1-byte "last chunk" flag make each nonce, and the
SHA-256 of the header is the associated data of every chunk. So a changed header, a changed,
swapped, dropped or appended chunk, and a file cut short all fail authentication; a wrong key is
told apart from a damaged file by the header's key-check value (an HMAC under the key), so the
operator learns which of the two went wrong before anything is restored.

The manifest (table row counts, the audit chain's head, migrations) is inside the encrypted
trailer, not in the clear header: the size of a victims' register is not for anyone holding a copy.
A ``.sha256`` file beside the backup (``sha256sum -c`` format) lets an operator check a copy moved
off-site without the key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"OPENNRM-BACKUP\x00\x01"
FORMAT = 1
CHUNK = 1 << 20  # 1 MiB of plaintext per chunk: flat memory whatever the database's size
_LEN = struct.Struct(">I")
_MAX_HEADER = 1 << 16
_TAG = 16


class BackupError(Exception):
    """A backup cannot be written or read; the message says why, for the operator."""


class WrongKeyError(BackupError):
    pass


class DamagedBackupError(BackupError):
    pass


def parse_key(text: str) -> bytes:
    """A backup key: base64 of 32 random bytes (``head -c 32 /dev/urandom | base64``)."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise BackupError("The backup key is not valid base64.") from None
    if len(key) != 32:
        raise BackupError(f"The backup key must be 32 bytes (base64 of 32 bytes), not {len(key)}.")
    return key


def _key_check(key: bytes, prefix: bytes) -> str:
    return hmac.new(key, b"opennrm-backup-key-check|" + prefix, hashlib.sha256).hexdigest()


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    if counter >= 1 << 32:
        raise BackupError("The backup is larger than this format allows (4 PiB).")
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


@dataclass
class Header:
    values: dict[str, Any]
    raw: bytes

    @property
    def digest(self) -> bytes:
        return hashlib.sha256(self.raw).digest()


def write(
    out: BinaryIO,
    key: bytes,
    payload: Iterable[bytes],
    *,
    header: dict[str, Any],
    manifest_after: Any,
) -> dict[str, Any]:
    """Encrypt ``payload`` (already compressed by its producer) into ``out``.

    ``manifest_after`` is called once the payload is exhausted and returns the manifest for the
    trailer (for a dump that is read while it is produced). Returns the trailer written.
    """
    prefix = os.urandom(7)
    values = dict(
        header, format=FORMAT, nonce_prefix=prefix.hex(), key_check=_key_check(key, prefix)
    )
    raw = json.dumps(values, sort_keys=True).encode()
    out.write(MAGIC + _LEN.pack(len(raw)) + raw)
    aad = hashlib.sha256(raw).digest()
    aead = AESGCM(key)
    checksum = hashlib.sha256()
    size = 0
    counter = 0
    for block in _rechunk(payload):
        checksum.update(block)
        size += len(block)
        sealed = aead.encrypt(_nonce(prefix, counter, False), block, aad)
        out.write(_LEN.pack(len(sealed)) + sealed)
        counter += 1
    trailer = {
        "sha256": checksum.hexdigest(),
        "size": size,
        "chunks": counter,
        "manifest": manifest_after(),
    }
    sealed = aead.encrypt(_nonce(prefix, counter, True), json.dumps(trailer).encode(), aad)
    out.write(_LEN.pack(len(sealed)) + sealed)
    return trailer


def _rechunk(payload: Iterable[bytes]) -> Iterator[bytes]:
    buffer = bytearray()
    for piece in payload:
        buffer += piece
        while len(buffer) >= CHUNK:
            yield bytes(buffer[:CHUNK])
            del buffer[:CHUNK]
    if buffer:
        yield bytes(buffer)


def read_header(source: BinaryIO) -> Header:
    magic = source.read(len(MAGIC))
    if magic != MAGIC:
        raise DamagedBackupError("This is not an OpenNRM backup (or its first bytes are damaged).")
    (length,) = _LEN.unpack(_exactly(source, _LEN.size))
    if length > _MAX_HEADER:
        raise DamagedBackupError("The backup's header is damaged (impossible length).")
    raw = _exactly(source, length)
    try:
        values = json.loads(raw)
        if values.get("format") != FORMAT:
            raise DamagedBackupError(
                f"The backup is in format {values.get('format')!r}; this version reads {FORMAT}."
            )
    except (ValueError, AttributeError):
        raise DamagedBackupError("The backup's header is damaged (not valid JSON).") from None
    return Header(values, raw)


def _exactly(source: BinaryIO, count: int) -> bytes:
    data = source.read(count)
    if len(data) != count:
        raise DamagedBackupError("The backup is cut short (the file ends in the middle).")
    return data


@dataclass
class Reader:
    """Decrypts a backup chunk by chunk; ``trailer`` is filled once the last chunk is read."""

    source: BinaryIO
    key: bytes
    header: Header = field(init=False)
    trailer: dict[str, Any] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.header = read_header(self.source)
        try:
            self._prefix = bytes.fromhex(self.header.values["nonce_prefix"])
            expected = str(self.header.values["key_check"])
        except (KeyError, ValueError):
            raise DamagedBackupError(
                "The backup's header is damaged (no nonce or key check)."
            ) from None
        if len(self._prefix) != 7:
            raise DamagedBackupError("The backup's header is damaged (nonce prefix).")
        if not hmac.compare_digest(_key_check(self.key, self._prefix), expected):
            raise WrongKeyError(
                "The backup key does not match the key this backup was written with: "
                "nothing was restored."
            )

    def chunks(self) -> Iterator[bytes]:
        aead = AESGCM(self.key)
        aad = self.header.digest
        checksum = hashlib.sha256()
        size = 0
        counter = 0
        while True:
            head = self.source.read(_LEN.size)
            if not head:
                raise DamagedBackupError(
                    "The backup is cut short (its last chunk is missing): nothing was restored."
                )
            if len(head) != _LEN.size:
                raise DamagedBackupError("The backup is cut short (the file ends in the middle).")
            (length,) = _LEN.unpack(head)
            if length > CHUNK + _TAG or length < _TAG:
                raise DamagedBackupError(f"Chunk {counter} of the backup is damaged (length).")
            sealed = _exactly(self.source, length)
            for last in (False, True):
                try:
                    plain = aead.decrypt(_nonce(self._prefix, counter, last), sealed, aad)
                except InvalidTag:
                    continue
                break
            else:
                raise DamagedBackupError(
                    f"Chunk {counter} of the backup is damaged or out of place "
                    "(authentication failed): nothing was restored."
                )
            if last:
                if self.source.read(1):
                    raise DamagedBackupError("The backup has data after its last chunk.")
                self.trailer = json.loads(plain)
                if (
                    self.trailer.get("sha256") != checksum.hexdigest()
                    or self.trailer.get("size") != size
                ):
                    raise DamagedBackupError("The backup's checksum does not match its content.")
                return
            checksum.update(plain)
            size += len(plain)
            counter += 1
            yield plain


def file_sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()
