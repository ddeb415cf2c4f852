"""归档: a closed case's records become archival items with 档号 (DA/T 22-2015).

档号 = 全宗号-门类代码·年度-保管期限-机构代码-件号, for example
``J001-WS·2026-D30-XFS-0007``: 年度 is the year the item was formed, and 件号 runs
in four digits within fonds, year, retention period and 机构代码.  One case, one
file (一案一档): a case's items are numbered together in one transaction, in the
order they were formed, so they stand next to each other in their series.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from .accounts import Session
from .cases import open_case
from .config import ArchiveConfig
from .errors import PermissionDenied, Refused
from .folder import Archive
from .index_queue import queue_for_indexing
from .numbering import allocate_number
from .records import RecordInfo, list_records, record_digests
from .roles import Role

__all__ = ["allocate_archival_code", "archival_code", "file_case"]


def archival_code(config: ArchiveConfig, year: int, retention: str, number: int) -> str:
    """The 档号 of item ``number`` of a series."""
    return f"{config.fonds}-{config.category_code}·{year}-{retention}-{config.unit_code}-{number:04d}"


def _series(config: ArchiveConfig, retention: str) -> str:
    return f"item:{config.fonds}:{config.category_code}:{config.unit_code}:{retention}"


def allocate_archival_code(conn: sqlite3.Connection, config: ArchiveConfig, year: int, retention: str) -> str:
    """The 档号 of the next item of the series (year formed, retention); the caller holds the write lock.

    An item whose retention changes (鉴定 extending it) is numbered afresh in its
    new series this way: 件号 run within a retention period, so keeping the old
    件号 would collide with the new series' own items sooner or later.
    """
    return archival_code(config, year, retention, allocate_number(conn, _series(config, retention), year))


def file_case(archive: Archive, session: Session, case_id: str, *, force: bool = False) -> list[RecordInfo]:
    """Give every record of the case a 档号; a case not closed needs a leader's ``force``."""
    if Role.ARCHIVIST not in session.roles and not (force and Role.LEADER in session.roles):
        raise PermissionDenied("无权归档：需要档案员（未结案的信访件须由领导强制归档）")
    case = open_case(archive, session, case_id)
    if case.state != "closed" and not (force and Role.LEADER in session.roles):
        raise Refused(f"信访件 {case.case_id} 尚未结案，不能归档（领导可使用 --force 强制归档）")
    visible = {info.record_id for info in list_records(archive, session, case.case_id)}
    with archive.act(session) as act:
        # Read under the write lock: a second archivist filing the same case sees our numbers.
        rows = archive.conn.execute(
            "SELECT record_id, retention, formed, archival_code FROM records WHERE case_id = ? "
            "ORDER BY formed, record_id",
            (case.case_id,),
        ).fetchall()
        hidden = [record_id for record_id, *_ in rows if record_id not in visible]
        if hidden:
            raise PermissionDenied(f"案卷中有 {len(hidden)} 件记录超出您的密级授权，请由持有相应密级的档案员归档")
        if not rows:
            raise Refused(f"信访件 {case.case_id} 没有任何记录可归档")
        for record_id, retention, formed, code in rows:
            if code is not None:
                continue
            code = allocate_archival_code(archive.conn, archive.config, date.fromisoformat(formed).year, retention)
            archive.conn.execute("UPDATE records SET archival_code = ? WHERE record_id = ?", (code, record_id))
            queue_for_indexing(archive.conn, [record_id])
            act.log("record.file", [record_id], digests={record_id: record_digests(archive.conn, record_id)},
                    info={"case": case.case_id, "forced": force and case.state != "closed"})
    return list_records(archive, session, case.case_id)
