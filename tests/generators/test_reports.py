"""Registers, statistics and archival lists filled from the scripted month of ``tests/archive/test_statistics.py``.

Each report is made through :func:`generators.reporting.make_report` and read
back from the DOCX as a person would read the paper: the case's facts on the
forms, the hand-counted numbers in the monthly report's table cells, the audit
checkpoint at its foot accepted by the auditor's verification, and every table
within the type area with its header row repeated on every page.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from pypdf import PdfReader

from archive import (
    Archive,
    InvalidInput,
    Level,
    NotFound,
    PermissionDenied,
    Refused,
    Retention,
    Session,
    add_records,
    login,
)
from archive.anchors import parse_checkpoint
from archive.auditing import verify_audit
from archive.cases import open_case
from archive.destruction import approve_batch, execute_batch, propose_batch, witness_batch
from archive.filing import file_case
from archive.kinds import parse_kind
from archive.reportbox import record_opening
from generators.errors import InvalidFields, UnknownKind
from generators.layout import PAGE, twips_to_mm
from generators.report import ReportInput
from generators.reporting import make_report, parse_month, parse_quarter, render_destruction_register
from generators.reports import REPORTS, find_report
from generators.tables import column_widths
from tests.archive.test_statistics import (
    ADDRESS,
    APPEAL,
    GROUP_SUMMARY,
    GROUP_VISIT,
    LEADER_VISIT,
    LETTER,
    LETTER_SUMMARY,
    MAJOR_SUMMARY,
    MAJOR_VISIT,
    PETITIONER,
    PHONE,
    RED,
    REPEAT_VISIT,
    ZASAKE,
)
from tests.conftest import PASSPHRASE, Office
from tests.generators.conftest import W, own_text, paragraphs, parts

SECRETARY, LEADER, ARCHIVIST = "王文秘", "吴领导", "孙档案"
TODAY = date(2026, 11, 28)
ORGANISATION = "伊金霍洛旗纪委监委"
TABLE_KINDS = ("monthly-report", "quarterly-bulletin", "file-list", "box-label", "destruction-register")
CHECKPOINT_HEADING = "以下审计检查点可抄存后用 xinfang audit verify --against 核对："
CHECKPOINT_TITLE = "xinfang 审计检查点"
CHECKPOINT_LABELS = ("机关", "档案库", "条目数", "根哈希", "签署时间", "签署人", "签署人公钥指纹", "签名")
DUTY = {"on_duty": ["王文秘", "郑秘书"], "leader": LEADER}
MAJOR = {"place": "旗政府信访接待大厅", "actions": "吴领导当即接待，劝返群众代表以外人员"}

MONTHLY: list[tuple[str, int, int, int]] = [
    # 项目                        October  November  year to 30 November
    ("收件总数",                         5,        5,       10),
    ("来源：来信",                       2,        1,        3),
    ("来源：来访",                       1,        3,        4),
    ("来源：来电",                       0,        1,        1),
    ("来源：举报箱",                     1,        0,        1),
    ("来源：网上",                       1,        0,        1),
    ("类别：检举",                       2,        2,        4),
    ("类别：控告",                       1,        2,        3),
    ("类别：申诉",                       1,        0,        1),
    ("类别：意见建议",                   1,        1,        2),
    ("重要信访件",                       1,        2,        3),
    ("署实名",                           1,        2,        3),
    ("集体访（5人以上）",                1,        2,        3),
    ("重复信访",                         1,        1,        2),
    ("重大信访事项",                     0,        1,        1),
    ("领导接访",                         1,        1,        2),
    ("拟办：自办",                       1,        0,        1),
    ("拟办：转办",                       1,        0,        1),
    ("拟办：交办",                       2,        1,        3),
    ("拟办：摘报",                       0,        1,        1),
    ("拟办：要信请示",                   0,        1,        1),
    ("交办：纪群字",                     1,        2,        3),
    ("交办：纪信字",                     1,        0,        1),
    ("办结",                             0,        3,        3),
    ("退回重报",                         0,        2,        2),
    ("督办",                             0,        2,        2),
    ("催办",                             1,        2,        3),
    ("逾期未办结（期末）",               0,        3,        3),
]
"""The monthly report's rows counted by hand (see ``EXPECTED`` in the statistics tests for the reasoning).

