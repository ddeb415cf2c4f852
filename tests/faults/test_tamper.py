"""Tampering with the archive folder: every kind of file, damaged in every plain way, is caught.

An insider who can write the folder flips a byte, cuts a file short, deletes it,
swaps two files of the same kind or puts back an older copy.  For each kind of
file (the catalogue, its write-ahead log, a record file, a search index file, a
keyslot, ``xinfang.toml``) and each of those acts, three things run through the
real command line, as the people who would run them:

- ``audit verify --against`` a checkpoint the auditor exported before the damage
  (no account: public keys only),
- ``archive verify`` by the security officer (every level key: every record decrypted),
- the next ordinary use of what was damaged (``archive get``, ``search``, a login).

The contract (DESIGN.md, ``xinfang/cli/_errors.py``): the damage is found - exit
code 4 - by at least one of them; none reads damaged data as if it were whole (a
read that succeeds gives the original bytes); none shows a traceback or the
catch-all "internal error".  Each case states the exit code of all three, so a
damage that starts to pass unnoticed, or is found later than before, fails its case.

The archive is built once for the module (about two seconds) and copied per case.
A few damages cannot be seen by design (a byte in the catalogue's free space, the
settings file put back to before a hand edit, the SQLite shared-memory file);
their tests assert the strongest thing that is true instead, and say why.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from archive import Archive, Level, login, parse_kind
from archive.accounts import change_passphrase, find_account
from archive.records import store_record
from archive.retention import Retention
from tests.conftest import KDF, OFFICER, PASSPHRASE, build_office, register_cases
from xinfang.cli import main

READER = "王文秘"  # a secretary cleared for 机密: reads the records, searches the 内部 and 秘密 indexes
SLOT_OWNER = "郑秘书"  # changed her passphrase while the archive was built: her old slot is the older copy
OTHER_SLOT = "孙档案"
NEW_PASSPHRASE = "郑秘书换过的口令 staple battery horse"
AUDITOR = "钱审计"
WORD = "扶贫"  # in every record's text: a search for it opens every index the reader holds
EXIT_OK, EXIT_INVALID, EXIT_INTEGRITY = 0, 1, 4
CJK = re.compile(r"[\u4e00-\u9fff]")


def run(archive: Path, *args: str, user: str | None = None, passphrase: str = PASSPHRASE) -> Result:
    """``xinfang`` in-process against ``archive``; every command opens the folder afresh."""
    env = {"XINFANG_ARCHIVE": str(archive), "XINFANG_USER": user, "XINFANG_PASSPHRASE": passphrase}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def assert_clean_failure_or_success(result: Result) -> None:
    """No traceback, no catch-all internal error; a failure says why in Chinese."""
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream, stream
        assert "程序内部错误" not in stream, stream
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code != EXIT_OK:
        assert CJK.search(result.output), result.output


# --------------------------------------------------------------------------- the archive, built once


class _Abandoned(Exception):
    """Raised inside a filing's transaction to roll it back, as a crash before the commit would."""


@dataclass(frozen=True)
class Prepared:
    """The archives built once for the module, and what the cases need to know about them."""

    final: Path
    """The archive folder with every connection closed (no WAL)."""
    wal: Path
    """The same archive with one more filing and one more checkpoint still only in ``catalogue.sqlite-wal``."""
    other: Path
    """A second, unrelated archive."""
    older: Path
    """Older copies of files of ``final`` (and of ``wal``'s WAL), taken while it was being built."""
    anchor: Path
    """A checkpoint the auditor exported at the end of ``final``."""
    wal_anchor: Path
    """A checkpoint the auditor exported at the end of ``wal`` (its own entry is in the WAL)."""
    records: dict[str, str]
    """``first``, ``second`` (秘密), ``internal`` (内部), ``last`` (秘密, filed last), ``in_wal``: record ids."""
    contents: dict[str, bytes]
    """Each record id's content."""


def _content(n: int) -> bytes:
    return f"第{n}份材料：反映某村挪用{WORD}专项资金，涉及金额{n * 1000}元。".encode()


