"""Tests for archive/handling.py: the handling cycle of a case, step by step.

Cases walk the usual road — 拟办 交办 → 批示 → 纪群字 交办 → 报结 → 审核 → 答复 → 结案 — on
dates in November 2026 (the fixture's cases were received on 2026-11-02).  Every step
is tried from every state: allowed ones must go through, the others must be refused
with the current state named and nothing recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from archive import Archive, InvalidInput, Level, PermissionDenied, Refused, list_records
from archive.cases import CaseRegistration, Petitioner, open_case, register_case
from archive.handling import (
    STATE_LABELS,
    assign_case,
    close_case,
    decide_extension,
    extend_case,
    instruct_case,
    propose_route,
    record_reminder,
    reply_case,
    report_case,
    report_due,
    request_extension,
    review_case,
    supervise_case,
)
from tests.conftest import CASES, Office

CASE = CASES[0]
SECRETARY, LEADER = "王文秘", "吴领导"
DAY = date(2026, 11, 10)
STATES = list(STATE_LABELS)
OPEN_STATES = [state for state in STATES if state != "closed"]


@dataclass
class Desk:
    """An open archive with the secretary's and the leader's sessions, and a report file to hand."""

    office: Office
    archive: Archive
    report_file: Path

    def session(self, name: str):
        return self.office.session(self.archive, name)

    def case(self, case_id: str = CASE):
        return open_case(self.archive, self.session(SECRETARY), case_id)


@pytest.fixture
def desk(office: Office, tmp_path: Path):
    report_file = tmp_path / "办理结果报告.txt"
    report_file.write_text("经调查核实，反映的问题部分属实，已责令整改。", encoding="utf-8")
    with office.open() as archive:
        yield Desk(office, archive, report_file)


# Each step as a person takes it on the usual road (交办, 纪群字, anonymous case).
STEPS: dict[str, Callable[[Desk, str], object]] = {
    "propose": lambda d, c: propose_route(d.archive, d.session(SECRETARY), c, route="交办", unit="某镇纪委",
                                          opinion="建议交某镇纪委调查核实", on=DAY),
    "instruct": lambda d, c: instruct_case(d.archive, d.session(LEADER), c, text="同意，按期报结", on=DAY),
    "assign": lambda d, c: assign_case(d.archive, d.session(SECRETARY), c, unit="某镇纪委", series="纪群字",
                                       acknowledged=DAY, on=DAY),
    "report": lambda d, c: report_case(d.archive, d.session(SECRETARY), c, [d.report_file], on=DAY),
    "accept": lambda d, c: review_case(d.archive, d.session(SECRETARY), c, accept=True, on=DAY),
    "return": lambda d, c: review_case(d.archive, d.session(SECRETARY), c, accept=False,
                                       reason="未回答信访人反映的第二个问题", on=DAY),
    "reply": lambda d, c: reply_case(d.archive, d.session(SECRETARY), c, mode="电话", text="已告知办理结果", on=DAY),
    "close": lambda d, c: close_case(d.archive, d.session(SECRETARY), c, on=DAY),
    "extend": lambda d, c: extend_case(d.archive, d.session(LEADER), c, days=10, reason="需调取银行流水", on=DAY),
    "extension-request": lambda d, c: request_extension(d.archive, d.session(SECRETARY), c, unit="某镇纪委",
                                                        until=date(2027, 4, 15), reason="当事人外出", on=DAY),
    "extension-decide": lambda d, c: decide_extension(d.archive, d.session(LEADER), c, approve=True, on=DAY),
    "supervise": lambda d, c: supervise_case(d.archive, d.session(LEADER), c, reason="群众反映强烈", on=DAY),
    "remind": lambda d, c: record_reminder(d.archive, d.session(SECRETARY), c, mode="电话", on=DAY),
}

# The road to each state from 已登记.
ROADS = {
    "registered": [],
    "proposed": ["propose"],
    "instructed": ["propose", "instruct"],
    "assigned": ["propose", "instruct", "assign"],
    "reported": ["propose", "instruct", "assign", "report"],
    "returned": ["propose", "instruct", "assign", "report", "return"],
    "accepted": ["propose", "instruct", "assign", "report", "accept"],
    "replied": ["propose", "instruct", "assign", "report", "accept", "reply"],
    "closed": ["propose", "instruct", "assign", "report", "accept", "reply", "close"],
}

ALLOWED = {
    "propose": {"registered", "proposed"},
    "instruct": {"proposed", "instructed"},
    "assign": {"instructed"},
    "report": {"assigned", "returned"},
    "accept": {"reported"},
    "return": {"reported"},
    "reply": {"accepted"},
    "close": {"accepted", "replied"},
    "extend": set(OPEN_STATES),
    "extension-request": {"assigned", "returned"},
    "extension-decide": {"assigned", "returned"},
    "supervise": set(OPEN_STATES),
    "remind": {"assigned", "returned"},
}

LEADS_TO = {
    "propose": "proposed", "instruct": "instructed", "assign": "assigned", "report": "reported",
    "accept": "accepted", "return": "returned", "reply": "replied", "close": "closed",
}


def walk(desk: Desk, state: str, case_id: str = CASE, *, request_while_assigned: bool = False) -> None:
    """Bring the case to ``state`` along the usual road."""
    for step in ROADS[state]:
        STEPS[step](desk, case_id)
        if step == "assign" and request_while_assigned:
            STEPS["extension-request"](desk, case_id)
    assert desk.case(case_id).state == state


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("step", list(STEPS))
def test_every_step_from_every_state(desk: Desk, step: str, state: str) -> None:
    # a decision needs a pending request: file one on the way wherever the road allows
    walk(desk, state, request_while_assigned=step == "extension-decide")
    before = desk.case()
    records_before = len(list_records(desk.archive, desk.session(SECRETARY), CASE))
    if state in ALLOWED[step]:
        after = STEPS[step](desk, CASE)
        assert after.state == LEADS_TO.get(step, state)
        assert [e["kind"] for e in after.events] == [e["kind"] for e in before.events] + [step]
        assert after.events[-1]["on_date"] == DAY.isoformat()
    else:
        with pytest.raises(Refused) as refused:
            STEPS[step](desk, CASE)
        assert f"“{STATE_LABELS[state]}”" in str(refused.value)
        assert CASE in str(refused.value)
        after = desk.case()
        assert after.state == state
        assert after.events == before.events
        assert after.row == before.row
        assert len(list_records(desk.archive, desk.session(SECRETARY), CASE)) == records_before


# --- roles ------------------------------------------------------------------------------------

# (step, the state it is allowed from, someone whose role may not take it)
WRONG_ROLES = [
    ("propose", "registered", LEADER),
    ("propose", "registered", "孙档案"),
    ("instruct", "proposed", SECRETARY),
    ("instruct", "proposed", "赵保密"),
    ("assign", "instructed", LEADER),
    ("report", "assigned", LEADER),
    ("report", "assigned", "孙档案"),
    ("accept", "reported", "孙档案"),
    ("return", "reported", "赵保密"),
    ("reply", "accepted", LEADER),
    ("close", "accepted", "孙档案"),
    ("extend", "assigned", SECRETARY),
    ("extension-request", "assigned", LEADER),
    ("extension-decide", "assigned", "郑秘书"),
    ("supervise", "assigned", SECRETARY),
    ("remind", "assigned", "孙档案"),
]

ACTIONS: dict[str, Callable[[Desk, str, object], object]] = {
    "propose": lambda d, c, s: propose_route(d.archive, s, c, route="交办", unit="某镇纪委", opinion="建议交办", on=DAY),
    "instruct": lambda d, c, s: instruct_case(d.archive, s, c, text="同意", on=DAY),
    "assign": lambda d, c, s: assign_case(d.archive, s, c, unit="某镇纪委", series="纪群字", on=DAY),
    "report": lambda d, c, s: report_case(d.archive, s, c, [d.report_file], on=DAY),
    "accept": lambda d, c, s: review_case(d.archive, s, c, accept=True, on=DAY),
    "return": lambda d, c, s: review_case(d.archive, s, c, accept=False, reason="材料不全", on=DAY),
    "reply": lambda d, c, s: reply_case(d.archive, s, c, mode="信件", text="已函复", on=DAY),
    "close": lambda d, c, s: close_case(d.archive, s, c, on=DAY),
    "extend": lambda d, c, s: extend_case(d.archive, s, c, days=10, reason="情况复杂", on=DAY),
    "extension-request": lambda d, c, s: request_extension(d.archive, s, c, unit="某镇纪委", until=date(2027, 4, 15),
                                                           reason="当事人外出", on=DAY),
    "extension-decide": lambda d, c, s: decide_extension(d.archive, s, c, approve=True, on=DAY),
    "supervise": lambda d, c, s: supervise_case(d.archive, s, c, reason="要求加快", on=DAY),
    "remind": lambda d, c, s: record_reminder(d.archive, s, c, mode="电话", on=DAY),
}


@pytest.mark.parametrize(("step", "state", "name"), WRONG_ROLES)
def test_a_step_by_the_wrong_role_is_denied_and_changes_nothing(desk: Desk, step: str, state: str, name: str) -> None:
    walk(desk, state, request_while_assigned=step == "extension-decide")
    before = desk.case()
    with pytest.raises(PermissionDenied):
        ACTIONS[step](desk, CASE, desk.session(name))
    after = desk.case()
    assert (after.state, after.events, after.row) == (before.state, before.events, before.row)


@pytest.mark.parametrize("name", [LEADER, "孙档案"])
def test_a_report_denied_for_the_role_files_no_record(desk: Desk, name: str) -> None:
    """Both may file records in general, but not a case's result report: nothing may be left behind."""
    walk(desk, "assigned")
    with pytest.raises(PermissionDenied):
        ACTIONS["report"](desk, CASE, desk.session(name))
    assert list_records(desk.archive, desk.session(SECRETARY), CASE) == []


