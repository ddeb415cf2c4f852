"""The queue of records whose search index entry is missing or out of date.

Filing a record and indexing it cannot share one transaction: the catalogue is
SQLite, the index is whoosh's files.  So whatever changes what a record's index
entry should say (filing it, giving it a 档号) queues the record in the same
catalogue transaction, and the search package takes records off the queue only
after its index commit is on disk.  A crash in between leaves the record queued:
``archive verify`` reports it, and ``xinfang search reindex`` (or the next
filing) indexes it.  Nothing is lost either way, and the archive package needs
no knowledge of search to keep this promise.

Each queuing draws a new ticket (larger than every ticket before), so an indexer
removes exactly the entries it indexed: a record queued again meanwhile (given a
档号 while its first entry was being written) keeps its newer ticket and stays queued.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from .audit import now_utc
from .levels import Level
from .numbering import allocate_number

__all__ = ["Queued", "queue_for_indexing", "queued_records", "take_off_queue"]

_TICKETS = "index queue"  # one series, year 0: tickets never repeat


@dataclass(frozen=True)
class Queued:
    """One queue entry: the record, its level and the ticket it was queued with."""

    record_id: str
    level: Level
    ticket: int


def queue_for_indexing(conn: sqlite3.Connection, record_ids: Iterable[str]) -> None:
    """Queue records inside the caller's write transaction; a record queued twice keeps the newer ticket."""
    stamp = now_utc()
    for record_id in record_ids:
        conn.execute(
            "INSERT INTO index_queue (record_id, ticket, queued_at) VALUES (?, ?, ?) "
            "ON CONFLICT (record_id) DO UPDATE SET ticket = excluded.ticket, queued_at = excluded.queued_at",
            (record_id, allocate_number(conn, _TICKETS, 0), stamp),
        )


def queued_records(conn: sqlite3.Connection, levels: Iterable[Level] | None = None) -> list[Queued]:
    """The queue, oldest first, optionally of some levels only."""
    rows = conn.execute(
        "SELECT q.record_id, r.level, q.ticket FROM index_queue q JOIN records r USING (record_id) ORDER BY q.ticket"
    ).fetchall()
    wanted = None if levels is None else {level.value for level in levels}
    return [Queued(record_id, Level(level), ticket) for record_id, level, ticket in rows
            if wanted is None or level in wanted]


def take_off_queue(conn: sqlite3.Connection, entries: Iterable[Queued]) -> None:
    """Remove the entries an index commit covered; a record queued again since then stays queued."""
    conn.executemany(
        "DELETE FROM index_queue WHERE record_id = ? AND ticket = ?", [(e.record_id, e.ticket) for e in entries]
    )
