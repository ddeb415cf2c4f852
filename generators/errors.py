"""The generators' exceptions: one tree, one base, each class saying when it is raised.

The front door maps :class:`GeneratorError` to exit code 1 (invalid input or a
refused operation); messages are Chinese and carry no protected value::

    GeneratorError
    ├── ConverterMissing       LibreOffice is not installed
    ├── ConversionFailed       LibreOffice could not turn a document into PDF
    └── FontMissing            a face the document needs is not installed, or is misconfigured
        └── GlyphMissing       the installed face has no glyph for a character of the text

A :class:`GlyphMissing` message names the missing characters themselves (with
their code points) and nothing else of the text: one rare character of a name
is what the user must act on, and the rest of the name stays out of the message.
"""

from __future__ import annotations

__all__ = ["ConversionFailed", "ConverterMissing", "FontMissing", "GeneratorError", "GlyphMissing"]


class GeneratorError(Exception):
    """Base of every error the generators raise on purpose."""


class ConverterMissing(GeneratorError):
    """Raised when no LibreOffice ``soffice`` can be found to make PDFs."""


class ConversionFailed(GeneratorError):
    """Raised when LibreOffice fails, times out, or produces no PDF."""


class FontMissing(GeneratorError):
    """Raised when a font family is not installed, fontconfig is absent, or ``[fonts]`` names no usable family."""


class GlyphMissing(FontMissing):
    """Raised when text holds characters (a 生僻字 in a name) that the chosen face would print as blanks."""

    def __init__(self, message: str, *, family: str, characters: tuple[str, ...]) -> None:
        super().__init__(message)
        self.family = family
        self.characters = characters
