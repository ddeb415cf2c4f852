"""Putting records into the level indexes: when they are filed, and all over again on request.

Filing queues a record in the catalogue (:mod:`archive.index_queue`); the front
door then calls :func:`index_queued`, which indexes what the acting user's keys
open and takes exactly those entries off the queue once whoosh's commit is on
disk.  A crash anywhere leaves the queue longer, never an index entry missing
without a trace: ``archive verify`` lists queued records, and :func:`reindex`
or the next filing picks them up.  A reclassified record (:mod:`archive.reclassify`)
is queued too: before it leaves the queue, its entry is deleted from the index of
the level it left, so a record raised above a level is no longer found there.

:func:`reindex` rebuilds a level's index from the archive in a hidden folder next
to the live one and swaps it in only when it is complete, so searches keep
working (on the old index) until the new one is ready, and a crash leaves only a
hidden folder that the next rebuild deletes.  It is also the cure for an index
that fails authentication: the records are the truth, the index is derived.

What is indexed for a record: its title and the text a reader sees (DOCX
paragraphs with tables, headers, footers and notes; PDF pages; plain text);
kind, 档号, record and case ids, the formed date; from its case the channel,
category, importance and disciplines, and the parties' names, units and posts
(searchable as ``parties:`` and ``unit:``, never stored in the index, and only
ever returned through a record the user may see).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from whoosh.index import FileIndex
from whoosh.writing import SegmentWriter

from archive import Archive, InvalidInput, Level, PermissionDenied, Role, Session
from archive.cases import CaseFile, open_stored_case
from archive.catalogue import write_transaction
from archive.files import fsync_directory
from archive.index_queue import Queued, queued_records, take_off_queue
from archive.keyring import LevelKey
from archive.outgoing import document_text
from archive.reclassify import former_levels
from archive.records import StoredRecord, open_stored_record
from archive.roles import require_role

from .indexes import (
    SCHEMA,
    LevelIndex,
    index_document,
    index_level,
    index_levels_of,
    leftover_folders,
    record_and_case_levels,
    remove_folder,
)

__all__ = ["INDEXERS", "REBUILDERS", "IndexingReport", "index_queued", "record_document", "reindex"]

INDEXERS = frozenset({Role.SECRETARY, Role.ARCHIVIST, Role.LEADER, Role.SECURITY_OFFICER})
"""Who indexes after filing: anyone who files (or maintains) records."""
REBUILDERS = frozenset({Role.ARCHIVIST, Role.LEADER, Role.SECURITY_OFFICER})
"""Who may rebuild a whole level's index: it reads every record of the level."""

Progress = Callable[[int, int], None]


@dataclass
class IndexingReport:
    """What an indexing run did: records indexed per level, and what it could not do."""

    indexed: dict[Level, int] = field(default_factory=dict)
    title_only: list[str] = field(default_factory=list)
    """Records whose content yielded no text (a scan, a broken file): indexed by title and description."""
    purged: list[str] = field(default_factory=list)
    """Destroyed records whose entries were deleted (their segments rewritten under fresh keys)."""
    left_queued: int = 0
    """Queued records this session's keys do not open; someone cleared for them indexes them."""

    @property
    def total(self) -> int:
        """Records indexed in all."""
        return sum(self.indexed.values())


@dataclass(frozen=True)
class _Entry:
    record_id: str
    queued: Queued | None  # the queue entry this indexing covers, if the record is queued


def _case_of(archive: Archive, level_keys: Mapping[Level, LevelKey], case_id: str,
             cache: dict[str, CaseFile | None]) -> CaseFile | None:
    if case_id not in cache:
        cache[case_id] = open_stored_case(archive, level_keys, case_id)
    return cache[case_id]


def _text(stored: StoredRecord) -> str:
    """The readable text of a record's content, or "" for content that holds none (a scan, a broken file)."""
    content = stored.content
    if b"\x00" in content[:8192] and not content.startswith((b"PK\x03\x04", b"%PDF-")):
        return ""  # binary: a picture or an archive, not text in any encoding
    try:
        return document_text(content)
    except InvalidInput:
        return ""


def record_document(stored: StoredRecord, case: CaseFile) -> dict[str, Any]:
    """The index document of a record of ``case``: the fields of :data:`~search.indexes.SCHEMA`."""
    info, parties = stored.info, case.parties
    people = [*parties.get("petitioners", []), *parties.get("reported", []), *parties.get("witnesses", [])]
    names = [p.get("name") for p in people]
    units = [p.get(key) for p in people for key in ("unit", "work_unit")]
    posts = [p.get("post") for p in parties.get("reported", [])]
    return index_document(
        {
            "record_id": info.record_id,
            "archival_code": info.archival_code,
            "case_id": info.case_id,
            "kind": info.kind,
            "channel": case.row["channel"],
            "category": case.row["category"],
            "importance": case.row["importance"],
            "discipline": case.row["disciplines"],
            "date": dt.datetime.combine(dt.date.fromisoformat(info.formed), dt.time()),
            "title": info.title,
            "text": _text(stored),
            "parties": "\n".join(str(v) for v in [*names, *posts] if v),
            "unit": "\n".join(str(v) for v in units if v),
        }
    )


