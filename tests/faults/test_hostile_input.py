"""Hostile and malformed input through the real command line: every file a user hands a command.

Each command that reads a user's file - ``archive add`` (which then indexes the file
for search), ``redact``, ``gate``, ``generate KIND --data`` and ``issue
--signed-on-paper`` - gets files built here in code: empty, a folder, random bytes
named .docx, a cut-off DOCX, zip bombs (one member declared huge, one split into
members under the per-member limit, one that lies about its size), billion laughs
and XXE in a DOCX's XML, thousands of members, an encrypted PDF, PDFs with a broken
xref or broken metadata, GBK and NUL-laden text, and ``--data`` files that are
deeply nested, huge, of the wrong types, YAML aliases, or carry template syntax.

What every case checks, as a user would: the exit code of the contract (1, or 2 for
a usage error) with a Chinese message, never a traceback or the catch-all "internal
error"; nothing written - no new record in ``archive list --json``, no output file,
no draft, no temporary file in the archive folder or in the temp folder; bounded
time (each command well under a few seconds) and, where a file would inflate,
bounded memory (tracemalloc's peak).

``archive add`` is the exception by design: the archive keeps originals as they
are - a broken attachment is still evidence - so a malformed file is filed whole
(read back byte for byte) and only the indexer refuses to open it: the record is
found by its title, its content is never inflated or resolved.

Last, hypothesis throws arbitrary text (control characters, undecodable bytes as a
non-UTF-8 terminal hands them over, path separators, 100,000 characters) at the
arguments of ``archive list --case``, ``search``, ``case show`` and ``archive get``.
"""

from __future__ import annotations

import io
import json
import operator
import os
import random
import re
import struct
import tempfile
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import docx
import pytest
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter

from archive import login
from archive.text import is_encodable
from generators.issuing import generate_draft
from tests.cli.test_bad_input import assert_no_traceback, assert_refused
from tests.conftest import PASSPHRASE, CliRun, Office
from tests.generators.conftest import LEADER, REAL, REQUIRED, SECRETARY, build_town, copy_town

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_PERMISSION = 0, 1, 2, 3
FILER = "王文秘"
CASE = "XF-2026-0001"
SECONDS = 3.0  # for one command; the slowest here take a few tenths
BOMB_PEAK = 48 << 20  # tracemalloc's peak for a command meeting a bomb: it inflates up to 300 MiB if opened
TITLE = "畸形来信"  # the title hostile files are filed under: search finds them by it
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XXE_MARKER = "XXEMARKER7f3a"  # in a file an XXE entity points at: it must never come out anywhere
PASSWD = Path("/etc/passwd")
PASSWD_LINE = PASSWD.read_text(errors="replace").splitlines()[0] if PASSWD.is_file() else None
ID_NUMBER, PHONE = "152701198003151230", "13912345678"  # the ID number with a right check digit


# --- measuring -------------------------------------------------------------------------------


@contextmanager
def bounded(seconds: float = SECONDS, peak: int | None = None) -> Iterator[None]:
    """The block runs in under ``seconds`` and, when ``peak`` is given, allocates at most that much at once."""
    if peak is not None:
        tracemalloc.start()
    started = time.perf_counter()
    try:
        yield
        elapsed = time.perf_counter() - started
        if peak is not None:
            _, highest = tracemalloc.get_traced_memory()
            assert highest < peak, f"peak {highest >> 20} MiB ≥ {peak >> 20} MiB: something was inflated"
        assert elapsed < seconds, f"{elapsed:.2f} s ≥ {seconds} s"
    finally:
        if peak is not None:
            tracemalloc.stop()


def run(cli: CliRun, *args: str, user: str = FILER, peak: int | None = None, seconds: float = SECONDS,
        env: dict[str, str] | None = None) -> Result:
    with bounded(seconds, peak):
        result = cli(*args, user=user, env=env)
    assert_no_traceback(result)
    for marker in (XXE_MARKER, PASSWD_LINE):
        assert marker is None or marker not in result.output, "an external entity was resolved"
    return result


