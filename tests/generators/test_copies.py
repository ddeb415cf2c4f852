"""Numbered PDF copies: every page carries the stamp as embedded, extractable Chinese text; odd records are refused."""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Sequence
from datetime import datetime

import docx
import pytest
from pypdf import PageObject, PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from generators import CopyRefused, FontMissing, GlyphMissing, LayoutError, pdf_copy, stamp_text
from generators import copies as copies_module

pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))

STAMP = "仅供 张某 查阅 2026-11-28 14:03 J001-WS·2026-D30-XFS-0007 第003份"
CJK = re.compile(r"[\u4e00-\u9fff]")
# (page size, /Rotate, offset of the media box): the visible box is not always at the origin, nor upright.
PAGES: Sequence[tuple[tuple[float, float], int, tuple[float, float]]] = (
    (A4, 0, (0, 0)),
    (landscape(A4), 0, (0, 0)),
    (A5, 0, (-50, -30)),
    (A4, 90, (0, 0)),
    (A5, 180, (0, 0)),
    (A4, 270, (20, 40)),
)
# Which way the stamp's baseline runs in the page's own space, for each /Rotate, when it reads upright on screen.
UPRIGHT = {0: (1, 0), 90: (0, 1), 180: (-1, 0), 270: (0, -1)}


def _line(number: int) -> str:
    return f"第{number}页原文：反映镇长挪用扶贫专项资金"


def _pdf(pages: Sequence[tuple[tuple[float, float], int, tuple[float, float]]] = PAGES, *,
         title: str | None = None) -> bytes:
    """A PDF whose page n says :func:`_line` (n), in the sizes, rotations and box offsets given."""
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    if title:
        sheet.setTitle(title)
        sheet.setAuthor("王文秘")
    for number, (size, _, _) in enumerate(pages, 1):
        sheet.setPageSize(size)
        sheet.setFont("STSong-Light", 14)
        sheet.drawString(72, size[1] - 96, _line(number))
        sheet.showPage()
    sheet.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buffer.getvalue())))
    for page, (_, rotation, (dx, dy)) in zip(writer.pages, pages, strict=True):
        if dx or dy:
            page.mediabox.lower_left = (dx, dy)
        if rotation:
            page.rotate(rotation)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _docx(paragraphs: Sequence[str]) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def _stamp_fonts(page: PageObject) -> list[tuple[str, bool]]:
    """(BaseFont, embedded as FontFile2) of each LXGW WenKai font the page uses."""
    found = []
    for reference in page["/Resources"]["/Font"].values():
        font = reference.get_object()
        if "LXGWWenKai" in str(font["/BaseFont"]):
            descriptor = font["/FontDescriptor"].get_object()
            found.append((str(font["/BaseFont"]), "/FontFile2" in descriptor))
    return found


@pytest.fixture(scope="module")
def stamped() -> bytes:
    """:data:`PAGES` made into a copy stamped with :data:`STAMP` (the source's title and author set)."""
    return pdf_copy(_pdf(title="举报镇长挪用扶贫款的来信"), "来信.pdf", STAMP)


# --------------------------------------------------------------------------- the stamp's line


def test_the_stamp_reads_as_the_register_numbers_the_copy() -> None:
    at = datetime(2026, 11, 28, 14, 3, 59)
    assert stamp_text("张某", at, "J001-WS·2026-D30-XFS-0007", 3) == STAMP
    assert stamp_text("李桂芝", datetime(2027, 1, 2, 8, 5), "R-2026-000001", 120) == (
        "仅供 李桂芝 查阅 2027-01-02 08:05 R-2026-000001 第120份"
    )


@pytest.mark.parametrize(("viewer", "reference", "copy_no"), [
    ("张某", "R-2026-000001", 0),
    ("张某", "R-2026-000001", 1000),
    ("", "R-2026-000001", 1),
    ("张某\n李某", "R-2026-000001", 1),
    ("张某", " ", 1),
])
def test_a_stamp_that_cannot_be_printed_on_one_line_is_refused(viewer: str, reference: str, copy_no: int) -> None:
    with pytest.raises(LayoutError, match=CJK):
        stamp_text(viewer, datetime(2026, 11, 28, 14, 3), reference, copy_no)


