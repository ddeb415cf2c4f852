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

from archive.lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "clear_pdf_metadata": "conversion",
    "convert_to_pdf": "conversion",
    "find_soffice": "conversion",
    "pdf_copy": "copies",
    "stamp_text": "copies",
    "ConversionFailed": "errors",
    "ConverterMissing": "errors",
    "CopyRefused": "errors",
    "DraftChanged": "errors",
    "FontMissing": "errors",
    "GeneratorError": "errors",
    "GlyphMissing": "errors",
    "InvalidFields": "errors",
    "LayoutError": "errors",
    "TemplateMissing": "errors",
    "UnknownKind": "errors",
    "DEFAULT_FONT_MAP": "fonts",
    "STANDARD_FACES": "fonts",
    "find_font_file": "fonts",
    "font_map": "fonts",
    "fontconfig_environment": "fonts",
    "missing_glyphs": "fonts",
    "require_glyphs": "fonts",
    "DraftResult": "issuing",
    "Issued": "issuing",
    "SignOff": "issuing",
    "draft_reminders": "issuing",
    "generate_draft": "issuing",
    "issue_drafts": "issuing",
    "KINDS": "kinds",
    "find_kind": "kinds",
    "classification_mark": "layout",
    "copy_number": "layout",
    "format_date": "layout",
    "format_document_number": "layout",
    "TEMPLATES_FOLDER": "templates",
    "TEMPLATE_FIELDS": "templates",
    "TEMPLATE_FILES": "templates",
    "build_all": "templates",
}
"""Each public name and the module that holds it, loaded on first use (:mod:`archive.lazy`)."""

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
