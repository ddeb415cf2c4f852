"""The register's counts over a period, checked against a month of cases counted by hand.

Ten cases are registered and handled through the library across October and
November 2026 (all business dates given explicitly, ``today`` 2026-11-28 for
registration); :data:`EXPECTED` is what a secretary counting the register on
paper gets for October, November and the year to 30 November.  The builder
:func:`build_month` is shared with the report tests (``tests/generators/test_reports.py``,
``tests/cli/test_report.py``).

=============  ======  =====  ====  ====  ===========  ===================================================
case           收件     渠道    类别   重要   密级          what makes it count
=============  ======  =====  ====  ====  ===========  ===================================================
LETTER         10-09   来信    检举   一般   秘密         实名; 交办 纪群字 红庆河镇纪委 10-12, 催办 10-28,
                                                      报结 11-05, 退回 11-06, 报结 11-16, 通过, 答复, 结案 11-23
GROUP_VISIT    10-13   来访    控告   重要   内部         6 人 (集体访), 首问 吴领导 (领导接访); 转办 纪信字
                                                      札萨克镇纪委 10-16, 结案 11-02
APPEAL         10-20   来信    申诉   一般   机密         自办 10-21, 督办 11-10, never closed: 期限 11-19 → 逾期
ONLINE         10-26   网上    意见建议 一般  内部         重复 of GROUP_VISIT, never handled: 期限 11-25 → 逾期
BOX_LETTER     10-27   举报箱   检举   一般   内部         交办 10-28, 纪群字 札萨克镇纪委 11-02, 报结 11-20,
                                                      退回 11-24, 催办 11-25: 期限 11-26 → 逾期 (of the unit)
LEADER_LETTER  11-03   来信    检举   重要   秘密         实名, 首问 吴领导 but a letter (no 接访); 交办 纪群字
                                                      红庆河镇纪委 11-06, 督办 11-20, 催办 11-27
LEADER_VISIT   11-05   来访    控告   一般   内部         实名, 5 人 (集体访 at the bound), registered by 吴领导
                                                      (领导接访); 摘报, 答复, 结案 11-12
REPEAT_VISIT   11-09   来访    检举   一般   内部         2 人, 重复 of LETTER; 要信请示 11-10
PHONE_CALL     11-16   来电    意见建议 一般  内部         nothing else
MAJOR_VISIT    11-24   来访    控告   重要   内部         16 人: 集体访 and 重大信访事项
=============  ======  =====  ====  ====  ===========  ===================================================
"""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from archive import Level, login
from archive.cases import CaseFile, CaseRegistration, Petitioner, ReportedPerson, list_cases, register_case
from archive.handling import (
    assign_case,
    close_case,
    instruct_case,
    propose_route,
    record_reminder,
    reply_case,
    report_case,
    review_case,
    supervise_case,
)
from archive.statistics import COLLECTIVE_PEOPLE, PeriodCounts, UnitCounts, count_period, counts_for
from tests.conftest import PASSPHRASE, Office, build_office

SECRETARY, LEADER, NARROW_SECRETARY = "王文秘", "吴领导", "郑秘书"  # 郑秘书 is cleared to 秘密 only
REGISTERED_ON = date(2026, 11, 28)
(LETTER, GROUP_VISIT, APPEAL, ONLINE, BOX_LETTER, LEADER_LETTER, LEADER_VISIT, REPEAT_VISIT, PHONE_CALL,
 MAJOR_VISIT) = (f"XF-2026-{n:04d}" for n in range(1, 11))
RED, ZASAKE = "红庆河镇纪委", "札萨克镇纪委"
PETITIONER, PHONE, ADDRESS = "张秀兰", "13912345678", "伊金霍洛旗红庆河镇新街村三社12号"
LETTER_SUMMARY = "实名举报红庆河镇镇长张大山挪用扶贫专项资金修建办公楼"
GROUP_SUMMARY = "六名村民集体反映札萨克镇某村征地补偿款发放不公"
MAJOR_SUMMARY = "十六名村民集体来访反映某煤矿塌陷区搬迁安置问题"
RETURN_REASON = "报告未回答信访人反映的资金去向问题"

SEPTEMBER = (date(2026, 9, 1), date(2026, 9, 30))
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
YEAR = (date(2026, 1, 1), date(2026, 11, 30))
"""本年累计 as the November report prints it: 1 January to the end of the month."""


