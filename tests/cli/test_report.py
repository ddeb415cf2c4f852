"""``xinfang report`` and ``xinfang reportbox`` from the command line.

The month of cases of ``tests/archive/test_statistics.py`` is built through the
library; reports are made and the box is opened through the CLI; results are
checked as a user would: exit code, Chinese message, the files written, and the
openings read back through the library or ``reportbox list --json``.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from archive import login
from archive.filing import file_case
from archive.reportbox import list_openings, record_opening
from tests.archive.test_statistics import APPEAL, GROUP_VISIT, LETTER, MAJOR_VISIT
from tests.cli.test_case import EXIT_INVALID, EXIT_PERMISSION, ok, refused
from tests.conftest import OFFICER, PASSPHRASE, CliRun, Office
from tests.generators.conftest import paragraphs
from tests.generators.test_reports import CHECKPOINT_HEADING, month_rows, the_table

EXIT_USAGE, EXIT_INTEGRITY = 2, 4
SECRETARY, LEADER = "王文秘", "吴领导"
KINDS = ["visit-register", "letter-card", "reportbox-record", "duty-log", "monthly-report", "quarterly-bulletin",
         "major-incident", "file-list", "notes-sheet", "box-label", "destruction-register"]
TODAY = date.today()
MONDAY = TODAY - timedelta(days=TODAY.weekday())
DUTY = ("--set", "on_duty=王文秘", "--set", "leader=吴领导")


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "报表"


def written(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir()) if out.exists() else []


def plaintext_in(office: Office) -> list[Path]:
    return [p for p in office.path.rglob("*") if p.suffix in (".docx", ".pdf")]


# --------------------------------------------------------------------------- listing the kinds


def test_report_list_json_lists_every_kind_without_an_archive(cli: CliRun, tmp_path: Path) -> None:
    result = ok(cli("report", "--list", "--json", user=None, passphrase=None, archive=tmp_path / "无此档案库"))
    listed = json.loads(result.stdout)["reports"]
    assert [k["id"] for k in listed] == KINDS
    assert all(set(k) == {"id", "name", "format", "scope", "summary", "fields"} for k in listed)
    assert {k["id"]: k["scope"] for k in listed} == {
        "visit-register": "case", "letter-card": "case", "reportbox-record": "opening", "duty-log": "day",
        "monthly-report": "month", "quarterly-bulletin": "quarter", "major-incident": "case", "file-list": "case",
        "notes-sheet": "case", "box-label": "case", "destruction-register": "batch"}
    assert [k["id"] for k in listed if k["format"] == "table"] == [
        "monthly-report", "quarterly-bulletin", "file-list", "box-label", "destruction-register"]
    duty = next(k for k in listed if k["id"] == "duty-log")
    assert [f["name"] for f in duty["fields"]] == ["on_duty", "leader", "events", "handling", "handover"]


def test_report_list_names_each_kind_its_scope_and_fields(cli: CliRun) -> None:
    text = ok(cli("report", "--list", user=None)).stdout
    for kind in KINDS:
        assert f"{kind}  " in text
    assert "信访工作月报告登记表" in text and "一个月（--month，默认上月）" in text and "on_duty" in text


def test_report_without_a_kind_is_a_usage_error(cli: CliRun, month: Office) -> None:
    refused(cli("report", user=SECRETARY), EXIT_USAGE, "缺少报表种类", "--list")


# --------------------------------------------------------------------------- making a report


def test_a_report_is_written_where_asked_and_json_gives_kind_and_paths(cli: CliRun, month: Office, out: Path) -> None:
    shown = json.loads(ok(cli("report", "visit-register", "--case", GROUP_VISIT, "--out", str(out), "--json",
                              user=SECRETARY)).stdout)
    assert shown == {"kind": "visit-register", "paths": [str(out / f"来访登记表-{GROUP_VISIT}.docx")]}
    assert "6人（未留姓名）" in paragraphs(Path(shown["paths"][0]).read_bytes())
    again = ok(cli("report", "来信处理单", "--case", LETTER, "--set", "remarks=已归档", "--out", str(out), user=SECRETARY))
    assert again.stdout == f"来信处理单：{out / f'来信处理单-{LETTER}.docx'}\n"
    assert written(out) == [f"来信处理单-{LETTER}.docx", f"来访登记表-{GROUP_VISIT}.docx"]
    assert plaintext_in(month) == []


def test_a_duty_log_on_a_holiday_and_not_on_a_working_day(cli: CliRun, month: Office, out: Path) -> None:
    refused(cli("report", "duty-log", "--date", "2026-11-27", *DUTY, "--out", str(out), user=SECRETARY), EXIT_INVALID,
            "2026年11月27日是工作日")
    refused(cli("report", "duty-log", "--date", "2026/10/01", *DUTY, "--out", str(out), user=SECRETARY), EXIT_INVALID,
            "--date", "2026/10/01")
    refused(cli("report", "duty-log", "--date", "2026-10-01", "--set", "leader=吴领导", "--out", str(out),
                user=SECRETARY), EXIT_INVALID, "on_duty")
    assert written(out) == []
    ok(cli("report", "duty-log", "--date", "2026年10月1日", *DUTY, "--set", "events=接待来访群众1批2人",
           "--out", str(out), user=SECRETARY))
    (name,) = written(out)
    assert name == "值班记录-2026-10-01.docx"
    text = paragraphs((out / name).read_bytes())
    assert "王文秘" in text and "接待来访群众1批2人" in text


@pytest.mark.parametrize(("args", "message"), [
    (("monthly-report", "--month", "2026-13"), "月份“2026-13”格式不对，应为 2026-10"),
    (("monthly-report", "--month", "十月"), "月份“十月”格式不对"),
    (("quarterly-bulletin", "--quarter", "2026Q5"), "季度“2026Q5”格式不对，应为 2026Q3"),
    (("quarterly-bulletin", "--quarter", "2026-09"), "季度“2026-09”格式不对"),
    (("visiting-card", "--case", LETTER), "没有报表种类“visiting-card”"),
    (("visit-register",), "须指明信访件（--case）"),
    (("visit-register", "--case", "XF-2026-0999"), "信访件 XF-2026-0999 不存在，或您无权查看"),
    (("letter-card", "--case", LETTER, "--set", "颜色=红"), "没有字段“颜色”"),
    (("letter-card", "--case", LETTER, "--set", "remarks"), "字段=值"),
    (("major-incident", "--case", LETTER, "--set", "place=旗政府", "--set", "actions=已接待"), "未标记为重大信访事项"),
    (("file-list", "--case", GROUP_VISIT), f"信访件 {GROUP_VISIT} 尚未归档（没有档号）"),
    (("reportbox-record",), "还没有举报箱开启记录"),
    (("monthly-report", "--month", "2026-10", "--case", LETTER), "信访工作月报告登记表的范围是一个月（--month，默认上月），不用 --case"),
    (("visit-register", "--case", LETTER), "来源是来信，来访登记表只用于来访件"),
])
def test_bad_input_is_a_chinese_message_and_exit_1(cli: CliRun, month: Office, out: Path, args: tuple[str, ...],
                                                   message: str) -> None:
    refused(cli("report", *args, "--out", str(out), user=SECRETARY), EXIT_INVALID, message)
    assert written(out) == []


def test_a_case_above_the_users_clearance_is_not_found(cli: CliRun, month: Office, out: Path) -> None:
    refused(cli("report", "letter-card", "--case", APPEAL, "--out", str(out), user="郑秘书"), EXIT_INVALID,
            f"信访件 {APPEAL} 不存在，或您无权查看")
    ok(cli("report", "letter-card", "--case", APPEAL, "--out", str(out), user=SECRETARY))


@pytest.mark.parametrize("user", ["周调查", "钱审计"])
def test_only_secretaries_archivists_and_leaders_make_reports(cli: CliRun, month: Office, out: Path, user: str) -> None:
    refused(cli("report", "visit-register", "--case", GROUP_VISIT, "--out", str(out), user=user), EXIT_PERMISSION,
            "生成来访登记表")
    refused(cli("report", "monthly-report", "--month", "2026-11", "--out", str(out), user=user), EXIT_PERMISSION)
    assert written(out) == []
    ok(cli("report", "visit-register", "--case", GROUP_VISIT, "--out", str(out), user="孙档案"))


def test_a_report_is_never_written_into_the_archive_folder(cli: CliRun, month: Office) -> None:
    for inside in (month.path, month.path / "报表"):
        refused(cli("report", "visit-register", "--case", GROUP_VISIT, "--out", str(inside), user=SECRETARY),
                EXIT_INVALID, "不能写入档案库文件夹", "--out")
    assert not (month.path / "报表").exists() and plaintext_in(month) == []


def test_the_archival_lists_of_a_filed_case(cli: CliRun, month: Office, out: Path) -> None:
    with month.open() as archive:
        file_case(archive, login(archive, "孙档案", PASSPHRASE), LETTER)
    shown = json.loads(ok(cli("report", "notes-sheet", "--case", LETTER, "--set", "checked_by=吴领导", "--out", str(out),
                              "--json", user="孙档案")).stdout)
    assert shown["kind"] == "notes-sheet"
    assert "本盒共2件，档号J001-WS·2026-Y-XFS-0001至J001-WS·2026-Y-XFS-0002。" in paragraphs(
        Path(shown["paths"][0]).read_bytes())
    for kind in ("file-list", "box-label"):
        ok(cli("report", kind, "--case", LETTER, "--out", str(out), user="孙档案"))
    assert written(out) == [f"{name}-{LETTER}.docx" for name in ("备考表", "归档文件目录", "盒脊标签")]


# --------------------------------------------------------------------------- the monthly report


def test_the_monthly_report_defaults_to_last_month(cli: CliRun, month: Office, out: Path) -> None:
    last = TODAY.replace(day=1) - timedelta(days=1)
    shown = json.loads(ok(cli("report", "monthly-report", "--out", str(out), "--json", user=SECRETARY)).stdout)
    assert [Path(p).name for p in shown["paths"]] == [
        f"信访工作月报告登记表-{last.replace(day=1).isoformat()}至{last.isoformat()}.docx"]


def test_the_monthly_report_prints_the_hand_counted_table(cli: CliRun, month: Office, out: Path) -> None:
    shown = json.loads(ok(cli("report", "monthly-report", "--month", "2026-11", "--out", str(out), "--json",
                              user=SECRETARY)).stdout)
    assert shown["kind"] == "monthly-report"
    assert the_table(Path(shown["paths"][0]).read_bytes())[1:] == month_rows(2)
    zero = json.loads(ok(cli("report", "monthly-report", "--month", "2026-09", "--out", str(out), "--json",
                             user=SECRETARY)).stdout)
    data = Path(zero["paths"][0]).read_bytes()
    assert "本月无信访举报事项，特此零报告。" in paragraphs(data)
    assert {value for _, *values in the_table(data)[1:] for value in values} == {"0"}


def _checkpoint_file(report: Path, folder: Path) -> Path:
    """The checkpoint printed at the report's foot, typed into a file under its title line."""
    text = paragraphs(report.read_bytes())
    start = text.index(CHECKPOINT_HEADING) + 1  # the title line and the eight labelled lines, as printed
    typed = folder / "月报检查点.txt"
    typed.write_text("\n".join(text[start:start + 9]) + "\n", encoding="utf-8")
    return typed


