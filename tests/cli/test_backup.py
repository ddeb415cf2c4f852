"""``xinfang backup`` from the command line: make, check and restore a backup, and what each refuses."""

from __future__ import annotations

import json
import re
from pathlib import Path

from archive import Level
from archive.backup import MANIFEST_NAME, SNAPSHOT_DIR
from tests.conftest import ADMIN, OFFICER, CliRun, Office

AUDITOR, CLERK = "钱审计", "王文秘"


def flip(path: Path, offset: int = -20) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_create_verify_restore_and_the_result_passes_archive_verify(cli: CliRun, filed_office: Office,
                                                                   tmp_path: Path) -> None:
    backup, target = tmp_path / "备份", tmp_path / "恢复"
    made = cli("backup", "create", str(backup), user=ADMIN)
    assert made.exit_code == 0, made.output
    assert "已备份到" in made.output and "记录文件 4 个" in made.output and f"清单由 {ADMIN} 签署" in made.output
    checked = cli("backup", "verify", str(backup), user=None, passphrase=None)
    assert checked.exit_code == 0, checked.output
    assert "校验通过" in checked.output and f"{ADMIN} 签署" in checked.output
    restored = cli("backup", "restore", str(backup), "--archive", str(target), user=ADMIN)
    assert restored.exit_code == 0, restored.output
    assert "已恢复到" in restored.output and "无法写明丢弃了多少" in restored.output
    verified = cli("archive", "verify", user=AUDITOR, archive=target)
    assert verified.exit_code == 0 and "校验通过" in verified.output, verified.output
    record_id = filed_office.records[Level.CONFIDENTIAL]
    for folder, name in ((filed_office.path, "原.txt"), (target, "恢复.txt")):
        got = cli("archive", "get", record_id, "--out", str(tmp_path / name), user=OFFICER, archive=folder)
        assert got.exit_code == 0, got.output
    assert (tmp_path / "原.txt").read_bytes() == (tmp_path / "恢复.txt").read_bytes()


def test_a_flipped_byte_in_a_record_file_or_the_manifest_is_exit_4(cli: CliRun, filed_office: Office,
                                                                   tmp_path: Path) -> None:
    backup = tmp_path / "备份"
    assert cli("backup", "create", str(backup), user=ADMIN).exit_code == 0
    record = backup / SNAPSHOT_DIR / "records" / "2026" / f"{filed_office.records[Level.SECRET]}.xfr"
    flip(record)
    result = cli("backup", "verify", str(backup), user=None)
    assert result.exit_code == 4 and "Traceback" not in result.output
    assert f"问题  备份文件 records/2026/{record.name}：内容与清单中的 SHA-256 不符" in result.output
    assert "发现" in result.output
    flip(record)
    flip(backup / MANIFEST_NAME, 60)
    result = cli("backup", "verify", str(backup), "--json", user=None)
    assert result.exit_code == 4
    report = json.loads(result.output)
    assert not report["ok"] and report["problems"][0]["where"] == "备份清单"
    restored = cli("backup", "restore", str(backup), "--archive", str(tmp_path / "恢复"), user=ADMIN)
    assert restored.exit_code == 4 and "备份清单" in restored.output and not (tmp_path / "恢复").exists()


def test_restore_after_a_later_checkpoint_is_reported_as_a_rollback(cli: CliRun, filed_office: Office,
                                                                    tmp_path: Path) -> None:
    backup, target, later = tmp_path / "备份", tmp_path / "恢复", tmp_path / "检查点-之后.txt"
    assert cli("backup", "create", str(backup), user=ADMIN).exit_code == 0
    assert cli("archive", "list", user=CLERK).exit_code == 0
    assert cli("audit", "checkpoint", "--out", str(later), user=AUDITOR).exit_code == 0
    restored = cli("backup", "restore", str(backup), "--archive", str(target), "--later-checkpoint", str(later),
                   user=ADMIN)
    assert restored.exit_code == 0, restored.output
    later_size = int(re.search(r"条目数：(\d+)", later.read_text(encoding="utf-8")).group(1))
    backed_up = json.loads((backup / MANIFEST_NAME).read_text(encoding="utf-8"))["log"]["size"]
    discarded = later_size - backed_up  # backup.create, archive list, audit.checkpoint
    assert f"丢弃：检查点 {later.name}" in restored.output and f"至少还有 {discarded} 条日志条目" in restored.output
    plain = cli("audit", "verify", user=None, archive=target)
    assert plain.exit_code == 0, plain.output
    against = cli("audit", "verify", "--against", str(later), user=None, archive=target)
    assert against.exit_code == 4 and "回滚" in against.output, against.output
    entries = json.loads(cli("audit", "log", "--action", "backup.restore", "--json", user=AUDITOR, archive=target).output)
    assert entries[0]["actor"] == ADMIN and entries[0]["info"]["discarded_entries"] == discarded >= 3


def test_who_may_make_and_restore_backups(cli: CliRun, filed_office: Office, tmp_path: Path) -> None:
    backup = tmp_path / "备份"
    refused = cli("backup", "create", str(backup), user=CLERK)
    assert refused.exit_code == 3 and "系统管理员" in refused.output and not backup.exists()
    assert cli("backup", "create", str(backup), user=ADMIN).exit_code == 0
    target = str(tmp_path / "恢复")
    assert cli("backup", "restore", str(backup), "--archive", target, user=CLERK).exit_code == 3
    assert cli("backup", "restore", str(backup), "--archive", target, user=ADMIN, passphrase="wrong one").exit_code == 5
    again = cli("backup", "create", str(backup), user=ADMIN)
    assert again.exit_code == 1 and "不是空文件夹" in again.output


def test_a_folder_that_is_not_a_backup(cli: CliRun, filed_office: Office, tmp_path: Path) -> None:
    missing = cli("backup", "verify", str(tmp_path / "没有"), user=None)
    assert missing.exit_code == 1 and "不存在" in missing.output
    other = cli("backup", "verify", str(filed_office.path), user=None)
    assert other.exit_code == 1 and "不是 xinfang 备份" in other.output and "Traceback" not in other.output
