"""Counts of the register over a period, for the monthly report and the quarterly bulletin.

Everything is computed from the cases and their handling events as the user
may see them — a report never counts a case its reader could not open, so its
totals reveal nothing beyond permission.  A case counts as received in the
period of its 收件 date; a step (交办, 退回, 督办, 催办, 结案) in the period of the
business date it was recorded with; "overdue" is judged on the period's last
day: received by then, not closed by then, and past its handling deadline.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from .accounts import Session
from .cases import CaseFile, list_cases
from .folder import Archive
from .roles import Role
from .vocabulary import CATEGORIES, CHANNELS, IMPORTANCE, ROUTES, SERIES

__all__ = ["COLLECTIVE_PEOPLE", "PeriodCounts", "UnitCounts", "count_period", "counts_for"]

COLLECTIVE_PEOPLE = 5
"""A visit of this many people or more is a 集体访 (the offices' rule)."""


@dataclass
class UnitCounts:
    """What one handling unit was given and returned in the period."""

    assigned: int = 0
    reported: int = 0
    overdue: int = 0


@dataclass
class PeriodCounts:
    """The register's numbers for ``start``–``end`` (both days included)."""

    start: date
    end: date
    received: int = 0
    by_channel: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))
    by_category: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    by_importance: dict[str, int] = field(default_factory=lambda: dict.fromkeys(IMPORTANCE, 0))
    by_route: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ROUTES, 0))
    by_series: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SERIES, 0))
    real_name: int = 0
    collective: int = 0
    repeat: int = 0
    major: int = 0
    leader_reception: int = 0
    closed: int = 0
    overdue: int = 0
    returned: int = 0
    supervised: int = 0
    reminded: int = 0
    by_unit: dict[str, UnitCounts] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Nothing happened: the report is a zero report (零报告)."""
        return not (self.received or self.closed or self.returned or self.supervised or self.reminded
                    or sum(self.by_route.values()) or sum(self.by_series.values()))


def _within(day: str, start: date, end: date) -> bool:
    return start <= date.fromisoformat(day) <= end


def count_period(cases: Iterable[CaseFile], start: date, end: date, leaders: Iterable[str] = ()) -> PeriodCounts:
    """The counts of ``cases`` for the period; ``leaders`` are the names whose 首问 of a visit is 领导接访."""
    leaders = set(leaders)
    counts = PeriodCounts(start, end)
    for case in cases:
        row = case.row
        if _within(row["received"], start, end):
            counts.received += 1
            counts.by_channel[row["channel"]] += 1
            counts.by_category[row["category"]] += 1
            counts.by_importance[row["importance"]] += 1
            counts.real_name += bool(row["real_name"])
            counts.collective += (row["people"] or 0) >= COLLECTIVE_PEOPLE
            counts.repeat += row["repeat_of"] is not None
            counts.major += bool(row["major_incident"])
            counts.leader_reception += row["channel"] == "来访" and row["first_receiver"] in leaders
        _count_events(counts, case)
        closed_by_end = any(e["kind"] == "close" and date.fromisoformat(e["on_date"]) <= end for e in case.events)
        if (date.fromisoformat(row["received"]) <= end and not closed_by_end
                and date.fromisoformat(row["deadline"]) < end):
            counts.overdue += 1
            unit = _unit_of(case, end)
            if unit is not None:
                counts.by_unit.setdefault(unit, UnitCounts()).overdue += 1
    return counts


def _count_events(counts: PeriodCounts, case: CaseFile) -> None:
    """Steps in the period; a proposal revised or a report returned and sent again counts the case once."""
    in_period = [e for e in case.events if _within(e["on_date"], counts.start, counts.end)]
    proposals = [e for e in in_period if e["kind"] == "propose"]
    if proposals:
        counts.by_route[proposals[-1]["data"]["route"]] += 1
    reported_to = {_unit_of(case, date.fromisoformat(e["on_date"])) for e in in_period if e["kind"] == "report"}
    for unit in reported_to - {None}:
        counts.by_unit.setdefault(str(unit), UnitCounts()).reported += 1
    for event in in_period:
        kind, data = event["kind"], event["data"]
        if kind == "assign":
            counts.by_series[data["series"]] += 1
            counts.by_unit.setdefault(data["unit"], UnitCounts()).assigned += 1
        elif kind == "close":
            counts.closed += 1
        elif kind == "return":
            counts.returned += 1
        elif kind == "supervise":
            counts.supervised += 1
        elif kind == "remind":
            counts.reminded += 1


def _unit_of(case: CaseFile, on: date) -> str | None:
    """The unit the case was assigned to on ``on``, if any."""
    units = [e["data"]["unit"] for e in case.events
             if e["kind"] == "assign" and date.fromisoformat(e["on_date"]) <= on]
    return units[-1] if units else None


def counts_for(archive: Archive, session: Session, periods: Sequence[tuple[date, date]]) -> list[PeriodCounts]:
    """The counts of each period over the cases ``session`` may see (read once, logged once)."""
    cases = list_cases(archive, session)
    leaders = {name for (name, roles) in archive.conn.execute("SELECT name, roles FROM accounts")
               if Role.LEADER.value in roles.split(",")}
    return [count_period(cases, start, end, leaders) for start, end in periods]