def _registration(channel: str, received: date, category: str, importance: str, level: Level, summary: str,
                  **extra: Any) -> CaseRegistration:
    return CaseRegistration(channel=channel, received=received, category=category, importance=importance,
                            classification=level, summary=summary, real_name=bool(extra.get("petitioners")), **extra)


def build_month(path: Path) -> Office:
    """The office of ``tests.conftest`` with the ten cases of this module's docstring, handled to 2026-11-27."""
    office = build_office(path)
    reports = path.parent / "承办单位报告"
    reports.mkdir()
    with office.open() as archive:
        secretary, leader = login(archive, SECRETARY, PASSPHRASE), login(archive, LEADER, PASSPHRASE)

        def register(session: Any, registration: CaseRegistration) -> str:
            return register_case(archive, session, registration, today=REGISTERED_ON).case_id

        def report(case_id: str, on: date) -> None:
            source = reports / f"{case_id}-{on.isoformat()}.txt"
            source.write_text(f"关于{case_id}的调查核实情况报告（{on.isoformat()}）", encoding="utf-8")
            report_case(archive, secretary, case_id, [source], on=on)

        cases = [
            register(secretary, _registration(
                "来信", date(2026, 10, 9), "检举", "一般", Level.SECRET, LETTER_SUMMARY,
                petitioners=[Petitioner(PETITIONER, phone=PHONE, address=ADDRESS)],
                reported=[ReportedPerson("张大山", unit="红庆河镇人民政府", post="镇长")])),
            register(secretary, _registration(
                "来访", date(2026, 10, 13), "控告", "重要", Level.INTERNAL, GROUP_SUMMARY, people=6,
                representatives=3, first_receiver=LEADER)),
            register(secretary, _registration(
                "来信", date(2026, 10, 20), "申诉", "一般", Level.CONFIDENTIAL, "对处分决定不服提出申诉")),
            register(secretary, _registration(
                "网上", date(2026, 10, 26), "意见建议", "一般", Level.INTERNAL, "再次反映征地补偿款问题",
                repeat_of=GROUP_VISIT)),
            register(secretary, _registration(
                "举报箱", date(2026, 10, 27), "检举", "一般", Level.INTERNAL, "反映札萨克镇某站所违规发放补贴")),
            register(secretary, _registration(
                "来信", date(2026, 11, 3), "检举", "重要", Level.SECRET, "实名举报新街村支书侵占集体土地补偿款",
                petitioners=[Petitioner("李桂芝", phone="13800001111")], first_receiver=LEADER)),
            register(leader, _registration(
                "来访", date(2026, 11, 5), "控告", "一般", Level.INTERNAL, "五名群众反映村务不公开",
                petitioners=[Petitioner("刘建军")], people=COLLECTIVE_PEOPLE, representatives=3)),
            register(secretary, _registration(
                "来访", date(2026, 11, 9), "检举", "一般", Level.INTERNAL, "当面反映红庆河镇扶贫资金问题",
                people=2, repeat_of=LETTER)),
            register(secretary, _registration(
                "来电", date(2026, 11, 16), "意见建议", "一般", Level.INTERNAL, "来电建议公开信访举报电话")),
            register(secretary, _registration(
                "来访", date(2026, 11, 24), "控告", "重要", Level.INTERNAL, MAJOR_SUMMARY, people=16,
                representatives=5)),
        ]
        assert cases == [LETTER, GROUP_VISIT, APPEAL, ONLINE, BOX_LETTER, LEADER_LETTER, LEADER_VISIT,
                         REPEAT_VISIT, PHONE_CALL, MAJOR_VISIT]

        propose_route(archive, secretary, LETTER, route="交办", unit=RED, opinion="建议交红庆河镇纪委调查核实",
                      on=date(2026, 10, 10))
        instruct_case(archive, leader, LETTER, text="同意，交红庆河镇纪委办理并按期报结", on=date(2026, 10, 11))
        assign_case(archive, secretary, LETTER, unit=RED, series="纪群字", acknowledged=date(2026, 10, 12),
                    on=date(2026, 10, 12))
        record_reminder(archive, secretary, LETTER, mode="电话", on=date(2026, 10, 28))
        report(LETTER, date(2026, 11, 5))
        review_case(archive, secretary, LETTER, accept=False, reason=RETURN_REASON, on=date(2026, 11, 6))
        report(LETTER, date(2026, 11, 16))
        review_case(archive, leader, LETTER, accept=True, on=date(2026, 11, 18))
        reply_case(archive, secretary, LETTER, mode="信件", text="经查，反映的问题部分属实，已责令整改。",
                   on=date(2026, 11, 20))
        close_case(archive, secretary, LETTER, on=date(2026, 11, 23))

        propose_route(archive, secretary, GROUP_VISIT, route="转办", unit=ZASAKE, opinion="建议转札萨克镇纪委",
                      on=date(2026, 10, 14))
        instruct_case(archive, leader, GROUP_VISIT, text="同意", on=date(2026, 10, 15))
        assign_case(archive, secretary, GROUP_VISIT, unit=ZASAKE, series="纪信字", on=date(2026, 10, 16))
        close_case(archive, secretary, GROUP_VISIT, on=date(2026, 11, 2))

        propose_route(archive, secretary, APPEAL, route="自办", opinion="建议由信访室自办", on=date(2026, 10, 21))
        instruct_case(archive, leader, APPEAL, text="同意", on=date(2026, 10, 22))
        supervise_case(archive, leader, APPEAL, reason="申诉已近期限，请加快办理", on=date(2026, 11, 10))

        propose_route(archive, secretary, BOX_LETTER, route="交办", unit=ZASAKE, opinion="建议交办",
                      on=date(2026, 10, 28))
        instruct_case(archive, leader, BOX_LETTER, text="同意", on=date(2026, 10, 29))
        assign_case(archive, secretary, BOX_LETTER, unit=ZASAKE, series="纪群字", acknowledged=date(2026, 11, 3),
                    on=date(2026, 11, 2))
        report(BOX_LETTER, date(2026, 11, 20))
        review_case(archive, leader, BOX_LETTER, accept=False, reason="材料不齐全", on=date(2026, 11, 24))
        record_reminder(archive, secretary, BOX_LETTER, mode="函件", on=date(2026, 11, 25))

        propose_route(archive, secretary, LEADER_LETTER, route="交办", unit=RED, opinion="建议交办",
                      on=date(2026, 11, 4))
        instruct_case(archive, leader, LEADER_LETTER, text="同意", on=date(2026, 11, 5))
        assign_case(archive, secretary, LEADER_LETTER, unit=RED, series="纪群字", acknowledged=date(2026, 11, 6),
                    on=date(2026, 11, 6))
        supervise_case(archive, leader, LEADER_LETTER, reason="群众反映强烈", on=date(2026, 11, 20))
        record_reminder(archive, secretary, LEADER_LETTER, mode="电话", on=date(2026, 11, 27))

        propose_route(archive, secretary, LEADER_VISIT, route="摘报", opinion="建议摘报", on=date(2026, 11, 6))
        instruct_case(archive, leader, LEADER_VISIT, text="同意摘报", on=date(2026, 11, 9))
        reply_case(archive, secretary, LEADER_VISIT, mode="电话", text="已电话告知处理情况", on=date(2026, 11, 10))
        close_case(archive, leader, LEADER_VISIT, on=date(2026, 11, 12))

        propose_route(archive, secretary, REPEAT_VISIT, route="要信请示", opinion="建议呈报领导", on=date(2026, 11, 10))
    return office