def test_the_auditor_verifies_the_log_against_the_monthly_report(cli: CliRun, month: Office, out: Path,
                                                                tmp_path: Path) -> None:
    shown = json.loads(ok(cli("report", "monthly-report", "--month", "2026-11", "--out", str(out), "--json",
                              user=SECRETARY)).stdout)
    typed = _checkpoint_file(Path(shown["paths"][0]), tmp_path)
    ok(cli("case", "list", user=SECRETARY))  # the log goes on
    verified = ok(cli("audit", "verify", "--against", str(typed), user=None, passphrase=None))
    assert f"检查点 {typed.name}" in verified.stdout and f"{SECRETARY}）：当前日志是其延续" in verified.stdout
    assert "校验通过" in verified.stdout


def test_the_command_printed_on_the_monthly_report_verifies_it(cli: CliRun, month: Office, out: Path,
                                                               tmp_path: Path) -> None:
    shown = json.loads(ok(cli("report", "monthly-report", "--month", "2026-11", "--out", str(out), "--json",
                              user=SECRETARY)).stdout)
    typed = _checkpoint_file(Path(shown["paths"][0]), tmp_path)
    assert "xinfang audit verify --against" in CHECKPOINT_HEADING  # what the report says to run
    ok(cli("audit", "verify", "--against", str(typed), user=None, passphrase=None))