def _destroyed(archive: Archive, record_id: str) -> bool:
    row = archive.conn.execute("SELECT destroyed_batch FROM records WHERE record_id = ?", (record_id,)).fetchone()
    return row is not None and row[0] is not None


def _left_behind(archive: Archive, record_ids: Iterable[str]) -> dict[str, tuple[Level, set[Level]]]:
    """Reclassified records whose entry may still be in the index of a level they left: record -> (index level now, those)."""
    former = former_levels(archive.conn, record_ids)
    found: dict[str, tuple[Level, set[Level]]] = {}
    for record_id, own, case in record_and_case_levels(archive, former):
        now = index_level(own, case)
        left = {index_level(level, case) for level in former[record_id]} - {now}
        if left:
            found[record_id] = (now, left)
    return found


def _purge_left_behind(
    archive: Archive, level_keys: Mapping[Level, LevelKey], left: Mapping[str, tuple[Level, set[Level]]]
) -> set[str]:
    """Delete reclassified records' entries from the indexes they left, where these keys reach; the others' ids.

    A record raised above its old index must leave it, or that level's users
    would find it.  Whoever can index it at its new, higher level holds the old
    one too, so this always happens before the record leaves the queue; its
    words then leave the files (every segment rewritten under fresh keys), as
    for a destroyed record.  A lowered record's old entry sits in a higher
    index: deleting it is enough, and a session not cleared for that level
    indexes the record where it now belongs but leaves it queued, for one who is.
    """
    by_level: dict[Level, list[str]] = {}
    out_of_reach = set()
    for record_id, (_, levels) in left.items():
        for level in levels:
            if level in level_keys:
                by_level.setdefault(level, []).append(record_id)
            else:
                out_of_reach.add(record_id)
    for level, record_ids in sorted(by_level.items()):
        target = LevelIndex(archive, level_keys[level])
        index = target.open()
        if index is None:
            continue
        with index.searcher() as searcher:
            present = [record_id for record_id in record_ids if searcher.document_number(record_id=record_id) is not None]
        if not present:
            continue
        with target.writer(index) as writer:
            for record_id in present:
                writer.delete_by_term("record_id", record_id)
            writer.optimize = any(left[record_id][0] > level for record_id in present)
        with write_transaction(archive.conn):
            target.record_commit(archive.conn, index)
    return out_of_reach


def _write(
    writer: SegmentWriter,
    archive: Archive,
    level_keys: Mapping[Level, LevelKey],
    entries: Sequence[_Entry],
    report: IndexingReport,
    progress: Callable[[], None] | None,
    *,
    replace: bool,
) -> list[_Entry]:
    """Add or replace the entries' documents; those whose record or case the keys do not open are skipped."""
    cases: dict[str, CaseFile | None] = {}
    done = []
    for entry in entries:
        if _destroyed(archive, entry.record_id):
            writer.delete_by_term("record_id", entry.record_id)
            writer.optimize = True  # rewrite every segment: the deleted entry's words leave the files
            report.purged.append(entry.record_id)
            done.append(entry)
            if progress is not None:
                progress()
            continue
        stored = open_stored_record(archive, level_keys, entry.record_id)
        case = _case_of(archive, level_keys, stored.info.case_id, cases) if stored is not None else None
        if stored is not None and case is not None:
            document = record_document(stored, case)
            if not document.get("text", "").strip():
                report.title_only.append(entry.record_id)
            (writer.update_document if replace else writer.add_document)(**document)
            done.append(entry)
        if progress is not None:
            progress()
    return done