Nothing was received before October, so October's 本年累计 is October itself.
"""
QUARTER_OVERDUE = 5
"""On 31 December, besides the three overdue on 30 November, REPEAT_VISIT (期限 12-09) and PHONE_CALL (12-16)."""


@dataclass
class Desk:
    """The open archive, a secretary and an archivist logged in, and the folder reports go to."""

    office: Office
    archive: Archive
    secretary: Session
    archivist: Session
    out: Path

    def make(self, kind: str, session: Session | None = None, **options: Any) -> bytes:
        """The DOCX of one report (without a PDF: one path)."""
        result = make_report(self.archive, session or self.secretary, kind, self.out, today=TODAY, **options)
        (path,) = result.paths
        assert result.kind.id == kind or result.kind.name == kind
        return path.read_bytes()

    def file(self, case_id: str = LETTER) -> None:
        file_case(self.archive, self.archivist, case_id)

    def destroy(self, scratch: Path) -> str:
        """A long-expired record of LETTER destroyed in a batch of its own; the batch id."""
        source = scratch / "旧材料.txt"
        source.write_text("2000年的旧材料", encoding="utf-8")
        (old,) = add_records(self.archive, self.secretary, [source], case_id=LETTER, title="2000年旧材料",
                             kind=parse_kind("letter"), classification=Level.INTERNAL, retention=Retention.TEN_YEARS,
                             formed=date(2000, 5, 1))
        batch = propose_batch(self.archive, self.archivist, [old.record_id])
        approve_batch(self.archive, login(self.archive, LEADER, PASSPHRASE), batch.batch_id)
        for witness in (SECRETARY, "郑秘书"):
            witness_batch(self.archive, login(self.archive, witness, PASSPHRASE), batch.batch_id)
        execute_batch(self.archive, self.archivist, batch.batch_id,
                      render_destruction_register(self.archive, self.archivist))
        return batch.batch_id

    def written(self) -> list[str]:
        return sorted(p.name for p in self.out.iterdir()) if self.out.exists() else []


@pytest.fixture
def desk(month_template: Office, tmp_path: Path) -> Iterator[Desk]:
    shutil.copytree(month_template.path, tmp_path / "archive")
    office = Office(tmp_path / "archive")
    with office.open() as archive:
        yield Desk(office, archive, login(archive, SECRETARY, PASSPHRASE), login(archive, ARCHIVIST, PASSPHRASE),
                   tmp_path / "报表")


def answer(text: list[str], label: str) -> str:
    """The paragraph printed after a form's label (the first line of its answer)."""
    return text[text.index(label) + 1]


def tables(data: bytes) -> list[etree._Element]:
    return list(etree.fromstring(parts(data)["word/document.xml"]).iter(f"{W}tbl"))


def cells(table: etree._Element) -> list[list[str]]:
    """Each row's cells, a cell's paragraphs joined by newlines."""
    return [["\n".join(t for p in tc.iter(f"{W}p") if (t := own_text(p))) for tc in tr.iter(f"{W}tc")]
            for tr in table.iter(f"{W}tr")]


def the_table(data: bytes) -> list[list[str]]:
    (table,) = tables(data)
    return cells(table)


def month_rows(n: int) -> list[list[str]]:
    """The hand-counted table of the October (n=1) or November (n=2) report: 项目, 本月, 本年累计."""
    return [[label, str(row[n - 1]), str(row[0] if n == 1 else row[2])] for label, *row in MONTHLY]


# --------------------------------------------------------------------------- forms carry the case's facts


def test_the_visit_register_carries_the_visit_and_its_handling(desk: Desk) -> None:
    text = paragraphs(desk.make("visit-register", case_id=GROUP_VISIT))
    assert text[0] == "来访登记表" and "编号：XF-2026-0002" in text
    assert [answer(text, label) for label in ("来访日期", "来访人", "代表人数", "问题类别", "反映问题", "接待人",
                                               "拟办意见", "领导批示", "承办单位")] == [
        "2026年10月13日", "6人（未留姓名）", "3", "控告（重要）", GROUP_SUMMARY, LEADER,
        "建议转札萨克镇纪委（2026年10月14日，王文秘）", "同意（2026年10月15日，吴领导）", f"{ZASAKE}（纪信字）"]
    assert desk.written() == ["来访登记表-XF-2026-0002.docx"]


@pytest.mark.parametrize(("case_id", "visitors", "receiver"), [
    (LEADER_VISIT, "刘建军等5人", LEADER),  # registered by the leader himself
    (REPEAT_VISIT, "2人（未留姓名）", SECRETARY),
])
def test_the_visit_register_names_the_visitors_and_who_received_them(desk: Desk, case_id: str, visitors: str,
                                                                     receiver: str) -> None:
    text = paragraphs(desk.make("visit-register", case_id=case_id))
    assert (answer(text, "来访人"), answer(text, "接待人")) == (visitors, receiver)


