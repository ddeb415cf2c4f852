"""Which open cases are due for 督办 (formal supervision) or 催办 (a reminder), on a given day.

Nothing is stored here: the triggers are computed from each case as it stands
now, for the day given — so ``--as-of`` answers "what falls due on that day if
nothing more happens", which is what a scripted calendar or planning ahead asks.  The offices' rules, in their words:

督办 when 到期未上报结果又不说明原因; 已上报结果但不符合要求 (returned); 同一事项两次以上
来信来访、办理情况不明; 久拖不决; or a leader asks.  催办 一般一个月一次 for every open
纪群字 assignment without a result — and not while an approved extension runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .accounts import Session
from .cases import CaseFile, deadline_rules, list_cases
from .days import add_months
from .deadlines import DeadlineRules
from .folder import Archive
from .handling import events_after, latest, pending_extension_request, report_due, series_of

__all__ = ["DueCase", "cases_due", "reminder_reasons", "supervision_reasons"]


@dataclass(frozen=True)
class DueCase:
    """A case and why it is due."""

    case: CaseFile
    reasons: list[str]


def supervision_reasons(case: CaseFile, as_of: date, rules: DeadlineRules, repeats: int) -> list[str]:
    """Every 督办 trigger that holds for ``case`` on ``as_of``."""
    if case.state == "closed":
        return []
    reasons = []
    due = report_due(case)
    assignment = latest(case, "assign")
    if case.state == "assigned" and due is not None and as_of > due and assignment is not None:
        if not pending_extension_request(case):  # a request awaiting decision is an explanation
            reasons.append(f"到期未报结且未说明原因（应于 {due.isoformat()} 报结，已逾期 {(as_of - due).days} 日）")
    if case.state == "returned":
        reasons.append("已报结但不符合要求，被退回重报")
    if repeats >= 2 and case.state not in ("accepted", "replied"):
        reasons.append(f"同一事项重复来信来访 {repeats} 次，办理情况不明")
    open_days = (as_of - date.fromisoformat(case.row["received"])).days
    if open_days > rules.protracted_days:
        reasons.append(f"久拖不决（收件已 {open_days} 日仍未办结）")
    request = latest(case, "supervise")
    letter = latest(case, "supervise-letter")
    if request is not None and (letter is None or letter["event_id"] < request["event_id"]):
        reasons.append(f"领导要求督办：{request['text']}")  # until a 督办函 answers the request
    return reasons


def reminder_reasons(case: CaseFile, as_of: date, rules: DeadlineRules) -> list[str]:
    """Why a 催办 is due for ``case`` on ``as_of`` (empty when none is)."""
    assignment = latest(case, "assign")
    if case.state not in ("assigned", "returned") or series_of(case) != "纪群字" or assignment is None:
        return []
    due = report_due(case)
    decisions = events_after(case, "extension-decide", assignment["event_id"])
    if due is not None and decisions and decisions[-1]["data"]["approved"] and as_of <= due:
        return []
    started = date.fromisoformat(assignment["data"]["acknowledged"] or assignment["on_date"])
    reminders = events_after(case, "remind", assignment["event_id"])
    last_contact = max([started, *(date.fromisoformat(r["on_date"]) for r in reminders)])
    reasons = []
    if due is not None and as_of > due and last_contact <= due:
        reasons.append(f"逾期未报结（应于 {due.isoformat()} 报结）")
    elif as_of >= add_months(last_contact, 1, rules.calendar, roll_to_working_day=False).due:
        reasons.append(f"自 {last_contact.isoformat()} 起已满一个月未报结")
    return reasons


def cases_due(archive: Archive, session: Session, kind: str, as_of: date) -> list[DueCase]:
    """Visible open cases due for ``kind`` ("supervision" or "reminder") on ``as_of``."""
    rules = deadline_rules(archive)
    cases = list_cases(archive, session)
    repeats: dict[str, int] = {}
    for case in cases:
        original = case.row["repeat_of"]
        if original:
            repeats[original] = repeats.get(original, 0) + 1
    due = []
    for case in cases:
        if kind == "supervision":
            reasons = supervision_reasons(case, as_of, rules, repeats.get(case.case_id, 0))
        else:
            reasons = reminder_reasons(case, as_of, rules)
        if reasons:
            due.append(DueCase(case, reasons))
    return due