@pytest.fixture(scope="module")
def month_template(tmp_path_factory: pytest.TempPathFactory) -> Office:
    return build_month(tmp_path_factory.mktemp("month") / "archive")


@pytest.fixture
def month(month_template: Office, tmp_path: Path) -> Office:
    """A fresh copy of the office with the ten cases, at ``tmp_path / "archive"`` (where ``cli`` looks)."""
    shutil.copytree(month_template.path, tmp_path / "archive")
    return Office(tmp_path / "archive")


# --------------------------------------------------------------------------- the table counted by hand

EXPECTED: list[tuple[str, int, int, int]] = [
    # what                              October  November  year to 30 November
    ("received",                              5,        5,       10),
    ("by_channel.来信",                        2,        1,        3),
    ("by_channel.来访",                        1,        3,        4),
    ("by_channel.来电",                        0,        1,        1),
    ("by_channel.举报箱",                      1,        0,        1),
    ("by_channel.网上",                        1,        0,        1),
    ("by_category.检举",                       2,        2,        4),
    ("by_category.控告",                       1,        2,        3),
    ("by_category.申诉",                       1,        0,        1),
    ("by_category.意见建议",                   1,        1,        2),
    ("by_importance.一般",                     4,        3,        7),
    ("by_importance.重要",                     1,        2,        3),
    ("by_route.自办",                          1,        0,        1),
    ("by_route.转办",                          1,        0,        1),
    ("by_route.交办",                          2,        1,        3),
    ("by_route.摘报",                          0,        1,        1),
    ("by_route.要信请示",                      0,        1,        1),
    ("by_series.纪群字",                       1,        2,        3),
    ("by_series.纪信字",                       1,        0,        1),
    ("real_name",                             1,        2,        3),
    ("collective",                            1,        2,        3),
    ("repeat",                                1,        1,        2),
    ("major",                                 0,        1,        1),
    ("leader_reception",                      1,        1,        2),
    ("closed",                                0,        3,        3),
    ("overdue",                               0,        3,        3),
    ("returned",                              0,        2,        2),
    ("supervised",                            0,        2,        2),
    ("reminded",                              1,        2,        3),
    (f"by_unit.{RED}.assigned",               1,        1,        2),
    (f"by_unit.{RED}.reported",               0,        1,        1),  # one case, reported twice
    (f"by_unit.{RED}.overdue",                0,        0,        0),
    (f"by_unit.{ZASAKE}.assigned",            1,        1,        2),
    (f"by_unit.{ZASAKE}.reported",            0,        1,        1),
    (f"by_unit.{ZASAKE}.overdue",             0,        1,        1),
]
"""Why the less obvious numbers are what they are:

- 领导接访 is a 来访 whose 首问 is a leader: GROUP_VISIT (首问 吴领导) and LEADER_VISIT (registered by
  吴领导), not LEADER_LETTER (首问 吴领导, but a letter); 集体访 counts LEADER_VISIT's 5 people.
- 报结 counts each report: LETTER reported twice in November (returned in between).
- 逾期 on 30 November: APPEAL (期限 11-19), ONLINE (11-25), BOX_LETTER (11-26, with 札萨克镇纪委);
  LETTER (期限 11-09) was closed on 11-23.  On 31 October no deadline had passed.
"""