def test_the_letter_card_carries_the_letter_its_deadline_and_where_it_went(desk: Desk) -> None:
    text = paragraphs(desk.make("letter-card", case_id=LETTER, given={"remarks": "已归入信访档案"}))
    assert text[:3] == ["秘密", "信访登记处理单", "编号：XF-2026-0001"]  # a 秘密 case's form is marked
    labels = ("收信日期", "来源", "来信人", "地址", "联系电话", "被反映人", "问题类别", "内容摘要", "办理期限",
              "承办单位", "办理结果", "备注")
    assert [answer(text, label) for label in labels] == [
        "2026年10月9日", "来信", PETITIONER, ADDRESS, PHONE, "张大山（红庆河镇人民政府镇长）", "检举（一般）",
        LETTER_SUMMARY,
        "2026年11月9日",  # 10-09 + 30 日 = Sunday 11-08, moved to Monday
        f"{RED}（纪群字）", "经查，反映的问题部分属实，已责令整改。（2026年11月20日，王文秘）", "已归入信访档案"]


def test_an_anonymous_letter_card_says_so_and_carries_its_level(desk: Desk) -> None:
    text = paragraphs(desk.make("letter-card", case_id=APPEAL))
    assert text[0] == "机密" and answer(text, "来信人") == "匿名" and answer(text, "问题类别") == "申诉（一般）"
    assert answer(text, "拟办意见") == "建议由信访室自办（2026年10月21日，王文秘）"


def test_a_major_incident_report_carries_the_numbers_of_people(desk: Desk) -> None:
    text = paragraphs(desk.make("major-incident", case_id=MAJOR_VISIT, given=MAJOR))
    assert text[0] == "重大信访事项实时报告"
    assert [answer(text, label) for label in ("发生时间", "地点", "人数", "主要诉求和经过", "已采取的措施",
                                               "报告单位", "报告时间")] == [
        "2026年11月24日", MAJOR["place"], "16人，代表5人", MAJOR_SUMMARY, MAJOR["actions"], ORGANISATION,
        "2026年11月28日"]


def test_a_case_not_flagged_major_gets_no_incident_report(desk: Desk) -> None:
    for case_id in (LETTER, GROUP_VISIT):  # GROUP_VISIT is a 集体访 of six, below the fifteen of a major incident
        with pytest.raises(Refused, match=f"信访件 {case_id} 未标记为重大信访事项"):
            desk.make("major-incident", case_id=case_id, given=MAJOR)
    assert desk.written() == []


def test_a_major_incident_report_needs_the_place_and_the_actions(desk: Desk) -> None:
    with pytest.raises(InvalidFields) as caught:
        desk.make("major-incident", case_id=MAJOR_VISIT)
    assert [p.split("）")[0] for p in caught.value.problems] == ["缺少地点（place", "缺少已采取的措施（actions"]
    assert desk.written() == []


# --------------------------------------------------------------------------- duty log and report box


@pytest.mark.parametrize("day", [date(2026, 10, 1), date(2026, 10, 7), date(2026, 11, 28), date(2026, 11, 29)])
def test_a_duty_log_is_kept_on_a_holiday_or_a_rest_day(desk: Desk, day: date) -> None:
    text = paragraphs(desk.make("duty-log", day=day, given=DUTY))
    assert text[0] == "节假日值班记录"
    assert [answer(text, label) for label in ("值班日期", "值班人员", "带班领导", "来信来访来电")] == [
        f"{day.year}年{day.month}月{day.day}日", "王文秘、郑秘书", LEADER, "无"]
    assert desk.written() == [f"值班记录-{day.isoformat()}.docx"]


@pytest.mark.parametrize(("day", "printed"), [
    (date(2026, 11, 27), "2026年11月27日"),  # a Friday
    (date(2026, 10, 10), "2026年10月10日"),  # a Saturday made a working day (调休) for the National Day holiday
    (date(2026, 9, 30), "2026年9月30日"),  # the working day before it
])
def test_a_duty_log_refuses_a_working_day(desk: Desk, day: date, printed: str) -> None:
    with pytest.raises(InvalidInput, match=f"{printed}是工作日"):
        desk.make("duty-log", day=day, given=DUTY)
    assert desk.written() == []


def test_a_duty_log_needs_who_was_on_duty(desk: Desk) -> None:
    with pytest.raises(InvalidFields, match=r"值班人员（on_duty）"):
        desk.make("duty-log", day=date(2026, 10, 1), given={"leader": LEADER})


