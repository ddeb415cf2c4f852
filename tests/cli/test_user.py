from __future__ import annotations

import json

from archive import Level, login
from tests.conftest import ADMIN, OFFICER, PASSPHRASE, CliRun, Office


def test_the_admin_adds_an_account_without_clearance(cli: CliRun, office: Office) -> None:
    result = cli("user", "add", "新文秘", "--role", "文秘", "--role", "archivist", user=ADMIN,
                 env={"XINFANG_NEW_PASSPHRASE": "新同志的口令 1234"})
    assert result.exit_code == 0, result.output
    assert "已创建账户 新文秘" in result.output and "尚无密级授权" in result.output
    with office.open() as archive:
        session = login(archive, "新文秘", "新同志的口令 1234")
        assert session.level_keys == {} and {r.value for r in session.roles} == {"secretary", "archivist"}


def test_the_security_officer_sets_a_clearance_and_lowering_warns_about_rotation(cli: CliRun, office: Office) -> None:
    raised = cli("user", "clearance", "郑秘书", "机密", user=OFFICER)
    assert raised.exit_code == 0 and "秘密 → 机密" in raised.output
    lowered = cli("user", "clearance", "郑秘书", "内部", user=OFFICER)
    assert lowered.exit_code == 0 and "轮换" in lowered.output
    removed = cli("user", "clearance", "郑秘书", "无", user=OFFICER)
    assert removed.exit_code == 0 and "内部 → 无" in removed.output
    with office.open() as archive:
        assert login(archive, "郑秘书", PASSPHRASE).level_keys == {}


def test_user_list_json_shows_roles_status_and_clearance(cli: CliRun, office: Office) -> None:
    result = cli("user", "list", "--json", user="钱审计")
    assert result.exit_code == 0, result.output
    accounts = {a["name"]: a for a in json.loads(result.output)}
    assert accounts["吴领导"]["clearance"] == "绝密" and accounts[ADMIN]["clearance"] is None
    assert accounts["钱审计"]["roles"] == ["安全审计员"] and accounts["王文秘"]["status"] == "active"


def test_user_list_table(cli: CliRun, office: Office) -> None:
    result = cli("user", "list", user=ADMIN)
    assert result.exit_code == 0
    assert "赵保密" in result.output and "安全保密管理员" in result.output and "绝密" in result.output


def test_passwd_changes_only_the_own_passphrase(cli: CliRun, office: Office) -> None:
    result = cli("user", "passwd", user="王文秘", env={"XINFANG_NEW_PASSPHRASE": "换一个新口令 5678"})
    assert result.exit_code == 0, result.output
    assert cli("archive", "list", user="王文秘").exit_code == 5
    assert cli("archive", "list", user="王文秘", passphrase="换一个新口令 5678").exit_code == 0


def test_disable_wipes_the_slot_and_says_rotation_is_due(cli: CliRun, office: Office) -> None:
    result = cli("user", "disable", "王文秘", user=ADMIN)
    assert result.exit_code == 0, result.output
    assert "已停用 王文秘" in result.output and "轮换" in result.output
    denied = cli("archive", "list", user="王文秘")
    assert denied.exit_code == 5 and "用户名或口令错误" in denied.output
    with office.open() as archive:
        assert max(login(archive, OFFICER, PASSPHRASE).level_keys) == Level.TOP_SECRET
