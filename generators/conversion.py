"""DOCX to PDF through LibreOffice, in a private folder that is removed afterwards.

Documents being converted are plaintext by nature, so they are written only to
a folder readable by the current user alone, with a LibreOffice profile of its
own inside it (so a running desktop LibreOffice is neither used nor disturbed),
and the folder is removed whatever happens.  Many documents go to one
``soffice`` call: starting LibreOffice costs far more than converting a page.

LibreOffice converts a copy, never the DOCX the office receives: in the copy
the standard faces name the families installed here (:func:`substitute_faces`)
and the character grid is a line grid (:func:`drop_character_grid`), because
LibreOffice's character grid spreads digits and Latin letters over whole cells
where Word sets them at their own width.

The PDFs' document information and XMP metadata are removed: an outgoing
document must not carry the author or title LibreOffice copies from the DOCX.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from .errors import ConversionFailed, ConverterMissing
from .fonts import fontconfig_environment

__all__ = ["clear_pdf_metadata", "convert_to_pdf", "drop_character_grid", "find_soffice", "substitute_faces"]

TIMEOUT_PER_DOCUMENT = 60  # seconds
_CANDIDATES = ("soffice", "libreoffice")


def find_soffice() -> str:
    """The LibreOffice executable, or ConverterMissing with how to install it."""
    for name in _CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    raise ConverterMissing(
        "未找到 LibreOffice（soffice），无法生成 PDF。请安装：apt-get install libreoffice-writer-nogui fonts-noto-cjk"
    )


def convert_to_pdf(documents: Sequence[bytes], faces: Mapping[str, str] | None = None) -> list[bytes]:
    """Each DOCX converted to a PDF with its metadata removed, in the same order.

    ``faces`` maps the standard face names a DOCX carries (仿宋_GB2312, 小标宋, …)
    to the families installed here (:func:`generators.fonts.font_map`): the
    DOCX keeps the names an office's Word or WPS knows, the PDF embeds what
    this machine has.  Either way LibreOffice lays out a copy without the
    character grid (:func:`drop_character_grid`).
    """
    if not documents:
        return []
    soffice = find_soffice()
    documents = [drop_character_grid(substitute_faces(data, faces) if faces else data) for data in documents]
    scratch = Path(tempfile.mkdtemp(prefix="xinfang-pdf-"))  # mode 0700
    try:
        sources = []
        for number, data in enumerate(documents):
            source = scratch / f"{number:05d}.docx"
            with os.fdopen(os.open(source, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
                handle.write(data)
            sources.append(source)
        out = scratch / "pdf"
        command = [
            soffice, f"-env:UserInstallation={(scratch / 'profile').as_uri()}", "--headless", "--norestore",
            "--nologo", "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out), *map(str, sources),
        ]
        try:
            completed = subprocess.run(
                command, capture_output=True, timeout=TIMEOUT_PER_DOCUMENT * len(documents) + 30, check=False,
                env={**os.environ, "HOME": str(scratch), "TMPDIR": str(scratch), **fontconfig_environment()},
            )
        except subprocess.TimeoutExpired as exc:
            raise ConversionFailed("LibreOffice 转换 PDF 超时") from exc
        results = []
        for source in sources:
            pdf = out / f"{source.stem}.pdf"
            if not pdf.is_file():
                detail = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["无输出"]
                raise ConversionFailed(f"LibreOffice 未能生成 PDF（{detail[0]}）")
            results.append(clear_pdf_metadata(pdf.read_bytes()))
        return results
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


_FONT_ATTRIBUTE = re.compile(r'(w:(?:ascii|hAnsi|eastAsia|cs)=")([^"]*)(")')
_FONT_NAME = re.compile(r'(<w:font w:name=")([^"]*)(")')
_DOC_GRID = re.compile(r"<w:docGrid\b[^>]*>")
_CHARACTER_GRID = re.compile(r'\bw:type="linesAndChars"')
_CHAR_SPACE = re.compile(r'\bw:charSpace="(-?\d+)"')


def substitute_faces(docx: bytes, faces: Mapping[str, str]) -> bytes:
    """A copy of ``docx`` whose run fonts and font table name the mapped families instead of the standard faces."""
    def swap(match: re.Match[str]) -> str:
        return match.group(1) + xml_escape(faces.get(match.group(2), match.group(2)), {'"': "&quot;"}) + match.group(3)

    return _rewrite_parts(docx, lambda text: _FONT_NAME.sub(swap, _FONT_ATTRIBUTE.sub(swap, text)))


def drop_character_grid(docx: bytes) -> bytes:
    """A copy of ``docx`` whose ``linesAndChars`` grids are line grids (``w:type="lines"``), pitch unchanged.

    LibreOffice rounds each run of half-width characters up to whole cells of
    a character grid, so "2026年11月28日" prints as "2026　年11　月28　日"; Word
    sets them at their own width.  Without the character grid LibreOffice,
    too, sets every character at its own width: the templates' 98 % 3号
    characters (15.68 pt) still fit 28 to the 442.24 pt line and 26 after a
    two-character indent, the line grid still gives 22 lines a page (see
    :mod:`generators.layout`).  A grid whose cells are wider than the base
    size (positive ``w:charSpace``) spreads characters apart, which only the
    grid does, so it is kept.
    """
    def lines_only(match: re.Match[str]) -> str:
        char_space = _CHAR_SPACE.search(match.group(0))
        if char_space and int(char_space.group(1)) > 0:
            return match.group(0)
        return _CHARACTER_GRID.sub('w:type="lines"', match.group(0))

    return _rewrite_parts(docx, lambda text: _DOC_GRID.sub(lines_only, text), containing=b"<w:docGrid")


def _rewrite_parts(docx: bytes, rewrite: Callable[[str], str], *, containing: bytes = b"") -> bytes:
    """A copy of ``docx`` with ``rewrite`` applied to the text of each XML part under ``word/`` that holds ``containing``."""
    try:
        with zipfile.ZipFile(io.BytesIO(docx)) as source:
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
                for info in source.infolist():
                    data = source.read(info)
                    if info.filename.startswith("word/") and info.filename.endswith(".xml") and containing in data:
                        data = rewrite(data.decode("utf-8")).encode("utf-8")
                    target.writestr(info, data)
    except (zipfile.BadZipFile, UnicodeDecodeError, KeyError) as exc:
        raise ConversionFailed(f"不是有效的 DOCX 文件：{exc}") from exc
    return out.getvalue()


def clear_pdf_metadata(pdf: bytes, *, title: str | None = None, author: str | None = None) -> bytes:
    """The same PDF without XMP metadata and with only the information it is given.

    LibreOffice writes the template's properties, its own name and the times of
    conversion; none of that belongs in a letter.  An issued document states
    its 发文字号 and title and the issuing organ, as on its face — nothing else.
    """
    try:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
        writer.metadata = None
        writer.xmp_metadata = None
        if title or author:
            writer.add_metadata({key: value for key, value in (("/Title", title), ("/Author", author)) if value})
        buffer = io.BytesIO()
        writer.write(buffer)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise ConversionFailed(f"生成的 PDF 无法读取：{exc}") from exc
    return buffer.getvalue()