# --------------------------------------------------------------------------- a PDF record


def test_every_page_of_a_pdf_keeps_its_text_and_size_and_carries_the_stamp(stamped: bytes) -> None:
    source, copy = _reader(_pdf()), _reader(stamped)
    assert len(copy.pages) == len(source.pages) == len(PAGES)
    for number, (page, original) in enumerate(zip(copy.pages, source.pages, strict=True), 1):
        text = page.extract_text()
        assert STAMP in text, f"page {number}"
        assert _line(number) in text, f"page {number}"
        assert page.mediabox == original.mediabox and page.rotation == original.rotation


def test_the_stamp_runs_upright_along_the_bottom_of_each_page_as_shown(stamped: bytes) -> None:
    for number, (page, (_, rotation, _)) in enumerate(zip(_reader(stamped).pages, PAGES, strict=True), 1):
        left, bottom, right, top = (float(v) for v in page.mediabox)
        lines: list[tuple[float, float, float, float]] = []

        def visit(text: str, cm: list[float], tm: list[float], font: object, size: float,
                  lines: list[tuple[float, float, float, float]] = lines) -> None:
            if STAMP in text:
                x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
                y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
                lines.append((x, y, cm[0] * tm[0] + cm[2] * tm[1], cm[1] * tm[0] + cm[3] * tm[1]))

        page.extract_text(visitor_text=visit)
        assert len(lines) == 2, f"page {number}: the bottom line and the diagonal"
        upright = [(x, y) for x, y, dx, dy in lines if math.isclose(dx, UPRIGHT[rotation][0], abs_tol=1e-6)
                   and math.isclose(dy, UPRIGHT[rotation][1], abs_tol=1e-6)]
        assert len(upright) == 1, f"page {number}: {lines}"
        (x, y), = upright
        assert left < x < right and bottom < y < top, f"page {number}: the stamp starts off the page"
        above_shown_bottom = {0: y - bottom, 90: right - x, 180: top - y, 270: x - left}[rotation]
        assert 0 < above_shown_bottom < 40, f"page {number}"


def test_the_stamp_face_is_embedded_as_a_subset(stamped: bytes) -> None:
    for number, page in enumerate(_reader(stamped).pages, 1):
        fonts = _stamp_fonts(page)
        assert fonts, f"page {number}"
        for base_font, embedded in fonts:
            assert re.fullmatch(r"/[A-Z]{6}\+LXGWWenKai-Regular", base_font), base_font
            assert embedded, base_font


def test_the_copy_carries_no_title_or_author(stamped: bytes) -> None:
    assert PdfReader(io.BytesIO(_pdf(title="举报镇长挪用扶贫款的来信"))).metadata.title  # the source has one
    copy = _reader(stamped)
    assert not copy.metadata or not ({"/Title", "/Author", "/Creator", "/Producer"} & set(copy.metadata))
    assert copy.xmp_metadata is None
    assert "挪用扶贫款的来信".encode("utf-16-be") not in stamped and "王文秘".encode("utf-16-be") not in stamped


def test_making_a_copy_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    pdf_copy(_pdf(PAGES[:1]), "来信.pdf", STAMP)
    assert capsys.readouterr() == ("", "")


# --------------------------------------------------------------------------- text and DOCX records


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_long_text_record_is_set_on_several_pages_each_stamped(encoding: str) -> None:
    paragraphs = [f"{n}. 实名举报人反映：红庆河镇镇长张大山挪用扶贫专项资金修建镇政府办公楼。" * 4 for n in range(1, 60)]
    english = "The applicant asks that the township accounts for the poverty relief funds be audited again. " * 8
    text = "\n".join(paragraphs + [english.strip(), "", "（完）"])
    copy = _reader(pdf_copy(text.encode(encoding), "来信.txt", STAMP))
    assert len(copy.pages) >= 3
    pages = [page.extract_text() for page in copy.pages]
    assert all(STAMP in page for page in pages)
    body = "".join(page.replace(STAMP, "") for page in pages)
    assert "".join(body.split()) == "".join(text.split())
    words = set(english.split())
    english_lines = [line for line in body.splitlines() if line.startswith(("The", "applicant")) or "audited" in line]
    assert len(english_lines) > 1  # the long line was wrapped …
    assert all(set(line.split()) <= words for line in english_lines)  # … between words, not inside them


