from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import OFFICER, CliRun, Office

RECORD_KEYS = {"record_id", "archival_code", "case_id", "kind", "classification", "retention", "formed", "filed_at", "title"}


def test_add_list_get_round_trip(cli: CliRun, office: Office, tmp_path: Path) -> None:
    letter = tmp_path / "来信.txt"
    letter.write_text("反映某村会计侵占集体资金", encoding="utf-8")
    added = cli("archive", "add", str(letter), "--case", "XF-2026-0001", "--title", "关于村会计的来信",
                "--kind", "来信原件", "--classification", "秘密", "--retention", "30年", "--formed", "2026年11月5日",
                "--json", user="王文秘")
    assert added.exit_code == 0, added.output
    (record,) = json.loads(added.output)["records"]
    assert set(record) == RECORD_KEYS
    assert record | {"filed_at": None} == {
        "record_id": "R-2026-000001", "archival_code": None, "case_id": "XF-2026-0001", "kind": "letter",
        "classification": "秘密", "retention": "D30", "formed": "2026-11-05", "filed_at": None, "title": "关于村会计的来信",
    }
    listed = cli("archive", "list", "--case", "XF-2026-0001", "--json", user="孙档案")
    assert json.loads(listed.output) == [record]
    out = tmp_path / "取出.txt"
    got = cli("archive", "get", "R-2026-000001", "--out", str(out), user="吴领导")
    assert got.exit_code == 0, got.output
    assert out.read_text(encoding="utf-8") == "反映某村会计侵占集体资金"


def test_add_prints_each_new_id(cli: CliRun, office: Office, tmp_path: Path) -> None:
    files = []
    for n in range(2):
        files.append(tmp_path / f"{n}.txt")
        files[-1].write_text(str(n))
    result = cli("archive", "add", *map(str, files), "--case", "XF-2026-0002", "--title", "附件",
                 "--kind", "evidence", "--classification", "内部", user="王文秘")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["已归入 R-2026-000001", "已归入 R-2026-000002"]


def test_list_table_shows_chinese_labels(cli: CliRun, filed_office: Office) -> None:
    result = cli("archive", "list", user="郑秘书")
    assert result.exit_code == 0
    assert "来信原件" in result.output and "秘密" in result.output and "机密" not in result.output


def test_list_for_a_user_who_may_see_nothing(cli: CliRun, filed_office: Office) -> None:
    result = cli("archive", "list", user="周调查")
    assert result.exit_code == 0 and "没有可查看的记录" in result.output
    assert json.loads(cli("archive", "list", "--json", user="周调查").output) == []


def test_verify_with_and_without_keys(cli: CliRun, filed_office: Office) -> None:
    with_keys = cli("archive", "verify", user=OFFICER)
    without = cli("archive", "verify", "--json", user="钱审计")
    assert with_keys.exit_code == 0 and "4 条已逐块解密认证" in with_keys.output and "校验通过" in with_keys.output
    report = json.loads(without.output)
    assert without.exit_code == 0 and report["ok"] and report["records_checked"] == 4
    assert report["records_decrypted"] == 0
