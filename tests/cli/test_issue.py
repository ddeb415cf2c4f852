"""``xinfang issue``: 签发 and 编号 from the command line, the 发文登记簿, voiding, and concurrent issuing.

Drafts are made through the library; issuing, voiding and listing go through the
CLI; the register is read back as a user would (``issue list --json``).
"""

from __future__ import annotations

import json
import multiprocessing
from datetime import timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from archive import login
from generators.issuing import DraftResult, generate_draft
from tests.cli.test_case import EXIT_INVALID, EXIT_PERMISSION, ok, refused
from tests.conftest import PASSPHRASE, CliRun, Office
from tests.generators.conftest import (
    ANONYMOUS,
    ANONYMOUS_UNIT,
    DUE_DAY,
    LEADER,
    PETITIONER,
    REAL,
    REQUIRED,
    SECRETARY,
    TODAY,
    YEAR,
    paragraphs,
)
from xinfang.cli import main

EXIT_USAGE, EXIT_CREDENTIALS = 2, 5
RECORD_KEYS = {"record_id", "archival_code", "case_id", "kind", "classification", "retention", "formed", "filed_at",
               "title"}
REGISTER_KEYS = {"document_number", "draft_id", "case_id", "kind", "classification", "signer", "signed_on",
                 "signed_on_paper", "copies", "issued_by", "issued_at", "records", "voided", "voided_at", "voided_by",
                 "void_reason"}
LEADER_ENV = {"XINFANG_SIGNER_PASSPHRASE": PASSPHRASE}


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "发文"


def drafted(town: Office, folder: Path, *kinds: str, case: str = REAL, **given: str) -> list[DraftResult]:
    """Drafts made by the secretary through the library, written to ``folder``."""
    with town.open() as archive:
        secretary = login(archive, SECRETARY, PASSPHRASE)
        return [generate_draft(archive, secretary, kind, case, {**REQUIRED[kind], **given}, folder) for kind in kinds]


def register(cli: CliRun, *args: str) -> list[dict]:
    return json.loads(ok(cli("issue", "list", "--json", *args, user=SECRETARY)).stdout)["documents"]


def number(series: str, n: int) -> str:
    return f"伊纪{series}字〔{YEAR}〕{n}号"


# --------------------------------------------------------------------------- issuing


def test_issue_json_for_one_draft_gives_the_number_the_files_and_the_records(
    cli: CliRun, town: Office, tmp_path: Path, out: Path
) -> None:
    (draft,) = drafted(town, tmp_path / "草稿", "notice-accept")
    shown = json.loads(ok(cli("issue", draft.draft.draft_id, "--signer", LEADER, "--copies", "3", "--out", str(out),
                              "--json", user=LEADER)).stdout)
    assert {"document_number", "paths", "records"} <= set(shown)
    assert shown["document_number"] == number("告", 1)
    copies = [Path(p) for p in shown["paths"]]
    assert [p.name for p in copies] == [f"{number('告', 1)}受理告知书-份号00000{n}.docx" for n in (1, 2, 3)]
    assert all(p.is_file() and p.parent == out for p in copies)
    assert [paragraphs(p.read_bytes())[0][:6] for p in copies] == ["000001", "000002", "000003"]
    assert all(f"{PETITIONER}：" in paragraphs(p.read_bytes()) for p in copies)  # her own name, to her
    assert [set(r) for r in shown["records"]] == [RECORD_KEYS, RECORD_KEYS]
    assert [(r["kind"], r["case_id"], r["classification"], r["archival_code"], r["formed"]) for r in shown["records"]] == [
        ("notice-accept", REAL, "秘密", None, TODAY.isoformat()),
        ("signed-draft", REAL, "秘密", None, TODAY.isoformat())]
    (line,) = register(cli)
    assert line["records"] == [r["record_id"] for r in shown["records"]] and line["copies"] == 3
    listed = json.loads(ok(cli("archive", "list", "--case", REAL, "--json", user=SECRETARY)).stdout)
    assert {r["record_id"] for r in shown["records"]} <= {r["record_id"] for r in listed}


