"""The office's documents: kinds, the issuing cycle, GB/T 9704 layout and rendering.

Builds on :mod:`archive`; nothing here yet — the letters arrive with the
generators issue, and this package stays empty rather than pretend.
"""

from __future__ import annotations

__all__: list[str] = []
