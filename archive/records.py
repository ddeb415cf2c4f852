"""Records: filing files into the archive, reading them back, listing what a user may see.

Each record gets a fresh random key.  Its content goes into a chunked file
(:mod:`archive.chunks`); its title and original file name are sealed under a
subkey of the record key; the record key itself is wrapped by the key of the
record's level.  So a user reads a record exactly when the user's clearance
holds that level key, the user's role lets them see content and the user may
see the record's case (:func:`archive.cases.case_visibility`: the case's own
level, and need-to-know such as 回避) — and the answer for "not allowed" and
"does not exist" is the same.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from . import crypto
from .accounts import Session
from .audit import Act, now_utc
from .cases import case_visibility, open_case
from .chunks import decrypt_record, encrypt_record
from .errors import ArchiveError, InvalidInput, NotFound, PermissionDenied, Refused
from .files import describe_os_error
from .folder import Archive
from .index_queue import queue_for_indexing
from .keyring import LevelKey, level_key_for
from .kinds import RecordKind
from .levels import Level
from .need_to_know import GRANTEES
from .numbering import BATCH_PREFIX, allocate_number, format_record_id
from .retention import Retention, scheduled_retention
from .roles import Role, require_role
from .text import check_text, readable_file_name

__all__ = [
    "BATCH_FILE_READERS",
    "CONTENT_READERS",
    "FILERS",
    "RecordInfo",
    "StoredRecord",
    "add_records",
    "describe_stored_records",
    "file_visibility",
    "find_record",
    "list_records",
    "open_record_for_copy",
    "open_stored_record",
    "read_record",
    "record_digests",
    "rewrap_record_key",
    "store_record",
    "unwrap_record_key",
    "visible_records",
]

FILERS = frozenset({Role.SECRETARY, Role.ARCHIVIST, Role.LEADER})
CONTENT_READERS = frozenset({Role.SECRETARY, Role.ARCHIVIST, Role.LEADER, Role.SECURITY_OFFICER})
MAX_TITLE = 200
MAX_CASE_ID = 64


@dataclass(frozen=True)
class RecordInfo:
    """A record as a permitted user sees it; ``to_json`` gives the stable JSON shape."""

    record_id: str
    archival_code: str | None
    case_id: str
    kind: str
    classification: str
    retention: str
    formed: str
    filed_at: str
    title: str

    def to_json(self) -> dict[str, Any]:
        """The record shape of the command-line contract."""
        return asdict(self)


_COLUMNS = (
    "record_id, archival_code, case_id, kind, level, key_version, retention, formed, filed_at, "
    "wrapped_key, sealed_description"
)


def _record_key_associated(record_id: str, level: Level, version: int) -> bytes:
    return f"xinfang record key|{record_id}|{level.value}|{version}".encode()


def _description_associated(record_id: str) -> bytes:
    return f"xinfang record description|{record_id}".encode()


def unwrap_record_key(level_key: LevelKey, record_id: str, wrapped: bytes) -> bytes:
    """Open a record key with its level key (the caller has checked the version matches)."""
    return crypto.open_sealed(
        level_key.key, wrapped, _record_key_associated(record_id, level_key.level, level_key.version), f"记录 {record_id} 的密钥"
    )


def _wrap_record_key(level_key: LevelKey, record_id: str, record_key: bytes) -> bytes:
    return crypto.seal(level_key.key, record_key, _record_key_associated(record_id, level_key.level, level_key.version))


def rewrap_record_key(
    conn: sqlite3.Connection, record_id: str, level_key: LevelKey, held: Mapping[Level, LevelKey] | None = None
) -> dict[str, dict[str, str]]:
    """Wrap a record's key under ``level_key``, and put the record at its level; caller's transaction.

    Two acts move a record key.  A rotation gives the record's own level a new
    version: ``level_key`` carries the older one that opens it.  A
    reclassification (定密变更) puts the record at another level: the key of its
    present level and version is taken from ``held``, the session's keys.  Only
    the level, the wrapped key and its version change: the content, its MAC and
    the file stay as they are, since the record key itself does not change.
    Returns the digests the log is to keep of the row now.
    """
    level, version, wrapped = conn.execute(
        "SELECT level, key_version, wrapped_key FROM records WHERE record_id = ?", (record_id,)
    ).fetchone()
    opener = level_key.older(version) if held is None else level_key_for(held, Level(level), version)
    if opener is None:
        raise PermissionDenied(f"您不持有{Level(level).label}级密钥第 {version} 版，无法重新封装记录 {record_id} 的密钥")
    record_key = unwrap_record_key(opener, record_id, wrapped)
    conn.execute(
        "UPDATE records SET level = ?, wrapped_key = ?, key_version = ? WHERE record_id = ?",
        (level_key.level.value, _wrap_record_key(level_key, record_id, record_key), level_key.version, record_id),
    )
    return {record_id: record_digests(conn, record_id)}


_DIGESTED_COLUMNS = (
    "case_id, kind, level, key_version, retention, formed, filed_at, archival_code, "
    "content_mac, size, created_by, review_on, blob_sha256, wrapped_key, sealed_description"
)


def record_digests(conn: sqlite3.Connection, record_id: str) -> dict[str, str]:
    """The digests the audit log keeps for a record's catalogue row, checkable without keys.

    ``blob``, ``key`` and ``description`` cover the ciphertexts; ``meta`` covers
    every descriptive column (case, level, retention, dates, 档号…), so a row
    edited behind the archive's back no longer matches the log.  The appraisal's
    next review date is appended only when set, so the digests of records never
    postponed read as they always did.
    """
    row = conn.execute(f"SELECT {_DIGESTED_COLUMNS} FROM records WHERE record_id = ?", (record_id,)).fetchone()
    *described, review_on, blob_sha256, wrapped_key, sealed_description = row
    if review_on is not None:
        described.append(review_on)
    meta = json.dumps([record_id, *described], ensure_ascii=False, separators=(",", ":"))
    return {
        "blob": blob_sha256,
        "key": crypto.sha256_hex(wrapped_key),
        "description": crypto.sha256_hex(sealed_description),
        "meta": crypto.sha256_hex(meta.encode()),
    }


def _check_inputs(files: Sequence[Path], case_id: str, title: str) -> tuple[str, str]:
    """The checked case id and title; every file must be readable, and not empty, before anything is written."""
    if not files:
        raise InvalidInput("至少需要一个文件")
    case_id = check_text(case_id, "信访件编号（--case）", max_length=MAX_CASE_ID)
    title = check_text(title, "题名（--title）", max_length=MAX_TITLE)
    for path in files:
        try:
            with open(path, "rb") as handle:
                empty = not handle.read(1)
        except OSError as exc:
            raise InvalidInput(f"无法读取文件 {readable_file_name(str(path))}：{describe_os_error(exc)}") from exc
        if empty:
            raise InvalidInput(f"文件 {readable_file_name(str(path))} 是空文件，没有可归入的内容")
    return case_id, title


def add_records(
    archive: Archive,
    session: Session,
    files: Sequence[Path],
    *,
    case_id: str,
    title: str,
    kind: RecordKind,
    classification: Level,
    retention: Retention | None = None,
    formed: date | None = None,
    progress: Callable[[int], None] | None = None,
    filed: Callable[[RecordInfo], None] | None = None,
) -> list[RecordInfo]:
    """File each file as one record, each in its own transaction, and return them in order.

    Every input is checked before anything is written.  A crash part-way leaves
    the records committed so far whole and readable, and no trace of the rest.
    """
    require_role(session.roles, FILERS, "归入记录")
    level_key = session.level_keys.get(classification)
    if level_key is None:
        raise PermissionDenied(f"您的密级授权不含{classification.label}，不能归入{classification.label}记录")
    case_id, title = _check_inputs(files, case_id, title)
    case_id = open_case(archive, session, case_id).case_id
    formed = formed or date.today()
    retention = retention or scheduled_retention(archive.config.sections.get("retention", {}), kind.id)
    results = []
    for path in files:
        # One file, one transaction: each record is whole when committed, and leaves no file if it fails.
        with archive.act(session) as act, open(path, "rb") as source:
            info = store_record(
                archive, act, source, Path(path).name, case_id=case_id, title=title, kind=kind, level_key=level_key,
                retention=retention, formed=formed, progress=progress,
            )
        results.append(info)
        if filed is not None:
            filed(info)
    return results


def store_record(
    archive: Archive,
    act: Act,
    source: BinaryIO,
    file_name: str,
    *,
    case_id: str,
    title: str,
    kind: RecordKind,
    level_key: LevelKey,
    retention: Retention,
    formed: date,
    progress: Callable[[int], None] | None = None,
    indexed: bool = True,
) -> RecordInfo:
    """Encrypt ``source`` as a new record inside the caller's write transaction ``act``.

    Callers that file several things as one act (an issued letter and its
    signed-off draft) use this directly.  The ciphertext file is removed if
    this raises; if the caller's transaction fails afterwards, the caller
    removes ``archive.record_path(record_id)`` of what it stored.  Records of a
    destruction batch's file (``indexed=False``) stay out of the search index,
    whose permission filter knows cases only.
    """
    destination: Path | None = None
    description = {"title": title, "filename": readable_file_name(file_name)}
    try:
        year = date.today().year
        record_id = format_record_id(year, allocate_number(archive.conn, "record", year))
        record_key = crypto.random_key()
        destination = archive.record_path(record_id)
        blob = encrypt_record(source, destination, record_id, record_key, progress)
        wrapped = _wrap_record_key(level_key, record_id, record_key)
        sealed_description = crypto.seal(
            crypto.derive_subkey(record_key, "record description"),
            json.dumps(description, ensure_ascii=False).encode(),
            _description_associated(record_id),
        )
        filed_at = now_utc()
        archive.conn.execute(
            "INSERT INTO records (record_id, case_id, kind, level, key_version, retention, formed, filed_at, "
            "wrapped_key, sealed_description, content_mac, size, blob_sha256, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record_id, case_id, kind.id, level_key.level.value, level_key.version, retention.value,
                formed.isoformat(), filed_at, wrapped, sealed_description, blob.content_mac, blob.size,
                blob.sha256, act.actor,
            ),
        )
        if indexed:
            queue_for_indexing(archive.conn, [record_id])
        act.log(
            "record.add",
            [record_id],
            digests={record_id: record_digests(archive.conn, record_id)},
            info={"case": case_id, "kind": kind.id, "classification": level_key.level.label},
            details=description,
            details_key=record_key,
        )
    except BaseException:
        if destination is not None:
            destination.unlink(missing_ok=True)
        raise
    return RecordInfo(
        record_id, None, case_id, kind.id, level_key.level.label, retention.value, formed.isoformat(), filed_at, title
    )


BATCH_FILE_READERS = frozenset({Role.ARCHIVIST, Role.LEADER, Role.SECURITY_OFFICER})
"""Who sees the records of a destruction batch's own file (its scans and 销毁清册), at the levels they hold."""


