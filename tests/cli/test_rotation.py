"""``xinfang keys rotate`` from the command line: what the officer is told, and what everyone else still sees."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from archive import Level, login
from archive import rotation as rotation_module
from archive.keyring import LevelKey
from tests.conftest import ADMIN, OFFICER, PASSPHRASE, CliRun, Office

LEADER, CLERK, AUDITOR, JUNIOR = "吴领导", "王文秘", "钱审计", "郑秘书"
EXIT_OK, EXIT_INVALID, EXIT_PERMISSION = 0, 1, 3


def what_the_leader_sees(cli: CliRun, office: Office, out: Path) -> tuple[str, dict[str, bytes]]:
    """The leader's search hits (JSON) and the content of every record, through the command line."""
    found = cli("search", "挪用", "--json", user=LEADER)
    assert found.exit_code == EXIT_OK and json.loads(found.output)["count"] == len(office.records), found.output
    contents = {}
    for record_id in office.records.values():
        got = cli("archive", "get", record_id, "--out", str(out / record_id), user=LEADER)
        assert got.exit_code == EXIT_OK, got.output
        contents[record_id] = (out / record_id).read_bytes()
    return found.output, contents


def verified(cli: CliRun) -> str:
    """``archive verify`` and ``audit verify`` by the auditor, who holds no key; the former's output."""
    archive = cli("archive", "verify", user=AUDITOR)
    assert archive.exit_code == EXIT_OK, archive.output
    audit = cli("audit", "verify", user=AUDITOR)
    assert audit.exit_code == EXIT_OK, audit.output
    return archive.output


def test_after_an_account_is_disabled_the_officer_rotates_and_nothing_changes_for_the_others(
    filed_office: Office, cli: CliRun, tmp_path: Path
) -> None:
    assert cli("search", "reindex", user=LEADER).exit_code == EXIT_OK
    made = cli("keys", "recovery-sheets", "--out", str(tmp_path / "恢复单"), user=OFFICER)
    assert made.exit_code == EXIT_OK, made.output
    (tmp_path / "前").mkdir()
    before = what_the_leader_sees(cli, filed_office, tmp_path / "前")
    assert cli("user", "disable", JUNIOR, user=ADMIN).exit_code == EXIT_OK
    warned = verified(cli)
    assert "秘密级密钥待轮换（" in warned and f"停用账户 {JUNIOR}" in warned

    done = cli("keys", "rotate", user=OFFICER)
    assert done.exit_code == EXIT_OK, done.output
    assert "秘密级密钥已轮换到第 2 版：封装给 5 个账户；本次重新封装记录密钥 1 件、信访件密钥 0 件" in done.output
    assert "内部级密钥已轮换到第 2 版：封装给 5 个账户；本次重新封装记录密钥 1 件、信访件密钥 3 件" in done.output
    assert "旧版本密钥的封装已删除" in done.output
    assert "第 1 套恢复单已不能恢复公开、内部、秘密、机密、绝密级密钥：请制作新的一套恢复单" in done.output
    (tmp_path / "后").mkdir()
    assert what_the_leader_sees(cli, filed_office, tmp_path / "后") == before
    assert "待轮换" not in verified(cli)

    log = json.loads(cli("audit", "log", "--action", "keys.rotate", "--json", user=AUDITOR).output)
    actions = [entry["action"] for entry in log]
    assert actions[0] == "keys.rotate.start" and actions[-1] == "keys.rotate"
    assert set(actions[1:-1]) == {"keys.rotate.rewrap"}
    assert log[0]["info"]["levels"] == [level.label for level in Level]
    assert log[-1]["info"]["grants_removed"] > 0
    with filed_office.open() as archive:  # no key material in the log, in any spelling
        keys = login(archive, OFFICER, PASSPHRASE).level_keys.values()
        bodies = "".join(body for (body,) in archive.conn.execute("SELECT body FROM audit_entries"))
    for key in keys:
        assert key.key.hex() not in bodies and base64.b64encode(key.key).decode() not in bodies


@pytest.mark.parametrize("name", [LEADER, ADMIN, AUDITOR, CLERK])
def test_only_the_security_officer_may_rotate(filed_office: Office, cli: CliRun, name: str) -> None:
    refused = cli("keys", "rotate", user=name)
    assert refused.exit_code == EXIT_PERMISSION and "需要以下角色之一：安全保密管理员" in refused.stderr


def test_one_level_only_and_an_unknown_level(filed_office: Office, cli: CliRun) -> None:
    done = cli("keys", "rotate", "--level", "机密", user=OFFICER)
    assert done.exit_code == EXIT_OK, done.output
    assert "机密级密钥已轮换到第 2 版" in done.output and "秘密级" not in done.output
    with filed_office.raw_catalogue() as conn:
        versions = dict(conn.execute("SELECT level, MAX(version) FROM level_keys GROUP BY level").fetchall())
    assert versions == {level.value: 2 if level == Level.CONFIDENTIAL else 1 for level in Level}
    unknown = cli("keys", "rotate", "--level", "特密", user=OFFICER)
    assert unknown.exit_code == EXIT_INVALID and "特密" in unknown.stderr


def test_an_interrupted_rotation_is_finished_by_running_it_again(
    filed_office: Office, cli: CliRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = LevelKey.older

    def interrupted(self: LevelKey, version: int) -> LevelKey:
        if self.level == Level.SECRET:
            raise KeyboardInterrupt
        return older(self, version)

    monkeypatch.setattr(rotation_module, "BATCH", 1)
    monkeypatch.setattr(LevelKey, "older", interrupted)
    killed = cli("keys", "rotate", user=OFFICER)
    assert killed.exit_code != EXIT_OK and "已轮换" not in killed.output
    monkeypatch.undo()
    warned = verified(cli)
    assert "秘密级密钥待轮换（" in warned and "轮换到第 2 版未完成：请再次运行 xinfang keys rotate" in warned
    got = cli("archive", "get", filed_office.records[Level.SECRET], "--out", str(tmp_path / "秘密.txt"), user=CLERK)
    assert got.exit_code == EXIT_OK, got.output

    again = cli("keys", "rotate", user=OFFICER)
    assert again.exit_code == EXIT_OK, again.output
    assert "秘密级密钥已轮换到第 2 版（续完上次中断的轮换）" in again.output
    assert "待轮换" not in verified(cli)
    with filed_office.raw_catalogue() as conn:
        assert conn.execute("SELECT DISTINCT version FROM level_key_grants").fetchall() == [(2,)]
