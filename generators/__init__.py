"""The office's documents: kinds, the issuing cycle, GB/T 9704 layout and rendering.

Builds on :mod:`archive`.  The kinds (:mod:`generators.kinds`, one module
each) say what a letter needs and how it reads; :mod:`generators.issuing` runs
the cycle 拟稿 → 签发 → 编号 → printed copies → filed; rendering lays the words
into the GB/T 9704-2012 templates (:mod:`generators.templates`, numbers from
:mod:`generators.layout`), and PDFs come from LibreOffice with the standard
faces mapped to installed fonts (:mod:`generators.fonts`); numbered copies of a
record are stamped PDFs (:mod:`generators.copies`).
"""

from __future__ import annotations

from .conversion import clear_pdf_metadata, convert_to_pdf, find_soffice
from .copies import pdf_copy, stamp_text
from .errors import (
    ConversionFailed,
    ConverterMissing,
    CopyRefused,
    DraftChanged,
    FontMissing,
    GeneratorError,
    GlyphMissing,
    InvalidFields,
    LayoutError,
    TemplateMissing,
    UnknownKind,
)
from .fonts import (
    DEFAULT_FONT_MAP,
    STANDARD_FACES,
    find_font_file,
    font_map,
    fontconfig_environment,
    missing_glyphs,
    require_glyphs,
)
from .issuing import DraftResult, Issued, SignOff, draft_reminders, generate_draft, issue_drafts
from .kinds import KINDS, find_kind
from .layout import classification_mark, copy_number, format_date, format_document_number
from .templates import TEMPLATE_FIELDS, TEMPLATE_FILES, TEMPLATES_FOLDER, build_all

__all__ = [
    "ConversionFailed",
    "ConverterMissing",
    "CopyRefused",
    "DEFAULT_FONT_MAP",
    "DraftChanged",
    "DraftResult",
    "FontMissing",
    "GeneratorError",
    "GlyphMissing",
    "InvalidFields",
    "Issued",
    "KINDS",
    "LayoutError",
    "STANDARD_FACES",
    "SignOff",
    "TEMPLATES_FOLDER",
    "TEMPLATE_FIELDS",
    "TEMPLATE_FILES",
    "TemplateMissing",
    "UnknownKind",
    "build_all",
    "classification_mark",
    "clear_pdf_metadata",
    "convert_to_pdf",
    "copy_number",
    "draft_reminders",
    "find_font_file",
    "find_kind",
    "find_soffice",
    "font_map",
    "fontconfig_environment",
    "format_date",
    "format_document_number",
    "generate_draft",
    "issue_drafts",
    "missing_glyphs",
    "pdf_copy",
    "require_glyphs",
    "stamp_text",
]