def test_issuing_several_drafts_lists_each_document(cli: CliRun, town: Office, tmp_path: Path, out: Path) -> None:
    first, second = drafted(town, tmp_path / "草稿", "forward", "forward", case=ANONYMOUS)
    result = ok(cli("issue", first.draft.draft_id, str(second.path), "--signer", LEADER, "--out", str(out), "--json",
                    user=LEADER))
    documents = json.loads(result.stdout)["documents"]
    assert [d["document_number"] for d in documents] == [number("信", 1), number("信", 2)]
    assert all({"document_number", "paths", "records"} <= set(d) for d in documents)
    text = ok(cli("issue", "list", user=SECRETARY)).stdout
    assert number("信", 1) in text and number("信", 2) in text and "转办函" in text


def test_a_secretary_issues_with_the_leaders_passphrase_from_the_environment_or_a_file(
    cli: CliRun, town: Office, tmp_path: Path, out: Path
) -> None:
    first, second = drafted(town, tmp_path / "草稿", "forward", "forward", case=ANONYMOUS)
    result = ok(cli("issue", first.draft.draft_id, "--signer", LEADER, "--out", str(out), user=SECRETARY, env=LEADER_ENV))
    assert number("信", 1) in result.stdout and f"签发：{LEADER} {TODAY.isoformat()}" in result.stdout
    assert "共签发 1 份文书。" in result.stdout and str(out / f"{number('信', 1)}转办函.docx") in result.stdout
    secret = tmp_path / "口令.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    ok(cli("issue", second.draft.draft_id, "--signer", LEADER, "--signer-passphrase-file", str(secret),
           "--out", str(out), user=SECRETARY))
    assert [(d["document_number"], d["signer"], d["issued_by"], d["signed_on_paper"]) for d in register(cli)] == [
        (number("信", 1), LEADER, SECRETARY, False), (number("信", 2), LEADER, SECRETARY, False)]


def test_without_the_leaders_passphrase_or_a_paper_form_nothing_is_issued(
    cli: CliRun, town: Office, tmp_path: Path, out: Path
) -> None:
    (draft,) = drafted(town, tmp_path / "草稿", "assignment")
    wrong = cli("issue", draft.draft.draft_id, "--signer", LEADER, "--out", str(out), user=SECRETARY,
                env={"XINFANG_SIGNER_PASSPHRASE": "错误的口令"})
    refused(wrong, EXIT_CREDENTIALS, "口令错误")
    missing = cli("issue", draft.draft.draft_id, "--signer", LEADER, "--out", str(out), user=SECRETARY)
    refused(missing, EXIT_CREDENTIALS, "XINFANG_SIGNER_PASSPHRASE")
    assert register(cli) == [] and not out.exists()


def test_a_paper_sign_off_is_flagged_in_the_register_and_its_scan_filed(
    cli: CliRun, town: Office, tmp_path: Path, out: Path
) -> None:
    (draft,) = drafted(town, tmp_path / "草稿", "assignment")
    scan = tmp_path / "签发单.jpg"
    scan.write_bytes(b"\xff\xd8\xff\xe0 scan of the form signed by hand")
    result = ok(cli("issue", draft.draft.draft_id, "--signer", LEADER, "--signed-on-paper", str(scan),
                    "--out", str(out), user=SECRETARY))
    assert "（纸质签发单）" in result.stdout
    (line,) = register(cli)
    assert line["signed_on_paper"] is True and line["signer"] == LEADER and len(line["records"]) == 3
    listed = json.loads(ok(cli("archive", "list", "--case", REAL, "--json", user=SECRETARY)).stdout)
    assert [r["kind"] for r in listed if r["record_id"] in line["records"]] == [
        "assignment", "signed-draft", "sign-off-scan"]
    (row,) = [r for r in ok(cli("issue", "list", user=SECRETARY)).stdout.splitlines() if number("群", 1) in r]
    assert f"{LEADER}（纸质" in row