def test_the_report_box_record_shows_the_last_opening_and_the_weeks_it_stayed_shut(desk: Desk) -> None:
    first = record_opening(desk.archive, desk.secretary, opened_on=date(2026, 10, 5), letters=0,
                           witnesses=[SECRETARY, LEADER])
    record_opening(desk.archive, desk.secretary, opened_on=date(2026, 10, 26), letters=3,
                   witnesses=[SECRETARY, "郑秘书"])
    latest = paragraphs(desk.make("reportbox-record"))
    assert [answer(latest, label) for label in ("举报箱", "开启日期", "开启人", "取出信件", "上次开启", "未开启的周",
                                                 "登记人")] == [
        "举报箱", "2026年10月26日", "王文秘、郑秘书", "3件", "2026年10月5日",
        "2026年10月12日至2026年10月18日；2026年10月19日至2026年10月25日", SECRETARY]
    earliest = paragraphs(desk.make("reportbox-record", opening=first.opening_id))
    assert [answer(earliest, label) for label in ("开启日期", "开启人", "取出信件", "上次开启", "未开启的周")] == [
        "2026年10月5日", "王文秘、吴领导", "0件", "（无记录）", "无"]
    assert desk.written() == ["举报箱开启记录-第1次.docx", "举报箱开启记录-第2次.docx"]  # each opening its own file


def test_the_report_box_record_needs_an_opening(desk: Desk) -> None:
    with pytest.raises(NotFound, match="还没有举报箱开启记录"):
        desk.make("reportbox-record")
    record_opening(desk.archive, desk.secretary, opened_on=date(2026, 10, 5), letters=0, witnesses=[SECRETARY, LEADER])
    with pytest.raises(NotFound, match="没有第 2 次举报箱开启记录"):
        desk.make("reportbox-record", opening=2)
    assert desk.written() == []


# --------------------------------------------------------------------------- archival lists


@pytest.mark.parametrize("kind", ["file-list", "notes-sheet", "box-label"])
def test_an_archival_list_needs_a_filed_case(desk: Desk, kind: str) -> None:
    with pytest.raises(Refused, match=f"信访件 {GROUP_VISIT} 尚未归档（没有档号）"):
        desk.make(kind, desk.archivist, case_id=GROUP_VISIT, given={"checked_by": LEADER} if kind == "notes-sheet"
                  else None)
    assert desk.written() == []


def _file_letter_with_evidence(desk: Desk, tmp_path: Path) -> None:
    """LETTER's two result reports (永久) and one piece of evidence (定期30年), filed."""
    evidence = tmp_path / "转账凭证.txt"
    evidence.write_text("银行转账凭证复印件", encoding="utf-8")
    add_records(desk.archive, desk.secretary, [evidence], case_id=LETTER, title="银行转账凭证复印件",
                kind=parse_kind("evidence"), classification=Level.SECRET, formed=date(2026, 11, 2))
    desk.file()


def test_the_file_list_lists_each_filed_item_in_archival_order(desk: Desk) -> None:
    desk.file()
    data = desk.make("file-list", desk.archivist, case_id=LETTER)
    text = paragraphs(data)
    assert text[:2] == ["秘密", "归档文件目录"] and f"全宗号：J001　信访件：{LETTER}" in text
    report = f"{RED}关于{LETTER}的办理结果报告"
    assert the_table(data) == [
        ["件号", "文号", "责任者", "题名", "日期", "页数", "密级", "备注"],
        ["Y-0001", "", "承办单位", report, "20261105", "", "秘密", ""],
        ["Y-0002", "", "承办单位", report, "20261116", "", "秘密", ""],
    ]
    assert text[-1] == "共2件。页数以纸质件为准，由整理人填写。"


def test_a_file_list_never_gives_one_number_twice(desk: Desk, tmp_path: Path) -> None:
    _file_letter_with_evidence(desk, tmp_path)
    numbers = [row[0] for row in the_table(desk.make("file-list", desk.archivist, case_id=LETTER))[1:]]
    assert len(numbers) == len(set(numbers)), numbers


def test_the_box_label_has_one_box_per_retention_period(desk: Desk, tmp_path: Path) -> None:
    _file_letter_with_evidence(desk, tmp_path)
    data = desk.make("box-label", desk.archivist, case_id=LETTER, given={"first_box": "7"})
    assert "档案盒盒脊" in paragraphs(data)
    assert the_table(data) == [
        ["全宗号", "年度", "保管期限", "起止件号", "盒号"],
        ["J001", "2026", "定期30年", "0001—0001", "7"],
        ["J001", "2026", "永久", "0001—0002", "8"],
    ]


