"""Access under permission: an investigator's requests, a leader's grants, and revoking them.

The offices' rule: another unit or person may consult petition material only with
a leader's consent (须经领导同意后方可查询).  So an investigator sees a case only
through a grant a leader made - for one case, one person, a number of days - and
every grant, request, decision and revocation is in the audit log.  A grant is
looked up at every use (:func:`archive.need_to_know.granted_cases`), so one that
expires or is revoked stops working at once, in every command.

An investigator cannot know a case id they may not see, so the usual way is the
leader's ``grant``.  ``request`` is for a case the investigator already knows of
(from a transfer letter, say); it is accepted for any well-formed id, existing or
not, and answers alike, so requesting tells the requester nothing.

Reasons can name people.  A grant's reason is sealed under its case's key; a
request's reason and a denial's under a subkey of the requester's highest level
key (the case may not exist, or be above the requester's clearance), so a leader
holding that level reads them.
"""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from . import crypto
from .accounts import Account, Session, find_account
from .audit import Act, now_utc, utc_stamp
from .cases import CaseFile, case_opener, open_case, open_case_text, seal_case_text
from .catalogue import row_digests
from .errors import InvalidInput, NotFound, PermissionDenied, Refused
from .folder import Archive
from .keyring import LevelKey
from .kinds import RecordKind, register_kind
from .levels import Level
from .need_to_know import GRANTEES, is_recused
from .numbering import allocate_number
from .outgoing import read_document
from .records import store_record
from .retention import scheduled_retention
from .roles import Role, require_role
from .text import check_text

__all__ = [
    "CONSENT_SCAN",
    "MAX_DAYS",
    "AccessRequest",
    "Grant",
    "PaperConsent",
    "approve_request",
    "deny_request",
    "grant_access",
    "list_grants",
    "list_requests",
    "request_access",
    "reseal_request_texts",
    "revoke_grant",
]

MAX_DAYS = 90
MAX_REASON = 500
CONSENT_SCAN = RecordKind("access-consent-scan", "查阅审批单扫描件")
register_kind(CONSENT_SCAN)
RECORDERS_OF_PAPER = frozenset({Role.SECRETARY, Role.LEADER})
OVERSEERS = frozenset({Role.LEADER, Role.SECURITY_OFFICER, Role.ARCHIVIST})
"""Who sees every request and grant (the register); an investigator sees their own."""

@dataclass(frozen=True)
class PaperConsent:
    """A leader's consent given on a signed paper form, recorded by someone else from its scan."""

    leader: str
    scan: Path


@dataclass(frozen=True)
class Grant:
    """A grant as the register shows it; ``reason`` is None for a reader who cannot open it."""

    grant_id: str
    case_id: str
    grantee: str
    consented_by: str
    recorded_by: str
    request_id: str | None
    starts_at: str
    expires_at: str
    on_paper: bool
    scan_record: str | None
    revoked_at: str | None
    revoked_by: str | None
    reason: str | None

    def state(self, at: datetime) -> str:
        """``live``, ``expired`` or ``revoked`` at ``at``."""
        if self.revoked_at is not None:
            return "revoked"
        return "live" if self.starts_at <= utc_stamp(at) < self.expires_at else "expired"

    def to_json(self, at: datetime) -> dict[str, Any]:
        """The grant for ``access list --json``, with its state at ``at``."""
        return {**asdict(self), "state": self.state(at)}


@dataclass(frozen=True)
class AccessRequest:
    """A request as the register shows it; texts are None for a reader who cannot open them."""

    request_id: str
    case_id: str
    requester: str
    requested_at: str
    state: str
    decided_by: str | None
    decided_at: str | None
    grant_id: str | None
    reason: str | None
    denial: str | None

    def to_json(self) -> dict[str, Any]:
        """The request for ``access list --json``."""
        return asdict(self)


# -- checks -----------------------------------------------------------------------------


def _days(days: int) -> int:
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"授权天数须在 1 到 {MAX_DAYS} 之间")
    return days


def _grantee(archive: Archive, name: str, case: CaseFile) -> Account:
    account = find_account(archive.conn, name.strip())
    if account is None or account.status != "active" or not account.roles & GRANTEES:
        raise InvalidInput(f"“{name}”不是本档案库中在职的调查员账户")
    held = archive.conn.execute(
        "SELECT 1 FROM level_key_grants WHERE account_id = ? AND level = ? "
        "AND version = (SELECT MAX(version) FROM level_keys WHERE level = ?)",
        (account.account_id, case.level.value, case.level.value),
    ).fetchone()
    if held is None:
        raise Refused(f"调查员 {account.name} 的密级授权不含{case.level.label}，授权后也无法查阅；请先由安全保密管理员授予密级")
    if is_recused(account, case.parties):
        raise Refused(f"调查员 {account.name} 须回避信访件 {case.case_id}（被反映人或其所在单位），不能授权查阅")
    return account


