"""回避 from the command line: a case naming the user, or the user's unit, answers as if it did not exist.

Set up through the library (the office and helpers of ``tests/archive/test_need_to_know.py``),
act through the CLI, and compare every answer about the hidden case with the answer about an
id that does not exist — with the id substituted, they must be the same byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result

from tests.archive.test_need_to_know import (
    CASE,
    COLLEAGUES,
    MISSING_CASE,
    MISSING_RECORD,
    REASONS,
    TITLE,
    add_colleagues,
    register_naming,
)
from tests.cli.test_case import EXIT_INVALID, ok
from tests.conftest import CliRun, Office


@pytest.fixture
def colleagues(office: Office) -> Office:
    add_colleagues(office)
    return office


def same_answer(hidden: Result, missing: Result, hidden_id: str, missing_id: str) -> None:
    """Exit code, stdout and stderr of ``hidden`` are those of ``missing`` with the id substituted."""
    assert hidden.exit_code == missing.exit_code, (hidden.output, missing.output)
    assert hidden.stdout == missing.stdout.replace(missing_id, hidden_id)
    assert hidden.stderr == missing.stderr.replace(missing_id, hidden_id)


@pytest.mark.parametrize("reason", REASONS)
@pytest.mark.parametrize("user", COLLEAGUES)
def test_case_and_archive_commands_answer_as_for_an_id_that_does_not_exist(
    cli: CliRun, colleagues: Office, tmp_path: Path, user: str, reason: str
) -> None:
    record_id = register_naming(colleagues, user, reason, tmp_path)
    for args in (("case", "show"), ("case", "show", "--json")):
        hidden, missing = cli(*args[:2], CASE, *args[2:], user=user), cli(*args[:2], MISSING_CASE, *args[2:], user=user)
        assert hidden.exit_code == EXIT_INVALID and "不存在，或您无权查看" in hidden.stderr
        same_answer(hidden, missing, CASE, MISSING_CASE)
    listed = json.loads(ok(cli("case", "list", "--json", user=user)).stdout)
    assert CASE not in {case["case_id"] for case in listed} and listed

    out = tmp_path / "取出.txt"
    hidden = cli("archive", "get", record_id, "--out", str(out), user=user)
    missing = cli("archive", "get", MISSING_RECORD, "--out", str(out), user=user)
    assert hidden.exit_code == EXIT_INVALID and "不存在，或您无权查看" in hidden.stderr and not out.exists()
    same_answer(hidden, missing, record_id, MISSING_RECORD)
    for extra in ((), ("--json",)):
        same_answer(cli("archive", "list", "--case", CASE, *extra, user=user),
                    cli("archive", "list", "--case", MISSING_CASE, *extra, user=user), CASE, MISSING_CASE)
    assert record_id not in ok(cli("archive", "list", "--json", user=user)).stdout


@pytest.mark.parametrize("user", COLLEAGUES)
def test_documents_about_the_case_answer_as_for_an_id_that_does_not_exist(
    cli: CliRun, colleagues: Office, tmp_path: Path, user: str
) -> None:
    register_naming(colleagues, user, "unit", tmp_path)
    out = tmp_path / "草稿"
    drafts = [("generate", "assignment")] if user != "孙档案" else []  # an archivist drafts nothing
    for command in [("report", "letter-card"), *drafts]:
        hidden = cli(*command, "--case", CASE, "--out", str(out), user=user)
        missing = cli(*command, "--case", MISSING_CASE, "--out", str(out), user=user)
        assert hidden.exit_code == EXIT_INVALID and "不存在，或您无权查看" in hidden.stderr, hidden.output
        same_answer(hidden, missing, CASE, MISSING_CASE)
        assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("reason", REASONS)
@pytest.mark.parametrize("user", COLLEAGUES)
def test_a_colleague_with_the_same_role_and_clearance_sees_the_case_and_its_records(
    cli: CliRun, colleagues: Office, tmp_path: Path, user: str, reason: str
) -> None:
    record_id = register_naming(colleagues, user, reason, tmp_path)
    colleague = COLLEAGUES[user]
    assert json.loads(ok(cli("case", "show", CASE, "--json", user=colleague)).stdout)["reported"]
    assert CASE in {c["case_id"] for c in json.loads(ok(cli("case", "list", "--json", user=colleague)).stdout)}
    out = tmp_path / "取出.txt"
    assert TITLE in ok(cli("archive", "get", record_id, "--out", str(out), user=colleague)).stdout
    listed = json.loads(ok(cli("archive", "list", "--case", CASE, "--json", user=colleague)).stdout)
    assert [r["record_id"] for r in listed] == [record_id]
