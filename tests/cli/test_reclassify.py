"""``xinfang record reclassify`` from the command line: the level changes, and so does who finds the record.

The filed office's records (one per level, all of the 内部 case XF-2026-0001) are indexed first;
郑秘书 is then cleared for 内部 only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive import Level
from tests.conftest import OFFICER, SECRET_TEXT, CliRun, Office

LEADER, CLERK, AUDITOR, INTERNAL_CLERK = "吴领导", "王文秘", "钱审计", "郑秘书"
EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_PERMISSION = 0, 1, 2, 3
PHRASE = '"反映镇长挪用扶贫专项资金"'


def found(cli: CliRun, user: str) -> list[str]:
    """The record ids ``user`` finds by a phrase every record of the office holds."""
    result = cli("search", PHRASE, "--json", user=user)
    assert result.exit_code == EXIT_OK, result.output
    return [hit["record_id"] for hit in json.loads(result.stdout)["results"]]


@pytest.fixture
def indexed(filed_office: Office, cli: CliRun) -> Office:
    assert cli("search", "reindex", user=OFFICER).exit_code == EXIT_OK
    assert cli("user", "clearance", INTERNAL_CLERK, "内部", user=OFFICER).exit_code == EXIT_OK
    return filed_office


def test_a_lowered_record_is_found_by_the_lower_level_and_a_raised_one_no_longer(
    indexed: Office, cli: CliRun, tmp_path: Path
) -> None:
    confidential, internal = indexed.records[Level.CONFIDENTIAL], indexed.records[Level.INTERNAL]
    assert found(cli, INTERNAL_CLERK) == [internal]

    lowered = cli("record", "reclassify", confidential, "--to", "内部", "--reason", "已公开通报，解密", user=OFFICER)
    assert lowered.exit_code == EXIT_OK, lowered.output
    assert lowered.stdout.startswith("已变更密级 DM-") and f"{confidential} 机密 → 内部" in lowered.stdout
    assert sorted(found(cli, INTERNAL_CLERK)) == sorted([internal, confidential])
    assert found(cli, CLERK).count(confidential) == 1  # gone from the 机密 index, in the 内部 one

    raised = cli("record", "reclassify", internal, "--to", "机密", "--reason", "涉及在查案件", "--json", user=LEADER)
    assert raised.exit_code == EXIT_OK, raised.output
    change = json.loads(raised.stdout)
    assert (change["record_id"], change["from_level"], change["to_level"]) == (internal, "内部", "机密")
    assert found(cli, INTERNAL_CLERK) == [confidential]
    refused = cli("archive", "get", internal, "--out", str(tmp_path / "x.txt"), user=INTERNAL_CLERK)
    assert refused.exit_code == EXIT_INVALID and "不存在，或您无权查看" in refused.stderr

    listed = json.loads(cli("archive", "list", "--json", user=CLERK).stdout)
    assert {r["record_id"]: r["classification"] for r in listed}[internal] == "机密"
    assert cli("archive", "verify", user=AUDITOR).exit_code == EXIT_OK
    assert cli("audit", "verify", user=AUDITOR).exit_code == EXIT_OK
    log = cli("audit", "log", "--action", "record.reclassify", "--record", confidential, "--json", user=OFFICER)
    assert log.exit_code == EXIT_OK, log.output
    assert [entry["details"] for entry in json.loads(log.stdout)] == [{"reason": "已公开通报，解密"}]


def test_refusals_and_their_exit_codes(indexed: Office, cli: CliRun) -> None:
    secret = indexed.records[Level.SECRET]
    by_clerk = cli("record", "reclassify", secret, "--to", "内部", "--reason", "解密", user=CLERK)
    assert by_clerk.exit_code == EXIT_PERMISSION and "安全保密管理员、领导" in by_clerk.stderr
    unknown = cli("record", "reclassify", secret, "--to", "特密", "--reason", "解密", user=OFFICER)
    assert unknown.exit_code == EXIT_INVALID and "特密" in unknown.stderr
    assert cli("record", "reclassify", secret, "--to", "内部", user=OFFICER).exit_code == EXIT_USAGE
    missing = cli("record", "reclassify", "R-2026-999999", "--to", "内部", "--reason", "解密", user=OFFICER)
    assert missing.exit_code == EXIT_INVALID and "记录 R-2026-999999 不存在，或您无权查看" in missing.stderr
    same = cli("record", "reclassify", secret, "--to", "秘密", "--reason", "解密", user=OFFICER)
    assert same.exit_code == EXIT_INVALID and "已是秘密" in same.stderr
    assert SECRET_TEXT not in same.output