def test_a_secretary_is_no_signer(cli: CliRun, town: Office, tmp_path: Path, out: Path) -> None:
    (draft,) = drafted(town, tmp_path / "草稿", "assignment")
    refused(cli("issue", draft.draft.draft_id, "--signer", SECRETARY, "--out", str(out), user=SECRETARY),
            EXIT_INVALID, f"签发人“{SECRETARY}”", "领导")
    assert register(cli) == []


def test_the_sign_off_date_is_checked(cli: CliRun, town: Office, tmp_path: Path, out: Path) -> None:
    (draft,) = drafted(town, tmp_path / "草稿", "assignment")
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    refused(cli("issue", draft.draft.draft_id, "--signer", LEADER, "--signed-on", tomorrow, "--out", str(out),
                user=LEADER), EXIT_INVALID, tomorrow, "晚于今天")
    refused(cli("issue", draft.draft.draft_id, "--signer", LEADER, "--signed-on", "2026/11/28", "--out", str(out),
                user=LEADER), EXIT_INVALID, "--signed-on")
    assert register(cli) == []


def test_copies_out_of_range_are_a_usage_error(cli: CliRun, town: Office, tmp_path: Path, out: Path) -> None:
    (draft,) = drafted(town, tmp_path / "草稿", "assignment")
    refused(cli("issue", draft.draft.draft_id, "--signer", LEADER, "--copies", "0", "--out", str(out), user=LEADER),
            EXIT_USAGE, "--copies")
    assert register(cli) == []


def test_a_draft_is_issued_once(cli: CliRun, town: Office, tmp_path: Path, out: Path) -> None:
    (draft,) = drafted(town, tmp_path / "草稿", "forward", case=ANONYMOUS)
    ok(cli("issue", draft.draft.draft_id, "--signer", LEADER, "--out", str(out), user=LEADER))
    refused(cli("issue", str(draft.path), "--signer", LEADER, "--out", str(out), user=LEADER), EXIT_INVALID,
            f"已签发为 {number('信', 1)}")
    assert [d["document_number"] for d in register(cli)] == [number("信", 1)]


def test_an_edited_draft_file_is_refused_and_the_untouched_one_accepted(
    cli: CliRun, town: Office, tmp_path: Path, out: Path
) -> None:
    (draft,) = drafted(town, tmp_path / "草稿", "forward", case=ANONYMOUS)
    edited = tmp_path / "改过" / draft.path.name
    edited.parent.mkdir()
    document = docx.Document(str(draft.path))
    (addressee,) = [p for p in document.paragraphs if p.text == f"{ANONYMOUS_UNIT}："]
    addressee.runs[0].text = "札萨克镇人民政府："  # the secretary retypes the addressee in Word
    document.save(str(edited))
    refused(cli("issue", str(edited), "--signer", LEADER, "--out", str(out), user=LEADER), EXIT_INVALID,
            "与生成时不同", "xinfang generate")
    assert register(cli) == []
    shown = json.loads(ok(cli("issue", str(draft.path), "--signer", LEADER, "--out", str(out), "--json",
                              user=LEADER)).stdout)
    assert [d["draft_id"] for d in register(cli)] == [draft.draft.draft_id]
    assert f"{ANONYMOUS_UNIT}：" in paragraphs(Path(shown["paths"][0]).read_bytes())


def test_a_letter_with_an_identity_in_it_is_refused_and_uses_no_number(
    cli: CliRun, town: Office, tmp_path: Path, out: Path
) -> None:
    (leaky,) = drafted(town, tmp_path / "草稿", "assignment", matter=f"信访人{PETITIONER}反映镇长挪用扶贫专项资金。")
    assert leaky.warnings
    stderr = refused(cli("issue", leaky.draft.draft_id, "--signer", LEADER, "--out", str(out), user=LEADER),
                     EXIT_INVALID, "身份信息")
    assert PETITIONER not in stderr
    assert register(cli) == [] and not out.exists()


