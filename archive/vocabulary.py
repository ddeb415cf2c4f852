"""The closed word lists of the case register, in the offices' own words.

Values are stored and shown exactly as written here (Chinese); a value typed
on the command line must be one of them.  Keeping every list in one module means
one place to read what the register accepts.
"""

from __future__ import annotations

from collections.abc import Sequence

from .errors import InvalidInput

__all__ = [
    "CATEGORIES",
    "CHANNELS",
    "DISCIPLINES",
    "IMPORTANCE",
    "REMINDER_MODES",
    "REPLY_MODES",
    "ROUTES",
    "SERIES",
    "choose",
]

CHANNELS = ("来信", "来访", "来电", "举报箱", "网上")
CATEGORIES = ("检举", "控告", "申诉", "意见建议")
IMPORTANCE = ("一般", "重要")
DISCIPLINES = ("政治", "组织", "廉洁", "群众", "工作", "生活")
ROUTES = ("自办", "转办", "交办", "摘报", "要信请示")
SERIES = ("纪群字", "纪信字")  # 纪群字: result report required; 纪信字: feedback only
REPLY_MODES = ("电话", "信件", "回访")
REMINDER_MODES = ("电话", "函件", "实地")


def choose(value: str, allowed: Sequence[str], label: str) -> str:
    """``value`` if it is one of ``allowed``, else InvalidInput naming the field and the choices."""
    text = value.strip()
    if text not in allowed:
        raise InvalidInput(f"{label}“{value}”无效，可选：{'、'.join(allowed)}")
    return text
