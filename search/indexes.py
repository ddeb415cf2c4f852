"""The per-level search indexes in the archive folder: where they live, what they hold, how they open.

One whoosh index per classification level, under ``index/L<level>/``, every file
sealed by :class:`~search.storage.EncryptedStorage` under a key derived from that
level's key.  Whoever holds a level key can open that level's index and no other,
so clearance decides which indexes a search reads, cryptographically, exactly as
it decides which records can be decrypted.

A record's entry goes into the index of the higher of its own level and its
case's level: the entry carries the case's parties, and a name from a 机密 case
must not sit in a 秘密 index where a 秘密-cleared user holds the key.

The catalogue keeps, per level, the key version the index was built with and
the generation (whoosh's table-of-contents number) of its latest commit.  An
index folder older than that generation has been rolled back - restored from an
old copy, say, to hide what was indexed since - and is refused as corrupted,
like a tampered file.  A newer one is what a crash between whoosh's commit and
the catalogue's leaves behind, and is accepted.  While a key rotation is
unfinished the index may still be under the older key version, which every
cleared account then holds too: it is read and written under that one until the
rotation rebuilds it (:mod:`archive.rotation`).
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh.fields import DATETIME, ID, KEYWORD, Schema
from whoosh.index import FileIndex
from whoosh.util.filelock import try_for
from whoosh.writing import SegmentWriter

from archive import Archive, Level, crypto
from archive.audit import now_utc
from archive.folder import INDEX_DIR, INDEX_WRITE_LOCK
from archive.index_queue import queued_records
from archive.keyring import LevelKey

from .analysis import chinese_text_field
from .errors import IndexBusy, IndexCorrupted
from .storage import EncryptedStorage

__all__ = ["SCHEMA", "LevelIndex", "index_level", "index_levels_of", "pending_count", "record_and_case_levels"]

WRITER_WAIT = 30.0
"""Seconds a second writer waits for the first before giving up with a clear message."""
WRITER_MEMORY_MB = 128
"""whoosh's posting pool size per writer: the memory bound of a bulk rebuild."""

SCHEMA = Schema(
    record_id=ID(stored=True, unique=True),
    archival_code=ID(stored=True),
    case_id=ID(stored=True),
    kind=ID(stored=True),
    channel=ID,
    category=ID,
    importance=ID,
    discipline=KEYWORD(commas=True),
    date=DATETIME(stored=True),
    title=chinese_text_field(stored=True),
    text=chinese_text_field(stored=True),
    parties=chinese_text_field(),
    unit=chinese_text_field(),
)


def index_level(record_level: Level, case_level: Level) -> Level:
    """The level whose index holds a record's entry: its own, or its case's if that is higher."""
    return max(record_level, case_level)


