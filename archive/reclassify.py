"""Reclassification (定密变更, 解密): a record moved to another level by whoever holds both.

Only the record key moves: it is opened with the key of the record's present
level and wrapped under the target level's current key
(:func:`archive.records.rewrap_record_key`).  The content is not re-encrypted.
So a record is raised or lowered exactly by who can open it from now on; what
someone cleared for the old level copied before (the file with the old wrapped
key, an export) is not taken back, since the record key stays the same.

The security officer (安全保密管理员) or a leader decides, holding both the
record's present level and the target level; anyone else is refused (exit
code 3), and a record the actor cannot see answers as one that does not exist.
A record may go above its case's level: its search entry then moves to that
level's index, since a record's entry lives in the index of the higher of its
own level and its case's (:func:`search.indexes.index_level`).  The record is
queued for indexing; the indexer deletes its entry from the index of the level
it left (:func:`former_levels` tells it which).  Lowering to 内部 or 公开 ends
the ★ marking, since those levels are not 密级 (:attr:`Level.is_state_secret`):
the catalogue's level is what governs from then on, and nothing else stored
changes.  The content is not re-rendered, so an issued document keeps the 密级
line it was printed with, and the reclassification row is the record of its 解密.

Each change is a row of ``reclassifications`` (``DM-<year>-<four digits>``:
record, from and to level, the reason sealed as a text of the record's case,
who and when), logged with the row's digest and the record's new digests, so
``archive verify`` catches an edited row or level; the log's details (the
reason again) are sealed under the record key, as for every entry naming a record.  Destroyed records and
records in an open destruction batch are refused; so are the scans and 销毁清册
of a destruction batch, which have no case to seal a reason under.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from .accounts import Session
from .audit import now_utc
from .cases import open_case, seal_case_text
from .catalogue import row_digests
from .destruction_batches import records_in_open_batches
from .errors import PermissionDenied, Refused
from .folder import Archive
from .index_queue import queue_for_indexing
from .levels import Level, parse_level
from .numbering import BATCH_PREFIX, allocate_number
from .records import find_record, rewrap_record_key, unwrap_record_key
from .roles import Role, require_role
from .text import check_text

__all__ = ["RECLASSIFIERS", "Reclassification", "former_levels", "reclassify_record"]

RECLASSIFIERS = frozenset({Role.SECURITY_OFFICER, Role.LEADER})
MAX_REASON = 500


@dataclass(frozen=True)
class Reclassification:
    """One recorded change of a record's level."""

    reclassification_id: str
    record_id: str
    from_level: str
    to_level: str
    decided_by: str
    decided_at: str

    def to_json(self) -> dict[str, Any]:
        """The change for ``record reclassify --json``."""
        return asdict(self)


def reclassify_record(archive: Archive, session: Session, record_id: str, *, to: Level, reason: str) -> Reclassification:
    """Move a record to level ``to``, for a security officer or leader holding its present level and ``to``.

    The record key is re-wrapped, the record queued for indexing (the front
    door then runs the indexer), the reason sealed under the case key; all in
    one transaction with its log entry.
    """
    require_role(session.roles, RECLASSIFIERS, "变更密级")
    reason = check_text(reason, "变更理由（--reason）", max_length=MAX_REASON)
    target = session.level_keys.get(to)
    if target is None:
        raise PermissionDenied(f"您的密级授权不含{to.label}，不能把记录定为{to.label}")
    with archive.act(session) as act:
        # Read and checked under the write lock: a destruction batch cannot take the record meanwhile.
        info = find_record(archive, session, record_id)
        present = parse_level(info.classification)
        if info.case_id.startswith(BATCH_PREFIX):
            raise Refused(f"记录 {info.record_id} 属于销毁批次 {info.case_id} 的案卷（扫描件、销毁清册），不能单独变更密级")
        if present == to:
            raise Refused(f"记录 {info.record_id} 已是{to.label}，无需变更")
        batch = records_in_open_batches(archive.conn).get(info.record_id)
        if batch is not None:
            raise Refused(f"记录 {info.record_id} 已列入销毁批次 {batch}，须待该批次驳回后再变更密级")
        case = open_case(archive, session, info.case_id)
        today = date.today()
        change_id = f"DM-{today.year}-{allocate_number(archive.conn, 'reclassification', today.year):04d}"
        digests = rewrap_record_key(archive.conn, info.record_id, target, session.level_keys)
        decided_at = now_utc()
        archive.conn.execute(
            "INSERT INTO reclassifications (reclassification_id, record_id, from_level, to_level, sealed_reason, "
            "decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (change_id, info.record_id, present.value, to.value,
             seal_case_text(case.key, case.case_id, f"reclassification {change_id}", reason), act.actor, decided_at),
        )
        queue_for_indexing(archive.conn, [info.record_id])  # its entry moves with it when the index level changes
        (wrapped,) = archive.conn.execute(
            "SELECT wrapped_key FROM records WHERE record_id = ?", (info.record_id,)
        ).fetchone()
        act.log(
            "record.reclassify", [change_id, info.record_id],
            digests={change_id: row_digests(archive.conn, "reclassifications", "reclassification_id", change_id),
                     **digests},
            info={"case": case.case_id, "from": present.label, "to": to.label},
            # under the record's key, as the log's readers open the details of an entry naming a record
            details={"reason": reason}, details_key=unwrap_record_key(target, info.record_id, wrapped),
        )
    return Reclassification(change_id, info.record_id, present.label, to.label, act.actor, decided_at)


def former_levels(conn: sqlite3.Connection, record_ids: Iterable[str]) -> dict[str, set[Level]]:
    """The levels each of these records was at before a reclassification; records never reclassified are left out.

    For the search indexer: an index of such a level may still hold the
    record's entry, which must go, or a user of that level would find a record
    raised above them.
    """
    wanted = list(record_ids)
    found: dict[str, set[Level]] = {}
    for start in range(0, len(wanted), 500):
        batch = wanted[start : start + 500]
        marks = ",".join("?" * len(batch))
        for record_id, level in conn.execute(
            f"SELECT record_id, from_level FROM reclassifications WHERE record_id IN ({marks})", batch
        ):
            found.setdefault(record_id, set()).add(Level(level))
    return found
