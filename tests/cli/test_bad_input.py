"""Bad input through the command line: wrong values, missing options, unreadable files,
wrong credentials, reads outside permission and refused role changes.

Every case checks what a user would check: the exit code of the contract, a Chinese
message that says what was wrong, no traceback — and that nothing was written.
"""

from __future__ import annotations

import builtins
import errno
import json
import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from archive import KdfParams, Level, Role, add_account, disable_account, set_clearance
from tests.conftest import ADMIN, OFFICER, PASSPHRASE, SECRET_TEXT, SECRET_TITLE, CliRun, Office

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_PERMISSION, EXIT_CREDENTIALS = 0, 1, 2, 3, 5
NEW_PASSPHRASE = "新员工的初始口令 staple battery"
CJK = re.compile(r"[\u4e00-\u9fff]")
INIT_OPTIONS = ("init", "--org", "伊金霍洛旗纪委监委", "--org-code", "伊纪", "--fonds", "J001")


# --- helpers ---------------------------------------------------------------------------------


def assert_no_traceback(result: Result) -> None:
    """No traceback, and not the catch-all "internal error" that stands in for one."""
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream, stream
        assert "程序内部错误" not in stream, stream
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def assert_refused(result: Result, code: int, *, naming: str | None = None) -> str:
    """The command failed with ``code`` and a Chinese message (naming ``naming``) on stderr."""
    assert result.exit_code == code, (result.exit_code, result.output)
    assert_no_traceback(result)
    assert CJK.search(result.stderr), result.stderr
    if naming is not None:
        assert naming in result.stderr, result.stderr
    return result.stderr


def archive_state(office: Office) -> dict[str, Any]:
    """What a refused command must leave alone: catalogue rows, keyslots and record files."""
    with office.open() as archive:
        conn = archive.conn
        state: dict[str, Any] = {
            "records": conn.execute("SELECT record_id, level FROM records ORDER BY record_id").fetchall(),
            "accounts": conn.execute(
                "SELECT name, roles, status, slot_sha256 FROM accounts ORDER BY account_id"
            ).fetchall(),
            "grants": conn.execute(
                "SELECT account_id, level, version, wrapped FROM level_key_grants ORDER BY 1, 2, 3"
            ).fetchall(),
            "sequences": conn.execute("SELECT series, year, last FROM sequences ORDER BY 1, 2").fetchall(),
        }
    state["files"] = sorted(
        (str(path.relative_to(office.path)), path.read_bytes())
        for folder in ("records", "keyslots")
        for path in (office.path / folder).rglob("*")
        if path.is_file()
    )
    return state


