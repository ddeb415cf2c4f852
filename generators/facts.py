"""The facts of a case a document may draw its defaults from, gathered once from the archive.

Kinds never reach into the archive themselves: what a letter may know about a
case — dates, the handling unit, the 转出摘要, the triggers for 督办/催办,
the documents already issued — is collected here, for one day (``as_of``).
The registered summary is offered to unit letters only for anonymous cases;
a real-name case goes out as its 转出摘要 or not at all (摘要转出，不许原件转出).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from archive import Archive, Session
from archive.cases import CaseFile, deadline_rules
from archive.dispatch import Dispatch, dispatches_of_case
from archive.handling import latest, report_due, summary_out
from archive.supervision import reminder_reasons, supervision_reasons

__all__ = ["CaseFacts", "gather_facts"]


@dataclass(frozen=True)
class CaseFacts:
    """What the document kinds know of one case on one day."""

    case_id: str
    organisation: str
    as_of: date
    received: date
    channel: str
    category: str
    deadline: date
    real_name: bool
    petitioners: list[dict[str, Any]]
    reported: list[dict[str, Any]]
    matter_for_units: str | None
    assignment: dict[str, Any] | None
    report_due: date | None
    extension: dict[str, Any] | None
    issued: list[Dispatch] = field(default_factory=list)
    reminder_reasons: list[str] = field(default_factory=list)
    supervision_reasons: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    def first_petitioner(self) -> str | None:
        """The first petitioner's name, the default addressee of a notice."""
        return self.petitioners[0]["name"] if self.petitioners else None

    def first_reported(self, key: str = "name") -> str | None:
        """A field of the first reported person (the default interviewee of a talk)."""
        return self.reported[0].get(key) if self.reported else None

    def original_letter(self) -> Dispatch | None:
        """The latest 交办函 or 转办函 issued for the case and not voided: what 督办/催办 cite."""
        letters = [d for d in self.issued if d.kind in ("assignment", "forward") and d.voided_at is None]
        return letters[-1] if letters else None

    def days_overdue(self) -> int | None:
        """Days past the unit's report due date on ``as_of``, or None when not overdue."""
        if self.report_due is None or self.as_of <= self.report_due:
            return None
        return (self.as_of - self.report_due).days


def gather_facts(archive: Archive, session: Session, case: CaseFile, as_of: date) -> CaseFacts:
    """Collect the facts of ``case`` on ``as_of`` for drafting."""
    out = summary_out(case)
    matter = out["text"] if out else (None if case.row["real_name"] else case.parties["summary"])
    assignment = latest(case, "assign")
    extension = latest(case, "extend")
    rules = deadline_rules(archive)
    repeats = archive.conn.execute("SELECT count(*) FROM cases WHERE repeat_of = ?", (case.case_id,)).fetchone()[0]
    return CaseFacts(
        case_id=case.case_id,
        organisation=archive.config.organisation,
        as_of=as_of,
        received=date.fromisoformat(case.row["received"]),
        channel=case.row["channel"],
        category=case.row["category"],
        deadline=date.fromisoformat(case.row["deadline"]),
        real_name=bool(case.row["real_name"]),
        petitioners=list(case.parties["petitioners"]),
        reported=list(case.parties["reported"]),
        matter_for_units=matter,
        assignment={**assignment["data"], "on_date": assignment["on_date"]} if assignment else None,
        report_due=report_due(case),
        extension={**extension["data"], "reason": extension["text"], "on_date": extension["on_date"]}
        if extension else None,
        issued=dispatches_of_case(archive, session, case),
        reminder_reasons=reminder_reasons(case, as_of, rules),
        supervision_reasons=supervision_reasons(case, as_of, rules, repeats),
        settings=dict(archive.config.sections.get("documents", {})),
    )
