"""居民身份证号码: the MOD 11-2 check digit (GB 11643-1999).

Used to warn a registrar about a likely typo — never to refuse a number: real
numbers exist whose other parts a strict validator would reject.
"""

from __future__ import annotations

import re

__all__ = ["id_number_checks_out"]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"\d{17}[\dX]|\d{15}")


def id_number_checks_out(number: str) -> bool:
    """True for a 15-digit number or an 18-character one whose check character is right."""
    text = number.strip().upper().replace(" ", "")
    if not _SHAPE.fullmatch(text):
        return False
    if len(text) == 15:
        return True
    total = sum(int(digit) * weight for digit, weight in zip(text[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == text[17]
