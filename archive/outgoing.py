"""Documents on their way out: redacting a file for a case, and the leak gate on a file.

A DOCX is redacted as a whole package (:mod:`archive.docx_redaction`); plain
text line by line.  A PDF is never forwarded as such (摘要转出，不许原件转出):
redacting one gives a redacted text extract, and an outgoing PDF is made only
from a redacted DOCX.  Every redaction and every gate check is logged, the file
name sealed under the case key.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from .accounts import Session
from .cases import CaseFile, open_case
from .docx_redaction import docx_paragraphs, docx_texts, redact_docx
from .errors import InvalidInput
from .files import describe_os_error
from .folder import Archive
from .redaction import LeakBlocked, RedactionReport, Redactor, check_outgoing, detector_for_case
from .roles import Role, require_role
from .text import readable_file_name

if TYPE_CHECKING:
    from pypdf import PdfReader

_T = TypeVar("_T")

__all__ = [
    "RedactedDocument",
    "check_document",
    "document_kind",
    "document_text",
    "outgoing_texts",
    "read_document",
    "redact_document",
    "redact_for_case",
]

MAX_DOCUMENT = 100 * 1024 * 1024
_BROKEN_HAN = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
REDACTORS = frozenset({Role.SECRETARY, Role.LEADER, Role.ARCHIVIST})


@dataclass(frozen=True)
class RedactedDocument:
    """The redacted bytes, what kind they are, the report, and a note for the user if any."""

    kind: str  # "docx" or "text"
    data: bytes
    report: RedactionReport
    note: str | None = None


def document_kind(data: bytes) -> str:
    """``docx``, ``pdf`` or ``text``, by content rather than by name."""
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidInput("这是旧式 Office 文件或加密的 DOCX，请另存为 .docx 后再处理")
    return "text"


def _decode(data: bytes) -> str:
    if b"\x00" in data:  # UTF-16 or binary: read as UTF-8, "1\x003\x008…" would hide a phone number from the gate
        raise InvalidInput("文本文件含有 NUL 字节（可能是 UTF-16 编码或二进制文件），请另存为 UTF-8 后再处理")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    cut = _utf8_cut_short(data)
    if cut is not None:
        return cut
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise InvalidInput("无法识别文本文件的编码（应为 UTF-8 或 GB18030）") from None


def _utf8_cut_short(data: bytes) -> str | None:
    """A UTF-8 text whose last character was cut off (a copy broken off), without it; else None.

    Read as GB18030 instead, such a file would turn into other characters from end to
    end, and its words could neither be found nor checked by the gate.  Only a text that
    is evidently UTF-8 - Chinese or other non-ASCII before the cut - is read so: an ASCII
    text ending in one GB18030 character could look like one cut short.
    """
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(data, final=False)
    except UnicodeDecodeError:
        return None
    return text if not text.isascii() else None


def _read_pdf(data: bytes, read: Callable[[PdfReader], _T]) -> _T:
    """``read`` applied to the parsed PDF; a damaged or encrypted one is InvalidInput.

    pypdf is imported here, not at the top: it costs a tenth of a second, which
    only the commands that meet a PDF should pay.
    """
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    # pypdf meets a malformed file with whatever its code trips over: an unsupported filter
    # (NotImplementedError), an integer where a stream belongs (AttributeError), a loop (RecursionError).
    broken = (PdfReadError, ValueError, KeyError, OSError, AttributeError, TypeError, IndexError,
              NotImplementedError, RecursionError)
    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
    except broken as exc:
        raise InvalidInput(f"不是有效的 PDF 文件：{exc}") from exc
    if encrypted:
        raise InvalidInput("PDF 文件已加密，无法检查其内容")
    try:
        return read(reader)
    except broken as exc:
        raise InvalidInput(f"PDF 文件无法读取：{exc}") from exc


def _pdf_texts(reader: PdfReader) -> list[tuple[str, str]]:
    texts = [(f"PDF 第 {number} 页", page.extract_text() or "") for number, page in enumerate(reader.pages, 1)]
    for key, value in (reader.metadata or {}).items():
        texts.append((f"PDF 元数据 {key}", str(value)))
    root = reader.trailer["/Root"]
    if "/Metadata" in root:
        texts.append(("PDF XMP 元数据", root["/Metadata"].get_object().get_data().decode("utf-8", "replace")))
    return texts


def outgoing_texts(data: bytes) -> list[tuple[str, str]]:
    """Every piece of text a document would carry out of the office, with where it is."""
    kind = document_kind(data)
    if kind == "docx":
        return docx_texts(data)
    if kind == "pdf":
        return _read_pdf(data, _pdf_texts)
    return [(f"第 {n} 行", line) for n, line in enumerate(_decode(data).splitlines(), 1)]


def document_text(data: bytes) -> str:
    """What a reader of the document sees, as plain text (for search): paragraphs, pages or lines.

    Raises InvalidInput for a file that is not what it claims (a broken DOCX, an
    encrypted PDF), like every other reader of untrusted documents here.
    """
    kind = document_kind(data)
    if kind == "docx":
        return "\n".join(docx_paragraphs(data))
    if kind == "pdf":
        text = _read_pdf(data, lambda reader: "\n".join(page.extract_text() or "" for page in reader.pages))
        # A PDF breaks lines inside words: 挪用⏎扶贫 is one phrase to a reader.
        return _BROKEN_HAN.sub("", text)
    return _decode(data)


def redact_document(data: bytes, redactor: Redactor) -> RedactedDocument:
    """Redact a DOCX as a package or a text line by line; a PDF becomes a redacted text extract."""
    kind = document_kind(data)
    if kind == "docx":
        return RedactedDocument("docx", redact_docx(data, redactor), redactor.report)
    if kind == "pdf":
        pages = [redactor.redact(text, place) for place, text in _read_pdf(data, _pdf_texts) if place.startswith("PDF 第")]
        note = "PDF 原件不得转出：已输出脱敏后的文本摘录；需要转出的文书请由脱敏后的 DOCX 生成"
        return RedactedDocument("text", "\n\f\n".join(pages).encode("utf-8"), redactor.report, note)
    lines = _decode(data).splitlines(keepends=True)
    redacted = "".join(redactor.redact(line, f"第 {n} 行") for n, line in enumerate(lines, 1))
    return RedactedDocument("text", redacted.encode("utf-8"), redactor.report)


def read_document(source: Path) -> bytes:
    """A document's bytes, refusing what is empty or too large to be a letter."""
    try:
        if source.stat().st_size > MAX_DOCUMENT:
            raise InvalidInput(f"文件 {readable_file_name(source.name)} 超过 {MAX_DOCUMENT >> 20} MiB")
        data = source.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"无法读取文件 {readable_file_name(str(source))}：{describe_os_error(exc)}") from exc
    if not data:
        raise InvalidInput(f"文件 {readable_file_name(source.name)} 是空文件")
    return data