def test_the_notes_sheet_says_what_the_box_holds(desk: Desk) -> None:
    desk.file()
    text = paragraphs(desk.make("notes-sheet", desk.archivist, case_id=LETTER, given={"checked_by": LEADER}))
    assert text[:2] == ["秘密", "备考表"]
    assert [answer(text, label) for label in ("盒内文件情况说明", "整理人", "检查人", "日期")] == [
        "本盒共2件，档号J001-WS·2026-Y-XFS-0001至J001-WS·2026-Y-XFS-0002。", ARCHIVIST, LEADER, "2026年11月28日"]


# --------------------------------------------------------------------------- the monthly report and the bulletin


@pytest.mark.parametrize(("month", "n"), [("2026-10", 1), ("2026-11", 2)])
def test_the_monthly_report_prints_the_hand_counted_numbers(desk: Desk, month: str, n: int) -> None:
    data = desk.make("monthly-report", month=month)
    text = paragraphs(data)
    assert f"信访工作月报告登记表（2026年{9 + n}月）" in text
    last = {1: 31, 2: 30}[n]
    assert f"填报单位：{ORGANISATION}" in text and f"统计期间：2026年{9 + n}月1日至2026年{9 + n}月{last}日" in text
    assert the_table(data) == [["项目", "本月", "本年累计"], *month_rows(n)]
    due = {1: "2026年11月5日", 2: "2026年12月5日"}[n]
    assert f"报送期限：{due}前。填报人：王文秘。填报日期：2026年11月28日。" in text
    assert not any("零报告" in line for line in text)
    assert desk.written() == [f"信访工作月报告登记表-2026-{9 + n}-01至2026-{9 + n}-{last}.docx"]


def test_an_empty_month_is_a_zero_report_with_every_count_0(desk: Desk) -> None:
    data = desk.make("monthly-report", month="2026-09", given={"remarks": "本月开展信访举报宣传一次"})
    text = paragraphs(data)
    notes = text[text.index("本月无信访举报事项，特此零报告。"):]
    assert notes[1] == "本月开展信访举报宣传一次" and notes[2].startswith("报送期限：2026年10月5日前。")
    header, *rows = the_table(data)
    assert header == ["项目", "本月", "本年累计"]
    assert [label for label, *_ in rows] == [label for label, *_ in MONTHLY]
    assert {value for _, *values in rows for value in values} == {"0"}


def test_the_monthly_report_counts_only_what_its_maker_may_see(desk: Desk) -> None:
    """郑秘书 (秘密) does not see APPEAL (机密): October has four letters and visits for her, not five."""
    data = desk.make("monthly-report", login(desk.archive, "郑秘书", PASSPHRASE), month="2026-10")
    table = {label: values for label, *values in the_table(data)}
    assert table["收件总数"] == ["4", "4"] and table["来源：来信"] == ["1", "1"]
    assert table["类别：申诉"] == ["0", "0"] and table["拟办：自办"] == ["0", "0"]


def _checkpoint_lines(text: list[str]) -> list[str]:
    start = text.index(CHECKPOINT_HEADING) + 2
    assert text[start - 1] == CHECKPOINT_TITLE
    lines = text[start:start + len(CHECKPOINT_LABELS)]
    assert [line.partition("：")[0] for line in lines] == list(CHECKPOINT_LABELS)
    return lines


def test_the_monthly_report_carries_an_audit_checkpoint_the_auditor_accepts(desk: Desk, tmp_path: Path) -> None:
    text = paragraphs(desk.make("monthly-report", month="2026-11"))
    lines = _checkpoint_lines(text)
    values = dict(line.split("：", 1) for line in lines)
    assert values["机关"] == ORGANISATION and values["签署人"] == SECRETARY
    assert re.fullmatch(r"[0-9a-f]{64}", values["根哈希"])
    (seq,) = desk.archive.conn.execute(
        "SELECT max(seq) FROM audit_entries WHERE body LIKE '%\"audit.checkpoint\"%'").fetchone()
    assert int(values["条目数"]) == seq  # signed when the report was made, covering the log up to then
    typed = tmp_path / "检查点.txt"
    typed.write_text("\n".join(["xinfang 审计检查点", *lines]) + "\n", encoding="utf-8")
    exported = parse_checkpoint(typed.read_text(encoding="utf-8"), typed.name)
    assert (exported.checkpoint.size, exported.checkpoint.root.hex(), exported.checkpoint.signer) == (
        seq, values["根哈希"], SECRETARY)
    report = verify_audit(desk.archive, [typed])
    assert report.ok, [p.message for p in report.archive.problems + report.anchors[0].problems]
    assert [(a.size, a.signer, a.problems) for a in report.anchors] == [(seq, SECRETARY, [])]


