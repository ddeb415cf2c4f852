"""The office's documents: kinds, the issuing cycle, GB/T 9704 layout and rendering.

Builds on :mod:`archive`.  So far it holds DOCX→PDF conversion through
LibreOffice (used for redacted outgoing PDFs); the letters arrive with the
generators issue.
"""

from __future__ import annotations

from .conversion import clear_pdf_metadata, convert_to_pdf, find_soffice
from .errors import ConversionFailed, ConverterMissing, GeneratorError

__all__ = [
    "ConversionFailed",
    "ConverterMissing",
    "GeneratorError",
    "clear_pdf_metadata",
    "convert_to_pdf",
    "find_soffice",
]