def index_queued(archive: Archive, session: Session, progress: Progress | None = None) -> IndexingReport:
    """Index every queued record whose level keys this session holds; take them off the queue when committed.

    Called by the front door after each command that files or re-files records.
    A session that does not file records (an investigator, the auditor) indexes nothing.
    """
    report = IndexingReport()
    if not session.roles & INDEXERS:
        return report
    queued = queued_records(archive.conn)
    out_of_reach = _purge_left_behind(archive, session.level_keys, _left_behind(archive, (q.record_id for q in queued)))
    levels = index_levels_of(archive, (q.record_id for q in queued))
    mine: dict[Level, list[_Entry]] = {}
    for q in queued:
        level = levels.get(q.record_id)
        if level is not None and level in session.level_keys:
            # one whose old entry is out of this session's reach is indexed, and stays queued
            mine.setdefault(level, []).append(_Entry(q.record_id, None if q.record_id in out_of_reach else q))
        else:
            report.left_queued += 1
    total, done_so_far = sum(len(e) for e in mine.values()), 0

    def step() -> None:
        nonlocal done_so_far
        done_so_far += 1
        if progress is not None:
            progress(done_so_far, total)

    for level, entries in sorted(mine.items()):
        target = LevelIndex(archive, session.level_keys[level])
        index = target.open_or_create()
        with target.writer(index) as writer:
            done = _write(writer, archive, session.level_keys, entries, report, step, replace=True)
        report.left_queued += len(entries) - sum(e.queued is not None for e in done)
        with write_transaction(archive.conn):
            target.record_commit(archive.conn, index)
            take_off_queue(archive.conn, [e.queued for e in done if e.queued is not None])
        report.indexed[level] = len(done)
    return report


def _records_of_level(archive: Archive, level: Level) -> list[str]:
    rows = archive.conn.execute(
        "SELECT r.record_id, r.level, c.level FROM records r JOIN cases c USING (case_id) ORDER BY r.record_id"
    ).fetchall()
    return [record_id for record_id, rl, cl in rows if index_level(Level(rl), Level(cl)) == level]


def reindex(
    archive: Archive, session: Session, levels: Sequence[Level] | None = None, progress: Progress | None = None
) -> IndexingReport:
    """Rebuild the indexes of ``levels`` (default: every level this session holds) from the archive.

    Each is built in a hidden folder and swapped in whole; leftovers of crashed
    rebuilds are deleted first.  Records that cannot be indexed (their case is at
    a level this session lacks: impossible by construction, but checked) are
    left queued and counted.
    """
    require_role(session.roles, REBUILDERS, "重建检索索引")
    chosen = sorted(session.level_keys) if levels is None else sorted(set(levels))
    for level in chosen:
        if level not in session.level_keys:
            raise PermissionDenied(f"您的密级授权不含{level.label}，不能重建{level.label}级检索索引")
    for folder in leftover_folders(archive):
        remove_folder(folder)
    report = IndexingReport()
    planned = {level: len(_records_of_level(archive, level)) for level in chosen}  # the lock's snapshot may add some
    total, done_so_far = sum(planned.values()), 0

    def step() -> None:
        nonlocal done_so_far
        done_so_far += 1
        if progress is not None:
            progress(done_so_far, total)

    for level in chosen:
        live = LevelIndex(archive, session.level_keys[level])
        if live.folder.exists() or planned[level]:  # no index and nothing to index: skip
            report.indexed[level] = _rebuild(archive, session.level_keys, level, report, step)
    return report


def _rebuild(archive: Archive, level_keys: Mapping[Level, LevelKey], level: Level,
             report: IndexingReport, step: Callable[[], None]) -> int:
    live = LevelIndex(archive, level_keys[level])
    # Holding the live index's write lock from the snapshot to the swap: a record filed
    # meanwhile cannot be indexed into the index being retired (and lost with it); it
    # stays queued, and the next filing or rebuild indexes it.
    with live.write_lock():
        record_ids = _records_of_level(archive, level)
        queued = {q.record_id: q for q in queued_records(archive.conn)}
        left = _left_behind(archive, queued)  # their old entries are index_queued's to delete: they stay queued
        entries = [_Entry(record_id, None if record_id in left else queued.get(record_id)) for record_id in record_ids]
        fresh = LevelIndex(
            archive, level_keys[level], folder=live.folder.with_name(f".{live.folder.name}.{secrets.token_hex(4)}")
        )
        fresh.storage.create()
        index: FileIndex = fresh.storage.create_index(SCHEMA)
        with fresh.writer(index) as writer:
            done = _write(writer, archive, level_keys, entries, report, step, replace=False)
        report.left_queued += len(entries) - len(done)
        # The catalogue stops checking this level's generation while the folders are swapped:
        # a crash in between leaves an index that opens, and a queue that says what it lacks.
        with write_transaction(archive.conn):
            live.forget_commit(archive.conn)
        retired = live.folder.with_name(f".{live.folder.name}.old.{secrets.token_hex(4)}")
        live.folder.rename(retired)
        fresh.folder.rename(live.folder)
        fsync_directory(live.folder.parent)
        index = live.open_or_create()
        with write_transaction(archive.conn):
            live.record_commit(archive.conn, index)
            take_off_queue(archive.conn, [e.queued for e in done if e.queued is not None])
    remove_folder(retired)
    return len(done)