def test_the_checkpoint_as_printed_on_the_report_is_a_checkpoint_file(desk: Desk, tmp_path: Path) -> None:
    text = paragraphs(desk.make("monthly-report", month="2026-11"))
    start = text.index(CHECKPOINT_HEADING) + 1
    typed = tmp_path / "检查点.txt"
    typed.write_text("\n".join(text[start:start + 1 + len(CHECKPOINT_LABELS)]) + "\n", encoding="utf-8")
    assert parse_checkpoint(typed.read_text(encoding="utf-8"), typed.name).checkpoint.signer == SECRETARY


def test_a_log_cut_short_after_the_report_is_caught_against_it(desk: Desk, tmp_path: Path) -> None:
    """The report anchors the log: dropping entries it covers, which no check inside the folder can see, is caught."""
    lines = _checkpoint_lines(paragraphs(desk.make("monthly-report", month="2026-11")))
    typed = tmp_path / "检查点.txt"
    typed.write_text("\n".join(["xinfang 审计检查点", *lines]) + "\n", encoding="utf-8")
    with desk.office.raw_catalogue() as conn:
        conn.execute("DELETE FROM audit_entries WHERE seq > (SELECT max(seq) - 5 FROM audit_entries)")
    with desk.office.open() as archive:
        report = verify_audit(archive, [typed])
    assert not report.ok
    (problem,) = report.anchors[0].problems
    assert "日志被截短或回滚" in problem.message


def test_the_quarterly_bulletin_counts_the_quarter_by_channel_category_and_unit(desk: Desk) -> None:
    data = desk.make("quarterly-bulletin", quarter="2026Q4")
    text = paragraphs(data)
    assert "2026年第4季度信访情况通报" in text and f"{ORGANISATION}　2026年11月28日" in text
    quarter = {label: year for label, _, _, year in MONTHLY} | {"逾期未办结（期末）": QUARTER_OVERDUE}
    assert the_table(data) == [
        ["项目", "件数", "占收件比例"],
        ["收件总数", "10", "100%"],
        *[[label, str(value), f"{value * 10}.0%"] for label, value in quarter.items() if label != "收件总数"],
        [f"承办单位：{ZASAKE}", "交办2 报结1 逾期1", ""],
        [f"承办单位：{RED}", "交办2 报结1 逾期0", ""],  # one case reported twice counts once
    ]
    assert ("2026年10月1日至2026年12月31日，本机关共受理信访举报10件，办结3件；逾期未办结5件，退回重报2件，"
            "督办2件，催办3件；领导接访2批次。") in text


def test_a_quarter_without_cases_shows_no_shares(desk: Desk) -> None:
    header, *rows = the_table(desk.make("quarterly-bulletin", quarter="2026Q3"))
    assert header == ["项目", "件数", "占收件比例"]
    assert {(value, share) for _, value, share in rows} == {("0", "—")}


# --------------------------------------------------------------------------- every kind: where it goes, how it fits


def _make_any(desk: Desk, kind: str) -> bytes:
    if kind in ("file-list", "notes-sheet", "box-label"):
        desk.file()
        return desk.make(kind, desk.archivist, case_id=LETTER, given={"checked_by": LEADER} if kind == "notes-sheet"
                         else None)
    if kind == "destruction-register":
        return desk.make(kind, desk.archivist, batch_id=desk.destroy(desk.out.parent))
    if kind == "reportbox-record":
        record_opening(desk.archive, desk.secretary, opened_on=date(2026, 11, 2), letters=2, witnesses=[SECRETARY, LEADER])
    options: dict[str, dict[str, Any]] = {
        "visit-register": {"case_id": GROUP_VISIT},
        "letter-card": {"case_id": LETTER},
        "reportbox-record": {},
        "duty-log": {"day": date(2026, 10, 1), "given": DUTY},
        "monthly-report": {"month": "2026-11"},
        "quarterly-bulletin": {"quarter": "2026Q4"},
        "major-incident": {"case_id": MAJOR_VISIT, "given": MAJOR},
    }
    return desk.make(kind, **options[kind])


@pytest.mark.parametrize("kind", [k.id for k in REPORTS])
def test_every_table_fits_the_type_area_and_nothing_is_written_in_the_archive(desk: Desk, kind: str) -> None:
    data = _make_any(desk, kind)
    area = PAGE.type_area_width_twips
    for table in tables(data):
        columns = [int(c.get(f"{W}w")) for c in table.iter(f"{W}gridCol")]
        assert columns and sum(columns) <= area, (kind, columns, area)
        width = table.find(f"{W}tblPr/{W}tblW")
        if width is not None and width.get(f"{W}type") == "dxa":
            assert int(width.get(f"{W}w")) <= area
        indent = table.find(f"{W}tblPr/{W}tblInd")
        assert indent is None or int(indent.get(f"{W}w")) >= 0
    assert len(desk.written()) == 1
    assert [p for p in desk.office.path.rglob("*") if p.suffix in (".docx", ".pdf")] == []