def test_a_docx_record_is_converted_and_stamped(soffice: str) -> None:
    paragraphs = ["关于红庆河镇扶贫资金问题的调查报告", "经调查核实，反映的问题基本属实。"]
    copy = _reader(pdf_copy(_docx(paragraphs), "调查报告.docx", STAMP))
    texts = [page.extract_text() for page in copy.pages]
    assert texts and all(STAMP in text for text in texts)
    assert all(paragraph in "".join(texts) for paragraph in paragraphs)
    assert all(_stamp_fonts(page) for page in copy.pages)


# --------------------------------------------------------------------------- what is refused


def _zip(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(("content", "file_name"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "扫描件.png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)), "照片.jpg"),
    (bytes(range(256)) * 4, "附件.bin"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "旧式.doc"),
    (_zip("xl/workbook.xml"), "台账.xlsx"),
    (b"PK\x03\x04 not really a zip", "坏的.docx"),
    ("看起来像文字".encode(), "照片.jpg"),
])
def test_a_record_that_is_not_a_document_is_refused(content: bytes, file_name: str) -> None:
    with pytest.raises(CopyRefused, match="该记录不是 PDF、DOCX 或文本文件，无法导出为 PDF 副本"):
        pdf_copy(content, file_name, STAMP)


def test_an_encrypted_or_broken_pdf_is_refused() -> None:
    writer = PdfWriter(clone_from=_reader(_pdf(PAGES[:1])))
    writer.encrypt("口令", algorithm="AES-128")
    encrypted = io.BytesIO()
    writer.write(encrypted)
    with pytest.raises(CopyRefused, match="已加密"):
        pdf_copy(encrypted.getvalue(), "来信.pdf", STAMP)
    for broken in (b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n%%EOF", _pdf(PAGES[:2])[:400]):
        with pytest.raises(CopyRefused, match=CJK):
            pdf_copy(broken, "来信.pdf", STAMP)


def test_a_name_the_face_cannot_print_is_refused_naming_only_that_character() -> None:
    stamp = stamp_text("王𪚥", datetime(2026, 11, 28, 14, 3), "R-2026-000001", 1)
    with pytest.raises(GlyphMissing) as caught:
        pdf_copy(_pdf(PAGES[:1]), "来信.pdf", stamp)
    assert caught.value.characters == ("𪚥",)
    assert "U+2A6A5" in str(caught.value) and "王" not in str(caught.value)
    assert "[fonts]" in str(caught.value) and "楷体" in str(caught.value)  # where to name a fuller face
    with pytest.raises(GlyphMissing, match="记录正文"):
        pdf_copy("举报人王𪚥反映".encode(), "来信.txt", STAMP)


def test_work_is_bounded_by_pages_and_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(copies_module, "MAX_PAGES", 2)
    with pytest.raises(CopyRefused, match="超过 2 页"):
        pdf_copy(_pdf(PAGES[:3]), "来信.pdf", STAMP)
    for text in ("一行字\n" * 200, "一行很长的字" * 800):  # too many lines; lines that wrap onto too many pages
        with pytest.raises(CopyRefused, match="超过 2 页"):
            pdf_copy(text.encode(), "来信.txt", STAMP)
    monkeypatch.setattr(copies_module, "MAX_BYTES", 1024)
    with pytest.raises(CopyRefused, match="MB"):
        pdf_copy(b"x" * 2048, "来信.txt", STAMP)


def test_without_the_face_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(family: str) -> None:
        raise FontMissing(f"未安装字体「{family}」")

    monkeypatch.setattr(copies_module, "find_font_file", not_installed)
    with pytest.raises(FontMissing, match="apt-get install fonts-lxgw-wenkai"):
        pdf_copy(_pdf(PAGES[:1]), "来信.pdf", STAMP)


def test_the_stamp_face_follows_the_offices_kai_face_and_must_be_truetype() -> None:
    with pytest.raises(FontMissing, match="TrueType"):
        pdf_copy(_pdf(PAGES[:1]), "来信.pdf", STAMP, faces={"楷体": "Noto Serif CJK SC"})
