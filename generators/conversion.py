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
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from .errors import ConversionFailed, ConverterMissing
from .fonts import fontconfig_environment

__all__ = ["clear_pdf_metadata", "convert_to_pdf", "find_soffice"]

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


def convert_to_pdf(documents: Sequence[bytes]) -> list[bytes]:
    """Each DOCX converted to a PDF with its metadata removed, in the same order."""
    if not documents:
        return []
    soffice = find_soffice()
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