# --------------------------------------------------------------------------- the report box


def test_an_opening_is_recorded_from_the_command_line(cli: CliRun, month: Office, out: Path) -> None:
    result = ok(cli("reportbox", "open", "--witness", SECRETARY, "--witness", LEADER, "--count", "3",
                    "--on", "2026-10-12", user=SECRETARY))
    assert result.stdout.splitlines() == [
        "已登记第 1 次开启：2026年10月12日 举报箱，开启人 王文秘、吴领导，取出信件 3 件。",
        "取出的信件请逐件登记为信访件（xinfang case register --channel 举报箱）。"]
    ok(cli("reportbox", "open", "--witness", LEADER, "--witness", "郑秘书", "--count", "0", "--box", "二号举报箱",
           user=LEADER))
    with month.open() as archive:
        openings = list_openings(archive, date(2026, 1, 1), TODAY)
    assert [(o.opened_on, o.box, o.letters, o.witnesses, o.recorded_by) for o in openings] == [
        (date(2026, 10, 12), "举报箱", 3, [SECRETARY, LEADER], SECRETARY),
        (TODAY, "二号举报箱", 0, [LEADER, "郑秘书"], LEADER)]
    shown = json.loads(ok(cli("report", "reportbox-record", "--out", str(out), "--json", user=SECRETARY)).stdout)
    text = paragraphs(Path(shown["paths"][0]).read_bytes())
    assert "二号举报箱" in text and "吴领导、郑秘书" in text and "2026年10月12日" in text  # the one before it


