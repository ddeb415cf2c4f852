"""The office's documents: kinds, the issuing cycle, GB/T 9704 layout and rendering.

Builds on :mod:`archive`.  So far it holds DOCX→PDF conversion through
LibreOffice (used for redacted outgoing PDFs) and the map from GB/T 9704's
standard faces to installed fonts; the letters arrive with the generators issue.
"""

from __future__ import annotations

from .conversion import clear_pdf_metadata, convert_to_pdf, find_soffice
from .errors import ConversionFailed, ConverterMissing, FontMissing, GeneratorError, GlyphMissing, LayoutError
from .fonts import (
    DEFAULT_FONT_MAP,
    STANDARD_FACES,
    find_font_file,
    font_map,
    fontconfig_environment,
    missing_glyphs,
    require_glyphs,
)
from .layout import classification_mark, copy_number, format_date, format_document_number
from .templates import TEMPLATE_FIELDS, TEMPLATE_FILES, TEMPLATES_FOLDER, build_all

__all__ = [
    "ConversionFailed",
    "ConverterMissing",
    "DEFAULT_FONT_MAP",
    "FontMissing",
    "GeneratorError",
    "GlyphMissing",
    "LayoutError",
    "STANDARD_FACES",
    "TEMPLATES_FOLDER",
    "TEMPLATE_FIELDS",
    "TEMPLATE_FILES",
    "build_all",
    "classification_mark",
    "clear_pdf_metadata",
    "convert_to_pdf",
    "copy_number",
    "find_font_file",
    "find_soffice",
    "font_map",
    "fontconfig_environment",
    "format_date",
    "format_document_number",
    "missing_glyphs",
    "require_glyphs",
]