def listed(cli: CliRun, user: str = FILER) -> list[dict]:
    result = cli("archive", "list", "--json", user=user)
    assert result.exit_code == EXIT_OK, result.output
    return json.loads(result.stdout)


def found(cli: CliRun, query: str, user: str = FILER) -> list[dict]:
    result = cli("search", query, "--json", user=user)
    assert result.exit_code == EXIT_OK, result.output
    return json.loads(result.stdout)["results"]


def leftovers(folder: Path) -> list[Path]:
    """Temporary files under ``folder``: hidden names other than whoosh's lock files."""
    return [p for p in folder.rglob(".*") if p.is_file() and not p.name.endswith(".lock")]


def record_files(office: Office) -> set[Path]:
    return {p for p in (office.path / "records").rglob("*") if p.is_file()}


@pytest.fixture(autouse=True)
def temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The temp folder of the commands run here: empty again after each test."""
    folder = tmp_path / "系统临时"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    assert list(folder.iterdir()) == []


# --- building hostile files ------------------------------------------------------------------


def docx_members(text: str = "反映某单位违规发放津贴") -> dict[str, bytes]:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as package:
        return {info.filename: package.read(info) for info in package.infolist()}


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, blob in members.items():
            package.writestr(name, blob)
    return buffer.getvalue()


@dataclass(frozen=True)
class Member:
    """A zip member already deflated, with the size and CRC its headers declare."""

    name: str
    deflated: bytes
    size: int
    crc: int

    @classmethod
    def of(cls, name: str, blob: bytes) -> Member:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        return cls(name, packer.compress(blob) + packer.flush(), len(blob), zlib.crc32(blob))


def zeros(name: str, mib: int) -> Member:
    """``mib`` MiB of zeros in a few hundred bytes per MiB: one fully flushed block, repeated."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(bytes(1 << 20)) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(bytes(1 << 20), crc)
    return Member(name, block * mib + packer.flush(), mib << 20, crc)


def raw_zip(members: list[Member]) -> bytes:
    """A zip written byte by byte, so that sizes can be declared as a hostile file declares them."""
    body, directory = io.BytesIO(), io.BytesIO()
    for m in members:
        offset, name = body.tell(), m.name.encode()
        sizes = (m.crc, len(m.deflated), m.size, len(name))
        body.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, *sizes, 0) + name + m.deflated)
        directory.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, *sizes, 0, 0, 0, 0, 0, offset)
                        + name)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), directory.tell(), body.tell(), 0)
    return body.getvalue() + directory.getvalue() + end


def docx_with(*extra: Member) -> bytes:
    return raw_zip([Member.of(name, blob) for name, blob in docx_members().items()] + list(extra))


def with_document_xml(xml: bytes) -> bytes:
    return zipped(docx_members() | {"word/document.xml": xml})


def billion_laughs() -> bytes:
    entities = b"".join(b'<!ENTITY %c "%s">' % (98 + i, b"&%c;" % (97 + i) * 10) for i in range(9))
    return with_document_xml(
        b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "lol">' + entities + b"]>"
        b'<w:document xmlns:w="' + W.encode() + b'"><w:body><w:p><w:r><w:t>&j;</w:t></w:r></w:p></w:body></w:document>'
    )


def xxe_xml(secret: Path) -> bytes:
    """A document.xml whose text is /etc/passwd and ``secret``, for a parser that resolves external entities."""
    return (
        b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY passwd SYSTEM "file:///etc/passwd">'
        b'<!ENTITY secret SYSTEM "' + secret.as_uri().encode() + b'">]>'
        b'<w:document xmlns:w="' + W.encode() + b'"><w:body><w:p><w:r><w:t>&passwd;&secret;</w:t></w:r></w:p>'
        b"</w:body></w:document>"
    )


def xxe(secret: Path) -> bytes:
    return with_document_xml(xxe_xml(secret))


