"""Drafts (拟稿) and the 发文登记簿: what the office prepared, who signed it off, which number it got.

A draft keeps the values a document was rendered from, sealed under its case's
key, and a keyed digest of the file handed to the secretary, so an edited copy
is recognised instead of silently replaced.  Issuing is one write transaction
composed by the caller (the generators): the number is allocated with
:func:`archive.numbering.allocate_document_number`, the documents are filed
with :func:`archive.records.store_record` and the register entry is written
with :func:`record_dispatch` — all committed together or not at all, so a
number is used exactly when its document exists.  A voided number keeps its
register entry, marked void with its reason, and is never handed out again.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import crypto
from .accounts import Account, Session, find_account
from .audit import Act, now_utc
from .cases import CaseFile, case_opener, open_case, open_case_text, seal_case_text
from .catalogue import row_digests
from .errors import InvalidInput, NotFound, Refused
from .folder import Archive
from .levels import Level
from .numbering import allocate_number, format_draft_id
from .roles import Role, require_role
from .text import check_text

__all__ = [
    "DRAFTERS",
    "Dispatch",
    "Draft",
    "check_signer",
    "dispatch_digests",
    "dispatch_object",
    "dispatches_of_case",
    "draft_digests",
    "draft_file_mac",
    "find_dispatch",
    "list_dispatches",
    "open_draft",
    "record_dispatch",
    "record_sign_off",
    "save_draft",
    "unissued_drafts",
    "void_dispatch",
]

DRAFTERS = frozenset({Role.SECRETARY, Role.LEADER})
"""Who drafts, issues and voids documents: the 文秘, or a leader doing it in person."""
_DRAFT_ID = re.compile(r"NG-\d{4}-\d{6}")
MAX_REASON = 500


@dataclass(frozen=True)
class Draft:
    """A draft as saved: its case, kind and the values it was rendered from."""

    draft_id: str
    case_id: str
    kind: str
    created_by: str
    created_at: str
    content: dict[str, Any]
    file_mac: str
    issued_as: str | None


@dataclass(frozen=True)
class Dispatch:
    """One line of the 发文登记簿."""

    document_number: str
    series: str
    year: int
    number: int
    draft_id: str
    case_id: str
    kind: str
    classification: str
    signer: str
    signed_on: str
    on_paper: bool
    copies: int
    issued_by: str
    issued_at: str
    records: list[str]
    voided_at: str | None
    voided_by: str | None
    void_reason: str | None

    def to_json(self) -> dict[str, Any]:
        """The register line as ``issue list --json`` prints it."""
        return {
            "document_number": self.document_number, "draft_id": self.draft_id, "case_id": self.case_id,
            "kind": self.kind, "classification": self.classification, "signer": self.signer,
            "signed_on": self.signed_on, "signed_on_paper": self.on_paper, "copies": self.copies,
            "issued_by": self.issued_by, "issued_at": self.issued_at, "records": self.records,
            "voided": self.voided_at is not None, "voided_at": self.voided_at, "voided_by": self.voided_by,
            "void_reason": self.void_reason,
        }


def draft_digests(conn: sqlite3.Connection, draft_id: str) -> dict[str, str]:
    """The digest of a draft's whole row, for the audit log (an edited draft is caught by verify)."""
    return row_digests(conn, "drafts", "draft_id", draft_id)


def dispatch_digests(conn: sqlite3.Connection, document_number: str) -> dict[str, str]:
    """The digest of a register line, for the audit log (an edited signer or void is caught by verify)."""
    return row_digests(conn, "dispatches", "document_number", document_number)


def dispatch_object(document_number: str) -> str:
    """How the audit log names a register line."""
    return f"document:{document_number}"


def draft_file_mac(case: CaseFile, data: bytes) -> str:
    """A keyed digest of a draft file: recognises the file without revealing anything about it."""
    return crypto.keyed_digest(crypto.derive_subkey(case.key, "draft file"), data)


