from __future__ import annotations

import json

from archive import Level, login
from archive.accounts import find_account
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


# --- the unit (所在单位), which decides 回避 -------------------------------------------------------


def test_the_admin_adds_an_account_with_its_unit_and_user_list_shows_it(cli: CliRun, office: Office) -> None:
    result = cli("user", "add", "冯文秘", "--role", "secretary", "--unit", "某镇人民政府", user=ADMIN,
                 env={"XINFANG_NEW_PASSPHRASE": "新同志的口令 1234"})
    assert result.exit_code == 0, result.output
    listed = {a["name"]: a for a in json.loads(cli("user", "list", "--json", user=ADMIN).output)}
    assert listed["冯文秘"]["unit"] == "某镇人民政府" and listed["王文秘"]["unit"] is None
    table = cli("user", "list", user=ADMIN)
    assert "所在单位" in table.output and "某镇人民政府" in table.output


def test_user_unit_sets_and_clears_the_unit_and_verify_still_passes(cli: CliRun, office: Office) -> None:
    result = cli("user", "unit", "王文秘", "某镇人民政府", user=ADMIN)
    assert result.exit_code == 0, result.output
    assert "王文秘 的所在单位：某镇人民政府" in result.output
    with office.open() as archive:
        assert find_account(archive.conn, "王文秘").unit == "某镇人民政府"
    assert cli("archive", "verify", user="钱审计").exit_code == 0
    cleared = cli("user", "unit", "王文秘", "无", user=ADMIN)
    assert cleared.exit_code == 0 and "王文秘 的所在单位：无" in cleared.output
    with office.open() as archive:
        assert find_account(archive.conn, "王文秘").unit is None
    assert cli("archive", "verify", user="钱审计").exit_code == 0


def test_a_unit_edited_by_hand_fails_verify_with_exit_4(cli: CliRun, office: Office) -> None:
    assert cli("user", "unit", "孙档案", "某镇人民政府", user=ADMIN).exit_code == 0
    with office.raw_catalogue() as conn:
        conn.execute("UPDATE accounts SET unit = NULL WHERE name = '孙档案'")
    result = cli("archive", "verify", user="钱审计")
    assert result.exit_code == 4 and "孙档案" in result.output


def test_only_the_admin_sets_units_and_an_unknown_user_or_bad_unit_is_refused(cli: CliRun, office: Office) -> None:
    denied = cli("user", "unit", "王文秘", "某镇人民政府", user=OFFICER)
    assert denied.exit_code == 3 and "系统管理员" in denied.stderr
    unknown = cli("user", "unit", "王不存在", "某镇人民政府", user=ADMIN)
    assert unknown.exit_code == 1 and "王不存在" in unknown.stderr
    garbled = cli("user", "unit", "王文秘", "某镇\x07政府", user=ADMIN)
    assert garbled.exit_code == 1 and "所在单位" in garbled.stderr
    refused = cli("user", "add", "冯文秘", "--role", "secretary", "--unit", " ", user=ADMIN,
                  env={"XINFANG_NEW_PASSPHRASE": "新同志的口令 1234"})
    assert refused.exit_code == 1 and "所在单位" in refused.stderr
    with office.open() as archive:
        assert find_account(archive.conn, "王文秘").unit is None and find_account(archive.conn, "冯文秘") is None
