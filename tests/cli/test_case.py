"""``xinfang case``: the case register and its handling cycle, driven from the command line.

Set up through the CLI (or the library), act through the CLI, check the exit code of the
contract, the Chinese message, and the resulting state as a user would read it back.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

from click.testing import Result

from tests.conftest import CliRun, Office

EXIT_OK, EXIT_INVALID, EXIT_PERMISSION = 0, 1, 3
CASE = "XF-2026-0001"
CASE_KEYS = {"case_id", "channel", "category", "importance", "received", "deadline", "days_left", "state",
             "real_name", "classification"}
PARTY_KEYS = {"petitioners", "reported", "summary"}
CODE = re.compile(r"^J001-WS·2026-(Y|D30|D10)-XFS-(\d{4})$")

PETITIONER, ID_NUMBER, PHONE = "张秀兰", "152701198003151230", "13912345678"
REPORTED, REPORTED_UNIT = "李某某", "某镇政府"
SUMMARY = "反映某镇镇长李某某挪用扶贫专项资金用于修建办公楼"
REAL_NAME = (
    "case", "register", "--channel", "来信", "--received", "2026-11-02", "--category", "检举",
    "--importance", "一般", "--real-name", "--petitioner", PETITIONER, "--id-number", ID_NUMBER,
    "--phone", PHONE, "--reported", REPORTED, "--reported-unit", REPORTED_UNIT, "--party-member",
    "--discipline", "廉洁", "--summary", SUMMARY, "--classification", "秘密",
)


def anonymous(*extra: str, channel: str = "来访", classification: str = "内部",
              summary: str = "反映某村村委会违规发放补贴") -> tuple[str, ...]:
    return ("case", "register", "--channel", channel, "--received", "2026-11-02", "--category", "控告",
            "--importance", "一般", "--anonymous", "--summary", summary, "--classification", classification, *extra)


def ok(result: Result) -> Result:
    assert result.exit_code == EXIT_OK, (result.exit_code, result.output)
    return result


def refused(result: Result, code: int, *naming: str) -> str:
    """Failed with ``code``, no traceback, and a message on stderr naming each of ``naming``."""
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output and "程序内部错误" not in result.output, result.output
    for word in naming:
        assert word in result.stderr, result.stderr
    return result.stderr


def state_of(cli: CliRun, case_id: str = CASE) -> str:
    return json.loads(ok(cli("case", "show", case_id, "--json", user="王文秘")).stdout)["state"]


def case_ids(cli: CliRun, user: str = "王文秘") -> list[str]:
    return [c["case_id"] for c in json.loads(ok(cli("case", "list", "--json", user=user)).stdout)]


def due_for_reminder(cli: CliRun, as_of: str) -> list[dict]:
    return json.loads(ok(cli("case", "list", "--due-for", "reminder", "--as-of", as_of, "--json",
                             user="王文秘")).stdout)


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- the whole cycle ---------------------------------------------------------------------------------


def test_full_cycle_from_registration_to_filing(cli: CliRun, bare_office: Office, tmp_path: Path) -> None:
    registered = ok(cli(*REAL_NAME, "--json", user="王文秘"))
    assert json.loads(registered.stdout) == {"case_id": CASE}
    assert state_of(cli) == "registered"

    # The original letter and a phone note are filed with the case before it is handled.
    ok(cli("archive", "add", write(tmp_path / "来信.txt", SUMMARY), "--case", CASE, "--title", "张秀兰来信原件",
           "--kind", "letter", "--classification", "秘密", "--formed", "2026-11-02", user="王文秘"))
    ok(cli("archive", "add", write(tmp_path / "电话.txt", "电话核实"), "--case", CASE, "--title", "电话核实记录",
           "--kind", "phone-record", "--classification", "秘密", "--formed", "2026-11-03", user="王文秘"))

    proposed = ok(cli("case", "propose", CASE, "--route", "交办", "--unit", "某镇纪委",
                      "--opinion", "建议交某镇纪委调查核实", "--on", "2026-11-03", user="王文秘"))
    assert CASE in proposed.output and "已拟办" in proposed.output
    instructed = ok(cli("case", "instruct", CASE, "--text", "同意，交某镇纪委办理并按期报结", "--on", "2026-11-04",
                        user="吴领导"))
    assert "已批示" in instructed.output

    assigned = ok(cli("case", "assign", CASE, "--unit", "某镇纪委", "--series", "纪群字",
                      "--acknowledged", "2026-11-30", "--on", "2026-11-05", user="王文秘"))
    # Three months from 2026-11-30 is Sunday 2027-02-28: the report is due the next working day.
    assert "2027-03-01" in assigned.output and "已交办" in assigned.output

    # While assigned and unreported, a monthly 催办 falls due one month after acknowledgement, not before.
    assert due_for_reminder(cli, "2026-12-15") == []
    (due,) = due_for_reminder(cli, "2026-12-30")
    assert due["case_id"] == CASE and due["state"] == "assigned"
    assert due["reasons"] and any("2026-11-30" in reason for reason in due["reasons"])
    assert not PARTY_KEYS & set(due)

    first_report = tmp_path / "调查报告.txt"
    reported = ok(cli("case", "report", CASE, "--file", write(first_report, "经查，反映问题部分属实。"),
                      "--on", "2026-11-20", user="王文秘"))
    assert "R-2026-000003" in reported.output and "已报结" in reported.output
    # The report became a record of the case.
    listed = json.loads(ok(cli("archive", "list", "--case", CASE, "--json", user="王文秘")).stdout)
    report_record = next(r for r in listed if r["record_id"] == "R-2026-000003")
    assert report_record["kind"] == "report" and report_record["case_id"] == CASE
    assert report_record["classification"] == "秘密" and report_record["archival_code"] is None
    assert "某镇纪委" in report_record["title"] and report_record["formed"] == "2026-11-20"
    out = tmp_path / "取出的报告.txt"
    ok(cli("archive", "get", "R-2026-000003", "--out", str(out), user="吴领导"))
    assert out.read_text(encoding="utf-8") == "经查，反映问题部分属实。"

    returned = ok(cli("case", "review", CASE, "--return", "未回答信访人反映的第二个问题", "--on", "2026-11-21",
                      user="吴领导"))
    assert "已退回重报" in returned.output
    ok(cli("case", "report", CASE, "--file", write(tmp_path / "补充报告.txt", "补充调查：第二个问题不属实。"),
           "--on", "2026-11-24", user="王文秘"))
    accepted = ok(cli("case", "review", CASE, "--accept", "--on", "2026-11-25", user="王文秘"))
    assert "已审核通过" in accepted.output

    # A real-name case is not closed before the reporter has been answered.
    refused(cli("case", "close", CASE, "--on", "2026-11-25", user="王文秘"), EXIT_INVALID, "已审核通过", "须先答复")
    assert state_of(cli) == "accepted"

    ok(cli("case", "reply", CASE, "--mode", "电话", "--text", "已将调查结果电话告知信访人", "--on", "2026-11-26",
           user="王文秘"))
    closed = ok(cli("case", "close", CASE, "--on", "2026-11-27", user="王文秘"))
    assert "已结案" in closed.output
    assert due_for_reminder(cli, "2026-12-30") == []

    # 归档 by the archivist: every record gets its 档号.
    filed = json.loads(ok(cli("archive", "file", CASE, "--json", user="孙档案")).stdout)["records"]
    codes = {r["record_id"]: r["archival_code"] for r in filed}
    assert codes == {
        "R-2026-000001": "J001-WS·2026-D30-XFS-0001",  # letter, 定期30年
        "R-2026-000002": "J001-WS·2026-D10-XFS-0001",  # phone record, 定期10年
        "R-2026-000003": "J001-WS·2026-Y-XFS-0001",  # first report, 永久
        "R-2026-000004": "J001-WS·2026-Y-XFS-0002",  # second report, 永久
    }
    series: dict[str, list[int]] = {}
    for code in codes.values():
        match = CODE.match(code)
        assert match, code
        series.setdefault(match[1], []).append(int(match[2]))
    assert all(sorted(numbers) == list(range(1, len(numbers) + 1)) for numbers in series.values())
    listed = json.loads(ok(cli("archive", "list", "--json", user="孙档案")).stdout)
    assert {r["record_id"]: r["archival_code"] for r in listed} == codes

    # The whole story, as the register tells it back.
    shown = json.loads(ok(cli("case", "show", CASE, "--json", "--as-of", "2026-11-28", user="王文秘")).stdout)
    assert set(shown) == CASE_KEYS | PARTY_KEYS | {"history"}
    assert {k: shown[k] for k in CASE_KEYS} == {
        "case_id": CASE, "channel": "来信", "category": "检举", "importance": "一般", "received": "2026-11-02",
        "deadline": "2026-12-02", "days_left": 4, "state": "closed", "real_name": True, "classification": "秘密",
    }
    assert shown["petitioners"] == [{"name": PETITIONER, "id_number": ID_NUMBER, "phone": PHONE, "address": None,
                                     "work_unit": None}]
    assert shown["reported"] == [{"name": REPORTED, "unit": REPORTED_UNIT, "post": None, "rank": None,
                                  "party_member": True}]
    assert shown["summary"] == SUMMARY
    history = shown["history"]
    assert [(e["kind"], e["on"], e["actor"]) for e in history] == [
        ("propose", "2026-11-03", "王文秘"),
        ("instruct", "2026-11-04", "吴领导"),
        ("assign", "2026-11-05", "王文秘"),
        ("report", "2026-11-20", "王文秘"),
        ("return", "2026-11-21", "吴领导"),
        ("report", "2026-11-24", "王文秘"),
        ("accept", "2026-11-25", "王文秘"),
        ("reply", "2026-11-26", "王文秘"),
        ("close", "2026-11-27", "王文秘"),
    ]
    assert history[0]["data"]["route"] == "交办" and history[0]["text"] == "建议交某镇纪委调查核实"
    assert history[2]["data"]["report_due"] == "2027-03-01" and history[2]["data"]["series"] == "纪群字"
    assert history[3]["data"]["records"] == ["R-2026-000003"]
    assert history[4]["text"] == "未回答信访人反映的第二个问题"
    assert history[5]["data"]["records"] == ["R-2026-000004"]
    assert history[7]["data"]["mode"] == "电话"

    # The listing shows the public face only.
    (entry,) = json.loads(ok(cli("case", "list", "--json", user="王文秘")).stdout)
    assert set(entry) == CASE_KEYS and entry["case_id"] == CASE and entry["state"] == "closed"

    # Another reader cleared for 秘密 reads the parties in the text view.
    text = ok(cli("case", "show", CASE, "--as-of", "2026-11-28", user="郑秘书")).output
    for expected in (CASE, PETITIONER, PHONE, REPORTED, REPORTED_UNIT, "党员", SUMMARY, "署实名", "已结案",
                     "拟办", "退回重报", "结案"):
        assert expected in text, (expected, text)


# --- refused steps and permissions -------------------------------------------------------------------


def test_a_step_out_of_order_is_refused_naming_the_state(cli: CliRun, office: Office) -> None:
    stderr = refused(cli("case", "instruct", CASE, "--text", "同意", user="吴领导"), EXIT_INVALID, "已登记")
    assert CASE in stderr
    assert state_of(cli) == "registered"
    assert json.loads(ok(cli("case", "show", CASE, "--json", user="王文秘")).stdout)["history"] == []


def test_a_secretary_may_not_instruct(cli: CliRun, office: Office) -> None:
    ok(cli("case", "propose", CASE, "--route", "自办", "--opinion", "本室核实", "--on", "2026-11-03", user="王文秘"))
    refused(cli("case", "instruct", CASE, "--text", "同意", user="王文秘"), EXIT_PERMISSION, "领导")
    assert state_of(cli) == "proposed"


def test_an_invisible_case_answers_exactly_like_an_unknown_one(cli: CliRun, bare_office: Office) -> None:
    secret = ok(cli(*anonymous(classification="机密", summary="反映某局局长收受礼金"), "--json", user="王文秘"))
    hidden = json.loads(secret.stdout)["case_id"]
    unknown = "XF-2026-0099"
    assert case_ids(cli, "郑秘书") == []  # 郑秘书 holds 秘密 only
    for command in (("case", "show"), ("case", "propose")):
        extra = ("--route", "自办", "--opinion", "核实") if command[1] == "propose" else ()
        invisible = cli(*command, hidden, *extra, user="郑秘书")
        absent = cli(*command, unknown, *extra, user="郑秘书")
        assert invisible.exit_code == absent.exit_code == EXIT_INVALID
        assert invisible.stderr.replace(hidden, "<ID>") == absent.stderr.replace(unknown, "<ID>")
        assert invisible.stdout == absent.stdout == ""
        assert "收受礼金" not in invisible.output
    assert state_of(cli, hidden) == "registered"


def test_an_investigator_learns_nothing_of_cases(cli: CliRun, bare_office: Office, tmp_path: Path) -> None:
    # 周调查 holds the 秘密 key, but the register and its records are not for an investigator without a grant.
    ok(cli(*REAL_NAME, user="王文秘"))
    ok(cli("archive", "add", write(tmp_path / "来信.txt", SUMMARY), "--case", CASE, "--title", "张秀兰来信原件",
           "--kind", "letter", "--classification", "秘密", user="王文秘"))
    ok(cli("case", "propose", CASE, "--route", "交办", "--unit", "某镇纪委", "--opinion", "建议交办",
           "--on", "2026-11-03", user="王文秘"))
    ok(cli("case", "instruct", CASE, "--text", "同意", "--on", "2026-11-04", user="吴领导"))
    ok(cli("case", "assign", CASE, "--unit", "某镇纪委", "--series", "纪群字", "--acknowledged", "2026-11-05",
           "--on", "2026-11-05", user="王文秘"))
    secrets = (SUMMARY, PETITIONER, REPORTED, "张秀兰来信原件", "挪用")

    shown = cli("case", "show", CASE, user="周调查")
    absent = cli("case", "show", "XF-2026-0099", user="周调查")
    assert shown.exit_code == absent.exit_code == EXIT_INVALID
    assert shown.output.replace(CASE, "<ID>") == absent.output.replace("XF-2026-0099", "<ID>")
    listings = [
        cli("case", "list", user="周调查"),
        cli("case", "list", "--json", user="周调查"),
        cli("case", "list", "--due-for", "reminder", "--as-of", "2026-12-30", "--json", user="周调查"),
        cli("case", "list", "--due-for", "supervision", "--as-of", "2027-06-30", user="周调查"),
        cli("archive", "list", user="周调查"),
        cli("archive", "list", "--json", user="周调查"),
        cli("archive", "list", "--case", CASE, "--json", user="周调查"),
    ]
    for result in listings:
        ok(result)
        assert CASE not in result.output and "R-2026-000001" not in result.output, result.output
    for result in (shown, *listings):
        for secret in secrets:
            assert secret not in result.output, (secret, result.output)
    assert "没有符合条件的信访件" in listings[0].output and json.loads(listings[1].stdout) == []
    assert json.loads(listings[2].stdout) == [] and json.loads(listings[5].stdout) == []
    # …while the secretary sees the same case due for a reminder that day.
    assert [c["case_id"] for c in due_for_reminder(cli, "2026-12-30")] == [CASE]


# --- registration input ------------------------------------------------------------------------------


def test_invalid_channel_is_refused_naming_the_value(cli: CliRun, bare_office: Office) -> None:
    args = list(anonymous(channel="传真"))
    refused(cli(*args, user="王文秘"), EXIT_INVALID, "传真")
    assert case_ids(cli) == []


def test_a_received_date_in_the_future_is_refused(cli: CliRun, bare_office: Office) -> None:
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    args = list(anonymous())
    args[args.index("--received") + 1] = tomorrow
    refused(cli(*args, user="王文秘"), EXIT_INVALID, tomorrow)
    assert case_ids(cli) == []


def test_a_summary_is_required_once(cli: CliRun, bare_office: Office, tmp_path: Path) -> None:
    args = list(anonymous())
    at = args.index("--summary")
    without = args[:at] + args[at + 2:]
    refused(cli(*without, user="王文秘"), EXIT_INVALID, "--summary")
    both = [*args, "--summary-file", write(tmp_path / "摘要.txt", "另一份摘要")]
    refused(cli(*both, user="王文秘"), EXIT_INVALID, "--summary")
    assert case_ids(cli) == []
    # …and --summary-file alone is enough.
    ok(cli(*without, "--summary-file", str(tmp_path / "摘要.txt"), user="王文秘"))
    assert json.loads(ok(cli("case", "show", CASE, "--json", user="王文秘")).stdout)["summary"] == "另一份摘要"


def test_real_name_or_anonymous_must_be_said(cli: CliRun, bare_office: Office) -> None:
    args = [a for a in anonymous() if a != "--anonymous"]
    refused(cli(*args, user="王文秘"), EXIT_INVALID, "--real-name", "--anonymous")
    assert case_ids(cli) == []


def test_seven_representatives_register_with_a_warning(cli: CliRun, bare_office: Office) -> None:
    result = ok(cli(*anonymous("--people", "12", "--representatives", "7"), user="王文秘"))
    warnings = [line for line in result.output.splitlines() if line.startswith("提示")]
    assert len(warnings) == 1 and "3–5" in warnings[0] and "7" in warnings[0], result.output
    assert f"已登记 {CASE}" in result.output
    assert case_ids(cli) == [CASE]


def test_fifteen_visitors_are_a_major_incident(cli: CliRun, bare_office: Office) -> None:
    result = ok(cli(*anonymous("--people", "15", "--representatives", "5"), user="王文秘"))
    assert any(line.startswith("提示") and "重大信访事项" in line for line in result.output.splitlines()), result.output
    assert case_ids(cli) == [CASE]
    # One fewer is an ordinary collective visit.
    quieter = ok(cli(*anonymous("--people", "14", "--representatives", "5", summary="另一起集体访"), user="王文秘"))
    assert "重大信访事项" not in quieter.output and "已登记 XF-2026-0002" in quieter.output


def test_register_json_keeps_warnings_off_stdout(cli: CliRun, bare_office: Office) -> None:
    result = ok(cli(*anonymous("--people", "15", "--representatives", "7"), "--json", user="王文秘"))
    assert json.loads(result.stdout) == {"case_id": CASE}
    assert "重大信访事项" in result.stderr and "3–5" in result.stderr