@pytest.mark.parametrize(("args", "code", "message"), [
    (("--witness", SECRETARY, "--count", "1"), EXIT_INVALID, "至少 2 名不同的人员"),
    (("--witness", SECRETARY, "--witness", SECRETARY, "--count", "1"), EXIT_INVALID, "至少 2 名不同的人员"),
    (("--witness", SECRETARY, "--witness", "孙书记", "--count", "1"), EXIT_INVALID, "开启人不是本档案库的在职用户：孙书记"),
    (("--witness", SECRETARY, "--witness", LEADER, "--count", "1", "--on",
      (TODAY + timedelta(days=1)).isoformat()), EXIT_INVALID, "晚于今天"),
    (("--witness", SECRETARY, "--witness", LEADER, "--count", "1", "--on", "10月12日"), EXIT_INVALID, "--on"),
    (("--witness", SECRETARY, "--witness", LEADER, "--count", "-1"), EXIT_INVALID, "取出信件数应为 0 至 10000"),
    (("--witness", SECRETARY, "--witness", LEADER, "--count", "三"), EXIT_USAGE, "--count"),
    (("--witness", SECRETARY, "--witness", LEADER), EXIT_USAGE, "--count"),
    (("--count", "1"), EXIT_USAGE, "--witness"),
])
def test_a_bad_opening_is_refused_and_nothing_recorded(cli: CliRun, month: Office, args: tuple[str, ...], code: int,
                                                       message: str) -> None:
    refused(cli("reportbox", "open", *args, user=SECRETARY), code, message)
    with month.open() as archive:
        assert list_openings(archive, date(2000, 1, 1), date(2100, 1, 1)) == []