@pytest.mark.parametrize("kind", TABLE_KINDS)
def test_a_tables_header_row_repeats_on_every_page(desk: Desk, kind: str) -> None:
    data = _make_any(desk, kind)
    (table,) = tables(data)
    header, *rows = table.findall(f"{W}tr")
    flag = header.find(f"{W}trPr/{W}tblHeader")
    assert flag is not None and flag.get(f"{W}val", "true") in ("true", "1", "on")
    assert rows and all(row.find(f"{W}trPr/{W}tblHeader") is None for row in rows)


def test_a_tables_columns_are_sized_for_what_they_hold(desk: Desk) -> None:
    desk.file()
    (table,) = tables(desk.make("file-list", desk.archivist, case_id=LETTER))
    grid = [int(c.get(f"{W}w")) for c in table.iter(f"{W}gridCol")]
    assert sum(grid) == PAGE.type_area_width_twips
    for row in table.findall(f"{W}tr"):  # Word reads the cells' widths, LibreOffice the grid: they must agree
        assert [int(tc.find(f"{W}tcPr/{W}tcW").get(f"{W}w")) for tc in row.findall(f"{W}tc")] == grid
    pages, title = grid[5], grid[3]
    assert title == max(grid) and title > 3 * pages  # 题名 takes the room; a two-digit 页数 needs little


TWO_CHARACTERS_MM = 11
"""A column with a two-character heading (件号, 页数, 密级) at 小四, with its padding and rule (layout.TableLayout)."""


@pytest.mark.parametrize("kind", [
    "monthly-report", "quarterly-bulletin", "box-label",
    "file-list",
])
def test_every_column_holds_a_two_character_heading_on_one_line(desk: Desk, kind: str) -> None:
    """Checked on the widths each kind asks for, which size_columns shares out across the type area."""
    desk.file()
    report = find_report(kind)
    given = ReportInput(desk.archive, desk.archivist, TODAY, {"filled_by": ARCHIVIST, "first_box": 1},
                        case=open_case(desk.archive, desk.archivist, LETTER), period=parse_month("2026-11", TODAY))
    composition = report.make(given)
    assert len(composition.widths) == len(composition.columns)
    narrowest = min(column_widths(composition.widths))
    assert twips_to_mm(narrowest) >= TWO_CHARACTERS_MM, (kind, twips_to_mm(narrowest))


def test_reports_never_go_into_the_archive_folder(desk: Desk) -> None:
    for inside in (desk.office.path, desk.office.path / "报表", desk.out / ".." / "archive" / "records"):
        with pytest.raises(InvalidInput, match="不能写入档案库文件夹"):
            make_report(desk.archive, desk.secretary, "visit-register", inside, case_id=GROUP_VISIT, today=TODAY)
    assert not (desk.office.path / "报表").exists()
    assert [p for p in desk.office.path.rglob("*") if p.suffix == ".docx"] == []


# --------------------------------------------------------------------------- who may make what


@pytest.mark.parametrize("user", ["周调查", "钱审计"])
def test_only_secretaries_archivists_and_leaders_make_reports(desk: Desk, user: str) -> None:
    session = login(desk.archive, user, PASSPHRASE)
    with pytest.raises(PermissionDenied, match="生成来访登记表"):
        desk.make("visit-register", session, case_id=GROUP_VISIT)
    with pytest.raises(PermissionDenied, match="生成值班记录"):
        desk.make("duty-log", session, day=date(2026, 10, 1), given=DUTY)
    assert desk.written() == []


def test_a_case_above_the_makers_clearance_is_not_found(desk: Desk) -> None:
    with pytest.raises(NotFound, match=f"信访件 {APPEAL} 不存在，或您无权查看"):
        desk.make("letter-card", login(desk.archive, "郑秘书", PASSPHRASE), case_id=APPEAL)
    assert desk.written() == []


def test_a_case_report_needs_its_case_and_a_known_kind(desk: Desk) -> None:
    with pytest.raises(InvalidInput, match=r"来访登记表须指明信访件（--case）"):
        desk.make("visit-register")
    with pytest.raises(UnknownKind, match="没有报表种类“visiting-card”.*visit-register（来访登记表）"):
        desk.make("visiting-card", case_id=GROUP_VISIT)
    assert paragraphs(desk.make("来访登记表", case_id=GROUP_VISIT))[0] == "来访登记表"  # by its Chinese name


