"""Level keys and how they reach accounts.

There is one random key per classification level (and per version: rotation
adds a version).  A level key is never stored as such: it exists only wrapped —
sealed to an account's X25519 public key — one row per account, level and
version.  Holding the wrapped copies for every level up to L *is* a clearance
of L, so clearance is enforced by cryptography, not by a flag.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, replace

from . import crypto
from .audit import now_utc
from .errors import PermissionDenied
from .levels import Level

__all__ = [
    "LevelKey",
    "create_level_keys",
    "create_next_version",
    "grant_digest_name",
    "grant_level_key",
    "level_key_for",
    "unwrap_level_keys",
]


@dataclass(frozen=True)
class LevelKey:
    """A level key in memory, with the version it belongs to."""

    level: Level
    version: int
    key: bytes = b""
    previous: tuple[LevelKey, ...] = ()
    """Older versions still granted while a rotation is unfinished: what is still sealed under them opens."""

    def __repr__(self) -> str:  # never show key material in a traceback
        return f"LevelKey({self.level.label}, v{self.version})"

    @property
    def versions(self) -> tuple[LevelKey, ...]:
        """This key, then the older versions it carries."""
        return (self, *self.previous)

    def at(self, version: int) -> LevelKey | None:
        """This level's key of ``version``: this one, an older one still carried, or None."""
        return next((key for key in self.versions if key.version == version), None)

    def older(self, version: int) -> LevelKey:
        """The older ``version`` this key carries, to move what is still sealed under it to this one."""
        key = self.at(version)
        if key is None:
            raise PermissionDenied(f"您不持有{self.level.label}级密钥第 {version} 版，无法把以它封装的内容转到第 {self.version} 版")
        return key


def level_key_for(level_keys: Mapping[Level, LevelKey], level: Level, version: int) -> LevelKey | None:
    """The key that opens what was sealed under ``level`` at ``version``, if ``level_keys`` hold it."""
    level_key = level_keys.get(level)
    return level_key.at(version) if level_key is not None else None


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


def create_next_version(conn: sqlite3.Connection, current: LevelKey) -> LevelKey:
    """A fresh key one version above ``current``, carrying the versions it replaces.

    The caller has checked that ``current`` is the level's newest version, and
    wraps the new one to every account cleared for the level in the same
    transaction: from its commit on, it is the level's current key.
    """
    version = current.version + 1
    conn.execute("INSERT INTO level_keys (level, version, created_at) VALUES (?, ?, ?)",
                 (current.level.value, version, now_utc()))
    return LevelKey(current.level, version, crypto.random_key(), (current, *current.previous))


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
    """Every current level key wrapped to this account, opened with its private key.

    While a rotation is unfinished the account also holds the older version
    (:mod:`archive.rotation`); it comes along as ``previous`` of the current key,
    so what is not yet re-wrapped stays readable, and nothing new is sealed under it.
    """
    rows = conn.execute(
        "SELECT g.level, g.version, g.wrapped, (SELECT MAX(version) FROM level_keys k WHERE k.level = g.level) "
        "FROM level_key_grants g WHERE g.account_id = ? ORDER BY g.level, g.version DESC",
        (account_id,),
    ).fetchall()
    current: dict[Level, LevelKey] = {}
    older: dict[Level, list[LevelKey]] = {}
    for level_value, version, wrapped, latest in rows:
        level = Level(level_value)
        key = LevelKey(level, version, crypto.open_box(
            box_private, wrapped, _associated(archive_id, account_id, level, version), f"{level.label}级密钥封装"
        ))
        if version == latest:
            current[level] = key
        else:
            older.setdefault(level, []).append(key)
    return {level: replace(key, previous=tuple(older.get(level, ()))) for level, key in current.items()}
