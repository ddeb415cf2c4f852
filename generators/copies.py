"""Numbered copies of a record as PDFs: every page stamped with who may read it, when, what and which copy.

An exported copy says on its face whose it is: ``仅供 张某 查阅 2026-11-28 14:03
J001-WS·2026-D30-XFS-0007 第003份`` (:func:`stamp_text`) runs along the bottom
margin of every page in small grey type and once more, large and light, across
the page.  The register of who received which copy is the archive's
(:mod:`archive.copies`); this module only makes the PDF (:func:`pdf_copy`):

- a PDF record is kept page for page (sizes, ``/Rotate`` and box offsets included);
- a DOCX record is converted by LibreOffice (:func:`generators.conversion.convert_to_pdf`);
- a plain-text record (UTF-8 or GB18030) is set on A4 pages, long lines wrapped;
- anything else — images, old ``.doc`` files, archives — is refused (:class:`CopyRefused`).

pypdf cannot typeset Chinese, so the stamp is drawn by reportlab on an overlay
page of each page's visible size and merged onto the page by pypdf.  The face
is the office's 楷体 — LXGW WenKai (霞鹜文楷, ``fonts-lxgw-wenkai``, SIL OFL)
unless ``[fonts]`` names another: it must be TrueType, which reportlab embeds
as a subset; Debian's Noto CJK faces are CFF outlines in a collection, which it
cannot embed.  The stamp is real text: a copy found where it should not be
names its receiver to anyone who extracts its text, not only to the eye.  Every
character is checked against the face first: a name with a character the face
lacks is refused, never printed as a blank.

The copy carries no document information or XMP metadata
(:func:`generators.conversion.clear_pdf_metadata`).  A stamp is an overlay,
not a seal: someone with a PDF editor can remove it, which is why the register
records every copy by number.
"""

from __future__ import annotations

import hashlib
import io
import math
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path, PurePath

from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, NameObject
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

from archive.copies import CopyRequest
from archive.errors import InvalidInput
from archive.outgoing import document_kind

from .conversion import clear_pdf_metadata, convert_to_pdf
from .errors import CopyRefused, FontMissing, GlyphMissing, LayoutError
from .fonts import find_font_file, font_map, missing_glyphs

__all__ = ["MAX_BYTES", "MAX_PAGES", "STAMP_FACE", "STAMP_FAMILY", "pdf_copy", "render_copy", "stamp_text"]

STAMP_FACE = "楷体"
"""The standard face the stamp and text records' pages are set in, as ``[fonts]`` maps it."""
STAMP_FAMILY = "LXGW WenKai"
"""The family :data:`STAMP_FACE` maps to by default: TrueType, so reportlab can embed a subset."""
MAX_PAGES = 2000
"""A copy of more pages than this is refused: stamping is per page, and nobody reads such a copy on paper."""
MAX_BYTES = 100 * 1024 * 1024
"""A record larger than this is refused before any work (the archive's own limit for a document)."""

NOT_PRINTABLE = "该记录不是 PDF、DOCX 或文本文件，无法导出为 PDF 副本"
_INSTALL_HINT = "导出 PDF 副本需要字体「LXGW WenKai」（霞鹜文楷）。请安装：apt-get install fonts-lxgw-wenkai"
_REGISTERED_NAME = "XinfangCopyStamp"
# Names that mark a file no text reading makes sense of, even when its bytes happen to decode.
_BINARY_SUFFIXES = frozenset(
    ".jpg .jpeg .png .gif .bmp .tif .tiff .webp .heic .mp3 .wav .amr .m4a .mp4 .avi .mov .wmv "
    ".zip .rar .7z .gz .doc .xls .xlsx .ppt .pptx .wps .ofd .exe".split()
)
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")
_LINE_BREAKING = frozenset(("Cc", "Cf", "Zl", "Zp"))  # categories a one-line stamp must not hold
# pypdf's own errors and what it lets through from a damaged file.
_PDF_ERRORS = (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError)