def column(n: int) -> dict[str, int]:
    return {what: row[n] for what, *row in EXPECTED}


def flattened(counts: PeriodCounts) -> dict[str, int]:
    """Every number of ``counts`` by dotted name, the way :data:`EXPECTED` names them."""
    flat: dict[str, int] = {}
    for item in dataclasses.fields(counts):
        value = getattr(counts, item.name)
        if item.name in ("start", "end"):
            continue
        if isinstance(value, dict):
            for key, inner in value.items():
                if isinstance(inner, UnitCounts):
                    flat.update({f"{item.name}.{key}.{k}": v for k, v in dataclasses.asdict(inner).items()})
                else:
                    flat[f"{item.name}.{key}"] = inner
        else:
            flat[item.name] = value
    return flat


def counted(office: Office, user: str, *periods: tuple[date, date]) -> list[PeriodCounts]:
    with office.open() as archive:
        return counts_for(archive, login(archive, user, PASSPHRASE), list(periods))


@pytest.mark.parametrize("user", [SECRETARY, LEADER])
def test_october_november_and_the_year_are_the_hand_counted_table(month: Office, user: str) -> None:
    october, november, year = counted(month, user, OCTOBER, NOVEMBER, YEAR)
    assert [(c.start, c.end) for c in (october, november, year)] == [OCTOBER, NOVEMBER, YEAR]
    assert flattened(october) == column(0)
    assert flattened(november) == column(1)
    assert flattened(year) == column(2)
    assert not october.empty and not november.empty


def test_a_case_above_the_readers_clearance_is_not_counted(month: Office) -> None:
    """郑秘书 (秘密) cannot open APPEAL (机密): it is neither received, routed, supervised nor overdue for her."""
    october, november, year = counted(month, NARROW_SECRETARY, OCTOBER, NOVEMBER, YEAR)
    assert flattened(october) == {**column(0), "received": 4, "by_channel.来信": 1, "by_category.申诉": 0,
                                  "by_importance.一般": 3, "by_route.自办": 0}
    assert flattened(november) == {**column(1), "supervised": 1, "overdue": 2}
    assert flattened(year) == {**column(2), "received": 9, "by_channel.来信": 2, "by_category.申诉": 0,
                               "by_importance.一般": 6, "by_route.自办": 0, "supervised": 1, "overdue": 2}