def _consenting_leader(archive: Archive, session: Session, paper: PaperConsent | None) -> str:
    """The leader who consents: the acting leader, or the leader named on a paper form."""
    if paper is None:
        require_role(session.roles, {Role.LEADER}, "批准查阅（或以 --signed-on-paper 附领导签字的审批单）")
        return session.account.name
    require_role(session.roles, RECORDERS_OF_PAPER, "登记纸质查阅审批单")
    leader = find_account(archive.conn, paper.leader.strip())
    if leader is None or leader.status != "active" or Role.LEADER not in leader.roles:
        raise InvalidInput(f"审批人“{paper.leader}”不是本档案库中在职的领导账户")
    return leader.name


# -- grants -----------------------------------------------------------------------------


def _insert_grant(archive: Archive, act: Act, session: Session, case: CaseFile, grantee: Account, *, days: int,
                  reason: str, consented_by: str, paper: PaperConsent | None, scan: bytes | None,
                  request_id: str | None) -> str:
    year = date.today().year
    grant_id = f"AG-{year}-{allocate_number(archive.conn, 'access grant', year):04d}"
    scan_record = None
    if paper is not None and scan is not None:
        level_key = session.level_keys[case.level]
        stored = store_record(
            archive, act, io.BytesIO(scan), paper.scan.name, case_id=case.case_id,
            title=f"查阅审批单（{grantee.name}，{grant_id}）", kind=CONSENT_SCAN, level_key=level_key,
            retention=scheduled_retention(archive.config.sections.get("retention", {}), CONSENT_SCAN.id),
            formed=date.today(),
        )
        scan_record = stored.record_id
    start = session.now
    archive.conn.execute(
        "INSERT INTO access_grants (grant_id, case_id, grantee, consented_by, recorded_by, request_id, starts_at, "
        "expires_at, sealed_reason, on_paper, scan_record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (grant_id, case.case_id, grantee.name, consented_by, act.actor, request_id, utc_stamp(start),
         utc_stamp(start + timedelta(days=days)), seal_case_text(case.key, case.case_id, f"grant {grant_id}", reason),
         int(paper is not None), scan_record),
    )
    act.log(
        "access.grant", [grant_id, case.case_id],
        digests={grant_id: row_digests(archive.conn, "access_grants", "grant_id", grant_id)},
        info={"grantee": grantee.name, "consented_by": consented_by, "days": days, "on_paper": paper is not None,
              "request": request_id},
        details={"reason": reason}, details_key=case.key,
    )
    return grant_id


def _scan(paper: PaperConsent | None) -> bytes | None:
    if paper is None:
        return None
    data = read_document(paper.scan)
    if not data:
        raise InvalidInput(f"审批单扫描件 {paper.scan.name} 是空文件")
    return data


def grant_access(archive: Archive, session: Session, case_id: str, *, to: str, days: int, reason: str,
                 paper: PaperConsent | None = None) -> Grant:
    """A leader grants ``to`` (an investigator) the case for ``days`` days, starting now."""
    consented_by = _consenting_leader(archive, session, paper)
    reason = check_text(reason, "授权理由（--reason）", max_length=MAX_REASON)
    case = open_case(archive, session, case_id)
    grantee = _grantee(archive, to, case)
    scan = _scan(paper)
    with archive.act(session) as act:
        grant_id = _insert_grant(archive, act, session, case, grantee, days=_days(days), reason=reason,
                                 consented_by=consented_by, paper=paper, scan=scan, request_id=None)
    return _find_grant(archive, session, grant_id)


def revoke_grant(archive: Archive, session: Session, grant_id: str) -> Grant:
    """A leader ends a grant now; it stops working in every command at once."""
    require_role(session.roles, {Role.LEADER}, "撤销查阅授权")
    grant = _find_grant(archive, session, grant_id)
    if grant.revoked_at is not None:
        raise Refused(f"授权 {grant.grant_id} 已于 {grant.revoked_at} 撤销")
    with archive.act(session) as act:
        archive.conn.execute(
            "UPDATE access_grants SET revoked_at = ?, revoked_by = ? WHERE grant_id = ?",
            (now_utc(), act.actor, grant.grant_id),
        )
        act.log("access.revoke", [grant.grant_id, grant.case_id],
                digests={grant.grant_id: row_digests(archive.conn, "access_grants", "grant_id", grant.grant_id)})
    return _find_grant(archive, session, grant.grant_id)


_GRANT_COLUMNS = (
    "grant_id, case_id, grantee, consented_by, recorded_by, request_id, starts_at, expires_at, on_paper, "
    "scan_record, revoked_at, revoked_by, sealed_reason"
)