# The stamp: along the bottom margin, and across the page's diagonal.
_LINE_SIZE = 9.0  # pt, shrunk to fit a narrow page
_LINE_RISE = 28.0  # pt above the visible box's bottom edge (≈ 10 mm, inside printers' reach)
_LINE_GREY = 0.3
_DIAGONAL_SIZE = 28.0  # pt at most
_DIAGONAL_SPAN = 0.75  # of the diagonal's length
_DIAGONAL_GREY, _DIAGONAL_ALPHA = 0.5, 0.18

# Text records: A4, body 12 pt on a 20 pt line, margins that leave the bottom margin to the stamp.
_TEXT_SIZE, _TEXT_LEADING = 12.0, 20.0
_TEXT_LEFT, _TEXT_RIGHT, _TEXT_TOP, _TEXT_BOTTOM = 28 * mm, 26 * mm, 30 * mm, 30 * mm
_TAB_WIDTH = 4
_MAX_LINE_CHARACTERS = 250  # more than the narrowest glyphs of the face fill in a 12 pt line of the type area
# Characters that must not begin a line (避头): they hang in the right margin instead, one at most.
_NO_LINE_START = frozenset("，。、；：？！,.;:?!）》」』】〕〉”’)]}…—%·")


def stamp_text(viewer: str, at: datetime, reference: str, copy_no: int) -> str:
    """``仅供 {viewer} 查阅 {YYYY-MM-DD HH:MM} {reference} 第{copy_no:03d}份``: the line on every page of a copy.

    *at* is printed as given (convert to local time first); *reference* is the
    档号, or the record id while the record has none; *copy_no* runs 1 to 999.
    """
    if not 1 <= copy_no <= 999:
        raise LayoutError(f"份号应为 1 至 999 之间的整数，而不是 {copy_no}")
    for label, value in (("查阅人", viewer), ("档号或记录号", reference)):
        if not value.strip():
            raise LayoutError(f"水印中的{label}不能为空")
        if _breaks_line(value):
            raise LayoutError(f"水印中的{label}含有换行或控制字符")
    when = f"{at.year:04d}-{at.month:02d}-{at.day:02d} {at.hour:02d}:{at.minute:02d}"
    return f"仅供 {viewer.strip()} 查阅 {when} {reference.strip()} 第{copy_no:03d}份"


def render_copy(request: CopyRequest, faces: Mapping[str, str] | None = None) -> bytes:
    """The stamped PDF for a numbered copy the register is issuing (:func:`archive.copies.issue_copy`).

    The time on the stamp is the viewer's local time.
    """
    stamp = stamp_text(request.viewer, request.at.astimezone(), request.reference, request.copy_no)
    return pdf_copy(request.content, request.file_name, stamp, faces=faces)


def pdf_copy(content: bytes, file_name: str, stamp: str, *, faces: Mapping[str, str] | None = None) -> bytes:
    """A PDF of the record *content* with *stamp* on every page and no metadata.

    The kind is read from the content (:func:`archive.outgoing.document_kind`);
    of *file_name* only the suffix is looked at, to refuse an image or other
    binary whose bytes happen to decode as text.  *faces* maps the standard
    faces to installed families, as ``[fonts]`` in ``xinfang.toml`` sets them
    (:func:`generators.fonts.font_map`; the defaults when None): a DOCX is
    converted with them, and the stamp and a text record's pages are set in
    the family of :data:`STAMP_FACE`, which must be a TrueType font.

    Raises :class:`LayoutError` for a stamp that is not one line;
    :class:`CopyRefused` for a record that is not a PDF, DOCX or text, an
    encrypted or malformed PDF, or one over :data:`MAX_PAGES` pages or
    :data:`MAX_BYTES` bytes; :class:`FontMissing` without the stamp's face;
    :class:`GlyphMissing` for a character of the stamp or of a text record the
    face lacks; :class:`ConverterMissing` / :class:`ConversionFailed` from
    LibreOffice for a DOCX.
    """
    if _breaks_line(stamp) or not stamp.strip():
        raise LayoutError("水印应为一行文字，不能为空或含有换行、控制字符")
    faces = font_map() if faces is None else faces
    family = faces.get(STAMP_FACE, STAMP_FAMILY)
    font = _stamp_font(family)
    _require_glyphs(stamp, family, "水印")
    if len(content) > MAX_BYTES:
        raise CopyRefused(f"该记录超过 {MAX_BYTES // (1024 * 1024)} MB，无法导出为 PDF 副本")
    kind = _record_kind(content, file_name)
    if kind == "pdf":
        pdf = content
    elif kind == "docx":
        (pdf,) = convert_to_pdf([content], faces)
    else:
        text = _decode_text(content)
        _require_glyphs(text, family, "记录正文")
        pdf = _typeset_text(text, font)
    return clear_pdf_metadata(_stamp_pages(pdf, stamp, font))