def folder_contents(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` (None for folders) with its bytes."""
    return {
        str(path.relative_to(folder)): (path.read_bytes() if path.is_file() else None)
        for path in sorted(folder.rglob("*"))
    }


def clearance_of(office: Office, name: str) -> set[int]:
    with office.open() as archive:
        rows = archive.conn.execute(
            "SELECT DISTINCT g.level FROM level_key_grants g JOIN accounts a USING (account_id) WHERE a.name = ?",
            (name,),
        ).fetchall()
    return {level for (level,) in rows}


def letter(tmp_path: Path, name: str = "来信.txt") -> Path:
    source = tmp_path / name
    source.write_text(SECRET_TEXT, encoding="utf-8")
    return source


def add_args(*files: Path, **options: str) -> list[str]:
    values = {"case": "XF-2026-0001", "title": SECRET_TITLE, "kind": "letter", "classification": "秘密"} | options
    args = ["archive", "add", *map(str, files)]
    for option, value in values.items():
        args += [f"--{option}", value]
    return args


def this_year_id(number: int) -> str:
    return f"R-{date.today().year}-{number:06d}"


# --- unknown values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "bad"),
    [("kind", "telegram"), ("kind", "来信原稿"), ("classification", "超绝密"), ("classification", "secret!"),
     ("retention", "D20"), ("retention", "五十年")],
)
def test_unknown_record_option_value_is_named_and_nothing_is_filed(
    cli: CliRun, filed_office: Office, tmp_path: Path, option: str, bad: str
) -> None:
    before = archive_state(filed_office)
    result = cli(*add_args(letter(tmp_path), **{option: bad}), user="王文秘")
    assert_refused(result, EXIT_INVALID, naming=bad)
    assert archive_state(filed_office) == before


def test_unknown_role_is_named_and_no_account_is_made(cli: CliRun, office: Office) -> None:
    before = archive_state(office)
    result = cli("user", "add", "冯新人", "--role", "secretary", "--role", "janitor", user=ADMIN,
                 env={"XINFANG_NEW_PASSPHRASE": NEW_PASSPHRASE})
    assert_refused(result, EXIT_INVALID, naming="janitor")
    assert archive_state(office) == before
    login = cli("archive", "list", user="冯新人", passphrase=NEW_PASSPHRASE)
    assert login.exit_code == EXIT_CREDENTIALS


def test_unknown_clearance_level_is_named_and_nothing_changes(cli: CliRun, office: Office) -> None:
    before = archive_state(office)
    result = cli("user", "clearance", "周调查", "特级", user=OFFICER)
    assert_refused(result, EXIT_INVALID, naming="特级")
    assert archive_state(office) == before


# --- missing required options ----------------------------------------------------------------


@pytest.mark.parametrize(
    "drop", ["case", "title", "kind", "classification"],
)
def test_archive_add_without_a_required_option_is_a_usage_error(
    cli: CliRun, office: Office, tmp_path: Path, drop: str
) -> None:
    before = archive_state(office)
    args = add_args(letter(tmp_path))
    position = args.index(f"--{drop}")
    del args[position : position + 2]
    result = cli(*args, user="王文秘")
    assert result.exit_code == EXIT_USAGE, result.output
    assert f"--{drop}" in result.stderr
    assert_no_traceback(result)
    assert archive_state(office) == before


@pytest.mark.parametrize(
    "args",
    [
        ("archive", "add", "--case", "XF-2026-0001", "--title", "无文件", "--kind", "letter", "--classification", "秘密"),
        ("archive", "get", "R-2026-000001"),
        ("archive", "get", "--out", "x.txt"),
        ("user", "add", "冯新人"),
        ("user", "clearance", "周调查"),
        ("user", "disable"),
    ],
    ids=["add-no-files", "get-no-out", "get-no-id", "user-add-no-role", "clearance-no-level", "disable-no-name"],
)
def test_missing_argument_or_option_is_a_usage_error(
    cli: CliRun, office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    monkeypatch.chdir(tmp_path)
    before = archive_state(office)
    result = cli(*args, user=ADMIN if args[0] == "user" else "王文秘", env={"XINFANG_NEW_PASSPHRASE": NEW_PASSPHRASE})
    assert result.exit_code == EXIT_USAGE, result.output
    assert_no_traceback(result)
    assert archive_state(office) == before
    assert not (tmp_path / "x.txt").exists()


@pytest.mark.parametrize("drop", ["--org", "--org-code", "--fonds", "--admin", "--security-officer"])
def test_init_without_a_required_option_is_a_usage_error_and_creates_nothing(
    cli: CliRun, tmp_path: Path, drop: str
) -> None:
    target = tmp_path / "新档案库"
    args = [*INIT_OPTIONS, "--admin", "李管理", "--security-officer", "赵保密"]
    position = args.index(drop)
    del args[position : position + 2]
    result = cli(*args, archive=target, env={"XINFANG_ADMIN_PASSPHRASE": PASSPHRASE,
                                             "XINFANG_SECURITY_PASSPHRASE": PASSPHRASE + "2"})
    assert result.exit_code == EXIT_USAGE, result.output
    assert drop in result.stderr
    assert_no_traceback(result)
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# --- input files -----------------------------------------------------------------------------


def test_missing_input_file_is_refused_and_names_the_file(cli: CliRun, office: Office, tmp_path: Path) -> None:
    before = archive_state(office)
    missing = tmp_path / "不存在的来信.pdf"
    assert_refused(cli(*add_args(missing), user="王文秘"), EXIT_INVALID, naming=missing.name)
    assert archive_state(office) == before


def test_directory_as_input_is_refused(cli: CliRun, office: Office, tmp_path: Path) -> None:
    before = archive_state(office)
    folder = tmp_path / "一个文件夹"
    folder.mkdir()
    (folder / "里面的文件.txt").write_text(SECRET_TEXT, encoding="utf-8")
    assert_refused(cli(*add_args(folder), user="王文秘"), EXIT_INVALID, naming=folder.name)
    assert archive_state(office) == before


def test_path_through_a_file_is_refused(cli: CliRun, office: Office, tmp_path: Path) -> None:
    before = archive_state(office)
    bogus = letter(tmp_path) / "附件.txt"
    assert_refused(cli(*add_args(bogus), user="王文秘"), EXIT_INVALID, naming="附件.txt")
    assert archive_state(office) == before


def test_unreadable_input_file_is_refused(
    cli: CliRun, office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = letter(tmp_path, "无权读取的来信.txt")
    locked.chmod(0)
    if os.geteuid() == 0:  # root ignores mode bits: answer as the kernel would for anyone else
        real_open = builtins.open

        def open_as_unprivileged(file: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(file, (str, os.PathLike)) and Path(file) == locked:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", open_as_unprivileged)
    before = archive_state(office)
    try:
        stderr = assert_refused(cli(*add_args(locked), user="王文秘"), EXIT_INVALID, naming=locked.name)
    finally:
        locked.chmod(0o600)
    assert "没有访问权限" in stderr
    assert archive_state(office) == before


def test_one_bad_file_among_good_ones_files_none_of_them(cli: CliRun, office: Office, tmp_path: Path) -> None:
    before = archive_state(office)
    good = [letter(tmp_path, f"附件{n}.txt") for n in range(3)]
    missing = tmp_path / "缺失的附件.txt"
    result = cli(*add_args(good[0], good[1], missing, good[2]), user="王文秘")
    assert_refused(result, EXIT_INVALID, naming=missing.name)
    assert "已归入" not in result.stdout
    assert archive_state(office) == before


@pytest.mark.parametrize("formed", ["2026-02-30", "2026-13-01", "2026年2月30日", "2026/11/05", "昨天"])
def test_invalid_formed_date_is_refused(cli: CliRun, office: Office, tmp_path: Path, formed: str) -> None:
    before = archive_state(office)
    result = cli(*add_args(letter(tmp_path), formed=formed), user="王文秘")
    assert_refused(result, EXIT_INVALID, naming=formed)
    assert archive_state(office) == before


@pytest.mark.parametrize(
    ("option", "value"),
    [("title", "   "), ("title", "长" * 201), ("case", " ")],
    ids=["blank-title", "overlong-title", "blank-case"],
)
def test_blank_or_overlong_descriptions_are_refused(
    cli: CliRun, office: Office, tmp_path: Path, option: str, value: str
) -> None:
    before = archive_state(office)
    assert_refused(cli(*add_args(letter(tmp_path), **{option: value}), user="王文秘"), EXIT_INVALID)
    assert archive_state(office) == before


# --- credentials -----------------------------------------------------------------------------


def test_wrong_passphrase_and_unknown_user_get_the_same_answer(cli: CliRun, office: Office) -> None:
    before = archive_state(office)
    wrong = cli("archive", "list", user="王文秘", passphrase="不是这个口令 wrong horse")
    unknown = cli("archive", "list", user="王不存在", passphrase=PASSPHRASE)
    wrong_message = assert_refused(wrong, EXIT_CREDENTIALS)
    unknown_message = assert_refused(unknown, EXIT_CREDENTIALS)
    assert wrong_message == unknown_message
    assert "王不存在" not in unknown_message and "wrong horse" not in wrong_message
    assert wrong.stdout == unknown.stdout == ""
    assert archive_state(office)["records"] == before["records"]
    assert cli("archive", "list", user="王文秘").exit_code == EXIT_OK


def test_disabled_user_cannot_log_in(cli: CliRun, office: Office) -> None:
    with office.open() as archive:
        disable_account(archive, office.session(archive, ADMIN), "郑秘书")
    result = cli("archive", "list", user="郑秘书")
    message = assert_refused(result, EXIT_CREDENTIALS)
    unknown = cli("archive", "list", user="王不存在")
    assert message == unknown.stderr


def test_empty_passphrase_is_wrong_credentials(cli: CliRun, office: Office) -> None:
    assert_refused(cli("archive", "list", user="王文秘", passphrase=""), EXIT_CREDENTIALS)


def test_no_user_given_is_wrong_credentials(cli: CliRun, office: Office) -> None:
    assert_refused(cli("archive", "list", user=None), EXIT_CREDENTIALS)


# --- reading outside permission --------------------------------------------------------------


def test_nonexistent_and_above_clearance_records_are_indistinguishable(
    cli: CliRun, filed_office: Office, tmp_path: Path
) -> None:
    top_secret = filed_office.records[Level.TOP_SECRET]
    nonexistent = this_year_id(999)
    hidden = cli("archive", "get", top_secret, "--out", str(tmp_path / "a.txt"), user="王文秘")
    absent = cli("archive", "get", nonexistent, "--out", str(tmp_path / "b.txt"), user="王文秘")
    assert hidden.exit_code == absent.exit_code != EXIT_OK
    assert_no_traceback(hidden)
    assert_no_traceback(absent)
    assert hidden.stderr.replace(top_secret, "<id>") == absent.stderr.replace(nonexistent, "<id>")
    assert hidden.stdout == absent.stdout == ""
    assert SECRET_TITLE not in hidden.output
    assert not (tmp_path / "a.txt").exists() and not (tmp_path / "b.txt").exists()
    listed = json.loads(cli("archive", "list", "--json", user="王文秘").stdout)
    assert top_secret not in {record["record_id"] for record in listed}


@pytest.mark.parametrize("reader", ["周调查", ADMIN, "钱审计"])
def test_investigator_admin_and_auditor_cannot_read_any_record(
    cli: CliRun, filed_office: Office, tmp_path: Path, reader: str
) -> None:
    nonexistent = this_year_id(999)
    absent = cli("archive", "get", nonexistent, "--out", str(tmp_path / "absent.txt"), user=reader)
    for level, record_id in filed_office.records.items():
        out = tmp_path / f"{level.name}.txt"
        result = cli("archive", "get", record_id, "--out", str(out), user=reader)
        assert result.exit_code == absent.exit_code == EXIT_INVALID, result.output
        assert_no_traceback(result)
        assert result.stderr.replace(record_id, "<id>") == absent.stderr.replace(nonexistent, "<id>")
        assert SECRET_TITLE not in result.output
        assert not out.exists()
    listed = cli("archive", "list", "--json", user=reader)
    assert listed.exit_code == EXIT_OK and json.loads(listed.stdout) == []


def test_out_pointing_at_an_existing_file_is_refused_and_left_alone(
    cli: CliRun, filed_office: Office, tmp_path: Path
) -> None:
    out = tmp_path / "已有文件.txt"
    out.write_bytes("别覆盖我".encode())
    result = cli("archive", "get", filed_office.records[Level.SECRET], "--out", str(out), user="王文秘")
    assert_refused(result, EXIT_INVALID, naming=out.name)
    assert out.read_bytes() == "别覆盖我".encode()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_out_existing_is_refused_the_same_for_a_hidden_record(
    cli: CliRun, filed_office: Office, tmp_path: Path
) -> None:
    out = tmp_path / "已有文件.txt"
    out.write_bytes(b"keep me")
    result = cli("archive", "get", filed_office.records[Level.TOP_SECRET], "--out", str(out), user="王文秘")
    assert result.exit_code != EXIT_OK
    assert_no_traceback(result)
    assert out.read_bytes() == b"keep me"


@pytest.mark.parametrize("record_id", ["", "R-2026-", "../../xinfang.toml", "R-2026-000001/../..", "记录一"])
def test_malformed_record_ids_are_refused_without_traceback(
    cli: CliRun, filed_office: Office, tmp_path: Path, record_id: str
) -> None:
    out = tmp_path / "out.txt"
    result = cli("archive", "get", record_id, "--out", str(out), user="吴领导")
    assert_refused(result, EXIT_INVALID)
    assert not out.exists()


# --- init ------------------------------------------------------------------------------------


def init_env(admin: str = PASSPHRASE, officer: str = PASSPHRASE + " 二") -> dict[str, str]:
    return {"XINFANG_ADMIN_PASSPHRASE": admin, "XINFANG_SECURITY_PASSPHRASE": officer}


def test_init_into_a_non_empty_folder_is_refused_and_leaves_it_untouched(cli: CliRun, tmp_path: Path) -> None:
    target = tmp_path / "有东西的文件夹"
    target.mkdir()
    (target / "笔记.txt").write_text("我的笔记", encoding="utf-8")
    (target / "子文件夹").mkdir()
    before = folder_contents(target)
    result = cli(*INIT_OPTIONS, "--admin", "李管理", "--security-officer", "赵保密", archive=target, env=init_env())
    assert_refused(result, EXIT_INVALID, naming=target.name)
    assert folder_contents(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_init_over_an_existing_archive_is_refused_and_changes_nothing(cli: CliRun, office: Office) -> None:
    before = folder_contents(office.path)
    result = cli(*INIT_OPTIONS, "--admin", "新管理", "--security-officer", "新保密", archive=office.path,
                 env=init_env())
    assert_refused(result, EXIT_INVALID)
    assert folder_contents(office.path) == before
    assert cli("archive", "list", user="王文秘").exit_code == EXIT_OK


def test_init_with_one_person_as_admin_and_security_officer_is_refused(cli: CliRun, tmp_path: Path) -> None:
    target = tmp_path / "档案库"
    result = cli(*INIT_OPTIONS, "--admin", "李管理", "--security-officer", "李管理", archive=target, env=init_env())
    assert_refused(result, EXIT_INVALID)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("which", ["admin", "officer"])
def test_init_with_a_too_short_passphrase_is_refused(cli: CliRun, tmp_path: Path, which: str) -> None:
    target = tmp_path / "档案库"
    env = init_env(admin="短口令") if which == "admin" else init_env(officer="1234567")
    result = cli(*INIT_OPTIONS, "--admin", "李管理", "--security-officer", "赵保密", archive=target, env=env)
    assert_refused(result, EXIT_INVALID)
    assert "短口令" not in result.output and "1234567" not in result.output
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_init_into_an_empty_folder_whose_parent_is_missing_is_refused(cli: CliRun, tmp_path: Path) -> None:
    target = tmp_path / "没有的上级" / "档案库"
    result = cli(*INIT_OPTIONS, "--admin", "李管理", "--security-officer", "赵保密", archive=target, env=init_env())
    assert_refused(result, EXIT_INVALID)
    assert list(tmp_path.iterdir()) == []


# --- passphrases of accounts -----------------------------------------------------------------


def test_user_add_with_a_too_short_passphrase_is_refused(cli: CliRun, office: Office) -> None:
    before = archive_state(office)
    result = cli("user", "add", "冯新人", "--role", "secretary", user=ADMIN, env={"XINFANG_NEW_PASSPHRASE": "1234567"})
    assert_refused(result, EXIT_INVALID)
    assert archive_state(office) == before


def test_passwd_to_a_too_short_passphrase_keeps_the_old_one(cli: CliRun, office: Office) -> None:
    before = archive_state(office)
    result = cli("user", "passwd", user="王文秘", env={"XINFANG_NEW_PASSPHRASE": "short"})
    assert_refused(result, EXIT_INVALID)
    assert "short" not in result.output
    assert archive_state(office) == before
    assert cli("archive", "list", user="王文秘").exit_code == EXIT_OK
    assert cli("archive", "list", user="王文秘", passphrase="short").exit_code == EXIT_CREDENTIALS


def test_passwd_with_the_wrong_current_passphrase_changes_nothing(cli: CliRun, office: Office) -> None:
    before = archive_state(office)
    result = cli("user", "passwd", user="王文秘", passphrase="不是这个口令 wrong",
                 env={"XINFANG_NEW_PASSPHRASE": NEW_PASSPHRASE})
    assert_refused(result, EXIT_CREDENTIALS)
    assert archive_state(office) == before
    assert cli("archive", "list", user="王文秘", passphrase=NEW_PASSPHRASE).exit_code == EXIT_CREDENTIALS


# --- roles -----------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["王文秘", OFFICER, "吴领导", "钱审计"])
def test_user_add_by_a_non_admin_is_permission_denied(cli: CliRun, office: Office, actor: str) -> None:
    before = archive_state(office)
    result = cli("user", "add", "冯新人", "--role", "secretary", user=actor,
                 env={"XINFANG_NEW_PASSPHRASE": NEW_PASSPHRASE})
    assert_refused(result, EXIT_PERMISSION)
    assert archive_state(office) == before


def test_user_add_by_a_non_admin_is_refused_before_asking_for_a_passphrase(cli: CliRun, office: Office) -> None:
    before = archive_state(office)
    result = cli("user", "add", "冯新人", "--role", "secretary", user="王文秘", input="")
    assert_refused(result, EXIT_PERMISSION)
    assert "口令" not in result.stderr.split("权限不足")[0]
    assert archive_state(office) == before


@pytest.mark.parametrize("actor", ["王文秘", "孙档案", "周调查", ADMIN, "钱审计"])
def test_clearance_by_anyone_but_officer_or_leader_is_permission_denied(
    cli: CliRun, office: Office, actor: str
) -> None:
    before = archive_state(office)
    result = cli("user", "clearance", "周调查", "内部", user=actor)
    assert_refused(result, EXIT_PERMISSION)
    assert archive_state(office) == before


def test_leader_cannot_grant_a_level_above_his_own(cli: CliRun, office: Office) -> None:
    kdf = KdfParams.insecure_for_tests()
    with office.open() as archive:
        admin = office.session(archive, ADMIN)
        officer = office.session(archive, OFFICER)
        add_account(archive, admin, "冯领导", [Role.LEADER], PASSPHRASE, kdf)
        add_account(archive, admin, "褚文秘", [Role.SECRETARY], PASSPHRASE, kdf)
        set_clearance(archive, officer, "冯领导", Level.SECRET)
    before = archive_state(office)
    for target, level in (("周调查", "机密"), ("褚文秘", "绝密"), ("褚文秘", "机密")):
        result = cli("user", "clearance", target, level, user="冯领导")
        assert_refused(result, EXIT_PERMISSION)
    assert archive_state(office) == before
    assert clearance_of(office, "褚文秘") == set()
    # The same leader may pass on what he holds: the refusals above were about the level.
    granted = cli("user", "clearance", "褚文秘", "秘密", user="冯领导")
    assert granted.exit_code == EXIT_OK, granted.output
    assert clearance_of(office, "褚文秘") == {Level.PUBLIC, Level.INTERNAL, Level.SECRET}


def test_leader_cannot_lower_a_clearance(cli: CliRun, office: Office) -> None:
    before = archive_state(office)
    result = cli("user", "clearance", "周调查", "内部", user="吴领导")
    assert_refused(result, EXIT_PERMISSION)
    assert archive_state(office) == before


@pytest.mark.parametrize("target", [ADMIN, "钱审计"])
@pytest.mark.parametrize("level", ["公开", "秘密", "绝密"])
def test_clearance_for_admin_or_auditor_is_refused(cli: CliRun, office: Office, target: str, level: str) -> None:
    before = archive_state(office)
    result = cli("user", "clearance", target, level, user=OFFICER)
    assert_refused(result, EXIT_INVALID)
    assert archive_state(office) == before
    assert clearance_of(office, target) == set()


def test_clearance_for_an_unknown_user_is_refused(cli: CliRun, office: Office) -> None:
    before = archive_state(office)
    assert_refused(cli("user", "clearance", "王不存在", "秘密", user=OFFICER), EXIT_INVALID, naming="王不存在")
    assert archive_state(office) == before


# --- the archive folder itself ---------------------------------------------------------------


def test_archive_folder_that_is_not_an_archive_is_refused(cli: CliRun, tmp_path: Path) -> None:
    elsewhere = tmp_path / "别的文件夹"
    elsewhere.mkdir()
    assert_refused(cli("archive", "list", user="王文秘", archive=elsewhere), EXIT_INVALID)
    assert list(elsewhere.iterdir()) == []


def test_missing_archive_folder_is_refused(cli: CliRun, tmp_path: Path) -> None:
    assert_refused(cli("archive", "list", user="王文秘", archive=tmp_path / "没有这个库"), EXIT_INVALID)
    assert not (tmp_path / "没有这个库").exists()


# --- text that is not UTF-8 ------------------------------------------------------------------
# On a GBK terminal, or with files unpacked from a GBK zip, Python hands the program strings
# with lone surrogates (PEP 383).  That is bad input like any other: a message, not a crash.

GBK_LETTER = os.fsdecode("来信".encode("gbk"))


def test_title_typed_on_a_gbk_terminal_is_refused_with_a_message(
    cli: CliRun, office: Office, tmp_path: Path
) -> None:
    before = archive_state(office)
    result = cli(*add_args(letter(tmp_path), title=GBK_LETTER), user="王文秘")
    assert_refused(result, EXIT_INVALID)
    assert archive_state(office) == before


def test_passphrase_in_a_legacy_encoding_is_refused_with_a_message(cli: CliRun, office: Office) -> None:
    gbk_passphrase = os.fsdecode("正确的口令 correct horse".encode("gbk"))
    result = cli("archive", "list", user="王文秘", passphrase=gbk_passphrase)
    assert result.exit_code in (EXIT_INVALID, EXIT_CREDENTIALS), result.output
    assert_refused(result, result.exit_code)


def test_user_name_in_a_legacy_encoding_is_refused_with_a_message(cli: CliRun, office: Office) -> None:
    result = cli("archive", "list", user=os.fsdecode("王文秘".encode("gbk")))
    assert result.exit_code in (EXIT_INVALID, EXIT_CREDENTIALS), result.output
    assert_refused(result, result.exit_code)


def test_file_with_a_gbk_name_is_filed_or_refused_with_a_message(
    cli: CliRun, office: Office, tmp_path: Path
) -> None:
    source = tmp_path / f"{GBK_LETTER}.txt"
    source.write_text(SECRET_TEXT, encoding="utf-8")
    before = archive_state(office)
    result = cli(*add_args(source), user="王文秘")
    assert_no_traceback(result)
    if result.exit_code == EXIT_OK:  # filed: it must read back whole
        (line,) = result.stdout.splitlines()
        out = tmp_path / "取出.txt"
        assert cli("archive", "get", line.split()[-1], "--out", str(out), user="王文秘").exit_code == EXIT_OK
        assert out.read_text(encoding="utf-8") == SECRET_TEXT
    else:
        assert_refused(result, EXIT_INVALID)
        assert archive_state(office) == before


# --- usage errors speak Chinese too ----------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [("archive", "get", "R-2026-000001"), ("archive", "fetch"), ("--archive", "{file}", "archive", "list")],
    ids=["missing-option", "unknown-command", "archive-is-a-file"],
)
def test_usage_errors_are_explained_in_chinese(cli: CliRun, office: Office, tmp_path: Path,
                                               args: tuple[str, ...]) -> None:
    a_file = letter(tmp_path, "plain.txt")  # an ASCII path, so any Chinese in the message is the message's
    assert not CJK.search(str(a_file))
    result = cli(*(arg.format(file=a_file) for arg in args), user="王文秘")
    assert result.exit_code == EXIT_USAGE, result.output
    assert_no_traceback(result)
    assert CJK.search(result.stderr), result.stderr


def test_a_bare_command_shows_its_help_not_an_error(cli: CliRun, office: Office) -> None:
    for args in ((), ("case",), ("archive",)):
        result = cli(*args)
        assert "Usage:" in result.output and "用法错误" not in result.output
