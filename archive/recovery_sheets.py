"""The recovery sheet's code: a share and what it belongs to, as lines a person can type back.

Each sheet carries a payload (magic, format version, archive id, set number,
threshold, share number, the levels and versions it covers, the share itself and
a check over the whole) written as numbered lines of six groups of four Crockford
base32 characters and a four-character check of their own, so a mistyped line is
named by its number.  The byte layout is in FORMAT.md.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import InvalidInput, Refused
from .levels import Level
from .shamir import Share

__all__ = ["RecoverySheet", "code_lines", "encode_payload", "parse_sheet"]

MAGIC = b"XFRS"
SHEET_VERSION = 1
LINE_BYTES = 15  # 24 characters of base32
CHECK_CHARS = 4  # 20 bits per line
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
_TYPED = {"O": "0", "I": "1", "L": "1"} | {c: c for c in _ALPHABET}
_CODE_LINE = re.compile(r"^\s*(\d{1,3})(?:\s+(.*))?$")


@dataclass(frozen=True)
class RecoverySheet:
    """One sheet as read back: what it says it belongs to, and its share."""

    source: str
    archive_id: str
    set_no: int
    threshold: int
    levels: tuple[tuple[Level, int], ...]
    share: Share


def _sheet_check(data: bytes) -> bytes:
    return hashlib.sha256(b"xinfang recovery sheet" + data).digest()[:4]


def _line_check(number: int, data: bytes) -> str:
    digest = hashlib.sha256(b"xinfang recovery line" + bytes([number]) + data).digest()
    return _base32(digest[:3])[:CHECK_CHARS]


def _base32(data: bytes) -> str:
    """Crockford base32, five bits a character, the last character padded with zero bits."""
    bits = len(data) * 8
    value = int.from_bytes(data, "big") << (-bits % 5)
    count = -(-bits // 5)
    return "".join(_ALPHABET[(value >> (5 * (count - 1 - i))) & 31] for i in range(count))


def encode_payload(archive_id: str, set_no: int, threshold: int, levels: Sequence[tuple[Level, int]], share: Share) -> bytes:
    body = (
        MAGIC
        + bytes([SHEET_VERSION])
        + uuid.UUID(archive_id).bytes
        + set_no.to_bytes(2, "big")
        + bytes([threshold, share.x, len(levels)])
        + b"".join(bytes([level.value]) + version.to_bytes(4, "big") for level, version in levels)
        + share.y
    )
    body += _sheet_check(body)
    return body + bytes(-len(body) % LINE_BYTES)


def code_lines(payload: bytes) -> list[str]:
    """The payload as numbered lines of six groups of four characters and a four-character check."""
    lines = []
    for index in range(len(payload) // LINE_BYTES):
        chunk = payload[index * LINE_BYTES : (index + 1) * LINE_BYTES]
        code = _base32(chunk)
        groups = " ".join(code[i : i + 4] for i in range(0, len(code), 4))
        lines.append(f"{index + 1:02d}  {groups}  {_line_check(index + 1, chunk)}")
    return lines


def parse_sheet(text: str, source: str) -> RecoverySheet:
    """Read a sheet (printed, or typed back) from its code lines; other lines are for people and ignored.

    A mistyped line is named by its number; a line missing, doubled or from
    another sheet fails the sheet's own check.
    """
    where = f"恢复单 {source} "
    chunks: dict[int, bytes] = {}
    for raw in text.splitlines():
        match = _CODE_LINE.match(raw)
        if not match:
            continue
        number = int(match.group(1))
        label = f"{where}第 {number:02d} 行"  # "恢复单 X.txt 第 07 行"
        code = "".join((match.group(2) or "").replace("-", "").split()).upper()
        if len(code) != 24 + CHECK_CHARS:
            raise InvalidInput(f"{label}应有 24 个数据字符和 {CHECK_CHARS} 个校验字符，实有 {len(code)} 个：请核对这一行")
        for position, char in enumerate(code, 1):
            if char not in _TYPED:
                raise InvalidInput(f"{label}第 {position} 个字符无效（恢复码只有数字和 U 以外的字母）")
        code = "".join(_TYPED[char] for char in code)
        value = 0
        for char in code[:24]:
            value = (value << 5) | _ALPHABET.index(char)
        chunk = value.to_bytes(LINE_BYTES, "big")
        if not 1 <= number <= 255 or _line_check(number, chunk) != code[24:]:
            raise InvalidInput(f"{label}校验不符：抄录有误，请逐字核对这一行")
        if number in chunks:
            raise InvalidInput(f"{label}出现了两次")
        chunks[number] = chunk
    if not chunks:
        raise InvalidInput(f"{where}中没有恢复码（以行号开头的各行）")
    missing = [n for n in range(1, max(chunks) + 1) if n not in chunks]
    if missing:
        raise InvalidInput(f"{where}缺少第 {missing[0]:02d} 行")
    data = b"".join(chunks[n] for n in sorted(chunks))
    return _decode_payload(data, where, source)


def _decode_payload(data: bytes, where: str, source: str) -> RecoverySheet:
    if data[:4] != MAGIC:
        raise InvalidInput(f"{where}不是 xinfang 密钥恢复单")
    if data[4] != SHEET_VERSION:
        raise Refused(f"{where}的格式版本 {data[4]} 不受本程序支持")
    header = 26
    if len(data) < header:
        raise InvalidInput(f"{where}不完整：缺少后面的行")
    count = data[25]
    length = header + 37 * count + 4
    lines = -(-length // LINE_BYTES)
    if len(data) < lines * LINE_BYTES:
        raise InvalidInput(f"{where}不完整：应有 {lines} 行，缺少第 {len(data) // LINE_BYTES + 1:02d} 行起的各行")
    if len(data) > lines * LINE_BYTES:
        raise InvalidInput(f"{where}只应有 {lines} 行，多出了第 {lines + 1:02d} 行起的各行")
    if _sheet_check(data[: length - 4]) != data[length - 4 : length] or any(data[length:]):
        raise InvalidInput(f"{where}整张校验不符：有行抄错了位置，或混入了别张恢复单的行")
    threshold, x = data[23], data[24]
    levels = []
    for i in range(count):
        entry = data[header + 5 * i : header + 5 * i + 5]
        if entry[0] not in Level._value2member_map_:
            raise InvalidInput(f"{where}含有未知的密级")
        levels.append((Level(entry[0]), int.from_bytes(entry[1:], "big")))
    if not count or not 2 <= threshold or not x or [lv for lv, _ in levels] != sorted({lv for lv, _ in levels}):
        raise InvalidInput(f"{where}的内容无法识别")
    share = Share(x, data[header + 5 * count : length - 4])
    return RecoverySheet(
        source, str(uuid.UUID(bytes=data[5:21])), int.from_bytes(data[21:23], "big"), threshold, tuple(levels), share
    )