class LevelIndex:
    """One level's index, opened with that level's key."""

    def __init__(self, archive: Archive, level_key: LevelKey, *, folder: Path | None = None) -> None:
        self.archive = archive
        self.level = level_key.level
        self.level_key = level_key
        self.folder = folder or archive.root / INDEX_DIR / f"L{self.level.value}"
        self._use(level_key)

    def _use(self, level_key: LevelKey) -> None:
        self.key_version = level_key.version
        self.storage = EncryptedStorage(self.folder, crypto.derive_subkey(level_key.key, "search index"))

    @property
    def label(self) -> str:
        """How messages name this index."""
        return f"{self.level.label}级检索索引"

    def _recorded(self) -> tuple[int, int] | None:
        row = self.archive.conn.execute(
            "SELECT key_version, generation FROM search_indexes WHERE level = ?", (self.level.value,)
        ).fetchone()
        return (int(row[0]), int(row[1])) if row else None

    def open(self) -> FileIndex | None:
        """The index as of its latest commit, or None when nothing was ever indexed at this level.

        Raises IndexCorrupted when a file fails authentication, when the index is
        missing or older than the catalogue says, or was built under an older key.
        """
        recorded = self._recorded()
        built_with = self.level_key.at(recorded[0]) if recorded is not None else None
        if built_with is not None and built_with is not self.level_key:
            self._use(built_with)  # a rotation not yet finished: read and write under the old version until rebuilt
        exists = self.folder.is_dir() and self.storage.index_exists()
        if not exists:
            if recorded is not None:
                raise IndexCorrupted(f"{self.label}缺失（被删除或移走）；请运行 xinfang search reindex 重建")
            return None
        if recorded is not None and recorded[0] != self.key_version:
            raise IndexCorrupted(f"{self.label}是用旧的{self.level.label}级密钥建立的；请运行 xinfang search reindex 重建")
        index = self.storage.open_index(schema=SCHEMA)
        if recorded is not None and index.latest_generation() < recorded[1]:
            raise IndexCorrupted(
                f"{self.label}比目录记录的版本旧（被回滚或换成了旧副本）；请运行 xinfang search reindex 重建"
            )
        return index

    def open_or_create(self) -> FileIndex:
        """The index, created empty if this level has none yet."""
        index = self.open()
        if index is None:
            self.storage.create()
            index = self.storage.create_index(SCHEMA)
        return index

    @contextmanager
    def write_lock(self, *, wait: float | None = None) -> Iterator[None]:
        """Hold this index's write lock: for one writer's commit, or a whole rebuild and swap."""
        wait = WRITER_WAIT if wait is None else wait
        self.storage.create()
        lock = self.storage.lock(INDEX_WRITE_LOCK)
        if not try_for(lock.acquire, wait, 0.25):
            raise IndexBusy(f"另一进程正在更新{self.label}，等待 {wait:g} 秒后仍未结束；请稍后重试")
        try:
            yield
        finally:
            lock.release()

    @contextmanager
    def writer(self, index: FileIndex, *, wait: float | None = None) -> Iterator[SegmentWriter]:
        """The one writer of this index; a second waits up to ``wait`` seconds (WRITER_WAIT), then IndexBusy.

        Leaving the block normally commits; an exception cancels everything written.
        """
        with self.write_lock(wait=wait), self.missing_files_are_damage():
            # Holding the lock, no writer is mid-file: a temporary file here is a killed
            # writer's, sealed under a file key that was never wrapped - unreadable garbage.
            for leftover in self.folder.glob(".*.tmp"):
                leftover.unlink(missing_ok=True)
            writer = index.writer(_lk=False, limitmb=WRITER_MEMORY_MB)
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            writer.commit()

    @contextmanager
    def missing_files_are_damage(self) -> Iterator[None]:
        """Report a file the index's table of contents names but that is gone as IndexCorrupted.

        Only a writer deletes index files, and whoosh's readers retry for a while
        when one does so under them; a file still missing after that, or missing
        under the writer's lock, was deleted or moved by someone else.
        """
        try:
            yield
        except FileNotFoundError as exc:
            name = Path(exc.filename).name if exc.filename else ""
            raise IndexCorrupted(f"{self.label}的文件 {name} 缺失（被删除或移走）；请运行 xinfang search reindex 重建") from exc

    def record_commit(self, conn: sqlite3.Connection, index: FileIndex) -> None:
        """Note the index's latest generation and key version in the catalogue (caller's transaction)."""
        conn.execute(
            "INSERT INTO search_indexes (level, key_version, generation, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (level) DO UPDATE SET key_version = excluded.key_version, "
            "generation = excluded.generation, updated_at = excluded.updated_at",
            (self.level.value, self.key_version, index.latest_generation(), now_utc()),
        )

    def forget_commit(self, conn: sqlite3.Connection) -> None:
        """Stop checking this level's generation while it is rebuilt (caller's transaction)."""
        conn.execute("DELETE FROM search_indexes WHERE level = ?", (self.level.value,))


def remove_folder(folder: Path) -> None:
    """Delete an index folder and everything in it (a rebuilt index's predecessor, a crashed rebuild)."""
    shutil.rmtree(folder, ignore_errors=True)


def leftover_folders(archive: Archive) -> list[Path]:
    """Hidden folders a crashed rebuild left under ``index/``: never read, safe to delete."""
    root = archive.root / INDEX_DIR
    if not root.is_dir():
        return []
    return sorted(entry for entry in root.iterdir() if entry.name.startswith(".") and entry.is_dir())


def index_document(fields: dict[str, Any]) -> dict[str, Any]:
    """Drop empty fields: whoosh indexes ``None`` as the text "None"."""
    return {name: value for name, value in fields.items() if value not in (None, "", [])}


def record_and_case_levels(archive: Archive, record_ids: Iterable[str]) -> Iterator[tuple[str, Level, Level]]:
    """Each record's own level and its case's, from the catalogue's clear columns."""
    wanted = list(record_ids)
    for start in range(0, len(wanted), 500):
        batch = wanted[start : start + 500]
        marks = ",".join("?" * len(batch))
        for record_id, record_level, case_level in archive.conn.execute(
            f"SELECT r.record_id, r.level, c.level FROM records r JOIN cases c USING (case_id) "
            f"WHERE r.record_id IN ({marks})",
            batch,
        ):
            yield record_id, Level(record_level), Level(case_level)


def index_levels_of(archive: Archive, record_ids: Iterable[str]) -> dict[str, Level]:
    """Each record's index level, from the catalogue's clear columns."""
    return {record_id: index_level(own, case) for record_id, own, case in record_and_case_levels(archive, record_ids)}


def pending_count(archive: Archive, levels: Iterable[Level]) -> int:
    """How many queued records belong in the indexes of ``levels``: what a search there cannot find yet."""
    queued = queued_records(archive.conn)
    wanted = set(levels)
    return sum(1 for level in index_levels_of(archive, (q.record_id for q in queued)).values() if level in wanted)