# --------------------------------------------------------------------------- the record's kind


def _record_kind(content: bytes, file_name: str) -> str:
    try:
        kind = document_kind(content)
    except InvalidInput as exc:  # an old binary .doc, or a DOCX encrypted by Word
        raise CopyRefused(f"{NOT_PRINTABLE}（旧式 Office 文件或加密的 DOCX 请先另存为 .docx）") from exc
    if kind == "docx":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as package:
                is_docx = "word/document.xml" in package.namelist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise CopyRefused(f"{NOT_PRINTABLE}（不是有效的 DOCX 文件）") from exc
        if not is_docx:
            raise CopyRefused(NOT_PRINTABLE)
    elif kind == "text" and PurePath(file_name).suffix.lower() in _BINARY_SUFFIXES:
        raise CopyRefused(NOT_PRINTABLE)
    return kind


def _decode_text(content: bytes) -> str:
    """The text of a UTF-8 or GB18030 file, or CopyRefused if the bytes are not text at all."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(unicodedata.category(char) == "Cc" and char not in _TEXT_CONTROLS for char in text):
            break  # NUL and other control bytes: a binary file that happens to decode
        return text
    raise CopyRefused(NOT_PRINTABLE)


# --------------------------------------------------------------------------- the face


def _breaks_line(text: str) -> bool:
    return any(unicodedata.category(char) in _LINE_BREAKING for char in text)


def _stamp_font(family: str) -> str:
    """The reportlab name of *family*, registered once per process; FontMissing if not installed."""
    try:
        path = find_font_file(family)
    except FontMissing as exc:
        if family == STAMP_FAMILY:
            raise FontMissing(_INSTALL_HINT) from exc
        raise
    return _register(path)


def _require_glyphs(text: str, family: str, label: str) -> None:
    """GlyphMissing naming each character of *text* that *family* would print as a blank, and what to do."""
    missing = missing_glyphs(text, family)
    if missing:
        listed = "、".join(f"{char}（U+{ord(char):04X}）" for char in missing)
        raise GlyphMissing(
            f"「{label}」中有字体「{family}」没有的字：{listed}，印在副本上会是空白。请安装收字更全的 TrueType "
            f"字体，并在 xinfang.toml 的 [fonts] 中指定为「{STAMP_FACE}」",
            family=family,
            characters=tuple(missing),
        )


@lru_cache(maxsize=4)
def _register(path: Path) -> str:
    name = f"{_REGISTERED_NAME}-{hashlib.sha256(str(path).encode()).hexdigest()[:8]}"
    try:
        pdfmetrics.registerFont(TTFont(name, str(path)))
    except (TTFError, OSError) as exc:
        raise FontMissing(
            f"副本的水印用「{STAMP_FACE}」的字体，其文件 {path.name} 不是可嵌入的 TrueType 字体（{exc}）。"
            f"请在 xinfang.toml 的 [fonts] 中为「{STAMP_FACE}」指定 TrueType（.ttf）字体，或改回默认的 {STAMP_FAMILY}"
        ) from exc
    return name


# --------------------------------------------------------------------------- text records


def _typeset_text(text: str, font: str) -> bytes:
    """*text* on A4 pages in *font*, lines wrapped to the type area, ``\\f`` starting a new page."""
    width, height = A4
    measure = _advance_widths(font, _TEXT_SIZE)
    lines_per_page = int((height - _TEXT_TOP - _TEXT_BOTTOM) // _TEXT_LEADING)
    # Refuse a text that cannot fit before wrapping it: no line holds more than _MAX_LINE_CHARACTERS.
    if (text.count("\n") + text.count("\f") >= MAX_PAGES * lines_per_page
            or len(text) > MAX_PAGES * lines_per_page * _MAX_LINE_CHARACTERS):
        raise CopyRefused(f"该文本排版后超过 {MAX_PAGES} 页，无法导出为 PDF 副本")
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, initialFontName=font, initialFontSize=_TEXT_SIZE, invariant=True)
    pages = 0

    def page_lines() -> Iterator[list[str]]:
        for sheet in text.replace("\r\n", "\n").replace("\r", "\n").split("\f"):
            lines = [piece for line in sheet.split("\n") for piece in
                     _wrap(_printable_line(line), measure, width - _TEXT_LEFT - _TEXT_RIGHT)]
            for start in range(0, max(len(lines), 1), lines_per_page):
                yield lines[start:start + lines_per_page]

    for lines in page_lines():
        pages += 1
        if pages > MAX_PAGES:
            raise CopyRefused(f"该文本排版后超过 {MAX_PAGES} 页，无法导出为 PDF 副本")
        canvas.setFont(font, _TEXT_SIZE)
        for row, line in enumerate(lines):
            if line:
                canvas.drawString(_TEXT_LEFT, height - _TEXT_TOP - _TEXT_SIZE - row * _TEXT_LEADING, line)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _printable_line(line: str) -> str:
    """*line* with tabs expanded, invisible format characters dropped and odd spaces made plain ones."""
    kept = []
    for char in line.expandtabs(_TAB_WIDTH):
        if unicodedata.category(char) in ("Cc", "Cf"):
            continue
        kept.append(" " if char.isspace() and char != "\u3000" else char)
    return "".join(kept)


def _advance_widths(font: str, size: float) -> Callable[[str], float]:
    widths: dict[str, float] = {}

    def advance(char: str) -> float:
        if char not in widths:
            widths[char] = pdfmetrics.stringWidth(char, font, size)
        return widths[char]

    return advance


def _wrap(line: str, advance: Callable[[str], float], width: float) -> Iterator[str]:
    """*line* cut into pieces no wider than *width*: anywhere between CJK characters, at a space inside Latin words.

    A character that must not begin a line (。，」…) may hang past the edge, one
    at most, rather than start the next line.
    """
    start, used, after_space = 0, 0.0, -1
    index = 0
    while index < len(line):
        char = line[index]
        extent = advance(char)
        if used + extent > width and index > start and not (char in _NO_LINE_START and used <= width):
            in_word = _is_word(char) and _is_word(line[index - 1])
            cut = after_space if in_word and after_space > start else index
            yield line[start:cut]
            start, used, after_space = cut, sum(advance(c) for c in line[cut:index]), -1
            continue
        used += extent
        if char == " ":
            after_space = index + 1
        index += 1
    yield line[start:]


def _is_word(char: str) -> bool:
    return char.isascii() and char.isalnum()


# --------------------------------------------------------------------------- stamping


def _stamp_pages(pdf: bytes, stamp: str, font: str) -> bytes:
    """*pdf* with *stamp* merged onto every page, upright as the page is shown."""
    try:
        reader = PdfReader(io.BytesIO(pdf))
        if reader.is_encrypted:
            raise CopyRefused("该 PDF 已加密，无法导出副本；请归档未加密的版本")
        count = len(reader.pages)
    except _PDF_ERRORS as exc:
        raise CopyRefused(f"不是有效的 PDF 文件，无法导出副本（{exc}）") from exc
    if count == 0:
        raise CopyRefused("该 PDF 没有页面，无法导出副本")
    if count > MAX_PAGES:
        raise CopyRefused(f"该 PDF 有 {count} 页，超过 {MAX_PAGES} 页的上限，无法导出副本")
    overlays: dict[tuple[float, float], PageObject] = {}
    try:
        writer = PdfWriter(clone_from=reader)
        for page in writer.pages:
            left, bottom, right, top = (float(value) for value in page.cropbox)
            x0, y0, width, height = min(left, right), min(bottom, top), abs(right - left), abs(top - bottom)
            if width < 1 or height < 1:
                raise CopyRefused("该 PDF 有页面尺寸为零，无法导出副本")
            rotation = int(page.rotation) % 360 if int(page.rotation) % 90 == 0 else 0
            shown = (height, width) if rotation in (90, 270) else (width, height)
            key = (round(shown[0], 2), round(shown[1], 2))
            if key not in overlays:
                overlays[key] = _overlay(*key, stamp, font)
            _own_resources(page)
            page.merge_transformed_page(overlays[key], _placement(rotation, x0, y0, width, height))
            page.compress_content_streams()  # merging leaves the page's content decompressed
        buffer = io.BytesIO()
        writer.write(buffer)
    except _PDF_ERRORS as exc:
        raise CopyRefused(f"PDF 文件无法读取，无法导出副本（{exc}）") from exc
    return buffer.getvalue()


def _own_resources(page: PageObject) -> None:
    """Give *page* resource dictionaries of its own for what the overlay adds to them.

    Pages often share one resource dictionary (LibreOffice and reportlab write
    them so); merging into a shared one would add each page's stamp font to
    every page, and make the merge slower with every page.
    """
    shared = page.get("/Resources")
    resources = DictionaryObject() if shared is None else shared.get_object()
    own = DictionaryObject(resources)
    for key in ("/Font", "/ExtGState"):
        if key in own:
            own[NameObject(key)] = DictionaryObject(own[key].get_object())
    if "/ProcSet" in own:
        own[NameObject("/ProcSet")] = ArrayObject(own["/ProcSet"].get_object())
    page[NameObject("/Resources")] = own


def _placement(rotation: int, x0: float, y0: float, width: float, height: float) -> Transformation:
    """The map from an overlay drawn as the page is shown to the page's own space (box *x0*, *y0*, *width* × *height*).

    ``/Rotate`` turns the page clockwise for display, so the overlay is turned
    back: its bottom-left corner goes to the corner of the box that is shown
    bottom-left.
    """
    matrix = {
        0: (1, 0, 0, 1, x0, y0),
        90: (0, 1, -1, 0, x0 + width, y0),
        180: (-1, 0, 0, -1, x0 + width, y0 + height),
        270: (0, -1, 1, 0, x0, y0 + height),
    }[rotation]
    return Transformation(matrix)


def _overlay(width: float, height: float, stamp: str, font: str) -> PageObject:
    """A *width* × *height* page holding only the stamp: a grey line at the bottom and a light one across."""
    unit = pdfmetrics.stringWidth(stamp, font, 1)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), initialFontName=font, invariant=True)
    line_size = min(_LINE_SIZE, width * 0.9 / unit)
    canvas.setFont(font, line_size)
    canvas.setFillGray(_LINE_GREY)
    canvas.drawCentredString(width / 2, min(_LINE_RISE, height * 0.04), stamp)
    diagonal_size = min(_DIAGONAL_SIZE, math.hypot(width, height) * _DIAGONAL_SPAN / unit)
    canvas.saveState()
    canvas.translate(width / 2, height / 2)
    canvas.rotate(math.degrees(math.atan2(height, width)))
    canvas.setFont(font, diagonal_size)
    canvas.setFillGray(_DIAGONAL_GREY)
    canvas.setFillAlpha(_DIAGONAL_ALPHA)
    canvas.drawCentredString(0, -diagonal_size / 3, stamp)
    canvas.restoreState()
    canvas.showPage()
    canvas.save()
    page = PdfReader(io.BytesIO(buffer.getvalue())).pages[0]
    _tag_subsets(page)
    return page


def _tag_subsets(page: PageObject) -> None:
    """Name each embedded subset after its own bytes (``QWERTY+LXGWWenKai-Regular``).

    reportlab tags the subsets of every document it writes AAAAAA, AAAAAB, …;
    a text record set by reportlab and its stamp would then carry two different
    subsets under one name, which some viewers and printers take to be the same
    font.
    """
    for reference in page["/Resources"]["/Font"].values():
        font = reference.get_object()
        descriptor = font["/FontDescriptor"].get_object()
        digest = hashlib.sha256(descriptor["/FontFile2"].get_object().get_data()).digest()
        tag = "".join(chr(ord("A") + byte % 26) for byte in digest[:6])
        name = NameObject(f"/{tag}+{str(font['/BaseFont']).partition('+')[2]}")
        font[NameObject("/BaseFont")] = name
        descriptor[NameObject("/FontName")] = name