def _file(archive: Path, scratch: Path, n: int, classification: str) -> tuple[str, bytes]:
    """File one text through the command line (so it is indexed too); its record id and content."""
    source = scratch / f"材料{n}.txt"
    source.write_bytes(_content(n))
    result = run(archive, "archive", "add", str(source), "--case", "XF-2026-0001", "--title", f"来信{n}",
                 "--kind", "letter", "--classification", classification, "--json", user=READER)
    assert result.exit_code == 0, result.output
    (record,) = json.loads(result.stdout)["records"]
    return record["record_id"], source.read_bytes()


def _export_anchor(archive: Path, out: Path) -> None:
    result = run(archive, "audit", "checkpoint", "--out", str(out), user=AUDITOR)
    assert result.exit_code == 0, result.output


def _slot(archive: Path, name: str) -> Path:
    with Archive.open(archive) as opened:
        account = find_account(opened.conn, name)
        assert account is not None
        return opened.slot_path(account.account_id)


def _abandoned_filing(archive: Path, content: bytes, keep: Path) -> str:
    """Encrypt a record in a transaction that then rolls back; keep a copy of the file it leaves behind."""
    with Archive.open(archive) as opened:
        session = login(opened, READER, PASSPHRASE)
        with contextlib.suppress(_Abandoned), opened.act(session) as act:
            info = store_record(opened, act, io.BytesIO(content), "中断.txt", case_id="XF-2026-0001", title="中断",
                                kind=parse_kind("letter"), level_key=session.level_keys[Level.SECRET],
                                retention=Retention.THIRTY_YEARS, formed=date.today())
            shutil.copy2(opened.record_path(info.record_id), keep)
            raise _Abandoned
    return info.record_id


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    root = tmp_path_factory.mktemp("tamper")
    scratch, older = root / "scratch", root / "older"
    scratch.mkdir()
    older.mkdir()
    register_cases(build_office(root / "other"), 1)
    final = root / "final"
    register_cases(build_office(final))
    # 郑秘书 changes her passphrase: her slot as it was is an older copy, and opens with the old one.
    shutil.copy2(_slot(final, SLOT_OWNER), older / "slot.json")
    with Archive.open(final) as opened:
        change_passphrase(opened, SLOT_OWNER, PASSPHRASE, NEW_PASSPHRASE, KDF)
    records, contents = {}, {}
    for n, (name, level) in enumerate([("first", "秘密"), ("second", "秘密"), ("internal", "内部")], 1):
        records[name], contents[records[name]] = _file(final, scratch, n, level)
    # Older copies taken now, before the last filing: the settings, the catalogue and the 秘密 index.
    shutil.copy2(final / "xinfang.toml", older / "xinfang.toml")
    with (final / "xinfang.toml").open("a", encoding="utf-8") as config:
        config.write('\n[holidays.2027]\nholidays = ["2027-01-01"]\nworkdays = []\n')  # an office's hand edit
    assert not (final / "catalogue.sqlite-wal").exists()
    shutil.copy2(final / "catalogue.sqlite", older / "catalogue.sqlite")
    shutil.copytree(final / "index" / "L2", older / "L2")
    # A filing killed before its commit leaves its file; the next filing takes the same id and replaces it.
    abandoned = _abandoned_filing(final, _content(99), older / "record.xfr")
    records["last"], contents[records["last"]] = _file(final, scratch, 4, "秘密")
    assert records["last"] == abandoned
    _export_anchor(final, root / "anchor.txt")

    # The WAL: while another connection has the catalogue open, closing a command checkpoints nothing.
    building = root / "wal-building"
    shutil.copytree(final, building)
    with contextlib.closing(sqlite3.connect(building / "catalogue.sqlite")) as keeper:
        keeper.execute("SELECT COUNT(*) FROM records").fetchone()
        records["in_wal"], contents[records["in_wal"]] = _file(building, scratch, 5, "秘密")
        shutil.copy2(building / "catalogue.sqlite-wal", older / "catalogue.sqlite-wal")
        _export_anchor(building, root / "wal-anchor.txt")
        shutil.copytree(building, root / "wal")
    shutil.rmtree(building)
    wal_size = (root / "wal" / "catalogue.sqlite-wal").stat().st_size
    assert (older / "catalogue.sqlite-wal").stat().st_size < wal_size < 1000 * 4096  # never auto-checkpointed
    return Prepared(final, root / "wal", root / "other", older, root / "anchor.txt", root / "wal-anchor.txt",
                    records, contents)


