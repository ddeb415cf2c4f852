"""Finding people's identities in text: the one owner of what counts as an identity.

Two sources, in order.  First the identities the case itself holds — the
petitioners' names, ID numbers, phones, addresses and work units — matched
exactly and in the usual variants (digits spaced or grouped, full-width
characters, a name followed by 同志/先生/女士, and a given name of two or more
characters met without its surname — over-redacting a coincidence is the safe
mistake).
Then validated patterns for identities the case does not know: ID numbers,
unified social credit codes, mobile and landline numbers, bank cards next to
their context words, e-mail addresses, vehicle plates, passports, travel
permits, QQ and WeChat ids.

Text is folded one character for one (full-width to half-width), so offsets
found in the folded text are offsets in the original.  ``\\b`` is never used: it
means nothing next to Chinese.  What is *not* an identity — 档号, 发文字号, dates,
sums of money, statute references, record and case ids, the office's own
contact details — is recognised and left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from stdnum.cn import uscc

from .identity_numbers import id_number_checks_out

__all__ = ["Finding", "KnownIdentity", "IdentityDetector", "fold", "split_name"]

_COMPOUND_SURNAMES = frozenset(
    "欧阳 太史 端木 上官 司马 东方 独孤 南宫 万俟 闻人 夏侯 诸葛 尉迟 公羊 赫连 澹台 皇甫 宗政 濮阳 公冶 太叔 申屠 "
    "公孙 慕容 仲孙 钟离 长孙 宇文 司徒 鲜于 司空 闾丘 子车 亓官 司寇 巫马 公西 颛孙 壤驷 公良 漆雕 乐正 宰父 谷梁 "
    "拓跋 夹谷 轩辕 令狐 段干 百里 呼延 东郭 南门 羊舌 微生 公户 公玉 公仪 梁丘 公仲 公上 公门 公山 公坚 左丘 公伯 "
    "西门 公祖 第五 公乘 贯丘 公皙 南荣 东里 东宫 仲长 子书 子桑 即墨 达奚 褚师".split()
)
_ALNUM_BEFORE = r"(?<![0-9A-Za-z])"
_ALNUM_AFTER = r"(?![0-9A-Za-z])"
_SEP = r"[ \-·.]?"


def fold(text: str) -> str:
    """Full-width ASCII and the ideographic space folded to half-width, one character for one."""
    return text.translate(_FOLD)


_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def split_name(name: str) -> tuple[str, str]:
    """(surname, given name) of a Chinese name, knowing the compound surnames."""
    name = name.strip()
    if len(name) > 2 and name[:2] in _COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


@dataclass(frozen=True)
class KnownIdentity:
    """One identity value the case holds, and whose it is."""

    category: str  # 姓名, 身份证号, 手机号, 固定电话, 住址, 工作单位
    value: str
    person: str  # a stable key for the person, e.g. "信访人1"
    role: str  # how a label names the person: 举报人, 信访人, 证人


@dataclass(frozen=True)
class Finding:
    """An identity found at ``start:end``; ``person`` is set when the case knows whose it is."""

    category: str
    start: int
    end: int
    source: str  # "case" or "pattern"
    confident: bool = True
    person: str | None = None
    role: str | None = None
    surname: str | None = None
    given_only: bool = False


def _digits_pattern(value: str) -> str:
    """A regex for a number however it is spaced or grouped."""
    digits = [c for c in fold(value).upper() if c.isalnum()]
    body = _SEP.join(re.escape(c) if c != "X" else "[Xx]" for c in digits)
    return _ALNUM_BEFORE + body + _ALNUM_AFTER


def _spaced_pattern(value: str) -> str:
    """A regex for a phrase with any white space between its characters."""
    chars = [c for c in fold(value) if not c.isspace()]
    return r"\s*".join(re.escape(c) for c in chars)


_ID_18 = re.compile(_ALNUM_BEFORE + r"\d(?:[ \-]?\d){16}[ \-]?[\dXx]" + _ALNUM_AFTER)
_ID_15 = re.compile(_ALNUM_BEFORE + r"\d{6}[ \-]?\d{2}(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01])[ \-]?\d{3}" + _ALNUM_AFTER)
_USCC = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])")
_MOBILE = re.compile(r"(?<![0-9])(?:(?:\+|00)?86[ \-]?)?1[3-9]\d(?:[ \-]?\d){8}(?![0-9])")
_LANDLINE = re.compile(
    r"(?<![0-9])(?:\(0\d{2,3}\)|0\d{2,3})[ \-]?[2-9]\d{6,7}(?:[ \-]?(?:转|ext\.?|-)[ ]?\d{1,6})?(?![0-9])"
)
_CARD = re.compile(r"(?<![0-9])\d{4}(?:[ \-]?\d{4}){2,3}(?:[ \-]?\d{1,3})?(?![0-9])")
_CARD_CONTEXT = re.compile(r"卡号|账号|帐号|开户行|银行卡")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_PLATE = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][ ·]?"
    r"(?:[DF][A-HJ-NP-Z0-9]\d{4}|\d{5}[DF]|[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳])" + _ALNUM_AFTER
)
_PASSPORT = re.compile(_ALNUM_BEFORE + r"(?:[EG]\d{8}|E[A-HJ-NP-Z]\d{7})" + _ALNUM_AFTER)
_PERMIT = re.compile(r"(?:通行证|回乡证|台胞证)[号码:：\s]*([A-Z]?\d{8,10}|[CHM][A-Z]?\d{7,9})")
_QQ = re.compile(r"(?:QQ|qq|扣扣)[号码:：\s]*(\d{5,11})(?![0-9])")
_WECHAT = re.compile(r"(?:微信|VX|vx|wx)[号码:：\s]*([A-Za-z][\-_A-Za-z0-9]{5,19})" + _ALNUM_AFTER)

# Not identities: left alone even where a pattern would match inside them.
_NOT_IDENTITIES = [
    re.compile(r"[A-Z]\d{3}-[A-Z]{1,4}·\d{4}-(?:Y|D30|D10)-[A-Z]{1,6}-\d{4}"),  # 档号
    re.compile(r"〔\d{4}〕\d+号"),  # 发文字号
    re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{1,2}-\d{1,2}"),  # dates
    re.compile(r"\d+(?:\.\d+)?(?:万|亿)?元"),  # sums of money
    re.compile(r"第[一二三四五六七八九十百千\d]+条"),  # statute references
    re.compile(r"R-\d{4}-\d{6}|XF-\d{4}-\d{4}"),  # record and case ids
]


class IdentityDetector:
    """Finds identities in text for one case; build once, use for every part of a document."""

    def __init__(
        self,
        identities: Sequence[KnownIdentity],
        office_contacts: Iterable[str] = (),
        other_names: Iterable[str] = (),
    ) -> None:
        """``other_names`` are people who may be named (the reported): a given name inside them is not a hit."""
        self.identities = tuple(identities)
        self._other_names = [re.compile(_spaced_pattern(name)) for name in other_names if name.strip()]
        self._known: list[tuple[re.Pattern[str], KnownIdentity, bool]] = []
        for identity in identities:
            for pattern, given_only in self._variants(identity):
                self._known.append((re.compile(pattern), identity, given_only))
        # longest values first, so a full name wins over the given name inside it
        self._known.sort(key=lambda item: -len(item[1].value))
        self._office = [re.compile(_digits_pattern(c) if _is_number(c) else _spaced_pattern(c))
                        for c in office_contacts if c.strip()]

    @staticmethod
    def _variants(identity: KnownIdentity) -> list[tuple[str, bool]]:
        if identity.category in ("身份证号", "手机号", "固定电话"):
            return [(_digits_pattern(identity.value), False)]
        if identity.category == "姓名":
            surname, given = split_name(identity.value)
            variants = [(_spaced_pattern(identity.value), False)]
            if len(given) >= 2:  # a one-character given name alone is too common to mean this person
                variants.append((_spaced_pattern(given), True))
            return variants
        return [(_spaced_pattern(identity.value), False)]

    def find(self, text: str) -> list[Finding]:
        """Every identity in ``text``, non-overlapping, in order."""
        if not _may_hold_identity(text):  # most XML attribute values: skip the regexes
            return []
        folded = fold(text)
        taken: list[tuple[int, int]] = []
        findings: list[Finding] = []

        def add(finding: Finding) -> None:
            if any(finding.start < end and start < finding.end for start, end in taken):
                return
            taken.append((finding.start, finding.end))
            findings.append(finding)

        others = [m.span() for p in self._other_names for m in p.finditer(folded)]
        for pattern, identity, given_only in self._known:
            for match in pattern.finditer(folded):
                if given_only and any(match.start() < end and start < match.end() for start, end in others):
                    continue
                surname = split_name(identity.value)[0] if identity.category == "姓名" else None
                add(Finding(identity.category, match.start(), match.end(), "case", True, identity.person,
                            identity.role, surname, given_only))
        protected = [m.span() for p in (*_NOT_IDENTITIES, *self._office) for m in p.finditer(folded)]
        for finding in _pattern_findings(folded):
            if not any(finding.start < end and start < finding.end for start, end in protected):
                add(finding)
        return sorted(findings, key=lambda f: f.start)


_ASCII_CONTEXT = re.compile(r"[@]|qq|vx|wx", re.IGNORECASE)


def _may_hold_identity(text: str) -> bool:
    """False for plain ASCII with fewer than five digits and no context word: no identity fits in it.

    Most XML attribute values of a DOCX are like that, and skipping them keeps a
    whole-package redaction fast.
    """
    if not text.isascii():
        return True
    return sum(c.isdigit() for c in text) >= 5 or bool(_ASCII_CONTEXT.search(text))


def _is_number(text: str) -> bool:
    return sum(c.isdigit() for c in text) >= 5 and not re.search(r"[\u4e00-\u9fff]", text)


def _pattern_findings(folded: str) -> list[Finding]:
    found: list[Finding] = []
    for match in _ID_18.finditer(folded):
        found.append(Finding("身份证号", *match.span(), "pattern", id_number_checks_out(match.group())))
    for match in _ID_15.finditer(folded):
        found.append(Finding("身份证号", *match.span(), "pattern", False))
    for match in _USCC.finditer(folded):
        if uscc.is_valid(match.group()):
            found.append(Finding("统一社会信用代码", *match.span(), "pattern"))
    for match in _MOBILE.finditer(folded):
        found.append(Finding("手机号", *match.span(), "pattern"))
    for match in _LANDLINE.finditer(folded):
        found.append(Finding("固定电话", *match.span(), "pattern"))
    for match in _CARD.finditer(folded):
        digits = re.sub(r"\D", "", match.group())
        context = folded[max(0, match.start() - 12) : match.start()]
        if 16 <= len(digits) <= 19 and _luhn(digits) and _CARD_CONTEXT.search(context):
            found.append(Finding("银行卡号", *match.span(), "pattern"))
    for match in _EMAIL.finditer(folded):
        found.append(Finding("电子邮箱", *match.span(), "pattern"))
    for match in _PLATE.finditer(folded):
        found.append(Finding("车牌号", *match.span(), "pattern"))
    for match in _PASSPORT.finditer(folded):
        found.append(Finding("护照号", *match.span(), "pattern", False))
    for pattern, category in ((_PERMIT, "通行证号"), (_QQ, "QQ号"), (_WECHAT, "微信号")):
        for match in pattern.finditer(folded):
            found.append(Finding(category, *match.span(1), "pattern"))
    # ID numbers before phones and cards: an 18-digit number is not a phone inside it
    order = {"身份证号": 0, "统一社会信用代码": 1, "银行卡号": 2}
    return sorted(found, key=lambda f: (order.get(f.category, 3), f.start))


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0