def test_a_date_before_receipt_is_refused(desk: Desk) -> None:
    with pytest.raises(InvalidInput, match="早于收件日期"):
        propose_route(desk.archive, desk.session(SECRETARY), CASE, route="自办", opinion="本室核实",
                      on=date(2026, 11, 1))
    assert desk.case().state == "registered"


def test_a_report_dated_before_receipt_files_no_record(desk: Desk) -> None:
    walk(desk, "assigned")
    with pytest.raises(InvalidInput):
        report_case(desk.archive, desk.session(SECRETARY), CASE, [desk.report_file], on=date(2026, 10, 1))
    assert desk.case().state == "assigned"
    assert list_records(desk.archive, desk.session(SECRETARY), CASE) == []


# --- the whole cycle ------------------------------------------------------------------------


def test_full_cycle_through_the_library(desk: Desk, tmp_path: Path) -> None:
    secretary, leader = desk.session(SECRETARY), desk.session(LEADER)
    registration = CaseRegistration(
        channel="来信", received=date(2026, 11, 2), category="检举", importance="一般",
        classification=Level.SECRET, summary="反映某镇财政所所长挪用扶贫资金", real_name=True,
        petitioners=[Petitioner("张秀兰", phone="13912345678")],
    )
    case_id = register_case(desk.archive, secretary, registration, today=date(2026, 11, 3)).case_id
    assert case_id == "XF-2026-0004"
    second_report = tmp_path / "补充报告.txt"
    second_report.write_text("补充说明第二个问题的核查情况。", encoding="utf-8")

    steps = [
        ("proposed", lambda: propose_route(desk.archive, secretary, case_id, route="交办", unit="某镇纪委",
                                           opinion="建议交某镇纪委调查核实", on=date(2026, 11, 3))),
        ("instructed", lambda: instruct_case(desk.archive, leader, case_id, text="同意", on=date(2026, 11, 4))),
        ("assigned", lambda: assign_case(desk.archive, secretary, case_id, unit="某镇纪委", series="纪群字",
                                         acknowledged=date(2026, 11, 6), on=date(2026, 11, 5))),
        ("reported", lambda: report_case(desk.archive, secretary, case_id, [desk.report_file],
                                         on=date(2026, 12, 20))),
        ("returned", lambda: review_case(desk.archive, leader, case_id, accept=False,
                                         reason="未回答信访人反映的第二个问题", on=date(2026, 12, 22))),
        ("reported", lambda: report_case(desk.archive, secretary, case_id, [second_report], by_unit="某镇纪委",
                                         on=date(2027, 1, 8))),
        ("accepted", lambda: review_case(desk.archive, secretary, case_id, accept=True, on=date(2027, 1, 10))),
        ("replied", lambda: reply_case(desk.archive, secretary, case_id, mode="回访", text="当面告知办理结果",
                                       on=date(2027, 1, 12))),
        ("closed", lambda: close_case(desk.archive, leader, case_id, on=date(2027, 1, 13))),
    ]
    for expected, step in steps:
        assert step().state == expected

    case = open_case(desk.archive, secretary, case_id)
    assert [e["kind"] for e in case.events] == [
        "propose", "instruct", "assign", "report", "return", "report", "accept", "reply", "close"
    ]
    assign = case.events[2]
    assert assign["data"]["acknowledged"] == "2026-11-06"
    assert assign["data"]["report_due"] == "2027-02-08"  # 02-06 is a Saturday; 2027 counted with weekends only
    returned = case.events[4]
    assert returned["text"] == "未回答信访人反映的第二个问题" and returned["actor"] == LEADER
    assert case.events[7]["data"]["mode"] == "回访" and case.events[7]["text"] == "当面告知办理结果"
    reports = list_records(desk.archive, secretary, case_id)
    assert len(reports) == 2
    assert all(r.kind == "report" and r.classification == "秘密" for r in reports)
    assert {r.record_id for r in reports} == set(case.events[3]["data"]["records"] + case.events[5]["data"]["records"])
    assert case.to_json(date(2027, 1, 13), with_parties=False)["state"] == "closed"


