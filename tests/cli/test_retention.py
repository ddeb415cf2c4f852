"""``xinfang retention`` and ``xinfang hold``: the due list, appraisal decisions and holds from the command line.

Records are filed through the library with ``formed`` dates long past, so that they are due today.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from click.testing import Result

from archive import Level, Retention, login, parse_kind
from archive import add_records as file_records
from archive.filing import file_case
from archive.holds import holds_on
from tests.conftest import PASSPHRASE, CliRun, Office

ARCHIVIST, LEADER, CLERK = "孙档案", "吴领导", "王文秘"
CASE = "XF-2026-0001"


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def add(office: Office, tmp_path: Path, formed: date, retention: Retention, level: Level = Level.INTERNAL) -> str:
    source = tmp_path / f"{formed.isoformat()}-{level.name}.txt"
    source.write_text("来信内容", encoding="utf-8")
    with office.open() as archive:
        (info,) = file_records(archive, login(archive, LEADER, PASSPHRASE), [source], case_id=CASE,
                               title="关于某村账目的来信", kind=parse_kind("letter"), classification=level,
                               retention=retention, formed=formed)
    return info.record_id


def due_ids(cli: CliRun, *args: str, user: str = ARCHIVIST) -> list[str]:
    return [item["record_id"] for item in json.loads(ok(cli("retention", "due", "--json", *args, user=user)).output)]


def test_the_due_list_as_a_table_and_as_json(office: Office, tmp_path: Path, cli: CliRun) -> None:
    record = add(office, tmp_path, date(2010, 6, 1), Retention.TEN_YEARS)
    top_secret = add(office, tmp_path, date(2010, 6, 2), Retention.TEN_YEARS, Level.TOP_SECRET)
    add(office, tmp_path, date(1950, 1, 1), Retention.PERMANENT)
    (item,) = json.loads(ok(cli("retention", "due", "--as-of", "2021-01-01", "--json", user=ARCHIVIST)).output)
    assert item == {
        "record_id": record, "archival_code": None, "case_id": CASE, "title": "关于某村账目的来信", "kind": "letter",
        "classification": "内部", "retention": "D10", "formed": "2010-06-01", "disposal": "2021-01-01",
        "review_on": None, "decision": None,
    }
    assert due_ids(cli, user=LEADER) == [record, top_secret]  # the archivist is cleared to 机密 only
    table = ok(cli("retention", "due", user=ARCHIVIST)).output
    assert record in table and "2021-01-01" in table and top_secret not in table
    empty = ok(cli("retention", "due", "--as-of", "2020-12-31", user=ARCHIVIST)).output
    assert "截至 2020-12-31 没有保管期限届满、待鉴定的档案" in empty
    refused = cli("retention", "due", user=CLERK)
    assert refused.exit_code == 3 and "无权查看到期档案" in refused.output
    bad = cli("retention", "due", "--as-of", "2021-02-30", user=ARCHIVIST)
    assert bad.exit_code == 1 and "不存在" in bad.output


def test_appraisal_decisions_from_the_command_line(office: Office, tmp_path: Path, cli: CliRun) -> None:
    ten = add(office, tmp_path, date(2010, 6, 1), Retention.TEN_YEARS)
    later = add(office, tmp_path, date(2010, 7, 1), Retention.TEN_YEARS)
    gone = add(office, tmp_path, date(2010, 8, 1), Retention.TEN_YEARS)
    with office.open() as archive:
        file_case(archive, login(archive, LEADER, PASSPHRASE), CASE, force=True)
    extended = ok(cli("retention", "appraise", ten, "--extend", "Y", "--note", "仍有查考价值", user=ARCHIVIST)).output
    assert "保管期限 D10 → Y" in extended
    assert "档号 J001-WS·2010-D10-XFS-0001 → J001-WS·2010-Y-XFS-0001" in extended
    shown = json.loads(ok(cli("archive", "list", "--json", user=ARCHIVIST)).output)
    assert {r["record_id"]: r["archival_code"] for r in shown}[ten] == "J001-WS·2010-Y-XFS-0001"
    reviewed = json.loads(ok(cli("retention", "appraise", later, "--review-on", "2099-01-01", "--json",
                                 user=LEADER)).output)
    assert (reviewed["decision"], reviewed["review_on"], reviewed["decided_by"]) == ("review", "2099-01-01", LEADER)
    assert "拟销毁" in ok(cli("retention", "appraise", gone, "--destroy", user=ARCHIVIST)).output
    assert due_ids(cli) == [gone]
    assert due_ids(cli, "--as-of", "2099-01-01") == [later, gone]
    assert "拟销毁" in ok(cli("retention", "due", user=ARCHIVIST)).output
    ok(cli("archive", "verify", user="钱审计"))
    found = json.loads(ok(cli("search", "账目", "--json", user=LEADER)).output)["results"]
    assert {r["record_id"]: r["archival_code"] for r in found}[ten] == "J001-WS·2010-Y-XFS-0001"  # reindexed


def test_appraise_refuses_what_cannot_stand(office: Office, tmp_path: Path, cli: CliRun) -> None:
    record = add(office, tmp_path, date(2010, 6, 1), Retention.TEN_YEARS)
    for args in ([], ["--destroy", "--extend", "Y"], ["--destroy", "--review-on", "2099-01-01"]):
        usage = cli("retention", "appraise", record, *args, user=ARCHIVIST)
        assert usage.exit_code == 2 and "须且只须给出一个" in usage.output
    unknown = cli("retention", "appraise", record, "--extend", "D5", user=ARCHIVIST)
    assert unknown.exit_code == 1 and "未知的保管期限" in unknown.output
    shorter = cli("retention", "appraise", record, "--extend", "D10", user=ARCHIVIST)
    assert shorter.exit_code == 1 and "只能延长保管期限" in shorter.output
    missing = cli("retention", "appraise", "R-2026-999999", "--destroy", user=ARCHIVIST)
    assert missing.exit_code == 1 and "记录 R-2026-999999 不存在，或您无权查看" in missing.output
    assert cli("retention", "appraise", record, "--destroy", user=CLERK).exit_code == 3


def test_holds_placed_listed_and_released(office: Office, tmp_path: Path, cli: CliRun) -> None:
    record = add(office, tmp_path, date(2010, 6, 1), Retention.TEN_YEARS)
    made = json.loads(ok(cli("hold", "add", "--record", record, "--reason", "审计调阅", "--mandate", "审通〔2026〕5号",
                             "--json", user=ARCHIVIST)).output)
    assert made == {"hold_id": "HD-2026-0001"}
    whole = ok(cli("hold", "add", "--case", CASE, "--reason", "纪律审查调卷", user=LEADER)).output
    assert f"已保全 HD-2026-0002：信访件 {CASE} 的全部档案" in whole
    assert due_ids(cli) == []
    listed = json.loads(ok(cli("hold", "list", "--json", user=ARCHIVIST)).output)
    assert [(h["hold_id"], h["record_id"], h["reason"], h["mandate"], h["active"]) for h in listed] == [
        ("HD-2026-0001", record, "审计调阅", "审通〔2026〕5号", True),
        ("HD-2026-0002", None, "纪律审查调卷", None, True),
    ]
    assert "保全中" in ok(cli("hold", "list", user=LEADER)).output
    assert cli("hold", "release", "HD-2026-0001", user=ARCHIVIST).exit_code == 3
    assert "已解除 HD-2026-0001" in ok(cli("hold", "release", "HD-2026-0001", user=LEADER)).output
    again = cli("hold", "release", "HD-2026-0001", user=LEADER)
    assert again.exit_code == 1 and "已于" in again.output
    with office.open() as archive:
        assert holds_on(archive.conn, record) == ["HD-2026-0002"]
    ok(cli("hold", "release", "HD-2026-0002", user=LEADER))
    assert due_ids(cli) == [record]
    usage = cli("hold", "add", "--reason", "复查", user=ARCHIVIST)
    assert usage.exit_code == 2 and "--case 与 --record" in usage.output
    hidden = cli("hold", "add", "--case", "XF-2026-0999", "--reason", "复查", user=ARCHIVIST)
    assert hidden.exit_code == 1 and "不存在，或您无权查看" in hidden.output
    assert cli("hold", "add", "--record", record, "--reason", "复查", user=CLERK).exit_code == 3
    assert cli("hold", "list", user="周调查").exit_code == 3