def file_visibility(archive: Archive, session: Session) -> Callable[[str], bool]:
    """"May this session see records filed under X?" - X a case, or a destruction batch.

    A record belongs to a case, except the paperwork of a destruction: the scans
    and the 销毁清册 belong to their batch, since the cases they speak of may be
    gone.  Investigators and secretaries see no batch file.
    """
    case_visible = case_visibility(archive, session)
    batch_reader = bool(session.roles & BATCH_FILE_READERS)

    batches: dict[str, bool] = {}

    def visible(file_id: str) -> bool:
        if not file_id.startswith(BATCH_PREFIX):
            return case_visible(file_id)  # (which remembers its answers)
        if file_id not in batches:
            batches[file_id] = batch_reader and archive.conn.execute(
                "SELECT 1 FROM destruction_batches WHERE batch_id = ?", (file_id,)).fetchone() is not None
        return batches[file_id]

    return visible


def _may_list(session: Session) -> bool:
    """Roles that see records at all: content readers, and investigators (of the cases granted them)."""
    return bool(session.roles & (CONTENT_READERS | GRANTEES))


@dataclass(frozen=True)
class _Opened:
    """A catalogue row decoded with a level key: the description, the record key and the original file name."""

    info: RecordInfo
    key: bytes
    file_name: str


