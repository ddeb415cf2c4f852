"""The distribution register of numbered copies (分发登记): who received which copy of what, and its fate.

Whoever takes content out of the archive as a copy gets a numbered one: the
number is stamped on every page (the stamping is the generators' work; this
module only numbers and registers) and the register says who received copy 3 of
which record, when, under which grant, and whether it came back or was
destroyed.  Investigators receive content only this way.  Numbers run per
record and are never reused; a chosen ``--copy-no`` must be free.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from .accounts import Session
from .audit import now_utc
from .catalogue import row_digests
from .errors import InvalidInput, NotFound, PermissionDenied, Refused
from .folder import Archive
from .need_to_know import GRANTEES, live_grants
from .records import CONTENT_READERS, RecordInfo, open_record_for_copy
from .roles import Role, require_role

__all__ = ["COPY_FORMATS", "CopyEntry", "CopyRequest", "issue_copy", "list_copies", "settle_copy"]

COPY_FORMATS = ("pdf", "docx")
DOCX_RECEIVERS = frozenset({Role.SECRETARY, Role.LEADER})
"""Who may take an editable DOCX copy (no stamp can be fixed on one); everyone else gets a stamped PDF."""
KEEPERS = frozenset({Role.ARCHIVIST, Role.LEADER})
"""Who records a copy's return or destruction, and sees the whole register."""
MAX_COPY_NO = 999


@dataclass(frozen=True)
class CopyRequest:
    """What the renderer needs: the record, its content, and what the stamp must say."""

    info: RecordInfo
    file_name: str
    content: bytes
    viewer: str
    at: datetime
    copy_no: int

    @property
    def reference(self) -> str:
        """The 档号, or the record id while the record has none."""
        return self.info.archival_code or self.info.record_id


@dataclass(frozen=True)
class CopyEntry:
    """One line of the register."""

    copy_id: str
    record_id: str
    copy_no: int
    viewer: str
    exported_at: str
    format: str
    grant_id: str | None
    state: str
    state_at: str | None
    state_by: str | None

    def to_json(self) -> dict[str, Any]:
        """The line for ``archive copies --json``."""
        return asdict(self)


def _copy_id(record_id: str, copy_no: int) -> str:
    return f"copy:{record_id}#{copy_no}"


def _grant_used(archive: Archive, session: Session, case_id: str) -> str | None:
    """The live grant an investigator's copy is made under (None for the office's own staff)."""
    if session.roles & CONTENT_READERS:
        return None
    return live_grants(archive.conn, session.account, session.now).get(case_id)


