from __future__ import annotations

import json
import tomllib
from pathlib import Path

from archive import Archive, login
from tests.conftest import PASSPHRASE, CliRun

INIT = ["init", "--org", "伊金霍洛旗纪委监委", "--org-code", "伊纪", "--fonds", "J001",
        "--admin", "李管理", "--security-officer", "赵保密"]
SECRETS = {"XINFANG_ADMIN_PASSPHRASE": PASSPHRASE, "XINFANG_SECURITY_PASSPHRASE": PASSPHRASE + "2"}


def test_init_creates_the_folder_with_settings_catalogue_and_two_accounts(cli: CliRun, tmp_path: Path) -> None:
    result = cli(*INIT, env=SECRETS)
    assert result.exit_code == 0, result.output
    assert "已创建档案库" in result.output
    folder = tmp_path / "archive"
    settings = tomllib.loads((folder / "xinfang.toml").read_text())
    assert settings["organisation"] == {"name": "伊金霍洛旗纪委监委", "code": "伊纪", "fonds": "J001",
                                        "category_code": "WS", "unit_code": "XFS", "contacts": []}
    assert settings["deadlines"]["general_days"] == 30 and settings["deadlines"]["important_days"] == 90
    assert PASSPHRASE not in (folder / "xinfang.toml").read_text()
    with Archive.open(folder) as archive:
        assert login(archive, "李管理", PASSPHRASE).level_keys == {}
        assert len(login(archive, "赵保密", PASSPHRASE + "2").level_keys) == 5
        (mode,) = archive.conn.execute("PRAGMA journal_mode").fetchone()
        (secure,) = archive.conn.execute("PRAGMA secure_delete").fetchone()
    assert (mode, secure) == ("wal", 1)


def test_passphrases_can_come_from_files_or_a_confirmed_prompt(cli: CliRun, tmp_path: Path) -> None:
    secret_file = tmp_path / "admin.pass"
    secret_file.write_text(PASSPHRASE + "\n")
    result = cli(*INIT, "--admin-passphrase-file", str(secret_file), input=f"{PASSPHRASE}3\n{PASSPHRASE}3\n")
    assert result.exit_code == 0, result.output
    with Archive.open(tmp_path / "archive") as archive:
        login(archive, "李管理", PASSPHRASE)
        login(archive, "赵保密", PASSPHRASE + "3")


def test_a_prompt_whose_confirmation_differs_asks_again(cli: CliRun) -> None:
    result = cli(*INIT, env={"XINFANG_ADMIN_PASSPHRASE": PASSPHRASE},
                 input=f"{PASSPHRASE}x\n{PASSPHRASE}y\n{PASSPHRASE}z\n{PASSPHRASE}z\n")
    assert result.exit_code == 0, result.output
    assert "两次输入不一致" in result.output


def test_the_weak_test_kdf_is_only_used_when_asked(cli: CliRun, tmp_path: Path) -> None:
    result = cli(*INIT, env=SECRETS | {"XINFANG_INSECURE_TEST_KDF": None})
    assert result.exit_code == 0, result.output
    slot = json.loads(next((tmp_path / "archive" / "keyslots").iterdir()).read_text())
    assert slot["kdf"]["memory_cost"] == 65536 and slot["kdf"]["time_cost"] == 3
