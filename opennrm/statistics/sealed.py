"""A password-encrypted container for case-level exports ("sealed" files), streamed in chunks.

No AES-ZIP library is installed (``pyzipper`` is not a dependency) and the legacy ZipCrypto of the
standard library is broken, so an export is a plain ZIP sealed with AES-256-GCM from
``cryptography`` under a key derived from the password with scrypt. ``manage.py decrypt_export``
opens it. Layout (all integers big-endian):

    b"ONRMSEAL1\\n"                 magic and version (10 bytes)
    salt                            16 random bytes
    log2(N), r, p                   scrypt parameters, one byte each (15, 8, 1)
    nonce prefix                    7 random bytes
    chunks: length (4 bytes) + AES-GCM ciphertext and tag of up to 64 KiB of plaintext

The nonce of chunk *i* is prefix ‖ i (4 bytes) ‖ last-chunk flag (1 byte); the header is the
associated data of every chunk. A reordered, truncated or altered file, or a wrong password,
fails authentication instead of yielding wrong data. Memory stays at one chunk whatever the size.
"""

from __future__ import annotations

import os
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"ONRMSEAL1\n"
CHUNK = 64 * 1024
_LOG2_N, _R, _P = 15, 8, 1


class SealError(ValueError):
    """Wrong password, or a file that is not an intact sealed export."""


def _key(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**log2_n, r=r, p=p).derive(password.encode())


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def seal(source: BinaryIO, target: BinaryIO, password: str) -> None:
    """Encrypt ``source`` into ``target`` under ``password``."""
    salt, prefix = os.urandom(16), os.urandom(7)
    header = MAGIC + salt + bytes([_LOG2_N, _R, _P]) + prefix
    aead = AESGCM(_key(password, salt, _LOG2_N, _R, _P))
    target.write(header)
    index = 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        sealed = aead.encrypt(_nonce(prefix, index, last), chunk, header)
        target.write(len(sealed).to_bytes(4, "big") + sealed)
        if last:
            return
        chunk, index = following, index + 1


def unseal(source: BinaryIO, target: BinaryIO, password: str) -> None:
    """Decrypt a sealed ``source`` into ``target``; raise :class:`SealError` if it is not intact
    or the password is wrong."""
    header = source.read(len(MAGIC) + 16 + 3 + 7)
    if len(header) != len(MAGIC) + 26 or not header.startswith(MAGIC):
        raise SealError("This is not a sealed OpenNRM export.")
    salt = header[len(MAGIC) : len(MAGIC) + 16]
    log2_n, r, p = header[len(MAGIC) + 16 : len(MAGIC) + 19]
    prefix = header[len(MAGIC) + 19 :]
    aead = AESGCM(_key(password, salt, log2_n, r, p))
    index = 0
    length = source.read(4)
    while length:
        sealed = source.read(int.from_bytes(length, "big"))
        following = source.read(4)
        try:
            target.write(aead.decrypt(_nonce(prefix, index, not following), sealed, header))
        except InvalidTag as exc:
            raise SealError("Wrong password, or the file was altered or cut short.") from exc
        length, index = following, index + 1
    if index == 0:
        raise SealError("Wrong password, or the file was altered or cut short.")