def test_making_a_report_is_logged_by_kind_and_scope_only(desk: Desk) -> None:
    desk.make("letter-card", case_id=LETTER)
    desk.make("duty-log", day=date(2026, 10, 1), given=DUTY)
    bodies = [body for (body,) in desk.archive.conn.execute("SELECT body FROM audit_entries ORDER BY seq")
              if '"report.make"' in body]
    assert [(e["actor"], e["objects"], e["info"]) for e in map(json.loads, bodies)] == [
        (SECRETARY, [LETTER], {"kind": "letter-card", "scope": LETTER}),
        (SECRETARY, [], {"kind": "duty-log", "scope": "2026-10-01"})]
    assert not any(secret in body for body in bodies for secret in (PETITIONER, PHONE, LETTER_SUMMARY))


# --------------------------------------------------------------------------- months and quarters


@pytest.mark.parametrize(("text", "today", "period"), [
    (None, date(2026, 11, 28), ("2026-10-01", "2026-10-31")),
    (None, date(2026, 3, 1), ("2026-02-01", "2026-02-28")),
    (None, date(2026, 1, 5), ("2025-12-01", "2025-12-31")),
    ("2026-10", TODAY, ("2026-10-01", "2026-10-31")),
    ("2024-2", TODAY, ("2024-02-01", "2024-02-29")),
    (" 2026-12 ", TODAY, ("2026-12-01", "2026-12-31")),
])
def test_parse_month(text: str | None, today: date, period: tuple[str, str]) -> None:
    assert parse_month(text, today) == tuple(date.fromisoformat(d) for d in period)


@pytest.mark.parametrize(("text", "today", "period"), [
    (None, date(2026, 11, 28), ("2026-07-01", "2026-09-30")),
    (None, date(2026, 10, 1), ("2026-07-01", "2026-09-30")),
    (None, date(2026, 2, 14), ("2025-10-01", "2025-12-31")),
    ("2026Q1", TODAY, ("2026-01-01", "2026-03-31")),
    ("2026q2", TODAY, ("2026-04-01", "2026-06-30")),
    ("2026-Q3", TODAY, ("2026-07-01", "2026-09-30")),
    ("2026Q4", TODAY, ("2026-10-01", "2026-12-31")),
])
def test_parse_quarter(text: str | None, today: date, period: tuple[str, str]) -> None:
    assert parse_quarter(text, today) == tuple(date.fromisoformat(d) for d in period)


@pytest.mark.parametrize("text", ["2026-13", "2026-0", "2026/10", "202610", "十月", "", "2026-10-01"])
def test_a_bad_month_is_refused_naming_the_format(text: str) -> None:
    with pytest.raises(InvalidInput, match=f"月份“{re.escape(text)}”格式不对，应为 2026-10"):
        parse_month(text, TODAY)


@pytest.mark.parametrize("text", ["2026Q5", "2026Q0", "2026-3", "Q3", "2026年第三季度", ""])
def test_a_bad_quarter_is_refused_naming_the_format(text: str) -> None:
    with pytest.raises(InvalidInput, match=f"季度“{re.escape(text)}”格式不对，应为 2026Q3"):
        parse_quarter(text, TODAY)


# --------------------------------------------------------------------------- on paper


def test_a_long_file_list_repeats_its_header_on_every_printed_page(desk: Desk, tmp_path: Path, soffice: str) -> None:
    sources = tmp_path / "材料"
    sources.mkdir()
    files = []
    for n in range(1, 61):
        files.append(sources / f"{n:02d}.txt")
        files[-1].write_text(f"第{n}件材料", encoding="utf-8")
    add_records(desk.archive, desk.secretary, files, case_id=GROUP_VISIT,
                title="札萨克镇某村征地补偿款发放情况的调查核实材料", kind=parse_kind("evidence"),
                classification=Level.INTERNAL, formed=date(2026, 10, 20))
    desk.file(GROUP_VISIT)
    result = make_report(desk.archive, desk.archivist, "file-list", desk.out, case_id=GROUP_VISIT, pdf=True,
                         today=TODAY)
    docx_path, pdf_path = result.paths
    assert (docx_path.name, pdf_path.name) == (f"归档文件目录-{GROUP_VISIT}.docx", f"归档文件目录-{GROUP_VISIT}.pdf")
    assert len(the_table(docx_path.read_bytes())) == 61
    pages = [re.sub(r"\s", "", page.extract_text()) for page in PdfReader(io.BytesIO(pdf_path.read_bytes())).pages]
    assert len(pages) >= 2
    assert all("件号" in page and "题名" in page for page in pages), [page[:40] for page in pages]
    assert "0060" in pages[-1] and "共60件" in "".join(pages)
