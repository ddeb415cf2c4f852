"""``xinfang access`` and ``archive export``: grants from the command line, numbered watermarked copies,
and an investigator without a grant learning nothing of a case from any command."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from click.testing import Result
from pypdf import PdfReader

from archive import Level
from tests.conftest import CliRun, Office

LEADER, CLERK, INVESTIGATOR, ARCHIVIST = "吴领导", "王文秘", "周调查", "孙档案"
CASE, MISSING_CASE = "XF-2026-0001", "XF-2026-0999"
MISSING_RECORD = "R-2026-999999"


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def test_a_grant_made_and_revoked_from_the_command_line(filed_office: Office, cli: CliRun) -> None:
    made = json.loads(ok(cli("access", "grant", CASE, "--to", INVESTIGATOR, "--days", "7", "--reason", "初核需要",
                             "--json", user=LEADER)).output)
    assert re.fullmatch(r"AG-\d{4}-0001", made["grant_id"])
    shown = json.loads(ok(cli("case", "show", CASE, "--json", user=INVESTIGATOR)).output)
    assert shown["case_id"] == CASE
    listed = json.loads(ok(cli("access", "list", "--json", user=INVESTIGATOR)).output)
    assert [(g["grant_id"], g["state"], g["reason"]) for g in listed["grants"]] == [(made["grant_id"], "live", "初核需要")]
    assert "已撤销" in ok(cli("access", "revoke", made["grant_id"], user=LEADER)).output
    gone = cli("case", "show", CASE, user=INVESTIGATOR)
    assert gone.exit_code == 1 and "不存在，或您无权查看" in gone.output
    assert cli("access", "revoke", made["grant_id"], user=INVESTIGATOR).exit_code == 3


def test_request_approve_and_deny(filed_office: Office, cli: CliRun) -> None:
    first = json.loads(ok(cli("access", "request", CASE, "--reason", "转办函所涉", "--json", user=INVESTIGATOR)).output)
    second = json.loads(ok(cli("access", "request", MISSING_CASE, "--reason", "转办函所涉", "--json",
                               user=INVESTIGATOR)).output)
    assert cli("access", "approve", first["request_id"], "--days", "3", user=INVESTIGATOR).exit_code == 3
    approved = json.loads(ok(cli("access", "approve", first["request_id"], "--days", "3", "--json",
                                 user=LEADER)).output)
    assert approved["grant_id"].startswith("AG-")
    refused = cli("access", "approve", second["request_id"], "--days", "3", user=LEADER)
    assert refused.exit_code == 1 and "请驳回" in refused.output
    ok(cli("access", "deny", second["request_id"], "--reason", "无此件", user=LEADER))
    table = ok(cli("access", "list", user=LEADER)).output
    assert "已批准" in table and "已驳回" in table and "有效" in table
    assert cli("access", "approve", first["request_id"], "--days", "0", user=LEADER).exit_code == 2


def pages_text(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages]


def test_an_exported_copy_is_stamped_on_every_page_and_registered(filed_office: Office, cli: CliRun,
                                                                  tmp_path: Path) -> None:
    record = filed_office.records[Level.SECRET]
    ok(cli("access", "grant", CASE, "--to", INVESTIGATOR, "--days", "7", "--reason", "核查", user=LEADER))
    denied = cli("archive", "get", record, "--out", str(tmp_path / "原件.txt"), user=INVESTIGATOR)
    assert denied.exit_code == 3 and "archive export" in denied.output
    out = tmp_path / "副本.pdf"
    done = ok(cli("archive", "export", record, "--out", str(out), user=INVESTIGATOR))
    assert "第001份" in done.output
    register = json.loads(ok(cli("archive", "copies", "--record", record, "--json", user=ARCHIVIST)).output)
    assert [(c["copy_no"], c["viewer"], c["format"], c["state"]) for c in register] == [(1, INVESTIGATOR, "pdf", "out")]
    stamp = re.compile(rf"仅供 {INVESTIGATOR} 查阅 \d{{4}}-\d\d-\d\d \d\d:\d\d {record} 第001份")
    texts = pages_text(out)
    assert texts and all(stamp.search(text) for text in texts)
    assert cli("archive", "export", record, "--out", str(tmp_path / "b.docx"), "--docx",
               user=INVESTIGATOR).exit_code == 3
    ok(cli("archive", "settle-copy", record, "1", "--returned", user=ARCHIVIST))
    assert json.loads(cli("archive", "copies", "--json", user=INVESTIGATOR).output)[0]["state"] == "returned"
    again = cli("archive", "export", record, "--out", str(tmp_path / "c.pdf"), "--copy-no", "1", user=LEADER)
    assert again.exit_code == 1 and "份号不重复使用" in again.output and not (tmp_path / "c.pdf").exists()


@pytest.mark.parametrize(
    "command",
    [
        ("case", "show", "{case}"),
        ("case", "show", "{case}", "--json"),
        ("archive", "get", "{record}", "--out", "{out}"),
        ("archive", "export", "{record}", "--out", "{out}"),
        ("archive", "list", "--case", "{case}", "--json"),
        ("archive", "copies", "--record", "{record}", "--json"),
        ("search", "举报", "--case", "{case}", "--json"),
        ("access", "list", "--json"),
    ],
)
def test_an_investigator_without_a_grant_learns_nothing_of_a_case(filed_office: Office, cli: CliRun, tmp_path: Path,
                                                                   command: tuple[str, ...]) -> None:
    from search.indexing import index_queued

    with filed_office.open() as archive:
        from archive import login
        from tests.conftest import PASSPHRASE

        index_queued(archive, login(archive, LEADER, PASSPHRASE))
    record = filed_office.records[Level.INTERNAL]
    real = cli(*(part.format(case=CASE, record=record, out=tmp_path / "a.pdf") for part in command),
               user=INVESTIGATOR)
    missing = cli(*(part.format(case=MISSING_CASE, record=MISSING_RECORD, out=tmp_path / "b.pdf") for part in command),
                  user=INVESTIGATOR)
    assert real.exit_code == missing.exit_code
    assert real.output.replace(CASE, "ID").replace(record, "ID") == missing.output.replace(
        MISSING_CASE, "ID").replace(MISSING_RECORD, "ID")
    assert not (tmp_path / "a.pdf").exists()