def pdf(*objects: bytes, trailer: bytes = b"") -> bytes:
    """A PDF with a correct xref over ``objects`` (object 1 is the catalogue)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref))
    return out.getvalue()


def written_pdf(encrypt: bool = False) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if encrypt:
        writer.encrypt("口令")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def bad_xref() -> bytes:
    data = written_pdf()
    at = data.rindex(b"xref")
    return data[:at] + b"xref\n0 99\nthis is no table at all\n" + data[at + 40 :]


@dataclass(frozen=True)
class Hostile:
    """A malformed file, what ``gate`` and ``redact`` say when they refuse it, and whether it would inflate."""

    name: str
    make: Callable[[Path], bytes]
    says: str
    bomb: bool = False


_EMPTY_PAGES = b"<< /Type /Pages /Kids [] /Count 0 >>"
MALFORMED = [
    Hostile("random.docx", lambda _: random.Random(12).randbytes(4096), "文本文件"),
    Hostile("truncated.docx", lambda _: zipped(docx_members())[:3000], "不是有效的 DOCX 文件"),
    Hostile("bomb-declared.docx", lambda _: docx_with(zeros("word/media/zeros.bin", 300)), "疑似压缩炸弹", bomb=True),
    Hostile("bomb-split.docx",
            lambda _: docx_with(*(zeros(f"word/media/zeros{n}.bin", 9) for n in range(22))), "疑似压缩炸弹", bomb=True),
    Hostile("bomb-lying.docx",
            lambda _: docx_with(replace(zeros("word/media/zeros.bin", 300), size=1024)),
            "不是有效的 DOCX 文件", bomb=True),
    Hostile("billion-laughs.docx", lambda _: billion_laughs(), "DTD", bomb=True),
    Hostile("xxe.docx", xxe, "DTD"),
    Hostile("too-many-members.docx",
            lambda _: zipped(docx_members() | {f"word/m{n}.xml": b"<a/>" for n in range(6000)}), "疑似压缩炸弹"),
    Hostile("encrypted.pdf", lambda _: written_pdf(encrypt=True), "PDF 文件已加密"),
    Hostile("bad-xref.pdf", lambda _: bad_xref(), "不是有效的 PDF 文件"),
    Hostile("metadata-unknown-filter.pdf",
            lambda _: pdf(b"<< /Type /Catalog /Pages 2 0 R /Metadata 3 0 R >>", _EMPTY_PAGES,
                          b"<< /Length 5 /Filter /NoSuchFilter >>\nstream\nhello\nendstream"), "PDF 文件无法读取"),
    Hostile("metadata-not-a-stream.pdf",
            lambda _: pdf(b"<< /Type /Catalog /Pages 2 0 R /Metadata 7 >>", _EMPTY_PAGES), "PDF 文件无法读取"),
    Hostile("invalid-utf8-nul.txt", lambda _: b"\xd5\xc5\xd0\xe3\x00\xff\xfe\xc3(\x00", "NUL"),
]


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    """The file the XXE entity points at besides /etc/passwd: its marker must never come out."""
    path = tmp_path / "机密.txt"
    path.write_text(XXE_MARKER, encoding="utf-8")
    return path


# --- gate, redact, archive add: malformed files ----------------------------------------------


@pytest.mark.parametrize("hostile", MALFORMED, ids=[h.name for h in MALFORMED])
def test_malformed_file_is_refused_by_gate_and_redact_and_filed_as_is_without_being_opened(
    cli: CliRun, office: Office, tmp_path: Path, secret_file: Path, hostile: Hostile
) -> None:
    source = tmp_path / hostile.name
    source.write_bytes(hostile.make(secret_file))
    peak = BOMB_PEAK if hostile.bomb else None
    out, report = tmp_path / "脱敏" / hostile.name, tmp_path / "脱敏" / "报告.json"
    out.parent.mkdir()

    assert_refused(run(cli, "gate", str(source), "--case", CASE, peak=peak), EXIT_INVALID, naming=hostile.says)
    refused = run(cli, "redact", str(source), "--case", CASE, "--out", str(out), "--report", str(report), peak=peak)
    assert_refused(refused, EXIT_INVALID, naming=hostile.says)
    assert list(out.parent.iterdir()) == []

    # The archive keeps the original as it is; the indexer refuses to open it and indexes the title.
    filed = run(cli, "archive", "add", str(source), "--case", CASE, "--title", TITLE, "--kind", "evidence",
                "--classification", "内部", "--json", peak=peak)
    assert filed.exit_code == EXIT_OK, filed.output
    (record,) = json.loads(filed.stdout)["records"]
    assert [r["record_id"] for r in listed(cli)] == [record["record_id"]]
    back = tmp_path / "取回.bin"
    assert run(cli, "archive", "get", record["record_id"], "--out", str(back)).exit_code == EXIT_OK
    assert back.read_bytes() == source.read_bytes()
    assert [hit["record_id"] for hit in found(cli, TITLE)] == [record["record_id"]]
    assert found(cli, XXE_MARKER) == [] and found(cli, "lol") == [] and found(cli, "root") == []
    assert leftovers(office.path) == []


def test_xxe_content_never_reaches_the_archive_folder_in_the_clear(
    cli: CliRun, office: Office, tmp_path: Path, secret_file: Path
) -> None:
    source = tmp_path / "xxe.docx"
    source.write_bytes(xxe(secret_file))
    run(cli, "archive", "add", str(source), "--case", CASE, "--title", TITLE, "--kind", "evidence",
        "--classification", "内部")
    for path in office.path.rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            assert XXE_MARKER.encode() not in blob, path
            assert PASSWD_LINE is None or PASSWD_LINE.encode() not in blob, path


@pytest.mark.parametrize("command", ["gate", "redact", "add"])
def test_an_empty_file_is_refused_by_every_reader_and_nothing_is_written(
    cli: CliRun, office: Office, tmp_path: Path, command: str
) -> None:
    empty = tmp_path / "来信.docx"
    empty.touch()
    out = tmp_path / "脱敏.docx"
    args = {
        "gate": ("gate", str(empty), "--case", CASE),
        "redact": ("redact", str(empty), "--case", CASE, "--out", str(out)),
        "add": ("archive", "add", str(empty), "--case", CASE, "--title", TITLE, "--kind", "letter",
                "--classification", "内部"),
    }[command]
    before = record_files(office)
    assert_refused(run(cli, *args), EXIT_INVALID, naming="空文件")
    assert not out.exists()
    assert listed(cli) == [] and record_files(office) == before
    assert leftovers(office.path) == []


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("gate", "{folder}", "--case", CASE), EXIT_USAGE),
        (("redact", "{folder}", "--case", CASE, "--out", "{out}"), EXIT_USAGE),
        (("archive", "add", "{folder}", "--case", CASE, "--title", TITLE, "--kind", "letter", "--classification", "内部"),
         EXIT_INVALID),
    ],
    ids=["gate", "redact", "add"],
)
def test_a_folder_given_as_a_file_is_refused_and_nothing_is_written(
    cli: CliRun, office: Office, tmp_path: Path, args: tuple[str, ...], code: int
) -> None:
    folder = tmp_path / "来信.docx"
    folder.mkdir()
    out = tmp_path / "脱敏.docx"
    result = run(cli, *(a.format(folder=folder, out=out) for a in args))
    assert_refused(result, code, naming="文件夹")
    assert not out.exists() and listed(cli) == [] and leftovers(office.path) == []


def test_thousands_of_tiny_members_are_read_in_bounded_time(cli: CliRun, office: Office, tmp_path: Path) -> None:
    source = tmp_path / "许多部件.docx"
    source.write_bytes(zipped(docx_members("反映某单位违规发放津贴") | {f"word/m{n}.xml": b"<a/>" for n in range(2000)}))
    assert run(cli, "gate", str(source), "--case", CASE).exit_code == EXIT_OK
    out = tmp_path / "脱敏.docx"
    assert run(cli, "redact", str(source), "--case", CASE, "--out", str(out)).exit_code == EXIT_OK
    with zipfile.ZipFile(out) as package:
        assert len(package.namelist()) > 2000
    run(cli, "archive", "add", str(source), "--case", CASE, "--title", TITLE, "--kind", "evidence",
        "--classification", "内部")
    assert len(found(cli, "津贴")) == 1


# --- text in legacy encodings and with NUL bytes ---------------------------------------------


def test_a_gbk_letter_is_read_so_the_gate_sees_the_identity_and_redact_masks_it(
    cli: CliRun, office: Office, tmp_path: Path
) -> None:
    letter = tmp_path / "来信.txt"
    letter.write_bytes(f"反映村会计挪用扶贫资金，举报人身份证号码{ID_NUMBER}。".encode("gbk"))
    assert_refused(run(cli, "gate", str(letter), "--case", CASE), EXIT_INVALID, naming="身份证号")
    out = tmp_path / "脱敏.txt"
    assert run(cli, "redact", str(letter), "--case", CASE, "--out", str(out)).exit_code == EXIT_OK
    redacted = out.read_text(encoding="utf-8")  # written as UTF-8 whatever came in
    assert ID_NUMBER not in redacted and "挪用扶贫资金" in redacted
    run(cli, "archive", "add", str(letter), "--case", CASE, "--title", TITLE, "--kind", "letter",
        "--classification", "内部")
    assert len(found(cli, "挪用扶贫资金")) == 1  # the indexer read the GBK text too


@pytest.mark.parametrize(
    "blob",
    [f"举报人电话{PHONE}，身份证{ID_NUMBER}".replace("1", "1\x00").encode(),
     f"tel {PHONE} id {ID_NUMBER}".encode("utf-16-le")],
    ids=["nul-between-digits", "utf-16-without-bom"],
)
def test_nul_bytes_do_not_smuggle_an_identity_past_the_gate(
    cli: CliRun, office: Office, tmp_path: Path, blob: bytes
) -> None:
    letter = tmp_path / "来信.txt"
    letter.write_bytes(blob)  # valid UTF-8 whose NULs split the numbers the gate looks for
    assert_refused(run(cli, "gate", str(letter), "--case", CASE), EXIT_INVALID, naming="NUL")
    out = tmp_path / "脱敏.txt"
    assert_refused(run(cli, "redact", str(letter), "--case", CASE, "--out", str(out)), EXIT_INVALID, naming="NUL")
    assert not out.exists()


def lying_xref(data: bytes) -> bytes:
    """The same PDF with every offset of its xref table seven bytes off, as a careless editor leaves it."""
    table = data.rindex(b"xref")
    return data[:table] + re.sub(rb"(\d{10}) 00000 n", lambda m: b"%010d 00000 n" % (int(m[1]) + 7), data[table:])


def test_a_pdf_whose_xref_lies_is_still_read_whole_by_the_gate(cli: CliRun, office: Office, tmp_path: Path) -> None:
    text = f"BT /F1 12 Tf 72 700 Td (ID {ID_NUMBER}) Tj ET".encode()
    letter = tmp_path / "来信.pdf"
    letter.write_bytes(lying_xref(pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
    )))
    assert_refused(run(cli, "gate", str(letter), "--case", CASE), EXIT_INVALID, naming="身份证号")
    out = tmp_path / "摘录.txt"
    assert run(cli, "redact", str(letter), "--case", CASE, "--out", str(out)).exit_code == EXIT_OK
    assert ID_NUMBER not in out.read_text(encoding="utf-8")


# --- generate --data -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def _town_template(tmp_path_factory: pytest.TempPathFactory) -> Office:
    return build_town(tmp_path_factory.mktemp("town") / "archive")


@pytest.fixture
def town(_town_template: Office, tmp_path: Path) -> Office:
    """The issuing office of tests/generators (a real-name case with a petitioner), at the ``cli`` archive."""
    return copy_town(_town_template, tmp_path / "archive")


def drafts(town: Office) -> int:
    with town.raw_catalogue() as conn:
        (count,) = conn.execute("SELECT count(*) FROM drafts").fetchone()
    return count


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


YAML_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefg", "bcdefgh", strict=True)
) + "facts: [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n"
REPLY = dict(REQUIRED["reply"])


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("空.json", b"", "不是有效的 JSON"),
        ("深.json", ('{"facts": ' + nested(100_000) + "}").encode(), "嵌套层次过深"),
        ("深.yaml", ("facts: " + nested(10_000)).encode(), "嵌套层次过深"),
        ("笑.yaml", YAML_LAUGHS.encode(), "别名"),
        ("大.json", json.dumps(REPLY | {"facts": "经" * (10 << 20)}, ensure_ascii=False).encode(), "超过 1 MiB"),
        ("长.json", json.dumps(REPLY | {"facts": "经" * 300_000}, ensure_ascii=False).encode(), "过长"),
        ("多段.json", json.dumps(REPLY | {"facts": ["经查"] * 100_000}, ensure_ascii=False).encode(), "过多"),
        ("映射.json", json.dumps(REPLY | {"request": {"要求": "查处"}}, ensure_ascii=False).encode(), "投诉请求应为文字"),
        ("套列表.json", json.dumps(REPLY | {"facts": ["经查", ["属实"]]}, ensure_ascii=False).encode(), "事实和理由应为文字"),
        ("真假.json", json.dumps(REPLY | {"decision": True}, ensure_ascii=False).encode(), "处理意见及依据应为文字"),
        ("非数.json", json.dumps(REPLY, ensure_ascii=False).replace('"review_office": "鄂尔多斯市纪委监委"',
                                                                     '"review_office": NaN').encode(), "复查机关应为文字"),
        ("溢出.json", json.dumps(REPLY, ensure_ascii=False)[:-1].encode() + b', "facts": 1e999999}', "事实和理由应为文字"),
        ("长数.json", b'{"facts": ' + b"9" * 5000 + b"}", "无效的数值"),
        ("真假.yaml", "request: yes\nfacts: 经查属实\ndecision: 同意\nreview_office: 市纪委\n".encode(), "投诉请求应为文字"),
        ("坏日期.yaml", b"facts: 2026-13-45\n", "无效的数值或日期"),
        ("对象.yaml", b"request: !!python/object/apply:os.system ['echo pwned']\n", "不是有效的 YAML"),
        ("配置.toml", 'request = "查处"\nfacts = "经查"\n'.encode(), "不是有效的 JSON"),
        ("国标.json", json.dumps(REPLY, ensure_ascii=False).encode("gbk"), "不是 UTF-8"),
        ("乱码.json", b'{"facts": "\xff\xfe\x00\x00"}', "不是 UTF-8"),
    ],
    ids=["empty", "deep-json", "deep-yaml", "yaml-billion-laughs", "10MB-string", "over-long", "100k-paragraphs",
         "mapping", "nested-list", "boolean", "nan", "infinity", "5000-digits", "yaml-yes", "yaml-bad-date",
         "yaml-python-tag", "toml", "gbk", "invalid-utf8-nul"],
)
def test_a_hostile_data_file_is_refused_and_no_draft_is_written(
    cli: CliRun, town: Office, tmp_path: Path, name: str, content: bytes, says: str
) -> None:
    data, out = tmp_path / name, tmp_path / "草稿"
    data.write_bytes(content)
    before = drafts(town)
    peak = BOMB_PEAK if name in ("笑.yaml", "多段.json") else None  # tracemalloc would slow YAML's parser tenfold
    result = run(cli, "generate", "reply", "--case", REAL, "--data", str(data), "--out", str(out), peak=peak)
    assert_refused(result, EXIT_INVALID, naming=says)
    assert "pwned" not in result.output
    assert not out.exists() and drafts(town) == before
    assert leftovers(town.path) == []


def test_a_folder_as_data_file_is_a_usage_error(cli: CliRun, town: Office, tmp_path: Path) -> None:
    folder, out = tmp_path / "字段.json", tmp_path / "草稿"
    folder.mkdir()
    assert_refused(run(cli, "generate", "reply", "--case", REAL, "--data", str(folder), "--out", str(out)),
                   EXIT_USAGE, naming="文件夹")
    assert not out.exists() and drafts(town) == 0


TEMPLATE_SYNTAX = ["{{ 7*7 }}", "{% for x in range(3) %}循环{% endfor %}", "{{ ''.__class__.__mro__ }}",
                   "{%p if 1 %}段{%p endif %}", "{{r 7*7 }}", "{# 注释 #}"]


def paragraph_texts(path: Path) -> list[str]:
    return [paragraph.text.strip() for paragraph in docx.Document(str(path)).paragraphs]


def test_template_syntax_in_values_comes_through_literally_in_the_draft_and_the_issued_document(
    cli: CliRun, town: Office, tmp_path: Path
) -> None:
    data, drafted, issued = tmp_path / "字段.json", tmp_path / "草稿", tmp_path / "发文"
    data.write_text(json.dumps(REPLY | {"facts": TEMPLATE_SYNTAX}, ensure_ascii=False), encoding="utf-8")
    result = run(cli, "generate", "reply", "--case", REAL, "--data", str(data),
                 "--set", "decision=处理意见：{{ 6*7 }}", "--out", str(drafted), "--json")
    assert result.exit_code == EXIT_OK, result.output
    shown = json.loads(result.stdout)
    signed = run(cli, "issue", shown["draft_id"], "--signer", LEADER, "--out", str(issued), "--json", user=LEADER,
                 seconds=10)
    assert signed.exit_code == EXIT_OK, signed.output
    for path in [Path(shown["path"]), *map(Path, json.loads(signed.stdout)["paths"])]:
        paragraphs = paragraph_texts(path)
        for literal in [*TEMPLATE_SYNTAX, "处理意见：{{ 6*7 }}"]:
            assert literal in paragraphs, (path.name, literal)  # a paragraph of its own, exactly as typed


# --- issue --signed-on-paper -----------------------------------------------------------------


@pytest.fixture
def draft_id(town: Office, tmp_path: Path) -> str:
    with town.open() as archive:
        secretary = login(archive, SECRETARY, PASSPHRASE)
        return generate_draft(archive, secretary, "assignment", REAL, dict(REQUIRED["assignment"]),
                              tmp_path / "草稿").draft.draft_id


def issued(cli: CliRun) -> list[dict]:
    result = cli("issue", "list", "--json", user=SECRETARY)
    assert result.exit_code == EXIT_OK, result.output
    return json.loads(result.stdout)["documents"]


@pytest.mark.parametrize(("make", "code", "says"), [
    (lambda path: path.touch(), EXIT_INVALID, "空文件"),
    (lambda path: path.mkdir(), EXIT_USAGE, "文件夹"),
], ids=["empty", "folder"])
def test_an_empty_or_folder_paper_scan_issues_nothing(
    cli: CliRun, town: Office, tmp_path: Path, draft_id: str, make: Callable[[Path], object], code: int, says: str
) -> None:
    scan, out = tmp_path / "签发单.pdf", tmp_path / "发文"
    make(scan)
    records = listed(cli, SECRETARY)
    result = run(cli, "issue", draft_id, "--signer", LEADER, "--signed-on-paper", str(scan), "--out", str(out),
                 user=SECRETARY)
    assert_refused(result, code, naming=says)
    assert issued(cli) == [] and listed(cli, SECRETARY) == records and not out.exists()
    assert leftovers(town.path) == []


def test_a_hostile_paper_scan_is_filed_as_is_and_never_opened(
    cli: CliRun, town: Office, tmp_path: Path, draft_id: str, secret_file: Path
) -> None:
    scan, out = tmp_path / "签发单.docx", tmp_path / "发文"
    members = docx_members() | {"word/document.xml": xxe_xml(secret_file)}
    scan.write_bytes(raw_zip([Member.of(name, blob) for name, blob in members.items()] + [zeros("word/media/z.bin", 300)]))
    result = run(cli, "issue", draft_id, "--signer", LEADER, "--signed-on-paper", str(scan), "--out", str(out),
                 user=SECRETARY, peak=BOMB_PEAK, seconds=10)
    assert result.exit_code == EXIT_OK, result.output
    (line,) = issued(cli)
    assert line["signed_on_paper"] is True
    kept = tmp_path / "扫描件.bin"
    assert cli("archive", "get", line["records"][-1], "--out", str(kept), user=SECRETARY).exit_code == EXIT_OK
    assert kept.read_bytes() == scan.read_bytes()


# --- arguments: ids, queries and paths -------------------------------------------------------


def test_a_query_of_twenty_thousand_characters_is_refused_quickly(cli: CliRun, filed_office: Office) -> None:
    for query in ("扶" * 20_000, "a" * 20_000):
        assert_refused(run(cli, "search", query, user="周调查"), EXIT_INVALID, naming="检索式过长")


UNDECODABLE = os.fsdecode("信访件".encode("gbk"))  # what Python makes of a GBK terminal's bytes (PEP 383)


@pytest.mark.parametrize("args", [
    ("archive", "list", "--case", UNDECODABLE),
    ("case", "show", UNDECODABLE),
    ("archive", "get", UNDECODABLE, "--out", "{out}"),
    ("search", UNDECODABLE),
], ids=["archive-list", "case-show", "archive-get", "search"])
def test_an_id_typed_on_a_gbk_terminal_is_refused_with_a_message(
    cli: CliRun, filed_office: Office, tmp_path: Path, args: tuple[str, ...]
) -> None:
    out = tmp_path / "取出.txt"
    assert_refused(run(cli, *(a.format(out=out) for a in args), user="吴领导"), EXIT_INVALID, naming="无法识别的字符")
    assert not out.exists()


TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=30)
ARGUMENT = st.one_of(
    TEXT,
    st.binary(max_size=30).filter(lambda raw: b"\x00" not in raw).map(os.fsdecode),  # a non-UTF-8 terminal's bytes
    st.lists(st.sampled_from(["/", "\\", "..", ".", "~", "-", "--", CASE, "R-2026-000001", "\n", "\t", "\x1b[2J",
                              "\u202e", "\ufeff", "*", '"', "(", ")", "OR", "NOT", "title:", "💥", "扶贫", " "]),
             max_size=12).map("".join),
    st.builds(operator.mul, st.sampled_from(["a", "扶", "/", "\x07", "é", "R-"]), st.integers(1_000, 100_000)),
)
FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
EXIT_CODES = {EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_PERMISSION}


@pytest.mark.parametrize(("command", "user"), [
    (("archive", "list", "--case"), FILER), (("search",), "周调查"), (("case", "show"), "周调查"),
], ids=["archive-list-case", "search", "case-show"])
@FUZZ
@given(text=ARGUMENT)
def test_arbitrary_text_as_an_argument_never_crashes(
    cli: CliRun, filed_office: Office, command: tuple[str, ...], user: str, text: str
) -> None:
    result = run(cli, *command, text, user=user)
    assert result.exit_code in EXIT_CODES, (result.exit_code, result.output)


@FUZZ
@given(record_id=ARGUMENT, name=ARGUMENT.filter(is_encodable))  # CliRunner's stdout cannot print what a terminal can
def test_arbitrary_record_id_and_out_path_never_crash_nor_write_outside(
    cli: CliRun, filed_office: Office, tmp_path: Path, record_id: str, name: str
) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path, prefix="取出"))
    out = f"{folder}/{name.replace('..', '．．')}"  # inside the folder whatever separators the name holds
    for args in (("archive", "get", record_id, "--out", str(folder / "记录.txt")),
                 ("archive", "get", filed_office.records[min(filed_office.records)], "--out", out)):
        result = run(cli, *args)
        assert result.exit_code in EXIT_CODES, (result.exit_code, result.output)
        written = [p for p in folder.rglob("*") if p.is_file()]
        if result.exit_code != EXIT_OK:
            assert written == [], (args, written)
    assert not any(".tmp-" in p.name for p in folder.rglob("*")), "a temporary file was left behind"
    assert leftovers(filed_office.path) == []