def _everyone(case_id: str) -> bool:
    return True


def _open_row(
    level_keys: Mapping[Level, LevelKey], row: tuple, case_visible: Callable[[str], bool] = _everyone
) -> _Opened | None:
    """Decode one catalogue row with ``level_keys``, or None when they do not open it or its case is not visible.

    The level is checked before the case, which costs a decryption.  An empty
    wrapped key is a destroyed record's tombstone: it opens for nobody.
    """
    record_id, code, case_id, kind, level_value, version, retention, formed, filed_at, wrapped, sealed = row
    level_key = level_key_for(level_keys, Level(level_value), version)
    if not wrapped or level_key is None or not case_visible(case_id):
        return None
    record_key = unwrap_record_key(level_key, record_id, wrapped)
    description = json.loads(
        crypto.open_sealed(
            crypto.derive_subkey(record_key, "record description"),
            sealed,
            _description_associated(record_id),
            f"记录 {record_id} 的著录信息",
        )
    )
    info = RecordInfo(
        record_id, code, case_id, kind, Level(level_value).label, retention, formed, filed_at, description["title"]
    )
    return _Opened(info, record_key, description["filename"])


def _content(archive: Archive, opened: _Opened) -> bytes:
    """The record's whole content, checked against the keyed digest the catalogue holds."""
    record_id = opened.info.record_id
    (content_mac,) = archive.conn.execute("SELECT content_mac FROM records WHERE record_id = ?", (record_id,)).fetchone()
    return decrypt_record(archive.record_path(record_id), record_id, opened.key, content_mac)


