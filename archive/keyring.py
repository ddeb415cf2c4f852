"""Level keys and how they reach accounts.

There is one random key per classification level (and per version: rotation
adds a version).  A level key is never stored as such: it exists only wrapped —
sealed to an account's X25519 public key — one row per account, level and
version.  Holding the wrapped copies for every level up to L *is* a clearance
of L, so clearance is enforced by cryptography, not by a flag.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from . import crypto
from .audit import now_utc
from .levels import Level

__all__ = ["LevelKey", "create_level_keys", "grant_level_key", "grant_digest_name", "unwrap_level_keys"]


@dataclass(frozen=True)
class LevelKey:
    """A level key in memory, with the version it belongs to."""

    level: Level
    version: int
    key: bytes = b""

    def __repr__(self) -> str:  # never show key material in a traceback
        return f"LevelKey({self.level.label}, v{self.version})"


def _associated(archive_id: str, account_id: int, level: Level, version: int) -> bytes:
    return f"xinfang level key|{archive_id}|{account_id}|{level.value}|{version}".encode()


def grant_digest_name(account_id: int, level: Level, version: int) -> str:
    """The object name under which the audit log records a wrapped level key's digest."""
    return f"grant:{account_id}:{level.value}:{version}"


def create_level_keys(conn: sqlite3.Connection) -> dict[Level, LevelKey]:
    """Fresh version-1 keys for every level; the caller wraps them before committing."""
    created = now_utc()
    keys = {}
    for level in Level:
        conn.execute("INSERT INTO level_keys (level, version, created_at) VALUES (?, 1, ?)", (level.value, created))
        keys[level] = LevelKey(level, 1, crypto.random_key())
    return keys


def grant_level_key(
    conn: sqlite3.Connection, archive_id: str, account_id: int, box_public: bytes, level_key: LevelKey, granted_by: str
) -> str:
    """Wrap ``level_key`` to an account; returns the SHA-256 of the wrapped copy for the audit log."""
    wrapped = crypto.seal_box(
        box_public, level_key.key, _associated(archive_id, account_id, level_key.level, level_key.version)
    )
    conn.execute(
        "INSERT OR REPLACE INTO level_key_grants (account_id, level, version, wrapped, granted_by, granted_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (account_id, level_key.level.value, level_key.version, wrapped, granted_by, now_utc()),
    )
    return crypto.sha256_hex(wrapped)


def unwrap_level_keys(
    conn: sqlite3.Connection, archive_id: str, account_id: int, box_private: bytes
) -> dict[Level, LevelKey]:
    """Every current level key wrapped to this account, opened with its private key."""
    rows = conn.execute(
        "SELECT g.level, g.version, g.wrapped FROM level_key_grants g "
        "WHERE g.account_id = ? AND g.version = (SELECT MAX(version) FROM level_keys k WHERE k.level = g.level)",
        (account_id,),
    ).fetchall()
    keys = {}
    for level_value, version, wrapped in rows:
        level = Level(level_value)
        key = crypto.open_box(
            box_private, wrapped, _associated(archive_id, account_id, level, version), f"{level.label}级密钥封装"
        )
        keys[level] = LevelKey(level, version, key)
    return keys
