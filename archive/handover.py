"""Handover (交接): a departing user's open cases and unissued drafts go to a successor.

Who is responsible for a case is a leader's call, not bookkeeping: the
administrator, who reads no content, could move rows but could not judge
whether the successor may see the cases.  So a leader hands over
(:data:`archive.handling.HANDOVER_ROLES`), and only what the leader may see
(clearance, 回避): a case hidden from the acting leader is neither moved nor
mentioned, and a leader who may see it runs the handover again, which moves
whatever is left.  The departing account may already be disabled - the usual
case: the person has left - and it still works.

What moves, in one transaction: every open case (not 已结案) whose 首问责任人 is
the departing user gets the successor, as a ``handover`` step of its history
(:func:`archive.handling.record_handover`, logged with the case's digests); and
every draft the departing user made that was never issued becomes the
successor's (logged with the draft's digest).  The successor must be an active
文秘 or 领导 cleared for every one of those cases' levels and not recused from
any of them; otherwise nothing moves and the refusal names the cases.

What does not move, and is listed for a leader to settle: the departing user's
pending access requests (decided or denied, never inherited), live grants
(revoked, since a grant is consent for one person) and numbered copies still out
(returned or destroyed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .accounts import Account, Session, find_account
from .cases import CaseFile, case_opener
from .dispatch import draft_digests
from .errors import InvalidInput, NotFound, Refused
from .folder import Archive
from .handling import HANDOVER_ROLES, OPEN_STATES, record_handover
from .levels import Level
from .need_to_know import is_recused, live_grants
from .records import visible_records
from .roles import Role, require_role

__all__ = ["SUCCESSORS", "Handover", "hand_over"]

SUCCESSORS = frozenset({Role.SECRETARY, Role.LEADER})
"""Who may take over cases and drafts: those who register, handle and draft them."""


@dataclass(frozen=True)
class Handover:
    """What a handover moved, and what it left for a leader to settle."""

    from_user: str
    to_user: str
    cases: list[str] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    """The departing user's pending access requests: to be decided or denied."""
    grants: list[str] = field(default_factory=list)
    """Live grants to the departing user: to be revoked."""
    copies: list[str] = field(default_factory=list)
    """Numbered copies still out with the departing user: to be returned or destroyed."""

    def to_json(self) -> dict[str, Any]:
        """What moved, for ``user handover --json``."""
        return {"cases": self.cases, "drafts": self.drafts}


def _accounts(archive: Archive, from_user: str, to_user: str) -> tuple[Account, Account]:
    """The departing account (disabled or not) and the successor (active, of a role that handles cases)."""
    if from_user.strip() == to_user.strip():
        raise InvalidInput("交接双方不能是同一用户")
    departing = find_account(archive.conn, from_user.strip())
    if departing is None:
        raise NotFound(f"用户“{from_user}”不存在")
    successor = find_account(archive.conn, to_user.strip())
    if successor is None or successor.status != "active":
        raise Refused(f"接手人“{to_user}”不是本档案库中在职的账户")
    if not successor.roles & SUCCESSORS:
        raise Refused(f"接手人“{successor.name}”须为文秘或领导：信访件和草稿只能交给办理它们的人")
    return departing, successor


def _clearance(archive: Archive, account: Account) -> Level | None:
    (level,) = archive.conn.execute(
        "SELECT MAX(level) FROM level_key_grants WHERE account_id = ?", (account.account_id,)
    ).fetchone()
    return Level(level) if level is not None else None


def _unfit(archive: Archive, successor: Account, cases: list[CaseFile]) -> list[str]:
    """Why the successor cannot take some of these cases: one phrase per case, naming it."""
    clearance = _clearance(archive, successor)
    problems = []
    for case in cases:
        if clearance is None or case.level > clearance:
            problems.append(f"{case.case_id}（{case.level.label}，超出其密级授权）")
        elif is_recused(successor, case.parties):
            problems.append(f"{case.case_id}（须回避）")
    return problems


def hand_over(archive: Archive, session: Session, from_user: str, to_user: str) -> Handover:
    """A leader moves ``from_user``'s open cases and unissued drafts to ``to_user``; see the module docstring."""
    require_role(session.roles, HANDOVER_ROLES, "办理交接")
    departing, successor = _accounts(archive, from_user, to_user)
    with archive.act(session) as act:
        case_of = case_opener(archive, session)
        cases = [
            case for (case_id,) in archive.conn.execute(
                f"SELECT case_id FROM cases WHERE first_receiver = ? AND state IN ({','.join('?' * len(OPEN_STATES))}) "
                "ORDER BY case_id", (departing.name, *sorted(OPEN_STATES)),
            ).fetchall()
            if (case := case_of(case_id)) is not None
        ]
        drafts = [
            (draft_id, case) for draft_id, case_id in archive.conn.execute(
                "SELECT d.draft_id, d.case_id FROM drafts d LEFT JOIN dispatches p ON p.draft_id = d.draft_id "
                "WHERE d.created_by = ? AND p.draft_id IS NULL ORDER BY d.draft_id", (departing.name,),
            ).fetchall()
            if (case := case_of(case_id)) is not None
        ]
        involved = {case.case_id: case for case in [*cases, *(case for _, case in drafts)]}
        problems = _unfit(archive, successor, sorted(involved.values(), key=lambda case: case.case_id))
        if problems:
            raise Refused(f"{successor.name} 不能接手以下信访件（及其草稿），未作任何移交：{'、'.join(problems)}")
        for case in cases:
            record_handover(archive, act, case, successor.name)
        for draft_id, _ in drafts:
            archive.conn.execute("UPDATE drafts SET created_by = ? WHERE draft_id = ?", (successor.name, draft_id))
        draft_ids = [draft_id for draft_id, _ in drafts]
        act.log(
            "user.handover",
            [f"account:{departing.account_id}", f"account:{successor.account_id}", *draft_ids],
            digests={draft_id: draft_digests(archive.conn, draft_id) for draft_id in draft_ids},
            info={"from": departing.name, "to": successor.name, "cases": [case.case_id for case in cases],
                  "drafts": draft_ids},
        )
    return Handover(
        departing.name, successor.name, [case.case_id for case in cases], draft_ids,
        *_left_over(archive, session, departing, case_of),
    )


def _left_over(archive: Archive, session: Session, departing: Account,
               case_of: Callable[[str], CaseFile | None]) -> tuple[list[str], list[str], list[str]]:
    """The departing user's pending requests, live grants of visible cases and copies of visible records still out."""
    requests = [request_id for (request_id,) in archive.conn.execute(
        "SELECT request_id FROM access_requests WHERE requester = ? AND state = 'pending' ORDER BY request_id",
        (departing.name,),
    )]
    grants = sorted(grant_id for case_id, grant_id in live_grants(archive.conn, departing, session.now).items()
                    if case_of(case_id) is not None)
    out = archive.conn.execute(
        "SELECT copy_id, record_id FROM copies WHERE viewer = ? AND state = 'out' ORDER BY copy_id", (departing.name,)
    ).fetchall()
    visible = {info.record_id for info in visible_records(archive, session, {record_id for _, record_id in out})}
    return requests, grants, [copy_id for copy_id, record_id in out if record_id in visible]
