"""Packages whose public names load on first use.

``import search.errors`` runs ``search/__init__`` first; if that imported every
module, a command that only needs an exception class would pay for whoosh, PDF
and DOCX libraries.  A package lists each public name with the module holding
it and gets a module ``__getattr__`` (PEP 562) that imports on demand.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(package: str, exports: Mapping[str, str]) -> Callable[[str], Any]:
    """The ``__getattr__`` for ``package``: ``exports`` maps each public name to its submodule."""
    namespace = importlib.import_module(package).__dict__

    def load(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value  # the next lookup is a plain attribute
        return value

    return load
