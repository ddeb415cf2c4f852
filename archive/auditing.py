"""What the 安全审计员 does with the log: read it, export anchors, verify against them.

Reading the log needs an auditor's (or security officer's) account; details
sealed under a record key are shown only to a reader who holds that key, so an
auditor sees who did what to which object, never a title or a reason — and
nobody sees the details of a record whose case need-to-know hides from them
(回避, :mod:`archive.need_to_know`).
Verification needs no account at all: public keys and the folder suffice.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .accounts import Session
from .anchors import AnchorResult, check_anchor, format_checkpoint, read_checkpoint_file
from .audit import SEARCH_ACTION, read_sealed_details
from .cases import unwrap_case_key
from .errors import IntegrityError
from .folder import Archive
from .keyring import level_key_for
from .levels import Level
from .records import file_visibility, unwrap_record_key
from .roles import Role, require_role
from .verify import VerifyReport, check_archive

__all__ = ["AuditReport", "LogEntry", "export_checkpoint", "list_log_entries", "verify_audit"]

LOG_READERS = frozenset({Role.AUDITOR, Role.SECURITY_OFFICER})


def export_checkpoint(archive: Archive, session: Session) -> str:
    """Sign a checkpoint of the log as it stands now and return its printable text."""
    with archive.act(session) as act:
        act.log("audit.checkpoint")
    assert act.signed is not None
    (sign_public,) = archive.conn.execute(
        "SELECT sign_public FROM accounts WHERE account_id = ?", (session.account.account_id,)
    ).fetchone()
    return format_checkpoint(act.signed, archive.config.organisation, sign_public)


@dataclass(frozen=True)
class LogEntry:
    """One audit entry as a reader may see it; ``details`` only when the reader holds the key."""

    seq: int
    time: str
    actor: str | None
    action: str
    objects: list[str]
    info: dict[str, Any]
    details: dict[str, Any] | None


def list_log_entries(
    archive: Archive,
    session: Session,
    *,
    user: str | None = None,
    action: str | None = None,
    since: date | None = None,
    record: str | None = None,
) -> list[LogEntry]:
    """Entries matching every filter given, oldest first."""
    require_role(session.roles, LOG_READERS, "查看审计日志")
    keys = _detail_keys(archive, session)
    entries = []
    for seq, body in archive.conn.execute("SELECT seq, body FROM audit_entries ORDER BY seq"):
        entry = json.loads(body)
        if user and entry["actor"] != user:
            continue
        if action and not entry["action"].startswith(action):
            continue
        if since and entry["time"][:10] < since.isoformat():
            continue
        if record and record not in entry["objects"]:
            continue
        details = _details(archive, seq, keys.candidates(entry)) if entry["details"] else None
        entries.append(
            LogEntry(seq, entry["time"], entry["actor"], entry["action"], entry["objects"], entry["info"], details)
        )
    with archive.act(session) as act:
        act.log("audit.log", info={"count": len(entries)})
    return entries




@dataclass(frozen=True)
class _DetailKeys:
    """The keys an entry's details may be sealed under, of what the reader may see.

    Details are sealed under the key of what the entry concerns: a record's key
    (filing), its case's key (handling, holds, appraisals, grants), or, for a
    search, the searcher's highest level key.  The entry does not say which, so
    each candidate is tried.
    """

    records: dict[str, bytes]
    cases: dict[str, bytes]
    case_of: dict[str, str]
    levels: list[bytes]

    def candidates(self, entry: dict[str, Any]) -> list[bytes]:
        if entry["action"] == SEARCH_ACTION:
            return self.levels
        found = []
        for name in entry["objects"]:
            found += [key for key in (self.records.get(name), self.cases.get(name),
                                      self.cases.get(self.case_of.get(name, ""))) if key is not None]
        return found


def _details(archive: Archive, seq: int, keys: list[bytes]) -> dict[str, Any] | None:
    """The entry's details opened with the first key that fits, or None when the reader holds none of them."""
    for key in dict.fromkeys(keys):
        with contextlib.suppress(IntegrityError):
            return read_sealed_details(archive.conn, seq, key)
    return None


def _detail_keys(archive: Archive, session: Session) -> _DetailKeys:
    visible = file_visibility(archive, session)
    keys = _DetailKeys({}, {}, {}, [v.key for level_key in session.level_keys.values() for v in level_key.versions])
    for record_id, case_id, level_value, version, wrapped in archive.conn.execute(
        "SELECT record_id, case_id, level, key_version, wrapped_key FROM records"
    ).fetchall():
        keys.case_of[record_id] = case_id
        level_key = level_key_for(session.level_keys, Level(level_value), version)
        if wrapped and level_key is not None and visible(case_id):  # (a tombstone's key is wiped)
            keys.records[record_id] = unwrap_record_key(level_key, record_id, wrapped)
    for case_id, level_value, version, wrapped in archive.conn.execute(
        "SELECT case_id, level, key_version, wrapped_key FROM cases"
    ).fetchall():
        level_key = level_key_for(session.level_keys, Level(level_value), version)
        if wrapped and level_key is not None and visible(case_id):  # (an erased case's key is wiped)
            keys.cases[case_id] = unwrap_case_key(level_key, case_id, wrapped)
    return keys


@dataclass
class AuditReport:
    """The auditor's verification: the folder's own checks plus each exported anchor."""

    archive: VerifyReport
    anchors: list[AnchorResult] = field(default_factory=list)
    stretches: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when neither the folder nor any anchor showed a problem."""
        return self.archive.ok and not any(result.problems for result in self.anchors)


def verify_audit(
    archive: Archive, anchors: Sequence[Path] = (), progress: Callable[[int, int], None] | None = None
) -> AuditReport:
    """Verify log, keyslots, keys and record files without any secret, and the log against each anchor."""
    exported = [(path.name, read_checkpoint_file(path)) for path in anchors]
    report, summary = check_archive(archive, {}, progress)
    public_keys = {name: key for name, key in archive.conn.execute("SELECT name, sign_public FROM accounts")}
    results = [
        check_anchor(anchor, source, archive.config.archive_id, public_keys, summary) for source, anchor in exported
    ]
    return AuditReport(report, results, summary.stretches)
