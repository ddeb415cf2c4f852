"""Rotating level keys: a new version of a level's key, everything under the old one moved to it, the old one gone.

Whoever once held a level key may have kept a copy: an account disabled, a
clearance lowered (both mark the level's rotation due), a recovery sheet lost.
Rotation makes that copy useless for what the archive holds: the security
officer (安全保密管理员) makes a new version, wraps it to every account cleared
for the level, moves everything sealed under the old version to it and deletes
the old version's grants.  Record and case keys are re-wrapped, not changed, so
no content is re-encrypted.

The steps, in order (FORMAT.md, "Write order"):

1. **Start**, one transaction: per level, a new version, wrapped to every active
   account holding the level.  From its commit the new version is current, so
   everything filed from then on is sealed under it, and the cleared accounts
   hold both versions: whatever is not yet moved still opens.
2. **Move**, in transactions of :data:`BATCH` objects, each with its log entry:
   record keys, case keys and 清册 lists (their rows say their version); the
   texts that do not say it - access requests' reasons and denials, destruction
   notes and rejections, the sealed details of search entries - move when an
   older version opens them.
3. **Index**: the level's search index is rebuilt under the new key by the
   caller's ``rebuild_index`` (the archive does not import the search package).
4. **Finish**, one transaction: nothing may be left under an old version, else
   step 2 runs again; the old versions' grants are deleted and their
   ``rotation_due`` cleared.  Then the WAL is checkpointed with ``TRUNCATE``, so
   with ``secure_delete`` no old wrapped key is left in the folder.

Killed anywhere, the archive stays readable by every cleared account, and
running the rotation again finishes it: a level whose old version is still
granted is one whose rotation is unfinished, and each step picks up only what is
still under an old version.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .access import reseal_request_texts
from .accounts import Session
from .audit import SEARCH_ACTION, now_utc, reseal_details
from .cases import rewrap_case_key
from .destruction import reseal_batch_texts
from .destruction_register import reseal_register
from .errors import PermissionDenied, Refused
from .folder import Archive
from .keyring import LevelKey, create_next_version, grant_digest_name, grant_level_key
from .levels import Level
from .records import rewrap_record_key
from .recovery import latest_set_outdated
from .roles import Role, require_role

__all__ = ["BATCH", "IndexRebuilder", "RotatedLevel", "Rotation", "rotate_level_keys"]

BATCH = 200
"""Objects moved per transaction and log entry: short enough not to hold the write lock long."""

IndexRebuilder = Callable[[Session, Level], object]
"""Rebuilds one level's search index with the session's keys: the front door passes :func:`search.indexing.reindex`."""

Moved = Mapping[str, Mapping[str, str]] | None
"""What moving one object gives: the digests the log keeps of it, or None when it was already under the new version."""


@dataclass(frozen=True)
class _Column:
    """Objects sealed under a level key, and how one of them moves to the new version.

    ``where`` picks the candidates with the parameters ``:level`` and, inlined,
    ``{versions}`` (the old versions); ``versioned`` columns say their version,
    so the finish can check that none is left.
    """

    name: str
    table: str
    key: str
    where: str
    move: Callable[[sqlite3.Connection, Any, LevelKey], Moved]
    versioned: bool


def _details(conn: sqlite3.Connection, seq: int, level_key: LevelKey) -> Moved:
    return {} if reseal_details(conn, seq, [key.key for key in level_key.versions]) else None


_COLUMNS = (
    _Column("records", "records", "record_id",
            "level = :level AND key_version IN ({versions}) AND length(wrapped_key) > 0", rewrap_record_key, True),
    _Column("cases", "cases", "case_id",
            "level = :level AND key_version IN ({versions}) AND length(wrapped_key) > 0", rewrap_case_key, True),
    _Column("registers", "destruction_registers", "batch_id",
            "level = :level AND key_version IN ({versions})", reseal_register, True),
    _Column("requests", "access_requests", "request_id", "reason_level = :level", reseal_request_texts, False),
    _Column("batches", "destruction_batches", "batch_id",
            "sealed_note IS NOT NULL OR sealed_rejection IS NOT NULL", reseal_batch_texts, False),
    # search/searching.py seals a query under the searcher's highest level key (FORMAT.md, "The audit log")
    _Column("search_details", "audit_entries", "seq",
            f"sealed_details IS NOT NULL AND json_extract(body, '$.action') = '{SEARCH_ACTION}'", _details, False),
)


@dataclass(frozen=True)
class RotatedLevel:
    """One level's rotation: its new version, whether an interrupted run was finished, and what this run moved."""

    level: Level
    version: int
    resumed: bool
    accounts: int
    moved: Mapping[str, int]

    @property
    def records(self) -> int:
        """Record keys re-wrapped."""
        return self.moved.get("records", 0)

    @property
    def cases(self) -> int:
        """Case keys re-wrapped."""
        return self.moved.get("cases", 0)

    @property
    def resealed(self) -> int:
        """Other texts sealed anew: 清册 lists, request reasons, destruction notes, search details."""
        return sum(self.moved.values()) - self.records - self.cases


