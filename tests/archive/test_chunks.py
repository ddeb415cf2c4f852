from __future__ import annotations

import io
from pathlib import Path

import pytest

from archive import crypto
from archive.chunks import CHUNK_SIZE, decrypt_record, encrypt_record
from archive.errors import IntegrityError

HEADER = 16
SEALED_CHUNK = CHUNK_SIZE + crypto.TAG_SIZE


def _encrypt(tmp_path: Path, data: bytes, record_id: str = "R-2026-000001", key: bytes | None = None):
    key = key or crypto.random_key()
    path = tmp_path / f"{record_id}.xfr"
    digest = encrypt_record(io.BytesIO(data), path, record_id, key)
    return path, key, digest


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 7])
def test_content_round_trips_at_chunk_edges(tmp_path: Path, size: int) -> None:
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    path, key, digest = _encrypt(tmp_path, data)
    assert digest.size == size
    assert digest.sha256 == crypto.sha256_file(path)
    assert decrypt_record(path, "R-2026-000001", key, digest.content_mac) == data


def test_the_file_does_not_contain_the_plaintext(tmp_path: Path) -> None:
    data = "举报内容：某局长收受礼金".encode() * 100
    path, _, _ = _encrypt(tmp_path, data)
    assert "某局长".encode() not in path.read_bytes()


def test_a_file_cut_at_a_chunk_boundary_is_detected(tmp_path: Path) -> None:
    path, key, digest = _encrypt(tmp_path, b"x" * (2 * CHUNK_SIZE + 10))
    path.write_bytes(path.read_bytes()[: HEADER + 2 * SEALED_CHUNK])
    with pytest.raises(IntegrityError, match="截断"):
        decrypt_record(path, "R-2026-000001", key, digest.content_mac)


def test_reordered_chunks_are_detected(tmp_path: Path) -> None:
    path, key, digest = _encrypt(tmp_path, b"a" * CHUNK_SIZE + b"b" * CHUNK_SIZE + b"c")
    raw = path.read_bytes()
    first, second = raw[HEADER : HEADER + SEALED_CHUNK], raw[HEADER + SEALED_CHUNK : HEADER + 2 * SEALED_CHUNK]
    path.write_bytes(raw[:HEADER] + second + first + raw[HEADER + 2 * SEALED_CHUNK :])
    with pytest.raises(IntegrityError, match="第 1 块"):
        decrypt_record(path, "R-2026-000001", key, digest.content_mac)


def test_a_file_moved_to_another_record_id_fails_even_with_the_right_key(tmp_path: Path) -> None:
    path, key, digest = _encrypt(tmp_path, b"content")
    with pytest.raises(IntegrityError):
        decrypt_record(path, "R-2026-000002", key, digest.content_mac)


def test_a_flipped_byte_anywhere_is_detected(tmp_path: Path) -> None:
    path, key, digest = _encrypt(tmp_path, b"y" * (CHUNK_SIZE + 100))
    raw = path.read_bytes()
    for offset in (3, HEADER + 5, len(raw) - 1):
        damaged = bytearray(raw)
        damaged[offset] ^= 0x01
        path.write_bytes(bytes(damaged))
        with pytest.raises(IntegrityError):
            decrypt_record(path, "R-2026-000001", key, digest.content_mac)


def test_a_missing_file_is_reported_by_record_id(tmp_path: Path) -> None:
    with pytest.raises(IntegrityError, match="R-2026-000009"):
        decrypt_record(tmp_path / "absent.xfr", "R-2026-000009", crypto.random_key(), "")
