"""Need-to-know: which of the cases a user's clearance opens the user may actually see.

Clearance is cryptographic — an account opens a case when it holds the key of
the case's level.  Need-to-know narrows that down, and is decided here only, so
that each rule is written once: :mod:`archive.cases` asks before it shows a
case (and so every command and document that opens one), :mod:`archive.records`
before it shows a record of a case.

- **By role**: secretaries, archivists, leaders and the security officer read
  cases (:data:`CASE_READERS`).
- **By grant**: an investigator reads exactly the cases a leader granted them,
  for exactly the grant's time (:mod:`archive.access`); an expired or revoked
  grant stops working at once, because it is looked up at every use.
- **回避 (recusal)**: whoever a case names as a reported person (被反映人), and
  whoever works in a reported person's unit, never sees that case nor its
  records, whatever the role or clearance — nobody reads a complaint about
  himself or his own unit.

A hidden case answers exactly like a case that does not exist, so the rule
itself tells nobody that they were reported on.  It is enforced by the
application, not by cryptography: a cleared user who calls the library
directly holds the level key (FORMAT.md, threat model).
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from .accounts import Account
from .audit import utc_stamp
from .roles import Role

__all__ = ["CASE_READERS", "GRANTEES", "case_reader", "comparable", "granted_cases", "is_recused", "live_grants"]

CASE_READERS = frozenset({Role.SECRETARY, Role.ARCHIVIST, Role.LEADER, Role.SECURITY_OFFICER})


GRANTEES = frozenset({Role.INVESTIGATOR})


def live_grants(conn: sqlite3.Connection, account: Account, at: datetime) -> dict[str, str]:
    """Case id → the grant ``account`` reads it under at ``at`` (started, not expired, not revoked; the longest)."""
    stamp = utc_stamp(at)
    rows = conn.execute(
        "SELECT case_id, grant_id FROM access_grants WHERE grantee = ? AND revoked_at IS NULL "
        "AND starts_at <= ? AND expires_at > ? ORDER BY expires_at",
        (account.name, stamp, stamp),
    )
    return dict(rows.fetchall())


def granted_cases(conn: sqlite3.Connection, account: Account, at: datetime) -> frozenset[str]:
    """The cases ``account`` holds a live grant for at ``at``."""
    return frozenset(live_grants(conn, account, at))


def case_reader(conn: sqlite3.Connection, account: Account, roles: Iterable[Role], at: datetime
                ) -> Callable[[str], bool]:
    """"Does role or grant let this account read case X?" - before clearance and 回避 are asked."""
    held = frozenset(roles)
    if held & CASE_READERS:
        return lambda case_id: True
    if held & GRANTEES:
        granted = granted_cases(conn, account, at)
        return granted.__contains__
    return lambda case_id: False


def comparable(text: str | None) -> str:
    """A name or unit reduced to what identifies it: NFKC-normalised, every white space removed.

    Registrars type names and units by hand, from letters and phone calls:
    ``王 文秘``, a full-width ``ＸＸ局`` and ``某镇政府 `` must still match the
    account.  NFKC folds full-width forms and the ideographic space (a superset
    of :func:`archive.detection.fold`), and no Chinese name or unit holds a
    meaningful space.  None and blank give ``""``, which matches nothing.
    """
    if not text:
        return ""
    return "".join(unicodedata.normalize("NFKC", text).split())


def is_recused(account: Account, parties: Mapping[str, Any]) -> bool:
    """True when ``account`` must not see the case whose sealed ``parties`` these are (回避).

    The account is recused when its name is the name of a reported person, or
    its unit the unit of one, both compared by :func:`comparable`.  Matching is
    exact after normalisation: a unit written differently (简称, a missing
    人民) does not match, which is why the administrator records units in the
    form the office registers them.
    """
    name = comparable(account.name)
    unit = comparable(account.unit)
    for person in parties.get("reported", ()):
        if name and comparable(person.get("name")) == name:
            return True
        if unit and comparable(person.get("unit")) == unit:
            return True
    return False
