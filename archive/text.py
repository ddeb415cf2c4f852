"""Free text typed by people: checked once, before it is stored or encrypted.

Command-line arguments arrive as Python strings even when the terminal was not
UTF-8 (a GBK console, a file name from a Windows zip); the undecodable bytes
become lone surrogates that no encoder accepts.  Such text, control characters
and absurd lengths are refused here with a message naming the field, instead of
failing later half-way through a write.
"""

from __future__ import annotations

import os
import re

from .errors import InvalidInput

__all__ = ["check_text", "is_encodable", "readable_file_name"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def is_encodable(text: str) -> bool:
    """True when ``text`` is valid Unicode that can be stored as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_text(value: str, label: str, *, max_length: int) -> str:
    """``value`` stripped, or InvalidInput naming ``label`` when it is empty, garbled or too long."""
    if not is_encodable(value):
        raise InvalidInput(f"{label}含有无法识别的字符（终端的编码可能不是 UTF-8）")
    text = value.strip()
    if not text:
        raise InvalidInput(f"{label}不能为空")
    if _CONTROL.search(text):
        raise InvalidInput(f"{label}含有控制字符")
    if len(text) > max_length:
        raise InvalidInput(f"{label}过长（最多 {max_length} 个字符）")
    return text


def readable_file_name(name: str) -> str:
    """A file name as a person would read it, also when it was written in GBK on Windows."""
    raw = os.fsencode(name)
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "backslashreplace")
