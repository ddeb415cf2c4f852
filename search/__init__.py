"""Chinese full-text search over encrypted per-level indexes, filtered by permission.

Builds on :mod:`archive`; nothing here yet — search arrives with its own issue,
and this package stays empty rather than pretend.
"""

from __future__ import annotations

__all__: list[str] = []
