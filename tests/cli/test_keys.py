"""``xinfang keys`` from the command line: recovery sheets made, a lost officer replaced, refusals and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import Result

from archive import Level, login
from tests.conftest import ADMIN, OFFICER, PASSPHRASE, CliRun, Office

NEW_OFFICER, NEW_PASSPHRASE = "孙保密", "新保密员的口令 river stone"
EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_PERMISSION, EXIT_INTEGRITY, EXIT_CREDENTIALS = 0, 1, 2, 3, 4, 5


def make_sheets(cli: CliRun, out: Path, *options: str) -> list[Path]:
    made = cli("keys", "recovery-sheets", *options, "--out", str(out), user=OFFICER)
    assert made.exit_code == EXIT_OK, made.output
    return sorted(out.glob("*.txt"))


def add_new_officer(cli: CliRun) -> None:
    added = cli("user", "add", NEW_OFFICER, "--role", "security-officer", user=ADMIN,
                env={"XINFANG_NEW_PASSPHRASE": NEW_PASSPHRASE})
    assert added.exit_code == EXIT_OK, added.output


def recover(cli: CliRun, *sheets: Path, to: str = NEW_OFFICER, user: str = NEW_OFFICER,
            passphrase: str | None = None) -> Result:
    passphrase = passphrase or (NEW_PASSPHRASE if user == NEW_OFFICER else PASSPHRASE)
    return cli("keys", "recover", *map(str, sheets), "--to", to, user=user, passphrase=passphrase)


def test_a_forgotten_passphrase_loses_nothing(bare_office: Office, cli: CliRun, tmp_path: Path) -> None:
    made = cli("keys", "recovery-sheets", "--shares", "3", "--threshold", "2", "--out", str(tmp_path / "恢复单"),
               user=OFFICER)
    assert made.exit_code == EXIT_OK, made.output
    assert "已制作第 1 套恢复单：共 3 张，任意 2 张可恢复公开、内部、秘密、机密、绝密级密钥" in made.output
    assert "恢复单-第1套-第3张-共3张.txt" in made.output and "密钥指纹：" in made.output
    sheets = sorted((tmp_path / "恢复单").glob("*.txt"))
    assert len(sheets) == 3

    add_new_officer(cli)  # the administrator; the new officer holds no key yet
    done = recover(cli, sheets[2], sheets[0])
    assert done.exit_code == EXIT_OK, done.output
    assert "已用第 1 套恢复单（第 1、3 张）恢复公开、内部、秘密、机密、绝密级密钥，授予 孙保密" in done.output
    listed = {a["name"]: a for a in json.loads(cli("user", "list", "--json", user=ADMIN).output)}
    assert listed[NEW_OFFICER]["clearance"] == "绝密"
    # the new officer can now pass a level on, which takes holding its key
    assert cli("user", "clearance", "周调查", "机密", user=NEW_OFFICER, passphrase=NEW_PASSPHRASE).exit_code == 0
    assert cli("user", "disable", OFFICER, user=ADMIN).exit_code == EXIT_OK
    assert cli("archive", "verify", user="钱审计").exit_code == EXIT_OK
    log = json.loads(cli("audit", "log", "--action", "keys.", "--json", user="钱审计").output)
    assert [entry["action"] for entry in log] == ["keys.recovery-sheets", "keys.recover"]


def test_a_new_set_makes_the_old_one_useless(bare_office: Office, cli: CliRun, tmp_path: Path) -> None:
    first = make_sheets(cli, tmp_path / "一")
    second = cli("keys", "recovery-sheets", "--shares", "2", "--threshold", "2", "--out", str(tmp_path / "二"),
                 user=OFFICER)
    assert "此前的第 1 套恢复单自即日起作废" in second.output
    add_new_officer(cli)
    old = recover(cli, *first[:2])
    assert old.exit_code == EXIT_INVALID and "第 1 套恢复单已作废" in old.stderr
    mixed = recover(cli, first[0], sorted((tmp_path / "二").glob("*.txt"))[1])
    assert mixed.exit_code == EXIT_INVALID and "来自不同的套次" in mixed.stderr


def test_refusals_and_their_exit_codes(bare_office: Office, cli: CliRun, tmp_path: Path) -> None:
    sheets = make_sheets(cli, tmp_path / "恢复单")
    add_new_officer(cli)
    few = recover(cli, sheets[0])
    assert few.exit_code == EXIT_INVALID and "至少需要 2 张，只给了 1 张" in few.stderr
    twice = recover(cli, sheets[0], sheets[0])
    assert twice.exit_code == EXIT_INVALID and "给出了两次" in twice.stderr
    lines = sheets[1].read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("07  "))
    lines[index] = lines[index][:5] + ("X" if lines[index][5] != "X" else "Y") + lines[index][6:]
    typo = tmp_path / "抄错.txt"
    typo.write_text("\n".join(lines), encoding="utf-8")
    mistyped = recover(cli, sheets[0], typo)
    assert mistyped.exit_code == EXIT_INVALID and "恢复单 抄错.txt 第 07 行校验不符" in mistyped.stderr
    assert recover(cli, sheets[0], tmp_path / "没有.txt").exit_code == EXIT_INVALID
    assert recover(cli, sheets[0], sheets[1], user=ADMIN).exit_code == EXIT_PERMISSION
    assert recover(cli, sheets[0], sheets[1], to="王文秘").exit_code == EXIT_INVALID
    wrong = recover(cli, sheets[0], sheets[1], user=OFFICER, passphrase="不对的口令 12345")
    assert wrong.exit_code == EXIT_CREDENTIALS
    assert cli("keys", "recover", "--to", NEW_OFFICER, user=NEW_OFFICER,
               passphrase=NEW_PASSPHRASE).exit_code == EXIT_USAGE
    for result in (few, twice, mistyped):
        assert "Traceback" not in result.output
    with bare_office.open() as archive:
        assert login(archive, NEW_OFFICER, NEW_PASSPHRASE).level_keys == {}


def test_a_tampered_set_is_an_integrity_failure(bare_office: Office, cli: CliRun, tmp_path: Path) -> None:
    sheets = make_sheets(cli, tmp_path / "恢复单")
    add_new_officer(cli)
    with bare_office.raw_catalogue() as conn:
        conn.execute("UPDATE recovery_sets SET secret_sha256 = ?", ("0" * 64,))
    tampered = recover(cli, *sheets[:2])
    assert tampered.exit_code == EXIT_INTEGRITY and "密钥指纹不符" in tampered.stderr
    assert cli("archive", "verify", user="钱审计").exit_code == EXIT_INTEGRITY


def test_making_sheets_is_the_security_officers_alone(bare_office: Office, cli: CliRun, tmp_path: Path) -> None:
    for name in (ADMIN, "吴领导", "钱审计"):
        refused = cli("keys", "recovery-sheets", "--out", str(tmp_path / "x"), user=name)
        assert refused.exit_code == EXIT_PERMISSION and "安全保密管理员" in refused.stderr
    bad = cli("keys", "recovery-sheets", "--shares", "3", "--threshold", "1", "--out", str(tmp_path / "x"),
              user=OFFICER)
    assert bad.exit_code == EXIT_INVALID and "门限" in bad.stderr
    assert cli("keys", "recovery-sheets", user=OFFICER).exit_code == EXIT_USAGE
    inside = cli("keys", "recovery-sheets", "--out", str(bare_office.path / "x"), user=OFFICER)
    assert inside.exit_code == EXIT_INVALID and not (bare_office.path / "x").exists()
    assert not (tmp_path / "x").exists() or not list((tmp_path / "x").iterdir())
    with bare_office.open() as archive:
        assert set(login(archive, OFFICER, PASSPHRASE).level_keys) == set(Level)