def test_the_report_due_date_is_three_months_from_acknowledgement(desk: Desk) -> None:
    walk(desk, "instructed")
    case = assign_case(desk.archive, desk.session(SECRETARY), CASE, unit="某镇纪委", series="纪群字",
                       acknowledged=date(2026, 11, 13), on=DAY)
    assert case.events[-1]["data"]["report_due"] == "2027-02-15"  # 02-13 is a Saturday → Monday
    assert report_due(case) == date(2027, 2, 15)


def test_a_forward_needs_no_report(desk: Desk) -> None:
    walk(desk, "instructed")
    case = assign_case(desk.archive, desk.session(SECRETARY), CASE, unit="某县公安局", series="纪信字", on=DAY)
    assert case.events[-1]["data"]["report_due"] is None
    assert report_due(case) is None


# --- routes and series -----------------------------------------------------------------------


def _instructed(desk: Desk, route: str, case_id: str = CASE) -> None:
    unit = "某镇纪委" if route in ("转办", "交办") else None
    propose_route(desk.archive, desk.session(SECRETARY), case_id, route=route, unit=unit, opinion="拟办意见", on=DAY)
    instruct_case(desk.archive, desk.session(LEADER), case_id, text="同意", on=DAY)


@pytest.mark.parametrize("route", ["转办", "交办"])
def test_transfer_and_assignment_need_a_unit(desk: Desk, route: str) -> None:
    with pytest.raises(InvalidInput, match="承办单位"):
        propose_route(desk.archive, desk.session(SECRETARY), CASE, route=route, opinion="拟办意见", on=DAY)