def save_draft(archive: Archive, session: Session, case: CaseFile, kind: str, content: dict[str, Any],
               file_data: bytes, deliver: Callable[[str], None]) -> Draft:
    """Record a new draft of ``kind`` for ``case``; it uses no 发文字号.

    ``deliver(draft_id)`` writes the draft file; it runs before the commit, so
    a file that cannot be written leaves no draft behind.
    """
    require_role(session.roles, DRAFTERS, "拟稿")
    with archive.act(session) as act:
        year = date.today().year
        draft_id = format_draft_id(year, allocate_number(archive.conn, "draft", year))
        created_at = now_utc()
        mac = draft_file_mac(case, file_data)
        archive.conn.execute(
            "INSERT INTO drafts (draft_id, case_id, kind, created_by, created_at, file_mac, sealed_content) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (draft_id, case.case_id, kind, act.actor, created_at, mac,
             seal_case_text(case.key, case.case_id, f"draft {draft_id}", content)),
        )
        act.log("document.draft", [draft_id, case.case_id], digests={draft_id: draft_digests(archive.conn, draft_id)},
                info={"kind": kind})
        deliver(draft_id)
    return Draft(draft_id, case.case_id, kind, act.actor, created_at, content, mac, None)


def unissued_drafts(conn: sqlite3.Connection, kind: str) -> dict[str, str]:
    """Case id -> its latest draft of ``kind`` not yet issued (a reminder already waiting for a signature)."""
    rows = conn.execute(
        "SELECT case_id, MAX(draft_id) FROM drafts WHERE kind = ? "
        "AND draft_id NOT IN (SELECT draft_id FROM dispatches) GROUP BY case_id", (kind,)
    )
    return dict(rows.fetchall())


def open_draft(archive: Archive, session: Session, draft_id: str) -> tuple[Draft, CaseFile]:
    """A draft and its case, for a drafter who may see the case; absent and forbidden answer alike."""
    require_role(session.roles, DRAFTERS, "签发")
    wanted = draft_id.strip()
    row = archive.conn.execute(
        "SELECT d.draft_id, d.case_id, d.kind, d.created_by, d.created_at, d.file_mac, d.sealed_content, "
        "p.document_number FROM drafts d LEFT JOIN dispatches p ON p.draft_id = d.draft_id WHERE d.draft_id = ?",
        (wanted,),
    ).fetchone() if _DRAFT_ID.fullmatch(wanted) else None
    if row is None:
        raise NotFound(f"草稿 {draft_id} 不存在，或您无权查看")
    draft_id, case_id, kind, created_by, created_at, mac, sealed, issued_as = row
    try:
        case = open_case(archive, session, case_id)
    except NotFound:
        raise NotFound(f"草稿 {draft_id} 不存在，或您无权查看") from None
    content = open_case_text(case.key, case_id, f"draft {draft_id}", sealed)
    return Draft(draft_id, case_id, kind, created_by, created_at, content, mac, issued_as), case


def check_signer(archive: Archive, name: str) -> Account:
    """The leader named as 签发人: an active account holding the leader role."""
    account = find_account(archive.conn, check_text(name, "签发人（--signer）", max_length=64))
    if account is None or account.status != "active" or Role.LEADER not in account.roles:
        raise InvalidInput(f"签发人“{name}”不是本档案库中在职的领导账户")
    return account


def record_sign_off(archive: Archive, signer: Session, drafts: Sequence[Draft], signed_on: date) -> None:
    """The leader's own sign-off (签发), signed in the audit log with the leader's key."""
    require_role(signer.roles, {Role.LEADER}, "签发")
    with archive.act(signer) as act:
        act.log("document.sign-off", [d.draft_id for d in drafts], info={"signed_on": signed_on.isoformat()})


def record_dispatch(
    archive: Archive,
    act: Act,
    *,
    draft: Draft,
    series: str,
    year: int,
    number: int,
    document_number: str,
    level: Level,
    signer: str,
    signed_on: date,
    on_paper: bool,
    copies: int,
    records: Sequence[str],
) -> Dispatch:
    """Write the register line of an issued document inside the caller's transaction ``act``."""
    issued_at = now_utc()
    try:
        archive.conn.execute(
            "INSERT INTO dispatches (document_number, series, year, number, draft_id, case_id, kind, level, signer, "
            "signed_on, on_paper, copies, issued_by, issued_at, records) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (document_number, series, year, number, draft.draft_id, draft.case_id, draft.kind, level.value, signer,
             signed_on.isoformat(), int(on_paper), copies, act.actor, issued_at, json.dumps(list(records))),
        )
    except sqlite3.IntegrityError as exc:  # the draft was issued meanwhile by another process
        raise Refused(f"草稿 {draft.draft_id} 已经签发，不能重复编号") from exc
    act.log(
        "document.issue", [dispatch_object(document_number), draft.draft_id, draft.case_id, *records],
        digests={dispatch_object(document_number): dispatch_digests(archive.conn, document_number)},
        info={"kind": draft.kind, "signer": signer, "signed_on": signed_on.isoformat(), "on_paper": on_paper,
              "copies": copies, "classification": level.label},
    )
    return Dispatch(document_number, series, year, number, draft.draft_id, draft.case_id, draft.kind, level.label,
                    signer, signed_on.isoformat(), on_paper, copies, act.actor, issued_at, list(records),
                    None, None, None)


