"""A searchable office: cases with parties, records of every readable format, built once per session.

- XF-2026-0001 (内部, 实名): 欧阳春燕 reports 慕容建国 of 某镇农经站. Its records: a 内部 letter
  (plain text), a 秘密 DOCX whose words sit in a table, a header and a footer, a 内部 PDF, and
  a 内部 photograph (no text: found by its title only).
- XF-2026-0002 (秘密): reports 郑秘书 — an account of the office, recused from it (回避).
- XF-2026-0003 (机密): reports 钱多多 of 伊金霍洛旗财政局; one 机密 record.

Records are filed through the library and indexed with :func:`search.indexing.index_queued`
by the leader, who holds every level.
"""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import docx
import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from archive import Archive, Level, add_records, login, parse_kind
from archive.cases import CaseRegistration, Petitioner, ReportedPerson, register_case
from search.indexing import index_queued
from tests.conftest import PASSPHRASE, Office, build_office

TODAY = date(2026, 11, 28)


@dataclass(frozen=True)
class Filed:
    """One record of the searchable office: what it is called and a word only it holds."""

    key: str
    case: str
    level: Level
    title: str
    file_name: str
    word: str
    formed: date


def docx_bytes(body: str, cell: str, header: str, footer: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(body)
    document.add_table(rows=1, cols=2).rows[0].cells[1].text = cell
    document.sections[0].header.paragraphs[0].text = header
    document.sections[0].footer.paragraphs[0].text = footer
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_bytes(*lines: str) -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.setFont("STSong-Light", 12)
    for number, line in enumerate(lines):
        page.drawString(72, 760 - 20 * number, line)
    page.save()
    return out.getvalue()


FILES: dict[str, tuple[Filed, bytes]] = {
    "letter": (
        Filed("letter", "XF-2026-0001", Level.INTERNAL, "关于截留退耕还林补助款的来信", "来信.txt", "退耕还林",
              date(2026, 11, 2)),
        "反映某镇农经站站长截留退耕还林补助款四十二万元，并虚报冒领危房改造补助。".encode(),
    ),
    "docx": (
        Filed("docx", "XF-2026-0001", Level.SECRET, "初步核实情况报告", "核实报告.docx", "饮水工程",
              date(2026, 11, 10)),
        docx_bytes("经初步核实，牧区饮水工程补助发放存在问题。", "表格里的青储饲料补贴", "页眉里的信访室专用",
                   "页脚里的第一页共三页"),
    ),
    "pdf": (
        Filed("pdf", "XF-2026-0001", Level.INTERNAL, "谈话笔录", "谈话笔录.pdf", "草原生态",
              date(2026, 11, 12)),
        pdf_bytes("谈话对象承认草原生态", "补奖资金曾被挪作他用"),
    ),
    "photo": (
        Filed("photo", "XF-2026-0001", Level.INTERNAL, "现场照片：农经站账本", "照片.jpg", "农经站账本",
              date(2026, 11, 13)),
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 8,
    ),
    "recused": (
        Filed("recused", "XF-2026-0002", Level.SECRET, "反映郑秘书的来信", "来信二.txt", "公车私用",
              date(2026, 11, 3)),
        "反映信访室郑秘书公车私用、违规报销补助款。".encode(),
    ),
    "confidential": (
        Filed("confidential", "XF-2026-0003", Level.CONFIDENTIAL, "财政局问题线索", "线索.txt", "专项债",
              date(2026, 11, 20)),
        "反映财政局钱多多违规挪用专项债资金，截留补助款。".encode(),
    ),
}


@dataclass
class Library:
    """The searchable office: its folder and record ids by key."""

    office: Office
    ids: dict[str, str]

    @property
    def path(self) -> Path:
        return self.office.path

    def open(self) -> Archive:
        return self.office.open()


def _register(archive: Archive) -> None:
    clerk, leader = login(archive, "王文秘", PASSPHRASE), login(archive, "吴领导", PASSPHRASE)
    registrations = [
        (clerk, CaseRegistration(
            channel="来信", received=date(2026, 11, 2), category="检举", importance="重要",
            classification=Level.INTERNAL, summary="反映农经站站长截留补助款", real_name=True,
            petitioners=[Petitioner("欧阳春燕", work_unit="某村委会")],
            reported=[ReportedPerson("慕容建国", unit="某镇农经站", post="站长")],
        )),
        (clerk, CaseRegistration(
            channel="来信", received=date(2026, 11, 3), category="检举", importance="一般",
            classification=Level.SECRET, summary="反映信访室工作人员公车私用", real_name=False,
            reported=[ReportedPerson("郑秘书", unit="伊金霍洛旗纪委监委")],
        )),
        (leader, CaseRegistration(
            channel="来电", received=date(2026, 11, 4), category="检举", importance="重要",
            classification=Level.CONFIDENTIAL, summary="反映财政局挪用专项债", real_name=False,
            reported=[ReportedPerson("钱多多", unit="伊金霍洛旗财政局")],
        )),
    ]
    for session, registration in registrations:
        register_case(archive, session, registration, today=TODAY)


def build_library(path: Path, scratch: Path) -> Library:
    office = build_office(path)
    ids = {}
    with office.open() as archive:
        _register(archive)
        leader = login(archive, "吴领导", PASSPHRASE)
        for key, (filed, content) in FILES.items():
            source = scratch / filed.file_name
            source.write_bytes(content)
            (info,) = add_records(
                archive, leader, [source], case_id=filed.case, title=filed.title, kind=parse_kind("letter"),
                classification=filed.level, formed=filed.formed,
            )
            ids[key] = info.record_id
        index_queued(archive, leader)
    return Library(office, ids)


@pytest.fixture(scope="session")
def library_template(tmp_path_factory: pytest.TempPathFactory) -> Library:
    scratch = tmp_path_factory.mktemp("library-sources")
    return build_library(tmp_path_factory.mktemp("library") / "archive", scratch)


@pytest.fixture
def library(library_template: Library, tmp_path: Path) -> Library:
    """A private copy of the searchable office, to change freely."""
    destination = tmp_path / "archive"
    shutil.copytree(library_template.path, destination)
    return Library(Office(destination), dict(library_template.ids))
