"""The backup container alone (no database): it round-trips, and it refuses a wrong key and every
kind of damage with a message that says which."""

from __future__ import annotations

import base64
import io
import os

import pytest

from opennrm.lifecycle import container

KEY = os.urandom(32)
PAYLOAD = [os.urandom(700_000), b"tail", os.urandom(1_500_000)]


def _written(manifest: dict[str, object] | None = None) -> bytes:
    out = io.BytesIO()
    container.write(
        out,
        KEY,
        iter(PAYLOAD),
        header={"vendor": "sqlite"},
        manifest_after=lambda: manifest or {"tables": {"t": 3}},
    )
    return out.getvalue()


def _read(data: bytes, key: bytes = KEY) -> tuple[bytes, dict[str, object]]:
    reader = container.Reader(io.BytesIO(data), key)
    body = b"".join(reader.chunks())
    return body, reader.trailer


def test_it_round_trips_the_payload_and_the_manifest() -> None:
    body, trailer = _read(_written({"audit_head": {"seq": 4, "hash": "ab"}}))
    assert body == b"".join(PAYLOAD)
    assert trailer["manifest"] == {"audit_head": {"seq": 4, "hash": "ab"}}
    assert trailer["chunks"] == 3  # 1 MiB chunks over 2.2 MB


def test_the_manifest_and_the_payload_are_not_in_clear() -> None:
    data = _written({"audit_head": {"seq": 4, "hash": "secret-head-hash"}})
    assert b"secret-head-hash" not in data
    assert PAYLOAD[1] + PAYLOAD[2][:16] not in data


def test_it_refuses_a_wrong_key_before_reading_anything() -> None:
    with pytest.raises(container.WrongKeyError, match="does not match the key"):
        _read(_written(), key=os.urandom(32))


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (lambda n: n // 2, "damaged or out of place"),  # a payload byte
        (lambda n: n - 5, "damaged or out of place"),  # the trailer
        (lambda n: 40, "header"),  # the clear header is authenticated too
    ],
)
def test_it_refuses_a_flipped_byte(where, expected: str) -> None:  # type: ignore[no-untyped-def]
    data = bytearray(_written())
    data[where(len(data))] ^= 0x01
    with pytest.raises(container.BackupError, match=expected):
        _read(bytes(data))


def test_it_refuses_a_file_cut_at_a_chunk_boundary() -> None:
    data = _written()
    # Drop the trailer chunk exactly: every remaining chunk authenticates, the end is missing.
    reader_data = io.BytesIO(data)
    container.read_header(reader_data)
    offsets = []
    while True:
        offsets.append(reader_data.tell())
        head = reader_data.read(4)
        if not head:
            break
        reader_data.seek(int.from_bytes(head, "big"), 1)
    cut = data[: offsets[-2]]
    with pytest.raises(container.DamagedBackupError, match="last chunk is missing"):
        _read(cut)


def test_it_refuses_data_after_the_last_chunk() -> None:
    with pytest.raises(container.DamagedBackupError, match="after its last chunk"):
        _read(_written() + b"x")


def test_it_refuses_a_file_that_is_not_a_backup() -> None:
    with pytest.raises(container.DamagedBackupError, match="not an OpenNRM backup"):
        _read(b"SQLite format 3\x00" + b"\x00" * 100)


def test_a_key_must_be_32_bytes_of_base64() -> None:
    assert container.parse_key(base64.b64encode(KEY).decode() + "\n") == KEY
    with pytest.raises(container.BackupError, match="32 bytes"):
        container.parse_key(base64.b64encode(b"short").decode())
    with pytest.raises(container.BackupError, match="not valid base64"):
        container.parse_key("not base64!")
