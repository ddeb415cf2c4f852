"""The record file format: content in authenticated chunks under the record's own key.

A record file is a 16-byte header followed by chunks of at most ``CHUNK_SIZE``
plaintext bytes, each sealed with AES-256-GCM.  The nonce is the chunk number;
the associated data binds the header, the record id, the chunk number and a
flag marking the last chunk.  So a chunk moved within a file, a chunk or file
swapped between records, and a file cut short at a chunk boundary all fail to
authenticate.  Every record key is fresh and random, which is what makes a
counter nonce safe.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import crypto
from .errors import IntegrityError
from .files import create_private, fsync_directory

__all__ = ["CHUNK_SIZE", "MAGIC", "BlobDigest", "decrypt_record", "encrypt_record", "read_record_chunks"]

MAGIC = b"XFREC\x00\x01\x00"  # name, format version 1, reserved
CHUNK_SIZE = 256 * 1024
_HEADER = struct.Struct(">8sII")  # magic, chunk size, reserved (zero)


@dataclass(frozen=True)
class BlobDigest:
    """What encrypting a record produced: plaintext size, ciphertext SHA-256, plaintext HMAC."""

    size: int
    sha256: str
    content_mac: str


def _nonce(index: int) -> bytes:
    return index.to_bytes(12, "big")


def _associated(header: bytes, record_id: str, index: int, last: bool) -> bytes:
    return header + record_id.encode() + struct.pack(">QB", index, 1 if last else 0)


def encrypt_record(
    source: BinaryIO,
    destination: Path,
    record_id: str,
    record_key: bytes,
    progress: Callable[[int], None] | None = None,
) -> BlobDigest:
    """Stream ``source`` into ``destination`` encrypted; the file appears whole or not at all."""
    content_key = crypto.derive_subkey(record_key, "record content")
    mac = hmac.new(crypto.derive_subkey(record_key, "record mac"), digestmod=hashlib.sha256)
    aead = AESGCM(content_key)
    header = _HEADER.pack(MAGIC, CHUNK_SIZE, 0)
    sha = hashlib.sha256(header)
    temp = destination.with_name(f".{destination.name}.tmp-{os.getpid()}")
    size = 0
    try:
        with create_private(temp) as out:
            out.write(header)
            index = 0
            chunk = source.read(CHUNK_SIZE)
            while True:
                following = source.read(CHUNK_SIZE) if len(chunk) == CHUNK_SIZE else b""
                last = not following
                mac.update(chunk)
                sealed = aead.encrypt(_nonce(index), chunk, _associated(header, record_id, index, last))
                out.write(sealed)
                sha.update(sealed)
                size += len(chunk)
                if progress is not None:
                    progress(len(chunk))
                if last:
                    break
                chunk, index = following, index + 1
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, destination)
    finally:
        temp.unlink(missing_ok=True)
    fsync_directory(destination.parent)
    return BlobDigest(size, sha.hexdigest(), mac.hexdigest())


def read_record_chunks(path: Path, record_id: str, record_key: bytes) -> Iterator[bytes]:
    """Yield the plaintext chunk by chunk, raising IntegrityError at the first failure."""
    aead = AESGCM(crypto.derive_subkey(record_key, "record content"))
    try:
        handle = open(path, "rb")
    except FileNotFoundError as exc:
        raise IntegrityError(f"记录 {record_id} 的文件缺失") from exc
    with handle:
        header = handle.read(_HEADER.size)
        if len(header) != _HEADER.size:
            raise IntegrityError(f"记录 {record_id} 的文件头不完整")
        magic, chunk_size, reserved = _HEADER.unpack(header)
        if magic != MAGIC or reserved != 0 or not 0 < chunk_size <= 64 * 1024 * 1024:
            raise IntegrityError(f"记录 {record_id} 的文件格式未知或文件头被篡改")
        step = chunk_size + crypto.TAG_SIZE
        index = 0
        sealed = handle.read(step)
        while True:
            following = handle.read(step) if len(sealed) == step else b""
            last = not following
            try:
                yield aead.decrypt(_nonce(index), sealed, _associated(header, record_id, index, last))
            except InvalidTag as exc:
                hint = "（文件被截断）" if last else ""
                raise IntegrityError(f"记录 {record_id} 的第 {index + 1} 块未通过认证{hint}：被篡改、截断或替换") from exc
            if last:
                return
            sealed, index = following, index + 1


def decrypt_record(path: Path, record_id: str, record_key: bytes, content_mac: str) -> bytes:
    """The whole plaintext, checked against the recorded keyed digest."""
    data = b"".join(read_record_chunks(path, record_id, record_key))
    expected = crypto.keyed_digest(crypto.derive_subkey(record_key, "record mac"), data)
    if not hmac.compare_digest(expected, content_mac):
        raise IntegrityError(f"记录 {record_id} 的内容摘要与目录不符")
    return data