def _grant(row: tuple, case_of: Callable[[str], CaseFile | None]) -> Grant:
    *values, sealed = row
    case_id = values[1]
    case = case_of(case_id)
    reason = open_case_text(case.key, case_id, f"grant {values[0]}", sealed) if case is not None else None
    values[8] = bool(values[8])
    return Grant(*values, reason=reason)


def _find_grant(archive: Archive, session: Session, grant_id: str) -> Grant:
    row = archive.conn.execute(
        f"SELECT {_GRANT_COLUMNS} FROM access_grants WHERE grant_id = ?", (grant_id.strip(),)
    ).fetchone()
    if row is None or not (session.roles & OVERSEERS or session.account.name in (row[2], row[4])):
        raise NotFound(f"授权 {grant_id} 不存在，或您无权查看")
    return _grant(row, case_opener(archive, session))


def list_grants(archive: Archive, session: Session) -> list[Grant]:
    """Every grant for overseers (leaders, archivists, the security officer); otherwise those one holds or recorded."""
    query = f"SELECT {_GRANT_COLUMNS} FROM access_grants"
    params: tuple = ()
    if not session.roles & OVERSEERS:
        query += " WHERE grantee = ? OR recorded_by = ?"
        params = (session.account.name, session.account.name)
    case_of = case_opener(archive, session)
    grants = [_grant(row, case_of) for row in archive.conn.execute(query + " ORDER BY grant_id", params)]
    # A grant on a case hidden from an overseer (回避) is not listed to him: a blank line would say why.
    mine = session.account.name
    return [g for g in grants if case_of(g.case_id) is not None or mine in (g.grantee, g.recorded_by)]


# -- requests ---------------------------------------------------------------------------


def _request_key(level_key: bytes) -> bytes:
    return crypto.derive_subkey(level_key, "access request")


def _seal_request_text(key: bytes, request_id: str, what: str, text: str) -> bytes:
    return crypto.seal(_request_key(key), json.dumps(text, ensure_ascii=False).encode(),
                       f"xinfang access {what}|{request_id}".encode())


def _open_request_plain(level_key: LevelKey, request_id: str, what: str, sealed: bytes) -> tuple[int, str]:
    """The text, and which of ``level_key.versions`` opened it: the row records no key version."""
    index, plain = crypto.open_sealed_any([_request_key(key.key) for key in level_key.versions], sealed,
                                          f"xinfang access {what}|{request_id}".encode(), f"查阅申请 {request_id}")
    return index, str(json.loads(plain))


def _open_request_text(session: Session, level: Level, request_id: str, what: str, sealed: bytes | None
                       ) -> str | None:
    level_key = session.level_keys.get(level)
    if sealed is None or level_key is None:
        return None
    return _open_request_plain(level_key, request_id, what, sealed)[1]


def reseal_request_texts(conn: sqlite3.Connection, request_id: str, level_key: LevelKey
                         ) -> dict[str, dict[str, str]] | None:
    """Seal a request's reason and denial under ``level_key`` (its reason level's new version); caller's transaction.

    Returns the digests the log is to keep of the row, or None when nothing was
    under an older version (nothing changed).
    """
    row = conn.execute("SELECT sealed_reason, sealed_denial FROM access_requests WHERE request_id = ?",
                       (request_id,)).fetchone()
    changed = False
    for what, column, sealed in (("request", "sealed_reason", row[0]), ("denial", "sealed_denial", row[1])):
        if sealed is None:
            continue
        index, text = _open_request_plain(level_key, request_id, what, sealed)
        if index:
            conn.execute(f"UPDATE access_requests SET {column} = ? WHERE request_id = ?",
                         (_seal_request_text(level_key.key, request_id, what, text), request_id))
            changed = True
    return {request_id: row_digests(conn, "access_requests", "request_id", request_id)} if changed else None


def request_access(archive: Archive, session: Session, case_id: str, *, reason: str) -> AccessRequest:
    """An investigator asks to consult a case they know of; any well-formed id is accepted alike."""
    require_role(session.roles, GRANTEES, "申请查阅")
    if not session.level_keys:
        raise PermissionDenied("您没有任何密级授权，无法申请查阅")
    case_id = check_text(case_id, "信访件编号", max_length=64)
    reason = check_text(reason, "申请理由（--reason）", max_length=MAX_REASON)
    level = max(session.level_keys)
    with archive.act(session) as act:
        year = date.today().year
        request_id = f"AR-{year}-{allocate_number(archive.conn, 'access request', year):04d}"
        archive.conn.execute(
            "INSERT INTO access_requests (request_id, case_id, requester, requested_at, reason_level, sealed_reason, "
            "state) VALUES (?, ?, ?, ?, ?, ?, 'pending')",
            (request_id, case_id, act.actor, now_utc(), level.value,
             _seal_request_text(session.level_keys[level].key, request_id, "request", reason)),
        )
        act.log("access.request", [request_id],
                digests={request_id: row_digests(archive.conn, "access_requests", "request_id", request_id)})
    return _find_request(archive, session, request_id)


