"""The generators' exceptions: one tree, one base, each class saying when it is raised.

The front door maps :class:`GeneratorError` to exit code 1 (invalid input or a
refused operation); messages are Chinese and carry no protected value::

    GeneratorError
    ├── ConverterMissing       LibreOffice is not installed
    └── ConversionFailed       LibreOffice could not turn a document into PDF
"""

from __future__ import annotations

__all__ = ["ConversionFailed", "ConverterMissing", "GeneratorError"]


class GeneratorError(Exception):
    """Base of every error the generators raise on purpose."""


class ConverterMissing(GeneratorError):
    """Raised when no LibreOffice ``soffice`` can be found to make PDFs."""


class ConversionFailed(GeneratorError):
    """Raised when LibreOffice fails, times out, or produces no PDF."""
