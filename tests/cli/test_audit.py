from __future__ import annotations

import json
import shutil
from pathlib import Path

from archive import Level
from tests.conftest import OFFICER, CliRun, Office


def test_checkpoint_export_is_printable_text_signed_by_the_exporter(cli: CliRun, filed_office: Office, tmp_path: Path) -> None:
    out = tmp_path / "检查点.txt"
    result = cli("audit", "checkpoint", "--out", str(out), user="钱审计")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("xinfang 审计检查点\n机关：伊金霍洛旗纪委监委\n")
    assert "签署人：钱审计" in text and "根哈希：" in text and text in result.output
    again = cli("audit", "checkpoint", "--out", str(out), user="钱审计")
    assert again.exit_code == 1 and out.read_text(encoding="utf-8") == text


def test_verify_needs_no_user_and_no_passphrase(cli: CliRun, filed_office: Office, tmp_path: Path) -> None:
    cli("audit", "checkpoint", "--out", str(tmp_path / "cp.txt"), user="钱审计")
    result = cli("audit", "verify", "--against", str(tmp_path / "cp.txt"), user=None, passphrase=None)
    assert result.exit_code == 0, result.output
    assert "cp.txt" in result.output and "当前日志是其延续" in result.output and "校验通过" in result.output
    assert "由 李管理 签署" in result.output


def test_verify_reports_a_rollback_with_exit_4(cli: CliRun, filed_office: Office, tmp_path: Path) -> None:
    older = tmp_path / "older"
    shutil.copytree(filed_office.path, older)
    cli("archive", "list", user="王文秘")
    cli("audit", "checkpoint", "--out", str(tmp_path / "later.txt"), user="钱审计")
    result = cli("audit", "verify", "--against", str(tmp_path / "later.txt"), "--json", archive=older, user=None)
    assert result.exit_code == 4
    report = json.loads(result.output)
    assert not report["ok"] and report["anchors"][0]["ok"] is False
    assert "截短或回滚" in report["problems"][0]["message"]


def test_verify_rejects_a_file_that_is_not_a_checkpoint(cli: CliRun, filed_office: Office, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.txt"
    bogus.write_text("not a checkpoint")
    result = cli("audit", "verify", "--against", str(bogus), user=None)
    assert result.exit_code == 1 and "不是 xinfang 审计检查点文件" in result.output


def test_failed_logins_show_up_for_the_auditor(cli: CliRun, filed_office: Office) -> None:
    assert cli("archive", "list", user="王文秘", passphrase="wrong passphrase").exit_code == 5
    result = cli("audit", "log", "--action", "login.failed", "--json", user="钱审计")
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.output)
    assert entry["actor"] == "王文秘" and entry["action"] == "login.failed"


def test_the_auditor_sees_who_did_what_but_no_title(cli: CliRun, filed_office: Office) -> None:
    record_id = next(iter(filed_office.records.values()))
    auditor = json.loads(cli("audit", "log", "--record", record_id, "--json", user="钱审计").output)
    assert auditor[0]["action"] == "record.add" and auditor[0]["details"] is None
    officer = json.loads(cli("audit", "log", "--record", record_id, "--json", user=OFFICER).output)
    assert "举报镇长挪用扶贫款的来信" in officer[0]["details"]["title"]


def test_only_auditors_and_the_security_officer_read_the_log(cli: CliRun, filed_office: Office) -> None:
    for name in ("王文秘", "吴领导", "李管理"):
        assert cli("audit", "log", user=name).exit_code == 3


def test_log_filters_by_user_and_date(cli: CliRun, filed_office: Office) -> None:
    mine = json.loads(cli("audit", "log", "--user", "吴领导", "--json", user="钱审计").output)
    assert mine and {e["actor"] for e in mine} == {"吴领导"}
    future = cli("audit", "log", "--since", "2999-01-01", user="钱审计")
    assert future.exit_code == 0 and "没有符合条件的日志条目" in future.output
    bad = cli("audit", "log", "--since", "昨天", user="钱审计")
    assert bad.exit_code == 1 and "起始日期" in bad.output


def test_the_security_officer_reads_each_entrys_details_whatever_key_sealed_them(cli: CliRun, filed_office: Office
                                                                                 ) -> None:
    record = filed_office.records[Level.INTERNAL]
    assert cli("hold", "add", "--record", record, "--reason", "审计调阅", user="吴领导").exit_code == 0  # case key
    assert cli("search", "镇长", user="吴领导").exit_code == 0  # the searcher's level key
    log = cli("audit", "log", user=OFFICER)
    assert log.exit_code == 0, log.output
    assert "reason=审计调阅" in log.output and "query=镇长" in log.output and "举报镇长挪用扶贫款的来信" in log.output
    assert "审计调阅" not in cli("audit", "log", user="钱审计").output  # the auditor holds no key
