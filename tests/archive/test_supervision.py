"""Tests for archive/supervision.py: which cases are due for 督办 or 催办 on a scripted calendar.

The fixture's cases were received on 2026-11-02.  The main script: XF-2026-0001 is
assigned as 纪群字 and acknowledged by the unit on 2026-11-30, so its report is due
2027-03-01 (three months → 2027-02-28, a Sunday → Monday).  Handling steps carry
their business date (``on=``) and happen in calendar order; the questions are asked
with ``as_of`` on the days a secretary would ask them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from archive import Archive, Level, PermissionDenied
from archive.cases import CaseRegistration, register_case
from archive.handling import (
    assign_case,
    close_case,
    decide_extension,
    instruct_case,
    propose_route,
    record_reminder,
    report_case,
    request_extension,
    review_case,
    supervise_case,
)
from archive.supervision import cases_due
from tests.conftest import CASES, Office

CASE = CASES[0]
SECRETARY, LEADER = "王文秘", "吴领导"
ACKNOWLEDGED = date(2026, 11, 30)
REPORT_DUE = date(2027, 3, 1)
OVERDUE = "到期未报结且未说明原因"


@dataclass
class Calendar:
    """An open archive on which handling steps are taken and due lists asked for."""

    office: Office
    archive: Archive
    report_file: Path

    def session(self, name: str = SECRETARY):
        return self.office.session(self.archive, name)

    def due(self, kind: str, as_of: date, *, viewer: str = SECRETARY) -> dict[str, list[str]]:
        """Case id → reasons, for the cases due for ``kind`` on ``as_of``."""
        return {item.case.case_id: item.reasons for item in cases_due(self.archive, self.session(viewer), kind, as_of)}

    def reasons(self, kind: str, as_of: date, case_id: str = CASE) -> list[str]:
        return self.due(kind, as_of).get(case_id, [])

    def assign_for_report(self, case_id: str = CASE, acknowledged: date = ACKNOWLEDGED) -> None:
        """拟办 交办 → 批示 → 纪群字 交办 on 2026-11-30, acknowledged the same day."""
        secretary, leader = self.session(), self.session(LEADER)
        propose_route(self.archive, secretary, case_id, route="交办", unit="某镇纪委", opinion="建议交办",
                      on=ACKNOWLEDGED)
        instruct_case(self.archive, leader, case_id, text="同意", on=ACKNOWLEDGED)
        assign_case(self.archive, secretary, case_id, unit="某镇纪委", series="纪群字", acknowledged=acknowledged,
                    on=ACKNOWLEDGED)

    def report(self, on: date, case_id: str = CASE) -> None:
        report_case(self.archive, self.session(), case_id, [self.report_file], on=on)

    def register_repeat(self, original: str, *, classification: Level = Level.INTERNAL) -> str:
        registration = CaseRegistration(
            channel="来访", received=date(2026, 11, 20), category="检举", importance="一般",
            classification=classification, summary="再次反映某单位违规发放津贴，至今无人处理", real_name=False,
            repeat_of=original,
        )
        return register_case(self.archive, self.session(), registration, today=date(2026, 11, 28)).case_id


@pytest.fixture
def calendar(office: Office, tmp_path: Path) -> Iterator[Calendar]:
    report_file = tmp_path / "办理结果报告.txt"
    report_file.write_text("经调查核实，反映的问题部分属实。", encoding="utf-8")
    with office.open() as archive:
        yield Calendar(office, archive, report_file)


# --- 催办: monthly reminders -------------------------------------------------------------------


def test_a_reminder_falls_due_one_month_after_acknowledgement(calendar: Calendar) -> None:
    calendar.assign_for_report()
    assert calendar.due("reminder", date(2026, 12, 1)) == {}
    assert calendar.due("reminder", date(2026, 12, 29)) == {}
    assert calendar.due("reminder", date(2026, 12, 30)) == {CASE: ["自 2026-11-30 起已满一个月未报结"]}


def test_a_recorded_reminder_restarts_the_month(calendar: Calendar) -> None:
    calendar.assign_for_report()
    assert CASE in calendar.due("reminder", date(2026, 12, 30))
    record_reminder(calendar.archive, calendar.session(), CASE, mode="电话", on=date(2026, 12, 30))
    assert calendar.due("reminder", date(2026, 12, 30)) == {}
    assert calendar.due("reminder", date(2027, 1, 29)) == {}
    assert calendar.due("reminder", date(2027, 1, 30)) == {CASE: ["自 2026-12-30 起已满一个月未报结"]}


def test_the_reminder_clock_runs_from_the_assignment_when_not_acknowledged(calendar: Calendar) -> None:
    secretary = calendar.session()
    propose_route(calendar.archive, secretary, CASE, route="交办", unit="某镇纪委", opinion="建议交办",
                  on=date(2026, 11, 16))
    instruct_case(calendar.archive, calendar.session(LEADER), CASE, text="同意", on=date(2026, 11, 16))
    assign_case(calendar.archive, secretary, CASE, unit="某镇纪委", series="纪群字", on=date(2026, 11, 16))
    assert calendar.due("reminder", date(2026, 12, 15)) == {}
    assert CASE in calendar.due("reminder", date(2026, 12, 16))


def test_an_overdue_assignment_is_reminded_as_overdue_and_supervised(calendar: Calendar) -> None:
    calendar.assign_for_report()
    for month_end in (date(2026, 12, 30), date(2027, 1, 30), date(2027, 2, 28)):
        record_reminder(calendar.archive, calendar.session(), CASE, mode="函件", on=month_end)
    assert calendar.reasons("supervision", REPORT_DUE) == []
    assert calendar.reasons("reminder", REPORT_DUE) == []
    on_the_next_day = date(2027, 3, 2)
    reminder = calendar.reasons("reminder", on_the_next_day)
    assert len(reminder) == 1 and "逾期" in reminder[0] and "2027-03-01" in reminder[0]
    supervision = calendar.reasons("supervision", on_the_next_day)
    assert len(supervision) == 1
    assert supervision[0].startswith(OVERDUE) and "2027-03-01" in supervision[0] and "1 日" in supervision[0]


def _extended_until_15_april(calendar: Calendar) -> None:
    calendar.assign_for_report()
    request_extension(calendar.archive, calendar.session(), CASE, unit="某镇纪委", until=date(2027, 4, 15),
                      reason="关键证人外出务工", on=date(2027, 2, 20))
    decide_extension(calendar.archive, calendar.session(LEADER), CASE, approve=True, on=date(2027, 2, 22))


QUIET_DAYS = (date(2027, 2, 22), date(2027, 3, 2), date(2027, 3, 30), date(2027, 4, 1), date(2027, 4, 15))


def test_no_reminder_while_an_approved_extension_runs(calendar: Calendar) -> None:
    _extended_until_15_april(calendar)
    for quiet_day in QUIET_DAYS:
        assert calendar.reasons("reminder", quiet_day) == [], quiet_day
    reminder = calendar.reasons("reminder", date(2027, 4, 16))
    assert len(reminder) == 1 and "逾期" in reminder[0] and "2027-04-15" in reminder[0]


def test_no_overdue_supervision_while_an_approved_extension_runs(calendar: Calendar) -> None:
    _extended_until_15_april(calendar)
    for quiet_day in QUIET_DAYS:
        assert calendar.reasons("supervision", quiet_day) == [], quiet_day


def test_overdue_supervision_resumes_when_the_extension_has_run_out(calendar: Calendar) -> None:
    """Past the extended date with no report and no new explanation, 到期未上报结果又不说明原因 holds again."""
    _extended_until_15_april(calendar)
    supervision = calendar.reasons("supervision", date(2027, 4, 16))
    assert [reason for reason in supervision if reason.startswith(OVERDUE) and "2027-04-15" in reason], supervision


def test_a_denied_extension_leaves_the_assignment_overdue_for_reminders(calendar: Calendar) -> None:
    calendar.assign_for_report()
    request_extension(calendar.archive, calendar.session(), CASE, unit="某镇纪委", until=date(2027, 4, 15),
                      reason="关键证人外出务工", on=date(2027, 2, 20))
    decide_extension(calendar.archive, calendar.session(LEADER), CASE, approve=False, reason="理由不充分",
                     on=date(2027, 2, 22))
    reminder = calendar.reasons("reminder", date(2027, 3, 2))
    assert len(reminder) == 1 and "逾期" in reminder[0] and "2027-03-01" in reminder[0]


def test_a_reported_case_awaits_review_without_reminders(calendar: Calendar) -> None:
    calendar.assign_for_report()
    calendar.report(date(2026, 12, 20))
    for day in (date(2026, 12, 30), date(2027, 1, 30), date(2027, 3, 2)):
        assert calendar.reasons("reminder", day) == []
        assert calendar.reasons("supervision", day) == []


def test_a_forward_is_never_reminded(calendar: Calendar) -> None:
    secretary = calendar.session()
    propose_route(calendar.archive, secretary, CASE, route="转办", unit="某县公安局", opinion="转公安机关",
                  on=ACKNOWLEDGED)
    instruct_case(calendar.archive, calendar.session(LEADER), CASE, text="同意", on=ACKNOWLEDGED)
    assign_case(calendar.archive, secretary, CASE, unit="某县公安局", series="纪信字", on=ACKNOWLEDGED)
    for day in (date(2026, 12, 30), date(2027, 3, 2)):
        assert calendar.reasons("reminder", day) == []
        assert calendar.reasons("supervision", day) == []


# --- 督办: the supervision triggers -------------------------------------------------------------


def test_nothing_is_due_for_freshly_registered_cases(calendar: Calendar) -> None:
    assert calendar.due("supervision", date(2026, 11, 28)) == {}
    assert calendar.due("reminder", date(2026, 11, 28)) == {}


def test_a_returned_report_is_due_for_supervision(calendar: Calendar) -> None:
    calendar.assign_for_report()
    calendar.report(date(2026, 12, 20))
    assert calendar.reasons("supervision", date(2026, 12, 21)) == []
    review_case(calendar.archive, calendar.session(LEADER), CASE, accept=False, reason="未回答信访人的第二个问题",
                on=date(2026, 12, 22))
    supervision = calendar.reasons("supervision", date(2026, 12, 22))
    assert len(supervision) == 1 and "退回" in supervision[0]
    calendar.report(date(2027, 1, 5))
    assert calendar.reasons("supervision", date(2027, 1, 5)) == []


def test_two_repeats_put_the_original_under_supervision_while_unclear(calendar: Calendar) -> None:
    first = calendar.register_repeat(CASE)
    assert calendar.due("supervision", date(2026, 11, 28)) == {}
    second = calendar.register_repeat(CASE)
    due = calendar.due("supervision", date(2026, 11, 28))
    assert set(due) == {CASE}
    assert due[CASE] == ["同一事项重复来信来访 2 次，办理情况不明"]
    assert first not in due and second not in due


def test_repeats_of_a_case_handled_clearly_are_not_supervised(calendar: Calendar) -> None:
    calendar.register_repeat(CASE)
    calendar.register_repeat(CASE)
    secretary = calendar.session()
    propose_route(calendar.archive, secretary, CASE, route="自办", opinion="本室核实", on=date(2026, 11, 28))
    instruct_case(calendar.archive, calendar.session(LEADER), CASE, text="同意", on=date(2026, 11, 28))
    calendar.report(date(2026, 12, 10))
    assert calendar.reasons("supervision", date(2026, 12, 10))  # reported, not yet reviewed: still unclear
    review_case(calendar.archive, secretary, CASE, accept=True, on=date(2026, 12, 11))
    assert calendar.reasons("supervision", date(2026, 12, 11)) == []
    close_case(calendar.archive, secretary, CASE, on=date(2026, 12, 12))
    assert calendar.reasons("supervision", date(2026, 12, 12)) == []


def test_repeats_the_viewer_cannot_see_are_not_counted(calendar: Calendar) -> None:
    calendar.register_repeat(CASE, classification=Level.CONFIDENTIAL)
    calendar.register_repeat(CASE, classification=Level.CONFIDENTIAL)
    assert CASE in calendar.due("supervision", date(2026, 11, 28), viewer=SECRETARY)
    assert calendar.due("supervision", date(2026, 11, 28), viewer="郑秘书") == {}


def test_a_case_open_longer_than_180_days_is_protracted(calendar: Calendar) -> None:
    # received 2026-11-02: day 180 is 2027-05-01
    assert calendar.reasons("supervision", date(2027, 5, 1)) == []
    protracted = calendar.reasons("supervision", date(2027, 5, 2))
    assert len(protracted) == 1 and "久拖不决" in protracted[0] and "181" in protracted[0]
    assert set(calendar.due("supervision", date(2027, 5, 2))) == set(CASES)


def test_the_protracted_limit_comes_from_xinfang_toml(office: Office) -> None:
    config = office.path / "xinfang.toml"
    text = config.read_text(encoding="utf-8")
    assert "protracted_days = 180" in text
    config.write_text(text.replace("protracted_days = 180", "protracted_days = 60"), encoding="utf-8")
    with office.open() as archive:
        session = office.session(archive, SECRETARY)
        assert cases_due(archive, session, "supervision", date(2027, 1, 1)) == []  # day 60
        assert {d.case.case_id for d in cases_due(archive, session, "supervision", date(2027, 1, 2))} == set(CASES)


def test_a_leaders_request_puts_the_case_under_supervision(calendar: Calendar) -> None:
    supervise_case(calendar.archive, calendar.session(LEADER), CASE, reason="群众反映强烈，要求月底前办结",
                   on=date(2026, 11, 28))
    supervision = calendar.reasons("supervision", date(2026, 11, 28))
    assert len(supervision) == 1
    assert "领导" in supervision[0] and "群众反映强烈，要求月底前办结" in supervision[0]
    assert set(calendar.due("supervision", date(2026, 11, 28))) == {CASE}


def test_only_a_leader_may_ask_for_supervision(calendar: Calendar) -> None:
    with pytest.raises(PermissionDenied):
        supervise_case(calendar.archive, calendar.session(SECRETARY), CASE, reason="要求督办", on=date(2026, 11, 28))
    assert calendar.due("supervision", date(2026, 11, 28)) == {}


def test_all_reasons_are_listed_together(calendar: Calendar) -> None:
    calendar.assign_for_report()
    calendar.register_repeat(CASE)
    calendar.register_repeat(CASE)
    supervise_case(calendar.archive, calendar.session(LEADER), CASE, reason="要求按期报结", on=date(2026, 12, 1))
    reasons = calendar.reasons("supervision", date(2027, 5, 2))
    assert len(reasons) == 4
    assert reasons[0].startswith(OVERDUE)
    assert "重复来信来访 2 次" in reasons[1]
    assert "久拖不决" in reasons[2]
    assert "要求按期报结" in reasons[3]


def test_a_closed_case_is_never_due(calendar: Calendar) -> None:
    calendar.register_repeat(CASE)
    calendar.register_repeat(CASE)
    supervise_case(calendar.archive, calendar.session(LEADER), CASE, reason="要求尽快办结", on=date(2026, 11, 28))
    secretary = calendar.session()
    propose_route(calendar.archive, secretary, CASE, route="交办", unit="某镇纪委", opinion="建议交办",
                  on=ACKNOWLEDGED)
    instruct_case(calendar.archive, calendar.session(LEADER), CASE, text="同意", on=ACKNOWLEDGED)
    assign_case(calendar.archive, secretary, CASE, unit="某镇纪委", series="纪群字", acknowledged=ACKNOWLEDGED,
                on=ACKNOWLEDGED)
    calendar.report(date(2026, 12, 20))
    review_case(calendar.archive, secretary, CASE, accept=True, on=date(2026, 12, 21))
    close_case(calendar.archive, secretary, CASE, on=date(2026, 12, 22))
    for day in (date(2026, 12, 30), date(2027, 3, 2), date(2027, 5, 2), date(2028, 1, 1)):
        assert CASE not in calendar.due("supervision", day)
        assert CASE not in calendar.due("reminder", day)
