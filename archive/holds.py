"""Holds (保全): a leader's or archivist's bar on destroying an item or a whole case.

An audit, a disciplinary review or a court may need material whose retention
period has run out.  A hold names either one record or a whole case (every
record of it, also those filed later); several holds may stand on one item and
any one of them blocks destruction: the item is never due for appraisal, is
refused in a destruction proposal and stops an execution (:func:`holds_on` is
what :mod:`archive.destruction` asks).  Only a leader releases a hold.

The reason and the mandate (the authority's document: a 调卷通知, a court order)
may name people, so they are sealed as a text of the case, under its key.  The
register of holds shows a hold only to whoever may see its case, so it tells
nobody of a case hidden from them (回避 included).  Every hold placed or released
is logged with the digest of its row, which ``archive verify`` compares.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from .accounts import Session
from .audit import now_utc
from .cases import CaseFile, case_opener, open_case, open_case_text, seal_case_text
from .catalogue import row_digests
from .errors import InvalidInput, NotFound, Refused
from .folder import Archive
from .numbering import allocate_number
from .records import find_record
from .roles import Role, require_role
from .text import check_text

__all__ = ["HOLD_VIEWERS", "Hold", "held_records", "holds_on", "list_holds", "place_hold", "release_hold"]

PLACERS = frozenset({Role.LEADER, Role.ARCHIVIST})
HOLD_VIEWERS = frozenset({Role.LEADER, Role.ARCHIVIST, Role.SECURITY_OFFICER})
MAX_REASON = 500
MAX_MANDATE = 200


@dataclass(frozen=True)
class Hold:
    """A hold as the register shows it; ``record_id`` None means the whole case."""

    hold_id: str
    case_id: str
    record_id: str | None
    placed_by: str
    placed_at: str
    released_by: str | None
    released_at: str | None
    reason: str
    mandate: str | None

    @property
    def active(self) -> bool:
        """True until a leader releases it."""
        return self.released_at is None

    def to_json(self) -> dict[str, Any]:
        """The hold for ``hold list --json``."""
        return {**asdict(self), "active": self.active}


def holds_on(conn: sqlite3.Connection, record_id: str) -> list[str]:
    """The ids of the unreleased holds covering a record: its own and its case's, oldest first.

    Reads the catalogue only (no keys, no permission): for the destruction code,
    which must refuse whatever is held whoever asks.
    """
    rows = conn.execute(
        "SELECT h.hold_id FROM holds h JOIN records r ON r.case_id = h.case_id "
        "WHERE r.record_id = ? AND h.released_at IS NULL AND (h.record_id IS NULL OR h.record_id = r.record_id) "
        "ORDER BY h.placed_at, h.hold_id",
        (record_id,),
    )
    return [hold_id for (hold_id,) in rows]


def held_records(conn: sqlite3.Connection) -> set[str]:
    """Every record some unreleased hold covers."""
    rows = conn.execute(
        "SELECT r.record_id FROM holds h JOIN records r ON r.case_id = h.case_id "
        "WHERE h.released_at IS NULL AND (h.record_id IS NULL OR h.record_id = r.record_id)"
    )
    return {record_id for (record_id,) in rows}


def _target(archive: Archive, session: Session, case_id: str | None, record_id: str | None
            ) -> tuple[CaseFile, str | None]:
    """The case (opened, for its key) and the record a hold is to cover; unknown and hidden answer alike."""
    if (case_id is None) == (record_id is None):
        raise InvalidInput("保全须指定一件信访件（--case）或一条记录（--record），二者择一")
    if record_id is not None:
        info = find_record(archive, session, record_id)
        return open_case(archive, session, info.case_id), info.record_id
    assert case_id is not None
    return open_case(archive, session, case_id), None


def place_hold(archive: Archive, session: Session, *, case_id: str | None = None, record_id: str | None = None,
               reason: str, mandate: str | None = None) -> Hold:
    """A leader or archivist bars a record, or a whole case, from destruction until a leader releases it.

    A record already in a destruction batch may be held: the batch's execution
    then refuses it.  A destroyed record cannot be held anew.
    """
    require_role(session.roles, PLACERS, "设置保全")
    reason = check_text(reason, "保全理由（--reason）", max_length=MAX_REASON)
    mandate = check_text(mandate, "保全依据（--mandate）", max_length=MAX_MANDATE) if mandate is not None else None
    with archive.act(session) as act:
        case, held_record = _target(archive, session, case_id, record_id)  # under the write lock, as destruction
        year = date.today().year
        hold_id = f"HD-{year}-{allocate_number(archive.conn, 'hold', year):04d}"
        archive.conn.execute(
            "INSERT INTO holds (hold_id, case_id, record_id, sealed_reason, placed_by, placed_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (hold_id, case.case_id, held_record,
             seal_case_text(case.key, case.case_id, f"hold {hold_id}", {"reason": reason, "mandate": mandate}),
             act.actor, now_utc()),
        )
        act.log(
            "hold.place", [hold_id, held_record or case.case_id],
            digests={hold_id: row_digests(archive.conn, "holds", "hold_id", hold_id)},
            info={"case": case.case_id, "record": held_record},
            details={"reason": reason, "mandate": mandate}, details_key=case.key,
        )
    return _find_hold(archive, session, hold_id)


def release_hold(archive: Archive, session: Session, hold_id: str) -> Hold:
    """A leader releases a hold; the item is due again if its period has run out and nothing else holds it."""
    require_role(session.roles, {Role.LEADER}, "解除保全")
    hold = _find_hold(archive, session, hold_id)
    if not hold.active:
        raise Refused(f"保全 {hold.hold_id} 已于 {hold.released_at} 由 {hold.released_by} 解除")
    with archive.act(session) as act:
        archive.conn.execute(
            "UPDATE holds SET released_by = ?, released_at = ? WHERE hold_id = ?",
            (act.actor, now_utc(), hold.hold_id),
        )
        act.log("hold.release", [hold.hold_id, hold.record_id or hold.case_id],
                digests={hold.hold_id: row_digests(archive.conn, "holds", "hold_id", hold.hold_id)},
                info={"case": hold.case_id, "record": hold.record_id})
    return _find_hold(archive, session, hold.hold_id)


_COLUMNS = "hold_id, case_id, record_id, placed_by, placed_at, released_by, released_at, sealed_reason"


def _hold(row: tuple, case_of: Callable[[str], CaseFile | None]) -> Hold | None:
    """Decode one row for a session that may see its case, else None."""
    *values, sealed = row
    case_id = values[1]
    case = case_of(case_id)
    if case is None:
        return None
    texts = open_case_text(case.key, case_id, f"hold {values[0]}", sealed)
    return Hold(*values, reason=texts["reason"], mandate=texts["mandate"])


def _find_hold(archive: Archive, session: Session, hold_id: str) -> Hold:
    row = archive.conn.execute(f"SELECT {_COLUMNS} FROM holds WHERE hold_id = ?", (hold_id.strip(),)).fetchone()
    hold = _hold(row, case_opener(archive, session)) if row is not None and session.roles & HOLD_VIEWERS else None
    if hold is None:
        raise NotFound(f"保全 {hold_id} 不存在，或您无权查看")
    return hold


def list_holds(archive: Archive, session: Session) -> list[Hold]:
    """The holds on cases this session may see (leaders, archivists, the security officer), active ones first."""
    require_role(session.roles, HOLD_VIEWERS, "查看保全登记")
    case_of = case_opener(archive, session)
    holds = []
    for row in archive.conn.execute(
        f"SELECT {_COLUMNS} FROM holds ORDER BY released_at IS NOT NULL, hold_id"
    ).fetchall():
        hold = _hold(row, case_of)
        if hold is not None:
            holds.append(hold)
    with archive.act(session) as act:
        act.log("hold.list", info={"count": len(holds)})
    return holds