def issue_copy(
    archive: Archive,
    session: Session,
    record_id: str,
    *,
    fmt: str,
    render: Callable[[CopyRequest], bytes],
    deliver: Callable[[bytes], None],
    copy_no: int | None = None,
) -> CopyEntry:
    """Number a copy of a record, have it rendered and delivered, and register it - all or nothing.

    ``render`` makes the copy's bytes (stamping the PDF) and ``deliver`` writes
    them where the user asked; both run inside the write transaction, so a copy
    that cannot be made or written leaves no register line and uses no number.
    """
    if fmt not in COPY_FORMATS:
        raise InvalidInput(f"副本格式只能是 {'、'.join(COPY_FORMATS)}")
    require_role(session.roles, CONTENT_READERS | GRANTEES, "导出副本")
    if fmt == "docx" and not session.roles & DOCX_RECEIVERS:
        raise PermissionDenied("可编辑的 DOCX 副本只发给文秘和领导；请导出带水印的 PDF 副本")
    if copy_no is not None and not 1 <= copy_no <= MAX_COPY_NO:
        raise InvalidInput(f"份号须在 1 到 {MAX_COPY_NO} 之间")
    stored = open_record_for_copy(archive, session, record_id)
    if stored is None:
        with archive.act(session) as act:
            act.log("record.export.refused", [record_id])
        raise NotFound(f"记录 {record_id} 不存在，或您无权查看")
    info = stored.info
    with archive.act(session) as act:
        if fmt == "docx" and not stored.content.startswith(b"PK\x03\x04"):
            raise InvalidInput(f"记录 {info.record_id} 不是 DOCX 文件，只能导出 PDF 副本")
        grant_id = _grant_used(archive, session, info.case_id)
        (last,) = archive.conn.execute(
            "SELECT COALESCE(MAX(copy_no), 0) FROM copies WHERE record_id = ?", (info.record_id,)
        ).fetchone()
        if copy_no is None:
            copy_no = last + 1
            if copy_no > MAX_COPY_NO:
                raise Refused(f"记录 {info.record_id} 的份号已用尽（{MAX_COPY_NO} 份）")
        elif archive.conn.execute(
            "SELECT 1 FROM copies WHERE record_id = ? AND copy_no = ?", (info.record_id, copy_no)
        ).fetchone():
            raise Refused(f"记录 {info.record_id} 的第{copy_no:03d}份已登记过，份号不重复使用")
        exported_at = now_utc()
        request = CopyRequest(info, stored.file_name, stored.content, act.actor, session.now, copy_no)
        data = render(request)
        copy_id = _copy_id(info.record_id, copy_no)
        archive.conn.execute(
            "INSERT INTO copies (copy_id, record_id, copy_no, viewer, exported_at, format, grant_id, state) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'out')",
            (copy_id, info.record_id, copy_no, act.actor, exported_at, fmt, grant_id),
        )
        act.log("record.export", [copy_id, info.record_id],
                digests={copy_id: row_digests(archive.conn, "copies", "copy_id", copy_id)},
                info={"copy_no": copy_no, "format": fmt, "grant": grant_id})
        deliver(data)
    return CopyEntry(copy_id, info.record_id, copy_no, act.actor, exported_at, fmt, grant_id, "out", None, None)


_COLUMNS = "copy_id, record_id, copy_no, viewer, exported_at, format, grant_id, state, state_at, state_by"


def list_copies(archive: Archive, session: Session, record_id: str | None = None) -> list[CopyEntry]:
    """The register: all of it for archivists and leaders, one's own copies for everyone else."""
    query, params = f"SELECT {_COLUMNS} FROM copies WHERE 1 = 1", []
    if not session.roles & KEEPERS:
        query += " AND viewer = ?"
        params.append(session.account.name)
    if record_id:
        query += " AND record_id = ?"
        params.append(record_id.strip())
    return [CopyEntry(*row) for row in archive.conn.execute(query + " ORDER BY record_id, copy_no", params)]


def settle_copy(archive: Archive, session: Session, record_id: str, copy_no: int, *, state: str) -> CopyEntry:
    """An archivist or leader records that a copy came back (``returned``) or was destroyed (``destroyed``)."""
    require_role(session.roles, KEEPERS, "登记副本收回或销毁")
    if state not in ("returned", "destroyed"):
        raise InvalidInput("副本去向只能是 returned（收回）或 destroyed（销毁）")
    copy_id = _copy_id(record_id.strip(), copy_no)
    row = archive.conn.execute(f"SELECT {_COLUMNS} FROM copies WHERE copy_id = ?", (copy_id,)).fetchone()
    if row is None:
        raise NotFound(f"分发登记中没有记录 {record_id} 的第{copy_no:03d}份")
    entry = CopyEntry(*row)
    if entry.state != "out":
        raise Refused(f"第{copy_no:03d}份已于 {entry.state_at} 登记为{'收回' if entry.state == 'returned' else '销毁'}")
    with archive.act(session) as act:
        archive.conn.execute(
            "UPDATE copies SET state = ?, state_at = ?, state_by = ? WHERE copy_id = ?",
            (state, now_utc(), act.actor, copy_id),
        )
        act.log(f"record.copy-{state}", [copy_id, entry.record_id],
                digests={copy_id: row_digests(archive.conn, "copies", "copy_id", copy_id)})
    (updated,) = [CopyEntry(*r) for r in archive.conn.execute(f"SELECT {_COLUMNS} FROM copies WHERE copy_id = ?",
                                                               (copy_id,))]
    return updated
