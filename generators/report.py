"""What a register, statistic or archival list is: its scope, its extra fields, and how it is filled.

Unlike a letter, a report is not drafted, signed off and numbered: it is
filled from the archive as it stands — one case, one report-box opening, one
day, or the cases of a month or a quarter — and written at once.  Each kind
lives in its own module under :mod:`generators.reports`; ``make`` receives
what the scope selects and returns a :class:`~generators.kind.Composition`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from archive import Archive, Session
from archive.cases import CaseFile
from archive.destruction_register import DestructionRegister

from .fields import Field
from .kind import Composition

__all__ = ["SCOPES", "ReportInput", "ReportKind"]

SCOPES = {
    "case": "一件信访件（--case）",
    "month": "一个月（--month，默认上月）",
    "quarter": "一个季度（--quarter，默认上季度）",
    "opening": "一次举报箱开启（--opening，默认最近一次）",
    "day": "一天（--date，默认今天）",
    "batch": "一个已执行的销毁批次（--batch）",
}
"""What a report covers, and the option that chooses it."""


@dataclass(frozen=True)
class ReportInput:
    """What a report is filled from: the archive as the user sees it, and what the scope selected."""

    archive: Archive
    session: Session
    today: date
    values: Mapping[str, Any]
    case: CaseFile | None = None
    period: tuple[date, date] | None = None
    opening: int | None = None
    day: date | None = None
    register: DestructionRegister | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportKind:
    """One register, statistic or list the office keeps."""

    id: str
    name: str
    template: str
    scope: str
    summary: str
    fields: tuple[Field, ...]
    make: Callable[[ReportInput], Composition]
    defaults: Callable[[ReportInput], Mapping[str, Any]] = lambda _: {}

    def to_json(self) -> dict[str, Any]:
        """The kind as ``report --list --json`` prints it."""
        return {"id": self.id, "name": self.name, "format": self.template, "scope": self.scope,
                "summary": self.summary, "fields": [f.to_json() for f in self.fields]}