def test_an_issued_reminder_stops_the_case_being_due(cli: CliRun, town: Office, tmp_path: Path, out: Path) -> None:
    def due() -> list[str]:
        listed = cli("case", "list", "--due-for", "reminder", "--as-of", DUE_DAY.isoformat(), "--json", user=SECRETARY)
        return [c["case_id"] for c in json.loads(ok(listed).stdout)]

    assert due() == [REAL]
    (reminder,) = drafted(town, tmp_path / "草稿", "reminder")
    shown = json.loads(ok(cli("issue", reminder.draft.draft_id, "--signer", LEADER, "--out", str(out), "--json",
                              user=SECRETARY, env=LEADER_ENV)).stdout)
    assert shown["document_number"] == number("催", 1) and shown.get("warnings", []) == []
    assert due() == []


@pytest.mark.parametrize("user", ["周调查", "钱审计"])
def test_only_secretaries_and_leaders_issue(cli: CliRun, town: Office, tmp_path: Path, out: Path, user: str) -> None:
    (draft,) = drafted(town, tmp_path / "草稿", "forward", case=ANONYMOUS)
    refused(cli("issue", draft.draft.draft_id, "--signer", LEADER, "--out", str(out), user=user, env=LEADER_ENV),
            EXIT_PERMISSION)
    assert register(cli) == [] and not out.exists()


# --------------------------------------------------------------------------- four at once


def _issue_in_a_child(archive: str, draft: str, out: str, barrier: Barrier, results: Queue) -> None:
    """One office computer: waits for the other three, then runs ``xinfang issue`` as the leader."""
    barrier.wait(timeout=30)
    result = CliRunner().invoke(main, ["issue", draft, "--signer", LEADER, "--out", out, "--json"],
                                env={"XINFANG_ARCHIVE": archive, "XINFANG_USER": LEADER, "XINFANG_PASSPHRASE": PASSPHRASE})
    results.put((draft, result.exit_code, result.stdout, result.stderr))


def issue_at_once(town: Office, drafts: list[str], out: Path) -> list[tuple[str, int, str, str]]:
    """``xinfang issue`` of each draft in its own process, all released together; (draft, exit, stdout, stderr)."""
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(len(drafts)), context.Queue()
    children = [context.Process(target=_issue_in_a_child, args=(str(town.path), d, str(out), barrier, results))
                for d in drafts]
    for child in children:
        child.start()
    answers = [results.get(timeout=120) for _ in children]
    for child in children:
        child.join(timeout=30)
        assert child.exitcode == 0
    return answers


def stored_ciphertexts(town: Office) -> int:
    return sum(1 for _ in (town.path / "records").rglob("*.xfr"))


def test_four_processes_issuing_at_once_get_distinct_consecutive_numbers(
    cli: CliRun, town: Office, tmp_path: Path, out: Path
) -> None:
    drafts = [d.draft.draft_id for d in drafted(town, tmp_path / "草稿", *["forward"] * 4, case=ANONYMOUS)]
    answers = issue_at_once(town, drafts, out)
    assert all(code == 0 for _, code, _, _ in answers), answers
    numbers = {draft: json.loads(stdout)["document_number"] for draft, _, stdout, _ in answers}
    assert sorted(numbers.values()) == [number("信", n) for n in (1, 2, 3, 4)]
    lines = register(cli)
    assert {d["draft_id"]: d["document_number"] for d in lines} == numbers
    assert len({r for d in lines for r in d["records"]}) == 8 == stored_ciphertexts(town)
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}转办函.docx" for n in numbers.values())
    verified = ok(cli("archive", "verify", user="钱审计"))
    assert "校验通过" in verified.stdout