_DISPATCH_COLUMNS = (
    "document_number, series, year, number, draft_id, case_id, kind, level, signer, signed_on, on_paper, copies, "
    "issued_by, issued_at, records, voided_at, voided_by, sealed_void_reason"
)


def _dispatch(row: tuple, case: CaseFile) -> Dispatch:
    (document_number, series, year, number, draft_id, case_id, kind, level, signer, signed_on, on_paper, copies,
     issued_by, issued_at, records, voided_at, voided_by, sealed_reason) = row
    reason = (open_case_text(case.key, case_id, f"void {document_number}", sealed_reason)
              if sealed_reason is not None else None)
    return Dispatch(document_number, series, year, number, draft_id, case_id, kind, Level(level).label, signer,
                    signed_on, bool(on_paper), copies, issued_by, issued_at, json.loads(records), voided_at,
                    voided_by, reason)


def _visible(archive: Archive, session: Session, rows: Sequence[tuple]) -> list[Dispatch]:
    case_of = case_opener(archive, session)
    result = []
    for row in rows:
        case = case_of(row[5])
        if case is not None:
            result.append(_dispatch(row, case))
    return result


def find_dispatch(archive: Archive, session: Session, document_number: str) -> Dispatch:
    """One register line by its 发文字号, for a user who may see its case."""
    row = archive.conn.execute(
        f"SELECT {_DISPATCH_COLUMNS} FROM dispatches WHERE document_number = ?", (document_number.strip(),)
    ).fetchone()
    found = _visible(archive, session, [row]) if row is not None else []
    if not found:
        raise NotFound(f"发文字号 {document_number} 不在发文登记簿中，或您无权查看")
    return found[0]


def list_dispatches(archive: Archive, session: Session, *, year: int | None = None) -> list[Dispatch]:
    """The 发文登记簿 as far as this user may see it, by series and number."""
    query = f"SELECT {_DISPATCH_COLUMNS} FROM dispatches"
    params: tuple = ()
    if year is not None:
        query += " WHERE year = ?"
        params = (year,)
    rows = archive.conn.execute(query + " ORDER BY series, year, number", params).fetchall()
    result = _visible(archive, session, rows)
    with archive.act(session) as act:
        act.log("document.list", info={"count": len(result)})
    return result


def dispatches_of_case(archive: Archive, session: Session, case: CaseFile) -> list[Dispatch]:
    """The documents issued for ``case``, oldest first (for 督办/催办 citing the original letter)."""
    rows = archive.conn.execute(
        f"SELECT {_DISPATCH_COLUMNS} FROM dispatches WHERE case_id = ? ORDER BY issued_at, number", (case.case_id,)
    ).fetchall()
    return [_dispatch(row, case) for row in rows]


def void_dispatch(archive: Archive, session: Session, document_number: str, reason: str) -> Dispatch:
    """Void an issued number: the entry stays, marked void with the reason; the number is never reused."""
    require_role(session.roles, DRAFTERS, "作废发文字号")
    reason = check_text(reason, "作废理由（--reason）", max_length=MAX_REASON)
    dispatch = find_dispatch(archive, session, document_number)
    if dispatch.voided_at is not None:
        raise Refused(f"发文字号 {dispatch.document_number} 已于 {dispatch.voided_at} 作废")
    case = open_case(archive, session, dispatch.case_id)
    with archive.act(session) as act:
        voided_at = now_utc()
        archive.conn.execute(
            "UPDATE dispatches SET voided_at = ?, voided_by = ?, sealed_void_reason = ? WHERE document_number = ?",
            (voided_at, act.actor, seal_case_text(case.key, case.case_id, f"void {dispatch.document_number}", reason),
             dispatch.document_number),
        )
        act.log("document.void", [dispatch_object(dispatch.document_number), dispatch.case_id],
                digests={dispatch_object(dispatch.document_number):
                         dispatch_digests(archive.conn, dispatch.document_number)})
    return find_dispatch(archive, session, dispatch.document_number)