def _logged(archive: Archive, session: Session, case: CaseFile, action: str, name: str,
            info: dict[str, object]) -> None:
    with archive.act(session) as act:
        act.log(action, [case.case_id], info=info, details={"file": readable_file_name(name)}, details_key=case.key)


def redact_for_case(archive: Archive, session: Session, case_id: str, source: Path, style: str = "label"
                    ) -> RedactedDocument:
    """Redact ``source`` against the identities of ``case_id``."""
    require_role(session.roles, REDACTORS, "脱敏文件")
    case = open_case(archive, session, case_id)
    redactor = Redactor(detector_for_case(case, archive.config.contacts), style)
    document = redact_document(read_document(source), redactor)
    _logged(archive, session, case, "document.redact", source.name,
            {"style": style, "replaced": document.report.total})
    return document


def check_document(archive: Archive, session: Session, case_id: str, data: bytes, name: str, *,
                   addressee: int | None = None) -> None:
    """The leak gate on a document about ``case_id``: returns quietly, or raises :class:`LeakBlocked`."""
    require_role(session.roles, REDACTORS, "检查外发文件")
    case = open_case(archive, session, case_id)
    texts = outgoing_texts(data)
    try:
        check_outgoing(texts, detector_for_case(case, archive.config.contacts, addressee=addressee))
    except LeakBlocked:
        _logged(archive, session, case, "document.check", name, {"parts": len(texts), "passed": False})
        raise
    _logged(archive, session, case, "document.check", name, {"parts": len(texts), "passed": True})