def test_an_unknown_route_is_invalid(desk: Desk) -> None:
    with pytest.raises(InvalidInput, match="拟办方式"):
        propose_route(desk.archive, desk.session(SECRETARY), CASE, route="存查", opinion="拟办意见", on=DAY)


@pytest.mark.parametrize("route", ["自办", "摘报", "要信请示"])
def test_only_a_transfer_or_assignment_can_be_assigned(desk: Desk, route: str) -> None:
    _instructed(desk, route)
    with pytest.raises(Refused, match="已批示"):
        STEPS["assign"](desk, CASE)


def test_an_own_case_reports_straight_after_instruction(desk: Desk) -> None:
    _instructed(desk, "自办")
    assert STEPS["report"](desk, CASE).state == "reported"


@pytest.mark.parametrize("route", ["摘报", "要信请示"])
def test_a_summary_report_can_be_replied_and_closed_after_instruction(desk: Desk, route: str) -> None:
    _instructed(desk, route, CASES[0])
    assert STEPS["reply"](desk, CASES[0]).state == "replied"
    _instructed(desk, route, CASES[1])
    assert STEPS["close"](desk, CASES[1]).state == "closed"


def test_a_forward_can_be_replied_after_assignment(desk: Desk) -> None:
    walk(desk, "instructed")
    assign_case(desk.archive, desk.session(SECRETARY), CASE, unit="某县公安局", series="纪信字", on=DAY)
    assert STEPS["reply"](desk, CASE).state == "replied"
    assert STEPS["close"](desk, CASE).state == "closed"


def test_an_anonymous_forward_can_be_closed_after_assignment(desk: Desk) -> None:
    walk(desk, "instructed")
    assign_case(desk.archive, desk.session(SECRETARY), CASE, unit="某县公安局", series="纪信字", on=DAY)
    assert STEPS["close"](desk, CASE).state == "closed"


def test_an_assignment_for_report_cannot_be_replied_or_closed_before_its_report(desk: Desk) -> None:
    walk(desk, "assigned")
    for step in ("reply", "close"):
        with pytest.raises(Refused, match="已交办"):
            STEPS[step](desk, CASE)


