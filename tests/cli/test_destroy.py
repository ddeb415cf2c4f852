"""``xinfang destroy`` from the command line: the cycle, the refusals and their exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from archive import Level
from archive.docx_redaction import docx_paragraphs
from tests.archive.test_destruction import due as due  # the fixture: two long-due records of one case
from tests.conftest import OFFICER, CliRun, Office

LEADER, CLERK, ARCHIVIST, AUDITOR = "吴领导", "王文秘", "孙档案", "钱审计"


def test_the_cycle_from_the_command_line(due: tuple[Office, list[str], str], cli: CliRun, tmp_path: Path) -> None:
    office, ids, _ = due
    proposed = cli("destroy", "propose", "--due", "--as-of", "2026-11-28", "--json", user=ARCHIVIST)
    assert proposed.exit_code == 0, proposed.output
    batch = json.loads(proposed.output)["batch_id"]
    assert cli("destroy", "approve", batch, user=ARCHIVIST).exit_code == 3
    assert cli("destroy", "approve", batch, user=LEADER).exit_code == 0
    assert cli("destroy", "execute", batch, user=ARCHIVIST).exit_code == 1  # no witnesses yet
    assert cli("destroy", "witness", batch, user=CLERK, passphrase="错误的口令").exit_code == 5
    assert json.loads(cli("destroy", "show", batch, "--json", user=AUDITOR).output)["witnesses"] == []
    assert cli("destroy", "witness", batch, user=CLERK).exit_code == 0
    scan = tmp_path / "签名.pdf"
    scan.write_bytes(b"%PDF-1.4 signature")
    witnessed = cli("destroy", "witness", batch, "--external", "刘保密", "--unit", "旗保密办", "--scan", str(scan),
                    user=ARCHIVIST)
    assert "刘保密（外单位，扫描件）" in witnessed.output
    executed = cli("destroy", "execute", batch, user=ARCHIVIST)
    assert executed.exit_code == 0 and "2 件以密码擦除方式销毁" in executed.output and "根哈希" in executed.output
    shown = json.loads(cli("destroy", "show", batch, "--json", user=AUDITOR).output)
    assert shown["state"] == "executed" and shown["done"] == ids and len(shown["witnesses"]) == 2
    gone = cli("archive", "get", ids[0], "--out", str(tmp_path / "x.txt"), user=LEADER)
    assert gone.exit_code == 1 and f"随销毁批次 {batch}" in gone.output
    assert cli("archive", "verify", user=AUDITOR).exit_code == 0
    audited = cli("audit", "verify")
    assert audited.exit_code == 0, audited.output
    assert f"销毁批次 {batch}：2 件" in audited.output and "监销 刘保密、王文秘——与存根一致" in audited.output
    assert cli("destroy", "execute", batch, user=ARCHIVIST).exit_code == 1  # already executed
    assert cli("search", "救灾款", user=LEADER).exit_code == 0
    log = cli("audit", "log", user=OFFICER)  # tombstones and a search's sealed query among the entries
    assert log.exit_code == 0, log.output
    assert "query=救灾款" in log.output and "record.destroy" in log.output
    assert f"销毁清册：{shown['register_record']}" in cli("destroy", "show", batch, user=ARCHIVIST).output
    printed = cli("report", "destruction-register", "--batch", batch, "--out", str(tmp_path / "报表"), user=LEADER)
    assert printed.exit_code == 0, printed.output
    text = "".join(docx_paragraphs((tmp_path / "报表" / f"销毁清册-{batch}.docx").read_bytes()))
    assert "旧案材料1" in text and "刘保密（旗保密办，外单位" in text
    assert cli("report", "destruction-register", "--batch", batch, "--out", str(tmp_path), user=AUDITOR).exit_code == 3


def test_propose_needs_ids_or_due(due: tuple[Office, list[str], str], cli: CliRun) -> None:
    assert cli("destroy", "propose", user=ARCHIVIST).exit_code == 2
    missing = cli("destroy", "propose", "R-2026-999999", user=ARCHIVIST)
    assert missing.exit_code == 1 and "不存在，或您无权查看" in missing.output


def test_permanent_items_never_enter_a_batch(filed_office: Office, cli: CliRun) -> None:
    record = filed_office.records[Level.INTERNAL]
    with filed_office.raw_catalogue() as conn:
        conn.execute("UPDATE records SET retention = 'Y' WHERE record_id = ?", (record,))
    refused = cli("destroy", "propose", record, user=ARCHIVIST)
    assert refused.exit_code == 1 and "永久" in refused.output


def test_an_item_whose_period_has_not_run_out_is_refused(filed_office: Office, cli: CliRun) -> None:
    refused = cli("destroy", "propose", filed_office.records[Level.INTERNAL], user=ARCHIVIST)
    assert refused.exit_code == 1 and "才届满，尚不能列入销毁" in refused.output