_REQUEST_COLUMNS = (
    "request_id, case_id, requester, requested_at, state, decided_by, decided_at, grant_id, reason_level, "
    "sealed_reason, sealed_denial"
)


def _request(session: Session, row: sqlite3.Row | tuple) -> AccessRequest:
    *values, level, sealed_reason, sealed_denial = row
    request_id = values[0]
    return AccessRequest(
        *values,
        reason=_open_request_text(session, Level(level), request_id, "request", sealed_reason),
        denial=_open_request_text(session, Level(level), request_id, "denial", sealed_denial),
    )


def _find_request(archive: Archive, session: Session, request_id: str) -> AccessRequest:
    row = archive.conn.execute(
        f"SELECT {_REQUEST_COLUMNS} FROM access_requests WHERE request_id = ?", (request_id.strip(),)
    ).fetchone()
    if row is None or not (session.roles & OVERSEERS or row[2] == session.account.name):
        raise NotFound(f"查阅申请 {request_id} 不存在，或您无权查看")
    return _request(session, row)


def list_requests(archive: Archive, session: Session) -> list[AccessRequest]:
    """Every request for overseers; an investigator's own otherwise."""
    query = f"SELECT {_REQUEST_COLUMNS} FROM access_requests"
    params: tuple = ()
    if not session.roles & OVERSEERS:
        query += " WHERE requester = ?"
        params = (session.account.name,)
    return [_request(session, row) for row in archive.conn.execute(query + " ORDER BY request_id", params)]


def _pending(archive: Archive, session: Session, request_id: str) -> tuple[AccessRequest, int]:
    require_role(session.roles, {Role.LEADER}, "审批查阅申请")
    request = _find_request(archive, session, request_id)
    if request.state != "pending":
        raise Refused(f"查阅申请 {request.request_id} 已于 {request.decided_at} 由 {request.decided_by} 处理")
    if request.requester == session.account.name:
        raise Refused("不能审批自己的查阅申请")
    (level,) = archive.conn.execute(
        "SELECT reason_level FROM access_requests WHERE request_id = ?", (request.request_id,)
    ).fetchone()
    return request, level


def approve_request(archive: Archive, session: Session, request_id: str, *, days: int) -> Grant:
    """A leader (not the requester) approves: a grant of the requested case to the requester."""
    request, _ = _pending(archive, session, request_id)
    days = _days(days)
    try:
        case = open_case(archive, session, request.case_id)
    except NotFound as exc:
        raise Refused(f"查阅申请 {request.request_id} 所指的信访件 {request.case_id} 不存在，或您无权查看；"
                      "请驳回该申请") from exc
    grantee = _grantee(archive, request.requester, case)
    with archive.act(session) as act:
        grant_id = _insert_grant(archive, act, session, case, grantee, days=days, reason=request.reason or "依申请",
                                 consented_by=session.account.name, paper=None, scan=None,
                                 request_id=request.request_id)
        archive.conn.execute(
            "UPDATE access_requests SET state = 'approved', decided_by = ?, decided_at = ?, grant_id = ? "
            "WHERE request_id = ?", (act.actor, now_utc(), grant_id, request.request_id),
        )
        act.log("access.approve", [request.request_id, grant_id],
                digests={request.request_id: row_digests(archive.conn, "access_requests", "request_id",
                                                         request.request_id)})
    return _find_grant(archive, session, grant_id)


def deny_request(archive: Archive, session: Session, request_id: str, *, reason: str) -> AccessRequest:
    """A leader (not the requester) refuses a request, saying why."""
    request, level = _pending(archive, session, request_id)
    reason = check_text(reason, "驳回理由（--reason）", max_length=MAX_REASON)
    level_key = session.level_keys.get(Level(level))
    if level_key is None:
        raise PermissionDenied(f"申请理由为{Level(level).label}级，您的密级授权不含此级，不能审批")
    with archive.act(session) as act:
        archive.conn.execute(
            "UPDATE access_requests SET state = 'denied', decided_by = ?, decided_at = ?, sealed_denial = ? "
            "WHERE request_id = ?",
            (act.actor, now_utc(), _seal_request_text(level_key.key, request.request_id, "denial", reason),
             request.request_id),
        )
        act.log("access.deny", [request.request_id],
                digests={request.request_id: row_digests(archive.conn, "access_requests", "request_id",
                                                         request.request_id)})
    return _find_request(archive, session, request.request_id)