# --------------------------------------------------------------------------- ways to damage a file


def _flip(path: Path, offset: int | None = None, mask: int = 0xFF) -> None:
    """Flip the bits ``mask`` of one byte (the middle one unless ``offset`` is given)."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2 if offset is None else offset] ^= mask
    path.write_bytes(bytes(data))


def _flip_at(path: Path, needle: bytes, mask: int = 0xFF) -> None:
    """Flip the middle byte of the one occurrence of ``needle`` in the file."""
    data = path.read_bytes()
    assert data.count(needle) == 1, (path, data.count(needle))
    _flip(path, data.index(needle) + len(needle) // 2, mask)


def _truncate(path: Path, size: int | None = None) -> None:
    """Cut the file to ``size`` bytes (half unless given)."""
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2 if size is None else size)


def _swap(first: Path, second: Path) -> None:
    parked = first.with_name(f"{first.name}.parked")
    first.rename(parked)
    second.rename(first)
    parked.rename(second)


def _replace(path: Path, older: Path) -> None:
    if older.is_dir():
        shutil.rmtree(path)
        shutil.copytree(older, path)
    else:
        shutil.copy2(older, path)


def _change_sealed_key(path: Path) -> None:
    """Change one base64 character of the sealed private keys: still a well-formed slot, no longer opening."""
    data = bytearray(path.read_bytes())
    offset = data.index(b'"sealed": "') + 20
    data[offset] = ord("A") if data[offset] != ord("A") else ord("B")
    path.write_bytes(bytes(data))


def _catalogue_value(folder: Path, query: str, *params: object) -> bytes:
    with contextlib.closing(sqlite3.connect(folder / "catalogue.sqlite")) as conn:
        (value,) = conn.execute(query, params).fetchone()
    return value if isinstance(value, bytes) else str(value).encode()


def _btree_page(folder: Path, table: str) -> int:
    """The byte offset in the catalogue of the b-tree page that holds ``table``'s rows (a leaf, here)."""
    with contextlib.closing(sqlite3.connect(folder / "catalogue.sqlite")) as conn:
        (page_size,) = conn.execute("PRAGMA page_size").fetchone()
        (page,) = conn.execute("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'", (table,)).fetchone()
    return (page - 1) * page_size


def _record(folder: Path, p: Prepared, name: str) -> Path:
    record_id = p.records[name]
    return folder / "records" / record_id.split("-")[1] / f"{record_id}.xfr"


def _segment(folder: Path) -> Path:
    return min((folder / "index" / "L2").glob("*.seg"))


def _toc(folder: Path) -> Path:
    return max((folder / "index" / "L2").glob("_MAIN_*.toc"), key=lambda path: int(path.stem.split("_")[-1]))


def _cut_before(path: Path, marker: bytes) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: data.index(marker)])


def _cut_after(path: Path, marker: bytes, more: int) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: data.index(marker) + len(marker) + more])


Tamper = Callable[[Path, Prepared], None]


@dataclass(frozen=True)
class Case:
    """A damage, the exit codes of the three checks after it, and what their messages must name."""

    tamper: Tamper
    codes: tuple[int, int, int]
    """``audit verify --against``, ``archive verify`` (officer), the next use."""
    names: str
    """A phrase the messages must contain (``{first}`` and the like: record ids)."""


FOUND = (EXIT_INTEGRITY, EXIT_INTEGRITY, EXIT_INTEGRITY)
LOG_ONLY = (EXIT_INTEGRITY, EXIT_INTEGRITY, EXIT_OK)  # the log is damaged; the record read is whole
INDEX = (EXIT_OK, EXIT_OK, EXIT_INTEGRITY)  # verification does not read the derived index; a search does
# A catalogue that lost its latest transactions is a consistent older catalogue (the threat model's
# rollback, FORMAT.md): only a checkpoint exported after them shows that the log is now shorter.
# The record files filed since remain, and verify names them as leftovers of an interrupted filing.
ROLLED_BACK = (EXIT_INTEGRITY, EXIT_OK, EXIT_OK)
WAL_LOST = (EXIT_INTEGRITY, EXIT_OK, EXIT_INVALID)  # ... and the record filed in the lost part is "not found"
FIRST_FRAME = 32 + 24 + 100  # past the WAL's header and its first frame's header: in that frame's page