@pytest.mark.parametrize("user", ["周调查", "孙档案", "钱审计"])
def test_only_secretaries_and_leaders_record_an_opening(cli: CliRun, month: Office, user: str) -> None:
    refused(cli("reportbox", "open", "--witness", SECRETARY, "--witness", LEADER, "--count", "1", user=user),
            EXIT_PERMISSION, "登记举报箱开启")


def test_reportbox_list_flags_the_weeks_without_an_opening(cli: CliRun, month: Office) -> None:
    """Opened four weeks ago, three weeks ago, last week and today: the week two weeks ago is the gap."""
    with month.open() as archive:
        secretary = login(archive, SECRETARY, PASSPHRASE)
        for day in (MONDAY - timedelta(days=28), MONDAY - timedelta(days=19), MONDAY - timedelta(days=1), TODAY):
            record_opening(archive, secretary, opened_on=day, letters=1, witnesses=[SECRETARY, LEADER])
    gap = (MONDAY - timedelta(days=14), MONDAY - timedelta(days=8))
    shown = json.loads(ok(cli("reportbox", "list", "--weeks", "4", "--json", user="周调查")).stdout)
    assert shown["weeks_without_opening"] == [{"from": gap[0].isoformat(), "to": gap[1].isoformat()}]
    assert [o["opened_on"] for o in shown["openings"]] == [
        d.isoformat() for d in (MONDAY - timedelta(days=28), MONDAY - timedelta(days=19), MONDAY - timedelta(days=1),
                                TODAY) if d >= TODAY - timedelta(days=28)]
    text = ok(cli("reportbox", "list", "--weeks", "4", user=SECRETARY)).stdout
    assert text.splitlines()[-1] == f"注意：{gap[0].isoformat()} 至 {gap[1].isoformat()} 这一周没有开启举报箱。"
    assert text.count("注意：") == 1 and "王文秘、吴领导" in text


def test_reportbox_list_of_a_box_never_opened(cli: CliRun, month: Office) -> None:
    text = ok(cli("reportbox", "list", "--weeks", "3", user=SECRETARY)).stdout
    assert "这段时间没有开启记录。" in text and text.count("这一周没有开启举报箱") in (2, 3)
    refused(cli("reportbox", "list", "--weeks", "0", user=SECRETARY), EXIT_USAGE, "--weeks")


def test_an_edited_opening_fails_archive_verify(cli: CliRun, month: Office) -> None:
    ok(cli("reportbox", "open", "--witness", SECRETARY, "--witness", LEADER, "--count", "3", "--on", "2026-10-12",
           user=SECRETARY))
    assert "校验通过" in ok(cli("archive", "verify", user=OFFICER)).stdout
    with month.raw_catalogue() as conn:
        conn.execute("UPDATE reportbox_openings SET letters = 0 WHERE opening_id = 1")
    result = cli("archive", "verify", user=OFFICER)
    assert result.exit_code == EXIT_INTEGRITY and "举报箱开启记录 1" in result.output


# --------------------------------------------------------------------------- help and PDF


@pytest.mark.parametrize("command", [("report",), ("reportbox",), ("reportbox", "open"), ("reportbox", "list")])
def test_every_report_command_has_help_with_an_example(cli: CliRun, command: tuple[str, ...]) -> None:
    text = ok(cli(*command, "--help", user=None)).stdout
    assert "例" in text and f"xinfang {command[0]}" in text


def test_a_report_with_its_pdf(cli: CliRun, month: Office, out: Path, soffice: str) -> None:
    shown = json.loads(ok(cli("report", "major-incident", "--case", MAJOR_VISIT, "--set", "place=旗政府信访接待大厅",
                              "--set", "actions=领导当即接待", "--pdf", "--out", str(out), "--json",
                              user=LEADER)).stdout)
    assert [Path(p).name for p in shown["paths"]] == [f"重大信访事项实时报告-{MAJOR_VISIT}{suffix}"
                                                      for suffix in (".docx", ".pdf")]
    assert Path(shown["paths"][1]).read_bytes().startswith(b"%PDF")
    assert plaintext_in(month) == []
