"""Classification levels (密级): the one place that knows their names and order.

Every level has its own key, so a level is also a unit of cryptographic
separation.  公开 and 内部 are access levels of the archive but not 密级 in the
sense of the secrecy law: only 秘密, 机密 and 绝密 are marked with ★ on documents.
"""

from __future__ import annotations

import enum

from .errors import InvalidInput

__all__ = ["Level", "parse_level"]


class Level(enum.IntEnum):
    """A classification level; a higher value is more secret."""

    PUBLIC = 0
    INTERNAL = 1
    SECRET = 2
    CONFIDENTIAL = 3
    TOP_SECRET = 4

    @property
    def label(self) -> str:
        """The Chinese name, as stored in the catalogue and shown to users."""
        return _LABELS[self]

    @property
    def is_state_secret(self) -> bool:
        """True for 秘密, 机密 and 绝密, the levels that get ★ and 份号 on documents."""
        return self >= Level.SECRET

    def up_to(self) -> list[Level]:
        """This level and every lower one: the keys a clearance of this level holds."""
        return [level for level in Level if level <= self]

    def __str__(self) -> str:
        return self.label


_LABELS = {
    Level.PUBLIC: "公开",
    Level.INTERNAL: "内部",
    Level.SECRET: "秘密",
    Level.CONFIDENTIAL: "机密",
    Level.TOP_SECRET: "绝密",
}
_ALIASES = {
    "public": Level.PUBLIC,
    "internal": Level.INTERNAL,
    "secret": Level.SECRET,
    "confidential": Level.CONFIDENTIAL,
    "top-secret": Level.TOP_SECRET,
    **{label: level for level, label in _LABELS.items()},
}


def parse_level(text: str) -> Level:
    """Read a level given by its Chinese name or English id; reject anything else."""
    level = _ALIASES.get(text.strip().lower()) if text else None
    if level is None:
        names = "、".join(_LABELS.values())
        raise InvalidInput(f"未知的密级“{text}”，可选：{names}")
    return level