CASES: dict[str, Case] = {
    # The catalogue: its header, a b-tree page, a value in a row, the log, the whole file.
    "catalogue-flip-header": Case(lambda f, p: _flip(f / "catalogue.sqlite", 3), FOUND, "目录数据库"),
    "catalogue-flip-btree-page": Case(
        lambda f, p: _flip(f / "catalogue.sqlite", _btree_page(f, "records")), FOUND, "目录数据库已损坏"),
    "catalogue-flip-wrapped-key": Case(lambda f, p: _flip_at(f / "catalogue.sqlite", _catalogue_value(
        f, "SELECT wrapped_key FROM records WHERE record_id = ?", p.records["first"])), FOUND, "记录 {first}"),
    "catalogue-flip-log-entry-hash": Case(lambda f, p: _flip_at(f / "catalogue.sqlite", _catalogue_value(
        f, "SELECT entry_hash FROM audit_entries WHERE body LIKE ?", f'%"record.add"%"{p.records["first"]}"%')),
        LOG_ONLY, "条目内容与其哈希不符"),
    "catalogue-flip-log-entry-body": Case(lambda f, p: _flip_at(f / "catalogue.sqlite", _catalogue_value(
        f, "SELECT substr(body, 1, 60) FROM audit_entries WHERE body LIKE ?",
        f'%"record.add"%"{p.records["first"]}"%'), mask=0x01), LOG_ONLY, "哈希链断开"),
    "catalogue-truncate": Case(lambda f, p: _truncate(f / "catalogue.sqlite"), FOUND, "目录数据库"),
    "catalogue-delete": Case(lambda f, p: (f / "catalogue.sqlite").unlink(), FOUND, "catalogue.sqlite 缺失"),
    "catalogue-swap-with-another-archive": Case(
        lambda f, p: _replace(f / "catalogue.sqlite", p.other / "catalogue.sqlite"), FOUND, "archive_id 不符"),
    "catalogue-rollback": Case(
        lambda f, p: _replace(f / "catalogue.sqlite", p.older / "catalogue.sqlite"), ROLLED_BACK, "日志被截短或回滚"),
    # The write-ahead log of the ``wal`` archive.  SQLite reads frames up to the first that fails its
    # checksum, so any damage drops the transactions from there on: a rollback, which the checkpoint
    # exported after the last of them shows.  (The damage is put in the first frame, so that the
    # filing in the WAL is surely among what is dropped.)
    "wal-flip": Case(lambda f, p: _flip(f / "catalogue.sqlite-wal", FIRST_FRAME), WAL_LOST, "日志被截短或回滚"),
    "wal-truncate": Case(lambda f, p: _truncate(f / "catalogue.sqlite-wal", FIRST_FRAME), WAL_LOST, "日志被截短或回滚"),
    "wal-delete": Case(lambda f, p: (f / "catalogue.sqlite-wal").unlink(), WAL_LOST, "日志被截短或回滚"),
    "wal-rollback": Case(lambda f, p: _replace(f / "catalogue.sqlite-wal", p.older / "catalogue.sqlite-wal"),
                         ROLLED_BACK, "日志被截短或回滚"),
    # A record file.
    "record-flip": Case(lambda f, p: _flip(_record(f, p, "first")), FOUND, "记录 {first}"),
    "record-truncate": Case(lambda f, p: _truncate(_record(f, p, "first")), FOUND, "记录 {first}"),
    "record-delete": Case(lambda f, p: _record(f, p, "first").unlink(), FOUND, "记录 {first} 的文件缺失"),
    "record-swap": Case(lambda f, p: _swap(_record(f, p, "first"), _record(f, p, "second")), FOUND, "记录 {second}"),
    "record-rollback": Case(lambda f, p: _replace(_record(f, p, "last"), p.older / "record.xfr"), FOUND, "记录 {last}"),
    # The 秘密 search index.
    "index-flip-segment": Case(lambda f, p: _flip(_segment(f)), INDEX, "未通过认证"),
    "index-flip-toc": Case(lambda f, p: _flip(_toc(f)), INDEX, "未通过认证"),
    "index-truncate-segment": Case(lambda f, p: _truncate(_segment(f)), INDEX, "被截断"),
    "index-delete-segment": Case(lambda f, p: _segment(f).unlink(), INDEX, "缺失（被删除或移走）"),
    "index-delete-level": Case(lambda f, p: shutil.rmtree(f / "index" / "L2"), INDEX, "秘密级检索索引缺失"),
    "index-swap-levels": Case(lambda f, p: _swap(f / "index" / "L1", f / "index" / "L2"), INDEX, "未通过认证"),
    "index-rollback": Case(lambda f, p: _replace(f / "index" / "L2", p.older / "L2"), INDEX, "被回滚"),
    # 郑秘书's keyslot; the next use is her logging in with her current passphrase.
    "keyslot-flip": Case(lambda f, p: _flip(_slot(f, SLOT_OWNER)), FOUND, "口令槽"),
    "keyslot-flip-sealed-key": Case(lambda f, p: _change_sealed_key(_slot(f, SLOT_OWNER)), FOUND, "“郑秘书”的口令槽"),
    "keyslot-truncate": Case(lambda f, p: _truncate(_slot(f, SLOT_OWNER)), FOUND, "“郑秘书”的口令槽"),
    "keyslot-delete": Case(lambda f, p: _slot(f, SLOT_OWNER).unlink(), FOUND, "“郑秘书”的口令槽：文件缺失"),
    "keyslot-swap": Case(lambda f, p: _swap(_slot(f, SLOT_OWNER), _slot(f, OTHER_SLOT)), FOUND, "“孙档案”的口令槽"),
    "keyslot-rollback": Case(lambda f, p: _replace(_slot(f, SLOT_OWNER), p.older / "slot.json"), FOUND, "回滚"),
    # The settings file: it is not under the log, but it must parse and belong to this catalogue.
    "config-flip": Case(lambda f, p: _flip(f / "xinfang.toml"), FOUND, "配置文件 xinfang.toml 无法读取"),
    "config-flip-archive-id": Case(lambda f, p: _flip(
        f / "xinfang.toml", (f / "xinfang.toml").read_bytes().index(b'archive_id = "') + 15, 0x01),
        FOUND, "archive_id 不符"),
    "config-truncate": Case(lambda f, p: _cut_after(f / "xinfang.toml", b'archive_id = "', 8), FOUND,
                            "配置文件 xinfang.toml 无法读取"),
    "config-delete": Case(lambda f, p: (f / "xinfang.toml").unlink(), FOUND, "配置文件 xinfang.toml 缺失"),
    "config-swap-with-another-archive": Case(
        lambda f, p: _replace(f / "xinfang.toml", p.other / "xinfang.toml"), FOUND, "archive_id 不符"),
}