@dataclass(frozen=True)
class Rotation:
    """What :func:`rotate_level_keys` did, and what is left to do."""

    levels: tuple[RotatedLevel, ...]
    grants_removed: int
    outdated_recovery: tuple[int, tuple[Level, ...]] | None
    """The latest set of recovery sheets and the levels it no longer recovers: a new set is due."""
    still_due: tuple[Level, ...]
    """Levels still marked for rotation: not held by this officer, or the new version went to someone disabled since."""
    wal_truncated: bool
    """False when another process was reading: old pages may stay in the WAL until its next checkpoint."""


def rotate_level_keys(
    archive: Archive,
    session: Session,
    levels: Sequence[Level] | None = None,
    *,
    rebuild_index: IndexRebuilder,
    progress: Callable[[int, int], None] | None = None,
) -> Rotation:
    """Rotate the keys of ``levels`` (default: every level the officer holds), or finish an interrupted rotation.

    ``progress(done, total)`` follows the objects moved; ``rebuild_index`` is
    called once per level whose index is not yet under the new version.
    """
    require_role(session.roles, {Role.SECURITY_OFFICER}, "轮换密级密钥")
    chosen = sorted(session.level_keys) if levels is None else sorted(set(levels))
    if not chosen:
        raise Refused("您本人不持有任何密级密钥，无法轮换")
    for level in chosen:
        if level not in session.level_keys:
            raise PermissionDenied(f"您本人不持有{level.label}级密钥，不能轮换")
    keys, resumed, accounts = _start(archive, session, chosen)
    rotated = replace(session, level_keys={**session.level_keys, **keys})
    moved: dict[Level, Counter[str]] = {level: Counter() for level in chosen}
    _move(archive, rotated, keys, moved, progress)
    for level, key in keys.items():
        row = archive.conn.execute("SELECT key_version FROM search_indexes WHERE level = ?", (level.value,)).fetchone()
        if row is None or row[0] != key.version:
            rebuild_index(rotated, level)
    summary = [RotatedLevel(level, keys[level].version, level in resumed, accounts[level], moved[level])
               for level in chosen]
    removed = _finish(archive, rotated, summary)
    while removed is None:  # something was filed under an old version meanwhile, by a session older than the start
        _move(archive, rotated, keys, moved, progress)
        removed = _finish(archive, rotated, summary)
    (busy, _, _) = archive.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    still_due = tuple(Level(value) for (value,) in archive.conn.execute(
        "SELECT DISTINCT level FROM level_keys WHERE rotation_due IS NOT NULL ORDER BY level"))
    return Rotation(tuple(summary), removed, latest_set_outdated(archive.conn), still_due, not busy)