def _row(archive: Archive, record_id: str) -> tuple | None:
    return archive.conn.execute(f"SELECT {_COLUMNS} FROM records WHERE record_id = ?", (record_id,)).fetchone()


def _missing(archive: Archive, session: Session, record_id: str, row: tuple | None) -> ArchiveError:
    """What to say of a record the session cannot open: destroyed (if it holds the level), else not found."""
    if row is not None and not row[9] and Level(row[4]) in session.level_keys:
        return Refused(destroyed_notice(archive, row[0]) or f"记录 {record_id} 已销毁")
    return _not_visible(record_id)


def _not_visible(record_id: str) -> NotFound:
    return NotFound(f"记录 {record_id} 不存在，或您无权查看")


def read_record(archive: Archive, session: Session, record_id: str) -> tuple[RecordInfo, bytes]:
    """A record's description and content, for a user allowed to read it."""
    row = _row(archive, record_id)
    opened = None
    if row is not None and _may_list(session):
        opened = _open_row(session.level_keys, row, file_visibility(archive, session))
    copies_only = opened is not None and not session.roles & CONTENT_READERS  # an investigator with a grant
    if opened is None or copies_only:
        with archive.act(session) as act:
            act.log("record.get.refused", [record_id])
    if opened is None:
        raise _missing(archive, session, record_id, row)
    if copies_only:
        raise PermissionDenied(f"调查员只能以带水印、编号的副本查阅记录：xinfang archive export {record_id} --out 副本.pdf")
    content = _content(archive, opened)
    with archive.act(session) as act:
        act.log("record.get", [record_id])
    return opened.info, content


def list_records(archive: Archive, session: Session, case_id: str | None = None) -> list[RecordInfo]:
    """The records this session may see, optionally of one case, oldest first."""
    results: list[RecordInfo] = []
    if _may_list(session):
        case_visible = file_visibility(archive, session)  # one answer per case, however many records it has
        query = f"SELECT {_COLUMNS} FROM records"
        params: tuple = ()
        if case_id:
            query += " WHERE case_id = ?"
            params = (case_id,)
        for row in archive.conn.execute(query + " ORDER BY record_id", params).fetchall():
            opened = _open_row(session.level_keys, row, case_visible)
            if opened is not None:
                results.append(opened.info)
    with archive.act(session) as act:
        act.log("record.list", info={"count": len(results)})
    return results