def _copy(p: Prepared, case: str, folder: Path) -> Path:
    shutil.copytree(p.wal if case.startswith("wal") else p.final, folder)
    return folder


def _read_name(case: str) -> str:
    """Which record the next use reads: the one the case damaged, else the first."""
    if case.startswith("wal"):
        return "in_wal"
    return "last" if case == "record-rollback" else "first"


def _use(folder: Path, p: Prepared, case: str, out: Path) -> Result:
    """The next ordinary use of what ``case`` damaged."""
    if case.startswith("index"):
        return run(folder, "search", WORD, "--json", user=READER)
    if case.startswith("keyslot"):
        return run(folder, "archive", "list", user=SLOT_OWNER, passphrase=NEW_PASSPHRASE)
    return run(folder, "archive", "get", p.records[_read_name(case)], "--out", str(out), user=READER)


@pytest.mark.parametrize("case", CASES)
def test_damage_is_found_by_verification_or_the_next_use_never_silently_read(
    prepared: Prepared, tmp_path: Path, case: str
) -> None:
    folder = _copy(prepared, case, tmp_path / "archive")
    CASES[case].tamper(folder, prepared)
    out = tmp_path / "取出.txt"
    audited = run(folder, "audit", "verify", "--against",
                  str(prepared.wal_anchor if case.startswith("wal") else prepared.anchor))
    verified = run(folder, "archive", "verify", user=OFFICER)
    used = _use(folder, prepared, case, out)
    results = (audited, verified, used)
    for result in results:
        assert_clean_failure_or_success(result)
    assert tuple(result.exit_code for result in results) == CASES[case].codes, [r.output for r in results]
    assert EXIT_INTEGRITY in CASES[case].codes  # found by someone
    assert CASES[case].names.format(**prepared.records) in "".join(result.output for result in results)
    for verification in (audited, verified):
        assert ("校验通过" in verification.stdout) == (verification.exit_code == EXIT_OK), verification.output
    if used.exit_code == EXIT_OK and not case.startswith(("index", "keyslot")):
        assert out.read_bytes() == prepared.contents[prepared.records[_read_name(case)]]  # whole, not damaged
    elif case.startswith("index"):
        assert "search reindex" in used.stderr
    else:
        assert not out.exists()