def test_one_draft_issued_from_three_computers_at_once_gets_one_number(
    cli: CliRun, town: Office, tmp_path: Path, out: Path
) -> None:
    (draft,) = drafted(town, tmp_path / "草稿", "forward", case=ANONYMOUS)
    answers = issue_at_once(town, [draft.draft.draft_id] * 3, out)
    assert sorted(code for _, code, _, _ in answers) == [0, EXIT_INVALID, EXIT_INVALID], answers
    assert all("已经签发" in stderr or "已签发" in stderr for _, code, _, stderr in answers if code), answers
    (line,) = register(cli)
    assert line["document_number"] == number("信", 1) and stored_ciphertexts(town) == 2
    (later,) = drafted(town, tmp_path / "草稿", "forward", case=ANONYMOUS)
    shown = json.loads(ok(cli("issue", later.draft.draft_id, "--signer", LEADER, "--out", str(out), "--json",
                              user=LEADER)).stdout)
    assert shown["document_number"] == number("信", 2)  # the losers' rolled-back numbers left no gap


# --------------------------------------------------------------------------- the register and voiding


def test_void_keeps_the_line_with_its_reason_and_the_next_number_moves_on(
    cli: CliRun, town: Office, tmp_path: Path, out: Path
) -> None:
    first, second = drafted(town, tmp_path / "草稿", "forward", "forward", case=ANONYMOUS)
    ok(cli("issue", first.draft.draft_id, "--signer", LEADER, "--out", str(out), user=LEADER))
    voided = ok(cli("issue", "void", number("信", 1), "--reason", "主送单位有误，重新发文", user=SECRETARY))
    assert number("信", 1) in voided.stdout and "已作废" in voided.stdout
    refused(cli("issue", "void", number("信", 1), "--reason", "再次作废", user=SECRETARY), EXIT_INVALID, "已于", "作废")
    shown = json.loads(ok(cli("issue", second.draft.draft_id, "--signer", LEADER, "--out", str(out), "--json",
                              user=LEADER)).stdout)
    assert shown["document_number"] == number("信", 2)
    lines = register(cli)
    assert [(d["document_number"], d["voided"], d["void_reason"], d["voided_by"]) for d in lines] == [
        (number("信", 1), True, "主送单位有误，重新发文", SECRETARY), (number("信", 2), False, None, None)]
    assert "作废：主送单位有误，重新发文" in ok(cli("issue", "list", user=SECRETARY)).stdout


def test_void_needs_a_reason_and_a_registered_number(cli: CliRun, town: Office) -> None:
    refused(cli("issue", "void", number("信", 1), user=SECRETARY), EXIT_USAGE, "--reason")
    refused(cli("issue", "void", number("信", 1), "--reason", "编错了", user=SECRETARY), EXIT_INVALID, "不在发文登记簿中")


def test_issue_list_json_shape_and_year(cli: CliRun, town: Office, tmp_path: Path, out: Path) -> None:
    (draft,) = drafted(town, tmp_path / "草稿", "forward", case=ANONYMOUS)
    ok(cli("issue", draft.draft.draft_id, "--signer", LEADER, "--out", str(out), user=LEADER))
    (line,) = register(cli)
    assert set(line) == REGISTER_KEYS
    assert (line["kind"], line["case_id"], line["classification"], line["copies"], line["issued_by"]) == (
        "forward", ANONYMOUS, "内部", 1, LEADER)
    assert register(cli, "--year", str(YEAR)) == [line] and register(cli, "--year", str(YEAR - 1)) == []
    assert json.loads(ok(cli("issue", "list", "--json", user="周调查")).stdout) == {"documents": []}


def test_every_issue_command_has_help_with_an_example(cli: CliRun) -> None:
    for command in (("issue",), ("issue", "sign"), ("issue", "void"), ("issue", "list")):
        result = ok(cli(*command, "--help"))
        assert "例" in result.stdout and "xinfang issue" in result.stdout, command
