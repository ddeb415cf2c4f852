"""The generators' exceptions: one tree, one base, each class saying when it is raised.

The front door maps :class:`GeneratorError` to exit code 1 (invalid input or a
refused operation); messages are Chinese and carry no protected value::

    GeneratorError
    ├── ConverterMissing       LibreOffice is not installed
    ├── ConversionFailed       LibreOffice could not turn a document into PDF
    ├── CopyRefused            a record cannot be made into a stamped PDF copy (kind, encryption, size)
    ├── FontMissing            a face the document needs is not installed, or is misconfigured
    │   └── GlyphMissing       the installed face has no glyph for a character of the text
    ├── LayoutError            a value cannot be printed as GB/T 9704 sets it (份号, 发文字号, 密级)
    ├── UnknownKind            KIND names no document kind
    ├── InvalidFields          fields missing, unknown or invalid (all of them, in one message)
    ├── DraftChanged           a draft file given to ``issue`` was edited after it was generated
    └── TemplateMissing        a template, or the office's template folder, cannot be read

:class:`LayoutError` is also a :class:`ValueError`: the layout helpers raised
ValueError before the tree had it, and callers that catch that keep working.

A :class:`GlyphMissing` message names the missing characters themselves (with
their code points) and nothing else of the text: one rare character of a name
is what the user must act on, and the rest of the name stays out of the message.
"""

from __future__ import annotations

__all__ = [
    "ConversionFailed",
    "ConverterMissing",
    "CopyRefused",
    "DraftChanged",
    "FontMissing",
    "GeneratorError",
    "GlyphMissing",
    "InvalidFields",
    "LayoutError",
    "TemplateMissing",
    "UnknownKind",
]


class GeneratorError(Exception):
    """Base of every error the generators raise on purpose."""


class ConverterMissing(GeneratorError):
    """Raised when no LibreOffice ``soffice`` can be found to make PDFs."""


class ConversionFailed(GeneratorError):
    """Raised when LibreOffice fails, times out, or produces no PDF."""


class CopyRefused(GeneratorError):
    """Raised when a record is not a PDF, DOCX or text, is encrypted or malformed, or is too large to copy."""


class FontMissing(GeneratorError):
    """Raised when a font family is not installed, fontconfig is absent, or ``[fonts]`` names no usable family."""


class GlyphMissing(FontMissing):
    """Raised when text holds characters (a 生僻字 in a name) that the chosen face would print as blanks."""

    def __init__(self, message: str, *, family: str, characters: tuple[str, ...]) -> None:
        super().__init__(message)
        self.family = family
        self.characters = characters


class UnknownKind(GeneratorError):
    """Raised when KIND names no document kind (by English id or Chinese name)."""


class InvalidFields(GeneratorError):
    """Raised with every missing, unknown or invalid field of a document at once; nothing is written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("文书字段有误，未生成任何文件：\n" + "\n".join(f"  · {p}" for p in problems))
        self.problems = problems


class DraftChanged(GeneratorError):
    """Raised when a draft file given to ``issue`` differs from the one generated: edits would be lost."""


class LayoutError(GeneratorError, ValueError):
    """Raised when a 份号, 发文字号, 密级和保密期限 or table layout is asked for that the standard cannot print."""


class TemplateMissing(GeneratorError):
    """Raised when a template file or the office's configured template folder cannot be read."""