def test_a_rolled_back_keyslot_does_not_let_the_old_passphrase_back_in(prepared: Prepared, tmp_path: Path) -> None:
    """Her slot put back to before her passphrase change: the old passphrase opens it, but login refuses it."""
    folder = _copy(prepared, "keyslot-rollback", tmp_path / "archive")
    CASES["keyslot-rollback"].tamper(folder, prepared)
    old = run(folder, "archive", "list", user=SLOT_OWNER, passphrase=PASSPHRASE)
    assert_clean_failure_or_success(old)
    assert old.exit_code == EXIT_INTEGRITY, old.output
    assert "回滚" in old.stderr
    assert run(folder, "archive", "list", user=READER).exit_code == EXIT_OK  # the others work on


@pytest.mark.parametrize("case", ["index-flip-segment", "index-delete-segment", "index-swap-levels", "index-rollback"])
def test_the_next_filing_over_a_damaged_index_keeps_the_record_and_says_so(
    prepared: Prepared, tmp_path: Path, case: str
) -> None:
    folder = _copy(prepared, case, tmp_path / "archive")
    CASES[case].tamper(folder, prepared)
    source = tmp_path / "新来信.txt"
    source.write_bytes(_content(7))
    filed = run(folder, "archive", "add", str(source), "--case", "XF-2026-0001", "--title", "新来信", "--kind", "letter",
                "--classification", "秘密", user=READER)
    assert_clean_failure_or_success(filed)
    assert filed.exit_code == EXIT_INTEGRITY, filed.output
    assert "记录已归入" in filed.stderr and "search reindex" in filed.stderr
    (record_id,) = re.findall(r"已归入 (R-\d{4}-\d{6})", filed.stdout)
    got = run(folder, "archive", "get", record_id, "--out", str(tmp_path / "取出.txt"), user=READER)
    assert got.exit_code == EXIT_OK and (tmp_path / "取出.txt").read_bytes() == _content(7)
    verified = run(folder, "archive", "verify", user=OFFICER)
    assert verified.exit_code == EXIT_OK and "尚未编入检索索引" in verified.stdout, verified.output
    rebuilt = run(folder, "search", "reindex", user=OFFICER)
    assert rebuilt.exit_code == EXIT_OK, rebuilt.output
    found = run(folder, "search", WORD, "--json", user=READER)
    assert found.exit_code == EXIT_OK, found.output
    expected = {prepared.records[name] for name in ("first", "second", "internal", "last")} | {record_id}
    assert {hit["record_id"] for hit in json.loads(found.stdout)["results"]} == expected


# --------------------------------------------------------------------------- damage that cannot be seen, by design


