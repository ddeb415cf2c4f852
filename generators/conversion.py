"""DOCX to PDF through LibreOffice, in a private folder that is removed afterwards.

Documents being converted are plaintext by nature, so they are written only to
a folder readable by the current user alone, with a LibreOffice profile of its
own inside it (so a running desktop LibreOffice is neither used nor disturbed),
and the folder is removed whatever happens.  Many documents go to one
``soffice`` call: starting LibreOffice costs far more than converting a page.

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
from collections.abc import Mapping, Sequence
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from .errors import ConversionFailed, ConverterMissing
from .fonts import fontconfig_environment

__all__ = ["clear_pdf_metadata", "convert_to_pdf", "find_soffice", "substitute_faces"]

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
    this machine has.
    """
    if not documents:
        return []
    soffice = find_soffice()
    if faces:
        documents = [substitute_faces(data, faces) for data in documents]
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


def substitute_faces(docx: bytes, faces: Mapping[str, str]) -> bytes:
    """A copy of ``docx`` whose run fonts and font table name the mapped families instead of the standard faces."""
    def swap(match: re.Match[str]) -> str:
        return match.group(1) + xml_escape(faces.get(match.group(2), match.group(2)), {'"': "&quot;"}) + match.group(3)

    try:
        with zipfile.ZipFile(io.BytesIO(docx)) as source:
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
                for info in source.infolist():
                    data = source.read(info)
                    if info.filename.startswith("word/") and info.filename.endswith(".xml"):
                        text = data.decode("utf-8")
                        data = _FONT_NAME.sub(swap, _FONT_ATTRIBUTE.sub(swap, text)).encode("utf-8")
                    target.writestr(info, data)
    except (zipfile.BadZipFile, UnicodeDecodeError, KeyError) as exc:
        raise ConversionFailed(f"不是有效的 DOCX 文件：{exc}") from exc
    return out.getvalue()


def clear_pdf_metadata(pdf: bytes) -> bytes:
    """The same PDF without its document information dictionary and XMP metadata."""
    try:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
        writer.metadata = None
        writer.xmp_metadata = None
        buffer = io.BytesIO()
        writer.write(buffer)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise ConversionFailed(f"生成的 PDF 无法读取：{exc}") from exc
    return buffer.getvalue()
