"""The report box (举报箱): opened weekly by two people together, each opening recorded.

The rule is the offices' own: the box is opened once a week, never alone, and
the number of letters taken out is written down.  A week (Monday to Sunday)
with no opening is reported, so a box forgotten for a month shows up.  The
letters themselves are then registered as cases with channel 举报箱.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta

from .accounts import Session, find_account
from .audit import now_utc
from .catalogue import row_digests
from .errors import InvalidInput, NotFound
from .folder import Archive
from .roles import Role, require_role
from .text import check_text

__all__ = [
    "DEFAULT_BOX",
    "MIN_WITNESSES",
    "Opening",
    "find_opening",
    "list_openings",
    "opening_digests",
    "opening_object",
    "record_opening",
    "weeks_without_opening",
]

DEFAULT_BOX = "举报箱"
MIN_WITNESSES = 2
OPENERS = frozenset({Role.SECRETARY, Role.LEADER})
MAX_LETTERS = 10_000


@dataclass(frozen=True)
class Opening:
    """One opening of a box."""

    opening_id: int
    opened_on: date
    box: str
    letters: int
    witnesses: list[str]
    recorded_by: str
    recorded_at: str

    def to_json(self) -> dict[str, object]:
        """The opening as ``reportbox list --json`` prints it."""
        return {"opening_id": self.opening_id, "opened_on": self.opened_on.isoformat(), "box": self.box,
                "letters": self.letters, "witnesses": self.witnesses, "recorded_by": self.recorded_by,
                "recorded_at": self.recorded_at}


def opening_object(opening_id: int) -> str:
    """How the audit log names an opening."""
    return f"reportbox:{opening_id}"


def opening_digests(conn: sqlite3.Connection, opening_id: int) -> dict[str, str]:
    """The digest of an opening's row: an edited count or witness is caught by ``archive verify``."""
    return row_digests(conn, "reportbox_openings", "opening_id", opening_id)


def record_opening(archive: Archive, session: Session, *, opened_on: date, letters: int, witnesses: list[str],
                   box: str = DEFAULT_BOX) -> Opening:
    """Record an opening: at least two distinct witnesses, each a person with an account, none in the future."""
    require_role(session.roles, OPENERS, "登记举报箱开启")
    names = [check_text(name, "开启人（--witness）", max_length=64) for name in witnesses]
    if len(set(names)) < MIN_WITNESSES:
        raise InvalidInput(f"举报箱须由至少 {MIN_WITNESSES} 名不同的人员共同开启（--witness 至少两次）")
    accounts = {name: find_account(archive.conn, name) for name in names}
    unknown = [name for name, account in accounts.items() if account is None or account.status != "active"]
    if unknown:
        raise InvalidInput(f"开启人不是本档案库的在职用户：{'、'.join(unknown)}")
    if opened_on > date.today():
        raise InvalidInput(f"开启日期 {opened_on.isoformat()} 晚于今天")
    if isinstance(letters, bool) or not 0 <= letters <= MAX_LETTERS:
        raise InvalidInput(f"取出信件数应为 0 至 {MAX_LETTERS}")
    box = check_text(box, "举报箱名称（--box）", max_length=50)
    with archive.act(session) as act:
        recorded_at = now_utc()
        cursor = archive.conn.execute(
            "INSERT INTO reportbox_openings (opened_on, box, letters, witnesses, recorded_by, recorded_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (opened_on.isoformat(), box, letters, json.dumps(names, ensure_ascii=False), act.actor, recorded_at),
        )
        opening_id = int(cursor.lastrowid or 0)
        act.log("reportbox.open", [opening_object(opening_id)],
                digests={opening_object(opening_id): opening_digests(archive.conn, opening_id)},
                info={"opened_on": opened_on.isoformat(), "box": box, "letters": letters, "witnesses": names})
    return Opening(opening_id, opened_on, box, letters, names, act.actor, recorded_at)


def find_opening(archive: Archive, opening_id: int | None = None) -> Opening:
    """One opening by its number, or the latest one; NotFound when there is none."""
    query = ("SELECT opening_id, opened_on, box, letters, witnesses, recorded_by, recorded_at FROM reportbox_openings "
             + ("WHERE opening_id = ?" if opening_id is not None else "ORDER BY opened_on DESC, opening_id DESC LIMIT 1"))
    row = archive.conn.execute(query, (opening_id,) if opening_id is not None else ()).fetchone()
    if row is None:
        raise NotFound(f"没有第 {opening_id} 次举报箱开启记录" if opening_id is not None else "还没有举报箱开启记录")
    return _opening(row)


def _opening(row: tuple) -> Opening:
    opening_id, opened_on, box, letters, witnesses, recorded_by, recorded_at = row
    return Opening(opening_id, date.fromisoformat(opened_on), box, letters, json.loads(witnesses), recorded_by,
                   recorded_at)


def list_openings(archive: Archive, start: date, end: date) -> list[Opening]:
    """Openings from ``start`` to ``end`` (both included), oldest first."""
    rows = archive.conn.execute(
        "SELECT opening_id, opened_on, box, letters, witnesses, recorded_by, recorded_at FROM reportbox_openings "
        "WHERE opened_on BETWEEN ? AND ? ORDER BY opened_on, opening_id",
        (start.isoformat(), end.isoformat()),
    ).fetchall()
    return [_opening(row) for row in rows]


def weeks_without_opening(openings: list[Opening], start: date, end: date) -> list[tuple[date, date]]:
    """The whole Monday–Sunday weeks between ``start`` and ``end`` in which no box was opened."""
    monday = start + timedelta(days=(7 - start.weekday()) % 7)
    opened = {o.opened_on for o in openings}
    missing = []
    while monday + timedelta(days=6) <= end:
        week = [monday + timedelta(days=n) for n in range(7)]
        if not opened.intersection(week):
            missing.append((week[0], week[-1]))
        monday += timedelta(days=7)
    return missing