def test_a_forward_is_not_reminded_and_has_no_extension_request(desk: Desk) -> None:
    walk(desk, "instructed")
    assign_case(desk.archive, desk.session(SECRETARY), CASE, unit="某县公安局", series="纪信字", on=DAY)
    for step in ("remind", "extension-request"):
        with pytest.raises(Refused, match="纪群字"):
            STEPS[step](desk, CASE)


def test_a_return_needs_a_reason(desk: Desk) -> None:
    walk(desk, "reported")
    with pytest.raises(InvalidInput, match="理由"):
        review_case(desk.archive, desk.session(SECRETARY), CASE, accept=False, on=DAY)
    assert desk.case().state == "reported"


# --- real-name and anonymous closing -----------------------------------------------------------


def _real_name_case(desk: Desk) -> str:
    registration = CaseRegistration(
        channel="来信", received=date(2026, 11, 2), category="检举", importance="一般",
        classification=Level.INTERNAL, summary="实名反映村干部优亲厚友", real_name=True,
        petitioners=[Petitioner("张秀兰")],
    )
    return register_case(desk.archive, desk.session(SECRETARY), registration, today=date(2026, 11, 28)).case_id


def test_a_real_name_case_cannot_close_before_the_reply(desk: Desk) -> None:
    case_id = _real_name_case(desk)
    walk(desk, "accepted", case_id)
    with pytest.raises(Refused, match="须先答复") as refused:
        STEPS["close"](desk, case_id)
    assert "已审核通过" in str(refused.value)
    assert desk.case(case_id).state == "accepted"
    assert STEPS["reply"](desk, case_id).state == "replied"
    assert STEPS["close"](desk, case_id).state == "closed"


def test_a_real_name_forward_cannot_close_before_the_reply(desk: Desk) -> None:
    case_id = _real_name_case(desk)
    walk(desk, "instructed", case_id)
    assign_case(desk.archive, desk.session(SECRETARY), case_id, unit="某县公安局", series="纪信字", on=DAY)
    with pytest.raises(Refused, match="须先答复"):
        STEPS["close"](desk, case_id)
    assert STEPS["reply"](desk, case_id).state == "replied"
    assert STEPS["close"](desk, case_id).state == "closed"


def test_an_anonymous_case_can_close_right_after_acceptance(desk: Desk) -> None:
    walk(desk, "accepted")
    assert STEPS["close"](desk, CASE).state == "closed"


@pytest.mark.parametrize("mode", ["电话", "信件", "回访"])
def test_reply_modes(desk: Desk, mode: str) -> None:
    walk(desk, "accepted")
    case = reply_case(desk.archive, desk.session(SECRETARY), CASE, mode=mode, text="已告知", on=DAY)
    assert case.events[-1]["data"]["mode"] == mode


def test_an_unknown_reply_mode_is_invalid(desk: Desk) -> None:
    walk(desk, "accepted")
    with pytest.raises(InvalidInput, match="答复方式"):
        reply_case(desk.archive, desk.session(SECRETARY), CASE, mode="短信", text="已告知", on=DAY)


# --- the office's own extension -----------------------------------------------------------------


def test_extend_moves_the_deadline_once(desk: Desk) -> None:
    assert desk.case().row["deadline"] == "2026-12-02"
    leader = desk.session(LEADER)
    case = extend_case(desk.archive, leader, CASE, days=10, reason="需调取银行流水", on=DAY)
    assert case.row["deadline"] == "2026-12-14"  # 12-12 is a Saturday → Monday
    assert case.to_json(date(2026, 11, 28), with_parties=False)["deadline"] == "2026-12-14"
    assert case.events[-1]["text"] == "需调取银行流水"
    with pytest.raises(Refused, match="已延期") as refused:
        extend_case(desk.archive, leader, CASE, days=5, reason="再延", on=DAY)
    assert "已登记" in str(refused.value)
    assert desk.case().row["deadline"] == "2026-12-14"


def test_extend_once_holds_across_states(desk: Desk) -> None:
    extend_case(desk.archive, desk.session(LEADER), CASE, days=5, reason="情况复杂", on=DAY)
    for step in ("propose", "instruct", "assign"):
        STEPS[step](desk, CASE)
    with pytest.raises(Refused, match="已延期"):
        extend_case(desk.archive, desk.session(LEADER), CASE, days=5, reason="再延", on=DAY)


