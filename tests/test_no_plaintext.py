"""No plaintext at rest: after a realistic session, nothing a petitioner wrote, no title,
no file name and no passphrase is found in the archive folder or in temporary files.

The session runs ``xinfang`` as separate processes, as an office would, with ``TMPDIR``
pointed at an empty folder so that any temporary file the program (or SQLite, or a
library) leaves behind is scanned too.  The WAL is scanned as it is, not checkpointed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import SECRET_TEXT, SECRET_TITLE

XINFANG = Path(sys.executable).with_name("xinfang")

ADMIN, OFFICER, CLERK, LEADER, AUDITOR = "李管理", "赵保密", "王文秘", "吴领导", "钱审计"
PASSPHRASES = {
    ADMIN: "管理员口令·鸿雁南飞 2026 admin-pass",
    OFFICER: "保密员口令·青山不老 officer-pass",
    CLERK: "文秘口令·春风化雨 clerk-pass",
    LEADER: "领导口令·长河落日 leader-pass",
    AUDITOR: "审计口令·明察秋毫 auditor-pass",
}
CLERK_NEW_PASSPHRASE = "文秘新口令·大漠孤烟 clerk-new-pass"


@dataclass(frozen=True)
class Filing:
    """One file filed in the session: its name, title, content and the substrings to hunt for."""

    filename: str
    title: str
    content: bytes
    distinctive: tuple[str, ...]


FILINGS = (
    Filing("张秀兰实名举报信.txt", SECRET_TITLE, SECRET_TEXT.encode(),
           ("张秀兰", "152701198003151234", "挪用扶贫专项资金")),
    Filing("王建国收受红包线索.txt", "关于王建国收受红包的反映",
           "被反映人王建国，联系电话13912345678，住址伊金霍洛旗阿勒腾席热镇幸福路88号。".encode(),
           ("王建国", "13912345678", "阿勒腾席热镇幸福路")),
    # Notepad on Windows saves UTF-16: the content at rest must not show it either.
    Filing("李春花来访记录.txt", "李春花反映征地补偿款被截留的来访记录",
           "\ufeff来访人李春花反映：村委会截留征地补偿款四十二万元。".encode("utf-16-le"),
           ("李春花", "截留征地补偿款")),
    # More than one chunk of content (chunks are 256 KiB).
    Filing("赵铁柱账目明细.csv", "赵铁柱经手的扶贫账目明细",
           ("日期,经手人,金额,摘要\n" + "2026-03-01,赵铁柱,12800.00,虚报冒领危房改造补助\n" * 9000).encode(),
           ("赵铁柱", "虚报冒领危房改造补助")),
)


def encodings(text: str) -> list[bytes]:
    return [text.encode("utf-8"), text.encode("utf-16-le")]


# What the case register holds about the people involved.
PARTIES = {
    "petitioner": "欧阳春燕",
    "id number": "152701198507092346",
    "phone": "13947712345",
    "address": "伊金霍洛旗阿勒腾席热镇幸福小区",
    "reported": "慕容建国",
    "summary": "反映镇农经站站长慕容建国截留退耕还林补助款",
}


def needles() -> dict[bytes, str]:
    """Every byte string that must not occur at rest, with what it is."""
    found: dict[bytes, str] = {}
    for what, value in PARTIES.items():
        for encoded in encodings(value):
            found[encoded] = f"case {what} {value}"
    for filing in FILINGS:
        found[filing.title.encode()] = f"title {filing.title}"
        for fragment in (filing.title[:8], *filing.distinctive, filing.filename, Path(filing.filename).stem):
            for encoded in encodings(fragment):
                found[encoded] = f"text {fragment!r} of {filing.filename}"
        found[filing.content[:64]] = f"content of {filing.filename}"
    for name, passphrase in {**PASSPHRASES, f"{CLERK} (new)": CLERK_NEW_PASSPHRASE}.items():
        for encoded in encodings(passphrase):
            found[encoded] = f"passphrase of {name}"
        found[passphrase.split()[0].encode()] = f"first word of the passphrase of {name}"
    return found


def leaks(folder: Path) -> list[str]:
    """Where any needle occurs under ``folder``, in a file's bytes or in a path's name."""
    found = []
    for path in sorted(folder.rglob("*")):
        relative = str(path.relative_to(folder))
        data = path.read_bytes() if path.is_file() else b""
        for needle, what in needles().items():
            if needle in data:
                found.append(f"{what} in {relative}")
            if needle in relative.encode():
                found.append(f"{what} in the name {relative}")
    return found


class CommandLine:
    """Run ``xinfang`` as its own process, as a named user, with a private TMPDIR."""

    def __init__(self, archive: Path, tmpdir: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("XINFANG_")}
        self.env |= {"TMPDIR": str(tmpdir), "TMP": str(tmpdir), "TEMP": str(tmpdir),
                     "XINFANG_INSECURE_TEST_KDF": "1", "XINFANG_ARCHIVE": str(archive)}

    def run(self, *args: str, user: str | None = None, passphrase: str | None = None,
            **extra: str) -> subprocess.CompletedProcess[str]:
        env = dict(self.env) | extra
        if user is not None:
            env["XINFANG_USER"] = user
            env["XINFANG_PASSPHRASE"] = passphrase if passphrase is not None else PASSPHRASES[user]
        result = subprocess.run([str(XINFANG), *args], env=env, capture_output=True, text=True, timeout=120,
                                stdin=subprocess.DEVNULL)
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def kill_after_first_record(self, *args: str, user: str, passphrase: str) -> None:
        env = self.env | {"XINFANG_USER": user, "XINFANG_PASSPHRASE": passphrase}
        with subprocess.Popen([str(XINFANG), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              stdin=subprocess.DEVNULL) as process:
            assert process.stdout is not None
            first = process.stdout.readline().decode()
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=60)
        assert first.startswith("已归入 R-"), first
        assert process.returncode == -signal.SIGKILL  # killed mid-way, not finished

    def ok(self, *args: str, **kwargs: str) -> str:
        result = self.run(*args, **kwargs)
        assert result.returncode == 0, (args, result.returncode, result.stdout, result.stderr)
        return result.stdout


def test_nothing_readable_at_rest_after_a_working_session(tmp_path: Path) -> None:
    archive, tmpdir, sources, exported = (tmp_path / name for name in ("档案库", "tmp", "收件", "导出"))
    for folder in (tmpdir, sources, exported):
        folder.mkdir()
    session = CommandLine(archive, tmpdir)

    session.ok("init", "--org", "伊金霍洛旗纪委监委", "--org-code", "伊纪", "--fonds", "J001",
               "--admin", ADMIN, "--security-officer", OFFICER,
               XINFANG_ADMIN_PASSPHRASE=PASSPHRASES[ADMIN], XINFANG_SECURITY_PASSPHRASE=PASSPHRASES[OFFICER])
    for name, role in ((CLERK, "secretary"), (LEADER, "leader"), (AUDITOR, "auditor")):
        session.ok("user", "add", name, "--role", role, user=ADMIN, XINFANG_NEW_PASSPHRASE=PASSPHRASES[name])
    session.ok("user", "clearance", CLERK, "机密", user=OFFICER)
    session.ok("user", "clearance", LEADER, "绝密", user=OFFICER)

    case_id = json.loads(session.ok(
        "case", "register", "--channel", "来信", "--received", "2026-11-02", "--category", "检举",
        "--importance", "重要", "--real-name", "--petitioner", PARTIES["petitioner"],
        "--id-number", PARTIES["id number"], "--phone", PARTIES["phone"], "--address", PARTIES["address"],
        "--reported", PARTIES["reported"], "--reported-unit", "某镇农经站", "--summary", PARTIES["summary"],
        "--classification", "秘密", "--json", user=CLERK,
    ))["case_id"]
    shown = session.ok("case", "show", case_id, user=CLERK)
    assert PARTIES["petitioner"] in shown and PARTIES["summary"] in shown

    filed: dict[str, Filing] = {}
    for filing, level in zip(FILINGS, ("秘密", "机密", "内部", "秘密"), strict=True):
        source = sources / filing.filename
        source.write_bytes(filing.content)
        out = session.ok("archive", "add", str(source), "--case", case_id, "--title", filing.title,
                         "--kind", "letter", "--classification", level, "--formed", "2026-11-05", "--json",
                         user=CLERK)
        (record,) = json.loads(out)["records"]
        filed[record["record_id"]] = filing
    top_secret = sources / "绝密附件.txt"
    top_secret.write_bytes(FILINGS[0].content)
    session.ok("archive", "add", str(top_secret), "--case", case_id, "--title", FILINGS[0].title,
               "--kind", "evidence", "--classification", "绝密", user=LEADER)

    listing = session.ok("archive", "list", user=CLERK)
    assert SECRET_TITLE in listing  # the titles were stored, and come back to those allowed
    listed = json.loads(session.ok("archive", "list", "--json", user=CLERK))
    assert {record["record_id"]: record["title"] for record in listed} == {
        record_id: filing.title for record_id, filing in filed.items()
    }

    for number, (record_id, filing) in enumerate(filed.items()):
        out = exported / f"取出{number}{Path(filing.filename).suffix}"
        session.ok("archive", "get", record_id, "--out", str(out), user=CLERK)
        assert out.read_bytes() == filing.content

    for user in (OFFICER, CLERK, AUDITOR):
        session.ok("archive", "verify", user=user)

    # A letter to the petitioner, drafted and issued (PDF too where LibreOffice is installed).
    documents = tmp_path / "文书"
    draft = json.loads(session.ok("generate", "notice-accept", "--case", case_id, "--out", str(documents), "--json",
                                  user=CLERK))
    pdf = ["--pdf"] if shutil.which("soffice") or os.environ.get("CI") == "true" else []
    session.ok("issue", draft["draft_id"], "--signer", LEADER, *pdf, "--out", str(documents), user=CLERK,
               XINFANG_SIGNER_PASSPHRASE=PASSPHRASES[LEADER])
    issued = [path.suffix for path in documents.iterdir() if path.name.startswith("伊纪告字〔2026〕1号")]
    assert sorted(issued) == sorted([".docx", *([".pdf"] if pdf else [])])  # plaintext by intent, outside

    # Searches for words, names and titles: the indexes hold them, encrypted; the queries are sealed in the log.
    for query in ("挪用扶贫专项资金", PARTIES["reported"], f'"{FILINGS[2].title[:8]}"', "虚报冒领危房改造补助"):
        assert json.loads(session.ok("search", query, "--json", user=CLERK))["count"] >= 1, query
    session.ok("search", "reindex", user=LEADER)
    assert json.loads(session.ok("search", "赵铁柱", "--json", user=LEADER))["count"] == 1

    session.ok("user", "passwd", user=CLERK, XINFANG_NEW_PASSPHRASE=CLERK_NEW_PASSPHRASE)
    assert session.run("archive", "list", user=CLERK).returncode == 5
    session.ok("archive", "list", user=CLERK, passphrase=CLERK_NEW_PASSPHRASE)
    assert session.run("archive", "list", user=ADMIN, passphrase=PASSPHRASES[OFFICER]).returncode == 5

    # Last, an `archive add` killed after its first record: the WAL stays on disk, unmerged.
    session.kill_after_first_record(
        "archive", "add", *(str(sources / filing.filename) for filing in FILINGS * 5), "--case", case_id,
        "--title", FILINGS[1].title, "--kind", "evidence", "--classification", "秘密", user=CLERK,
        passphrase=CLERK_NEW_PASSPHRASE,
    )
    assert (archive / "catalogue.sqlite-wal").is_file()

    # The scan itself works: the files the user asked for are plaintext by intent.
    assert any("张秀兰" in leak for leak in leaks(exported))
    assert any("李春花" in leak for leak in leaks(exported))
    planted = tmp_path / "planted"
    planted.mkdir()
    (planted / "note.bin").write_bytes(b"\x00" * 7 + PASSPHRASES[OFFICER].encode("utf-16-le") + b"\x00")
    assert leaks(planted) != []

    scanned = [path.name for path in archive.rglob("*") if path.is_file()]
    assert "catalogue.sqlite" in scanned and any(name.endswith(".xfr") for name in scanned)
    assert any(name.endswith(".slot.json") for name in scanned)
    assert any(name.endswith(".seg") for name in scanned) and any(name.endswith(".toc") for name in scanned)
    assert leaks(archive) == []
    assert leaks(tmpdir) == []