def _assert_untouched(folder: Path, p: Prepared, anchor: Path, out: Path, names: tuple[str, ...]) -> None:
    """Both verifications pass, the log extends ``anchor``, and every record named reads back byte for byte."""
    audited = run(folder, "audit", "verify", "--against", str(anchor))
    assert audited.exit_code == EXIT_OK and "当前日志是其延续" in audited.stdout, audited.output
    verified = run(folder, "archive", "verify", user=OFFICER)
    assert verified.exit_code == EXIT_OK and "校验通过" in verified.stdout, verified.output
    for name in names:
        target = out / f"{name}.txt"
        got = run(folder, "archive", "get", p.records[name], "--out", str(target), user=READER)
        assert got.exit_code == EXIT_OK, got.output
        assert target.read_bytes() == p.contents[p.records[name]]


def _free_space(folder: Path, table: str) -> int:
    """An offset inside the unused gap of ``table``'s leaf page: between the cell pointers and the cells."""
    start = _btree_page(folder, table)
    page = (folder / "catalogue.sqlite").read_bytes()[start : start + 12]
    assert page[0] == 0x0D  # a table leaf: an 8-byte header
    cells, content = int.from_bytes(page[3:5], "big"), int.from_bytes(page[5:7], "big")
    gap_start = 8 + 2 * cells
    assert content - gap_start > 64, "no free space on the page"
    return start + (gap_start + content) // 2


def test_a_byte_flipped_in_the_catalogues_free_space_changes_nothing(prepared: Prepared, tmp_path: Path) -> None:
    """Undetectable by design: SQLite keeps no checksum of a page's unused bytes, and nothing ever reads them.

    The strongest true thing: SQLite's own integrity check, both verifications and the
    exported checkpoint all agree nothing changed, and every record reads back whole.
    """
    folder = _copy(prepared, "catalogue", tmp_path / "archive")
    offset = _free_space(folder, "records")
    before = (folder / "catalogue.sqlite").read_bytes()
    _flip(folder / "catalogue.sqlite", offset)
    assert (folder / "catalogue.sqlite").read_bytes() != before
    with contextlib.closing(sqlite3.connect(folder / "catalogue.sqlite")) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    (tmp_path / "out").mkdir()
    _assert_untouched(folder, prepared, prepared.anchor, tmp_path / "out", ("first", "second", "internal", "last"))


@pytest.mark.parametrize("damage", ["flip", "delete"])
def test_the_shared_memory_file_is_rebuilt_so_damage_to_it_changes_nothing(
    prepared: Prepared, tmp_path: Path, damage: str
) -> None:
    """Undetectable, and harmless, by design: ``-shm`` is an index of the WAL that SQLite rebuilds from the
    WAL when the first connection opens.  The WAL's last transactions all survive: the checkpoint exported
    after them still verifies, and the record filed in them reads back."""
    folder = _copy(prepared, "wal", tmp_path / "archive")
    shm = folder / "catalogue.sqlite-shm"
    assert shm.is_file()
    if damage == "flip":
        _flip(shm, 200)  # inside the hash table that maps pages to WAL frames
    else:
        shm.unlink()
    (tmp_path / "out").mkdir()
    _assert_untouched(folder, prepared, prepared.wal_anchor, tmp_path / "out", ("first", "last", "in_wal"))


@pytest.mark.parametrize("damage", ["cut-at-a-line", "older-copy"])
def test_the_settings_file_cut_at_a_line_or_put_back_is_not_detectable_by_design(
    prepared: Prepared, tmp_path: Path, damage: str
) -> None:
    """``xinfang.toml`` holds no secret and is edited by hand (FORMAT.md), so it is not under the log:
    only a file that no longer parses, or that names another archive, is refused (the cases above).
    One cut at a line break, or an older copy from before a hand edit, is a valid settings file.

    What it may change is defaults for what comes next (deadlines, retention, holidays); the strongest
    true thing is that nothing already filed changed: both verifications pass, the log extends the
    exported checkpoint, and every record reads back whole.
    """
    folder = _copy(prepared, "config", tmp_path / "archive")
    config = folder / "xinfang.toml"
    if damage == "cut-at-a-line":
        _cut_before(config, b"[retention]")
    else:
        _replace(config, prepared.older / "xinfang.toml")
    assert config.read_bytes() != (prepared.final / "xinfang.toml").read_bytes()
    (tmp_path / "out").mkdir()
    _assert_untouched(folder, prepared, prepared.anchor, tmp_path / "out", ("first", "second", "internal", "last"))