def _start(archive: Archive, session: Session, levels: Sequence[Level]
           ) -> tuple[dict[Level, LevelKey], set[Level], dict[Level, int]]:
    """A new version per level (unless one is already being rotated to), wrapped to every cleared account."""
    conn = archive.conn
    keys: dict[Level, LevelKey] = {}
    resumed: set[Level] = set()
    accounts: dict[Level, int] = {}
    with archive.act(session) as act:
        digests: dict[str, dict[str, str]] = {}
        wrapped_to: set[int] = set()
        for level in levels:
            current = session.level_keys[level]
            (latest,) = conn.execute("SELECT MAX(version) FROM level_keys WHERE level = ?", (level.value,)).fetchone()
            if latest != current.version:  # checked under the write lock: another rotation began since login
                raise Refused(f"{level.label}级密钥刚由另一进程轮换到第 {latest} 版：请重新运行 xinfang keys rotate")
            unfinished = [version for (version,) in conn.execute(
                "SELECT DISTINCT version FROM level_key_grants WHERE level = ? AND version < ?", (level.value, current.version)
            )]
            if unfinished:
                lacking = [version for version in unfinished if current.at(version) is None]
                if lacking:  # finishing without it would delete the last grants of a version objects are still under
                    raise Refused(f"您不持有{level.label}级密钥第 {lacking[0]} 版，不能续完这次轮换："
                                  "请由同时持有新旧两个版本的安全保密管理员运行 xinfang keys rotate")
                keys[level] = current
                resumed.add(level)
            else:
                keys[level] = create_next_version(conn, current)
                conn.execute(
                    "UPDATE level_keys SET rotation_due = COALESCE(rotation_due, ?) WHERE level = ? AND version < ?",
                    (f"{now_utc()} 轮换到第 {keys[level].version} 版未完成：请再次运行 xinfang keys rotate",
                     level.value, keys[level].version),
                )
            cleared = conn.execute(
                "SELECT DISTINCT a.account_id, a.box_public FROM accounts a JOIN level_key_grants g USING (account_id) "
                "WHERE a.status = 'active' AND g.level = ? AND a.account_id NOT IN "
                "(SELECT account_id FROM level_key_grants WHERE level = ? AND version = ?) ORDER BY a.account_id",
                (level.value, level.value, keys[level].version),
            ).fetchall()
            for account_id, box_public in cleared:
                digests[grant_digest_name(account_id, level, keys[level].version)] = {"wrapped": grant_level_key(
                    conn, archive.config.archive_id, account_id, box_public, keys[level], session.account.name)}
                wrapped_to.add(account_id)
            (accounts[level],) = conn.execute("SELECT COUNT(*) FROM level_key_grants WHERE level = ? AND version = ?",
                                              (level.value, keys[level].version)).fetchone()
        act.log(
            "keys.rotate.start",
            [f"account:{account_id}" for account_id in sorted(wrapped_to)],
            digests=digests,
            info={"levels": [level.label for level in levels],
                  "versions": {level.label: key.version for level, key in keys.items()},
                  "resumed": [level.label for level in sorted(resumed)],
                  "accounts": {level.label: count for level, count in accounts.items()}},
        )
    return keys, resumed, accounts


def _candidates(column: _Column, key: LevelKey) -> str:
    versions = ",".join(str(older.version) for older in key.previous) or "NULL"
    return f"FROM {column.table} WHERE ({column.where.format(versions=versions)})"


def _move(archive: Archive, session: Session, keys: Mapping[Level, LevelKey], moved: dict[Level, Counter[str]],
          progress: Callable[[int, int], None] | None) -> None:
    """Move every column's objects of every level still under an old version, :data:`BATCH` per logged transaction."""
    conn = archive.conn
    total = sum(conn.execute(f"SELECT COUNT(*) {_candidates(column, key)}", {"level": level.value}).fetchone()[0]
                for level, key in keys.items() for column in _COLUMNS)
    done = 0
    for level, key in keys.items():
        for column in _COLUMNS:
            query = (f"SELECT {column.key} {_candidates(column, key)} AND (:after IS NULL OR {column.key} > :after) "
                     f"ORDER BY {column.key} LIMIT {BATCH}")
            after = None
            while True:
                with archive.act(session) as act:
                    ids = [row[0] for row in conn.execute(query, {"level": level.value, "after": after})]
                    digests: dict[str, Mapping[str, str]] = {}
                    count = 0
                    for object_id in ids:
                        result = column.move(conn, object_id, key)
                        if result is not None:
                            digests.update(result)
                            count += 1
                    if count:
                        act.log("keys.rotate.rewrap", list(digests), digests=digests,
                                info={"level": level.label, "version": key.version, column.name: count})
                moved[level][column.name] += count
                done += len(ids)
                if progress is not None:
                    progress(done, total)
                if len(ids) < BATCH:
                    break
                after = ids[-1]


def _finish(archive: Archive, session: Session, summary: Sequence[RotatedLevel]) -> int | None:
    """Delete the old versions' grants, unless something is still under an old version (then None)."""
    conn = archive.conn
    removed = 0
    with archive.act(session) as act:
        for rotated in summary:
            key = session.level_keys[rotated.level]
            for column in _COLUMNS:
                if column.versioned and conn.execute(
                    f"SELECT 1 {_candidates(column, key)} LIMIT 1", {"level": rotated.level.value}
                ).fetchone():
                    return None
        for rotated in summary:
            removed += conn.execute("DELETE FROM level_key_grants WHERE level = ? AND version < ?",
                                    (rotated.level.value, rotated.version)).rowcount
            conn.execute("UPDATE level_keys SET rotation_due = NULL WHERE level = ? AND version < ?",
                         (rotated.level.value, rotated.version))
        act.log("keys.rotate", info={
            "levels": [rotated.level.label for rotated in summary],
            "versions": {rotated.level.label: rotated.version for rotated in summary},
            "resumed": [rotated.level.label for rotated in summary if rotated.resumed],
            "accounts": {rotated.level.label: rotated.accounts for rotated in summary},
            "moved": {rotated.level.label: dict(rotated.moved) for rotated in summary},
            "grants_removed": removed,
        })
    return removed