def visible_records(archive: Archive, session: Session, record_ids: Iterable[str]) -> list[RecordInfo]:
    """The descriptions (never the content) of those of ``record_ids`` this session may see, in the order given.

    Absent, hidden and destroyed records are left out alike.  Nothing is logged:
    the caller logs its own act (a list of items due for appraisal, say).
    """
    results: list[RecordInfo] = []
    if not _may_list(session):
        return results
    case_visible = file_visibility(archive, session)
    for record_id in record_ids:
        row = _row(archive, record_id)
        opened = _open_row(session.level_keys, row, case_visible) if row is not None else None
        if opened is not None:
            results.append(opened.info)
    return results


def find_record(archive: Archive, session: Session, record_id: str) -> RecordInfo:
    """One record's description for a session that may see it; nothing is logged.

    Absent and hidden answer alike (:class:`NotFound`); a destroyed record whose
    level the session holds is said to be destroyed (:class:`Refused`).
    """
    found = visible_records(archive, session, [record_id.strip()])
    if found:
        return found[0]
    raise _missing(archive, session, record_id, _row(archive, record_id.strip()))


@dataclass(frozen=True)
class StoredRecord:
    """A record opened for a process (indexing, verifying) rather than shown to a person."""

    info: RecordInfo
    file_name: str
    content: bytes


def open_stored_record(archive: Archive, level_keys: Mapping[Level, LevelKey], record_id: str) -> StoredRecord | None:
    """A record's description and checked content for a process holding its level key, else None.

    No need-to-know is applied and nothing is logged: the caller is a process
    (building the search index) whose output no person reads directly, and
    which applies permission itself before showing anything.
    """
    row = _row(archive, record_id)
    opened = _open_row(level_keys, row) if row is not None else None
    return StoredRecord(opened.info, opened.file_name, _content(archive, opened)) if opened is not None else None


def describe_stored_records(
    archive: Archive, level_keys: Mapping[Level, LevelKey], record_ids: Iterable[str]
) -> list[RecordInfo]:
    """The descriptions of those of ``record_ids`` that ``level_keys`` open, in the order given; nothing is logged.

    For a process acting on a batch it was authorised for as a whole (taking the
    销毁清册's list before the items are wiped), as :func:`open_stored_record`.
    """
    results = []
    for record_id in record_ids:
        row = _row(archive, record_id)
        opened = _open_row(level_keys, row) if row is not None else None
        if opened is not None:
            results.append(opened.info)
    return results


def open_record_for_copy(archive: Archive, session: Session, record_id: str) -> StoredRecord | None:
    """A record's description and content for making a numbered copy, or None when the session may not see it.

    Unlike :func:`read_record` this admits investigators (for the cases granted
    them): they receive content only as the copies :mod:`archive.copies` numbers
    and registers.  The caller logs what it does.
    """
    row = _row(archive, record_id.strip())
    if row is None or not _may_list(session):
        return None
    opened = _open_row(session.level_keys, row, file_visibility(archive, session))
    return StoredRecord(opened.info, opened.file_name, _content(archive, opened)) if opened is not None else None


def destroyed_notice(archive: Archive, record_id: str) -> str | None:
    """"Destroyed on … in batch …" for a destroyed record, else None."""
    row = archive.conn.execute(
        "SELECT r.destroyed_batch, b.executed_at FROM records r JOIN destruction_batches b "
        "ON b.batch_id = r.destroyed_batch WHERE r.record_id = ?", (record_id,)
    ).fetchone()
    if row is None:
        return None
    batch_id, executed_at = row
    when = f"于 {executed_at[:10]} " if executed_at else ""
    return f"记录 {record_id} 已{when}随销毁批次 {batch_id} 以密码擦除方式销毁"
