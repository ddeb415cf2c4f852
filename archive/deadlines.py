"""Deadline rules: which time limits apply, from the profile chosen in ``xinfang.toml``.

Day counting itself belongs to :mod:`archive.days`; this module only says how
many days or months each limit is under each set of rules:

* ``seed`` — the offices' own rules: 一般 30 日, 重要 90 日, one extension of at
  most 30 日, a 纪群字 result report within 3 months of receipt by the unit;
* ``regulation-2022`` — the 信访工作条例 of 2022: 受理告知 within 15 日, handling
  within 60 日, one extension of at most 30 日;
* ``discipline-2020`` — the 2020 discipline-inspection rules for real-name reports:
  the reporter told of acceptance within 15 工作日 and of the result within 15
  工作日 after closing (handling limits as in ``seed``).

Every number may be overridden in ``[deadlines]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from .days import Deadline, HolidayCalendar, add_days, add_months, add_working_days
from .errors import InvalidInput

__all__ = ["DeadlineRules", "load_rules"]


@dataclass(frozen=True)
class DeadlineRules:
    """The limits in force; ``calendar`` decides what a working day is."""

    profile: str
    general_days: int
    important_days: int
    extension_max_days: int
    assignment_report_months: int
    acceptance_notice_days: int | None
    real_name_accept_working_days: int | None
    real_name_feedback_working_days: int | None
    protracted_days: int
    roll_to_working_day: bool
    calendar: HolidayCalendar

    def handling_deadline(self, received: date, importance: str) -> Deadline:
        """The office's own deadline for a case received on ``received``."""
        days = self.important_days if importance == "重要" else self.general_days
        return add_days(received, days, self.calendar, roll_to_working_day=self.roll_to_working_day)

    def extended(self, nominal: date, days: int) -> Deadline:
        """A deadline moved by an approved extension of ``days`` days."""
        if not 0 < days <= self.extension_max_days:
            raise InvalidInput(f"延期天数须在 1–{self.extension_max_days} 日之间")
        return add_days(nominal, days, self.calendar, roll_to_working_day=self.roll_to_working_day)

    def report_due(self, acknowledged: date) -> Deadline:
        """When a 纪群字 unit's result report is due: months from its 签收 date."""
        return add_months(
            acknowledged, self.assignment_report_months, self.calendar, roll_to_working_day=self.roll_to_working_day
        )

    def real_name_acceptance_due(self, received: date) -> Deadline | None:
        """When a real-name reporter must be told the report was accepted, if the profile says."""
        if self.real_name_accept_working_days is None:
            return None
        return add_working_days(received, self.real_name_accept_working_days, self.calendar)


_PROFILES: dict[str, dict[str, Any]] = {
    "seed": {
        "general_days": 30, "important_days": 90, "extension_max_days": 30, "assignment_report_months": 3,
        "acceptance_notice_days": None, "real_name_accept_working_days": None,
        "real_name_feedback_working_days": None,
    },
    "regulation-2022": {
        "general_days": 60, "important_days": 60, "extension_max_days": 30, "assignment_report_months": 3,
        "acceptance_notice_days": 15, "real_name_accept_working_days": None,
        "real_name_feedback_working_days": None,
    },
    "discipline-2020": {
        "general_days": 30, "important_days": 90, "extension_max_days": 30, "assignment_report_months": 3,
        "acceptance_notice_days": None, "real_name_accept_working_days": 15,
        "real_name_feedback_working_days": 15,
    },
}
_DEFAULTS = {"protracted_days": 180, "roll_to_working_day": True}


def load_rules(sections: Mapping[str, Any]) -> DeadlineRules:
    """The rules from ``[deadlines]`` and ``[holidays]`` of xinfang.toml, checked."""
    table = dict(sections.get("deadlines") or {})
    profile = table.pop("profile", "seed")
    if profile not in _PROFILES:
        raise InvalidInput(f"xinfang.toml 中 deadlines.profile“{profile}”无效，可选：{'、'.join(_PROFILES)}")
    values: dict[str, Any] = {**_PROFILES[profile], **_DEFAULTS}
    known = {f.name for f in fields(DeadlineRules)} - {"profile", "calendar"}
    for key, value in table.items():
        if key not in known:
            raise InvalidInput(f"xinfang.toml 中 deadlines.{key} 不是已知的设置")
        expected = bool if key == "roll_to_working_day" else int
        if not isinstance(value, expected) or (expected is int and (isinstance(value, bool) or value < 0)):
            raise InvalidInput(f"xinfang.toml 中 deadlines.{key} 的值无效")
        values[key] = value
    calendar = HolidayCalendar.from_config(sections.get("holidays"))
    return DeadlineRules(profile=profile, calendar=calendar, **values)
