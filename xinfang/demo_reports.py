"""The demo's registers, statistics and archival lists: one of each, DOCX and PDF.

They are filled from what the demo did before — the two cases, the issued
letters, the filed case — plus a report-box opening, a holiday duty and a
large collective visit registered here, so every report has something real to
show.  Without LibreOffice they are DOCX only, as the letters are.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

from archive import Archive, Level, Session
from archive.cases import CaseRegistration, deadline_rules, register_case
from archive.reportbox import record_opening
from generators.errors import ConverterMissing
from generators.reporting import make_report

__all__ = ["make_every_report"]


class _Staff(Protocol):
    archive: Archive

    def __getitem__(self, name: str) -> Session: ...


def _last_rest_day(archive: Archive, today: date) -> date:
    calendar = deadline_rules(archive).calendar
    day = today
    while calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


def make_every_report(staff: _Staff, assigned: str, filed: str, destroyed: str, out: Path,
                      say: Callable[[str], None], today: date) -> list[Path]:
    """Make one report of every kind into ``out``; returns the files written."""
    archive, clerk, leader = staff.archive, staff["王文秘"], staff["吴领导"]
    record_opening(archive, clerk, opened_on=today, letters=2, witnesses=["王文秘", "吴领导"])
    collective = register_case(archive, clerk, CaseRegistration(
        channel="来访", received=today, category="控告", importance="重要", classification=Level.INTERNAL,
        real_name=False, people=20, representatives=5,
        summary="某村二十余名村民集体来访，反映征地补偿款未按时足额发放。"), today=today).case_id
    month = f"{today.year}-{today.month:02d}"
    quarter = f"{today.year}Q{(today.month - 1) // 3 + 1}"
    reports: list[tuple[str, Session, dict[str, Any]]] = [
        ("visit-register", clerk, {"case_id": filed}),
        ("letter-card", clerk, {"case_id": assigned}),
        ("reportbox-record", clerk, {}),
        ("duty-log", clerk, {"day": _last_rest_day(archive, today),
                             "given": {"on_duty": "王文秘", "leader": "吴领导", "events": "接待来访群众一批三人，已登记。"}}),
        ("monthly-report", clerk, {"month": month}),
        ("quarterly-bulletin", leader, {"quarter": quarter}),
        ("major-incident", clerk, {"case_id": collective, "given": {
            "time": "今日上午9时", "place": "旗信访接待大厅",
            "actions": "信访室和分管领导当场接待，听取五名代表的诉求，通知镇政府主要负责同志到场。"}}),
        ("file-list", staff["孙档案"], {"case_id": filed}),
        ("notes-sheet", staff["孙档案"], {"case_id": filed, "given": {"checked_by": "吴领导"}}),
        ("box-label", staff["孙档案"], {"case_id": filed}),
        ("destruction-register", staff["孙档案"], {"batch_id": destroyed}),
    ]
    pdf = True
    written: list[Path] = []
    for kind, session, options in reports:
        try:
            result = make_report(archive, session, kind, out, pdf=pdf, today=today, **options)
        except ConverterMissing:
            pdf = False
            result = make_report(archive, session, kind, out, today=today, **options)
        written += result.paths
        say(f"   {result.kind.name}：{'、'.join(path.name for path in result.paths)}")
    return written
