"""The registers, statistics and archival lists, one module each; KIND by English id or Chinese name."""

from __future__ import annotations

from ..kind import lookup
from ..report import ReportKind
from . import (
    box_label,
    destruction_register,
    duty_log,
    file_list,
    letter_card,
    major_incident,
    monthly_report,
    notes_sheet,
    quarterly_bulletin,
    reportbox_record,
    visit_register,
)

__all__ = ["REPORTS", "find_report"]

REPORTS: tuple[ReportKind, ...] = tuple(module.KIND for module in (
    visit_register, letter_card, reportbox_record, duty_log, monthly_report, quarterly_bulletin, major_incident,
    file_list, notes_sheet, box_label, destruction_register,
))
"""Every report, in the order ``report --list`` shows them."""


def find_report(name: str) -> ReportKind:
    """A report by English id (``monthly-report``) or Chinese name (``信访工作月报告登记表``)."""
    return lookup(REPORTS, name, "报表种类")