def test_an_investigator_counts_nothing(month: Office) -> None:
    """周调查 may read no case of the register, so every number he is shown is 0."""
    (year,) = counted(month, "周调查", YEAR)
    assert year.empty and set(flattened(year).values()) == {0}


def test_a_month_without_cases_is_a_zero_report(month: Office) -> None:
    (september,) = counted(month, SECRETARY, SEPTEMBER)
    assert september.empty
    assert flattened(september) == {what: 0 for what in flattened(september)}
    assert september.by_unit == {}
    assert set(september.by_channel) == {"来信", "来访", "来电", "举报箱", "网上"}  # every row printed, as 0


def test_the_counting_reads_the_register_once_and_logs_it_once(month: Office) -> None:
    with month.open() as archive:
        secretary = login(archive, SECRETARY, PASSPHRASE)
        (before,) = archive.conn.execute("SELECT count(*) FROM audit_entries").fetchone()
        counts_for(archive, secretary, [OCTOBER, NOVEMBER, YEAR])
        bodies = [body for (body,) in archive.conn.execute("SELECT body FROM audit_entries WHERE seq > ?", (before,))]
    assert len(bodies) == 1 and '"case.list"' in bodies[0]


# --------------------------------------------------------------------------- the rules at their bounds


def _case(received: str, deadline: str, *, closed: str | None = None, channel: str = "来信", people: int | None = None,
          first_receiver: str = SECRETARY) -> CaseFile:
    row = {"received": received, "deadline": deadline, "channel": channel, "category": "检举", "importance": "一般",
           "real_name": 0, "people": people, "repeat_of": None, "major_incident": 0, "first_receiver": first_receiver}
    events = [{"kind": "close", "on_date": closed, "data": {}}] if closed else []
    return CaseFile("XF-2026-0099", row, {}, b"", events)


@pytest.mark.parametrize(("case", "overdue"), [
    (_case("2026-10-01", "2026-10-30"), 1),  # past its deadline on the 31st
    (_case("2026-10-01", "2026-10-31"), 0),  # due on the last day: not yet overdue
    (_case("2026-10-01", "2026-10-30", closed="2026-10-31"), 0),  # closed on the last day
    (_case("2026-10-01", "2026-10-30", closed="2026-11-01"), 1),  # closed only after the period
    (_case("2026-11-01", "2026-10-30"), 0),  # received after the period (however odd its deadline)
    (_case("2026-08-01", "2026-08-31"), 1),  # received long before, still open: overdue in every later period
])
def test_overdue_is_judged_on_the_periods_last_day(case: CaseFile, overdue: int) -> None:
    counts = count_period([case], *OCTOBER)
    assert counts.overdue == overdue
    assert counts.by_unit == {}  # never assigned: overdue, but of no unit


@pytest.mark.parametrize(("case", "received"), [
    (_case("2026-10-01", "2026-12-31"), 1),
    (_case("2026-10-31", "2026-12-31"), 1),
    (_case("2026-09-30", "2026-12-31"), 0),
    (_case("2026-11-01", "2026-12-31"), 0),
])
def test_both_ends_of_the_period_count(case: CaseFile, received: int) -> None:
    assert count_period([case], *OCTOBER).received == received


@pytest.mark.parametrize(("case", "collective", "reception"), [
    (_case("2026-10-05", "2026-12-31", channel="来访", people=COLLECTIVE_PEOPLE - 1, first_receiver=LEADER), 0, 1),
    (_case("2026-10-05", "2026-12-31", channel="来访", people=COLLECTIVE_PEOPLE), 1, 0),
    (_case("2026-10-05", "2026-12-31", channel="来信", people=None, first_receiver=LEADER), 0, 0),
    (_case("2026-10-05", "2026-12-31", channel="来电", first_receiver=LEADER), 0, 0),
])
def test_collective_visits_and_leader_receptions(case: CaseFile, collective: int, reception: int) -> None:
    counts = count_period([case], *OCTOBER, leaders=[LEADER])
    assert (counts.collective, counts.leader_reception) == (collective, reception)


def test_the_leader_accounts_are_read_from_the_archive(month: Office) -> None:
    """Without the leaders' names no visit is a 领导接访; counts_for finds them itself."""
    with month.open() as archive:
        cases = list_cases(archive, login(archive, SECRETARY, PASSPHRASE))
    assert count_period(cases, *YEAR).leader_reception == 0
    assert count_period(cases, *YEAR, leaders=[LEADER]).leader_reception == column(2)["leader_reception"]