@pytest.mark.parametrize("days", [0, -1, 31, 90])
def test_extend_is_at_most_thirty_days(desk: Desk, days: int) -> None:
    with pytest.raises(InvalidInput, match="30"):
        extend_case(desk.archive, desk.session(LEADER), CASE, days=days, reason="情况复杂", on=DAY)
    case = desk.case()
    assert case.row["deadline"] == "2026-12-02" and case.events == []


def test_extend_by_thirty_days_is_allowed(desk: Desk) -> None:
    case = extend_case(desk.archive, desk.session(LEADER), CASE, days=30, reason="情况复杂", on=DAY)
    assert case.row["deadline"] == "2027-01-01"


# --- the unit's extension request ---------------------------------------------------------------


def test_one_pending_extension_request_at_a_time(desk: Desk) -> None:
    walk(desk, "assigned")
    STEPS["extension-request"](desk, CASE)
    with pytest.raises(Refused, match="待审批") as refused:
        STEPS["extension-request"](desk, CASE)
    assert "已交办" in str(refused.value)
    assert [e["kind"] for e in desk.case().events].count("extension-request") == 1


def test_a_new_request_may_follow_a_decision(desk: Desk) -> None:
    walk(desk, "assigned")
    STEPS["extension-request"](desk, CASE)
    decide_extension(desk.archive, desk.session(LEADER), CASE, approve=False, reason="理由不充分", on=DAY)
    assert STEPS["extension-request"](desk, CASE).events[-1]["kind"] == "extension-request"


def test_a_decision_needs_a_pending_request(desk: Desk) -> None:
    walk(desk, "assigned")
    with pytest.raises(Refused, match="没有待审批"):
        decide_extension(desk.archive, desk.session(LEADER), CASE, approve=True, on=DAY)
    STEPS["extension-request"](desk, CASE)
    STEPS["extension-decide"](desk, CASE)
    with pytest.raises(Refused, match="没有待审批"):
        decide_extension(desk.archive, desk.session(LEADER), CASE, approve=True, on=DAY)


def test_an_approved_request_moves_the_report_due_date(desk: Desk) -> None:
    walk(desk, "assigned")
    assert report_due(desk.case()) == date(2027, 2, 10)
    STEPS["extension-request"](desk, CASE)
    assert report_due(desk.case()) == date(2027, 2, 10)  # a request alone changes nothing
    case = decide_extension(desk.archive, desk.session(LEADER), CASE, approve=True, reason="同意", on=DAY)
    assert case.events[-1]["data"] == {"approved": True, "until": "2027-04-15"}
    assert report_due(case) == date(2027, 4, 15)
    assert case.state == "assigned"


def test_a_denied_request_leaves_the_report_due_date(desk: Desk) -> None:
    walk(desk, "assigned")
    STEPS["extension-request"](desk, CASE)
    case = decide_extension(desk.archive, desk.session(LEADER), CASE, approve=False, reason="理由不充分", on=DAY)
    assert case.events[-1]["data"] == {"approved": False, "until": None}
    assert case.events[-1]["text"] == "理由不充分"
    assert report_due(case) == date(2027, 2, 10)


def test_supervise_and_remind_record_without_moving_the_state(desk: Desk) -> None:
    walk(desk, "assigned")
    case = STEPS["supervise"](desk, CASE)
    assert (case.state, case.events[-1]["text"]) == ("assigned", "群众反映强烈")
    case = STEPS["remind"](desk, CASE)
    assert (case.state, case.events[-1]["data"]["mode"]) == ("assigned", "电话")
    with pytest.raises(InvalidInput, match="催办方式"):
        record_reminder(desk.archive, desk.session(SECRETARY), CASE, mode="微信", on=DAY)


def test_an_acknowledgement_before_receipt_is_refused(desk: Desk) -> None:
    """签收 cannot precede the case's receipt; the report due date would be counted from a date that never was."""
    walk(desk, "instructed")
    with pytest.raises(InvalidInput):
        assign_case(desk.archive, desk.session(SECRETARY), CASE, unit="某镇纪委", series="纪群字",
                    acknowledged=date(2026, 8, 1), on=DAY)
    assert desk.case().state == "instructed"


def test_an_extension_request_must_reach_past_the_report_due_date(desk: Desk) -> None:
    walk(desk, "assigned")  # report due 2027-02-10
    with pytest.raises((InvalidInput, Refused)):
        request_extension(desk.archive, desk.session(SECRETARY), CASE, unit="某镇纪委", until=date(2027, 1, 15),
                          reason="当事人外出", on=DAY)
    assert "extension-request" not in [e["kind"] for e in desk.case().events]
