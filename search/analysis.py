"""Chinese text analysis for whoosh: folding, CJK bigrams plus single characters, ASCII words.

Why not jieba
    ``jieba.analyse.ChineseAnalyzer`` sets a token's *position* to its character offset.
    whoosh's phrase query asks for the words of a phrase at consecutive positions, so
    "信访" (offset 0) followed by "办公室" (offset 2) is never a phrase, and a query that
    jieba happens to segment differently from the record (it segments by a dictionary and
    by context) finds nothing at all. Recall then depends on the dictionary, which is the
    one thing a records search may not do.

Why bigrams plus single characters
    Every CJK character is one position. At the position of each character the index holds
    that character (a unigram) and, when the next character belongs to the same run, the
    pair starting there (a bigram). A query of n >= 2 CJK characters becomes its n - 1
    bigrams at consecutive positions: a bigram at position p says "these two characters
    stand at p and p + 1", so n - 1 of them at p, p + 1, ... say exactly that the query
    stands at p in the text. No dictionary, no segmentation choice: every 2-, 3-, 4-...
    character query finds every text that contains it, and nothing else. A single
    character (a surname, 张) is looked up as its unigram. Bigrams alone would miss
    single-character queries; unigrams alone would make every longer query a phrase of
    frequent single characters (slow, and large postings); both together cost about
    twice the postings of either and keep queries short.

What folding does
    Before tokenizing, text is folded per character (a base character with its combining
    marks): Unicode NFKC - full-width letters, digits and punctuation become half-width
    (``ＸＦ－２０２６`` -> ``xf-2026``), compatibility characters are decomposed
    (``①`` -> ``1``, ``㍿`` -> ``株式会社``) - then lower-casing, and invisible format
    characters (zero-width spaces, soft hyphens, byte-order marks, bidi marks) and
    variation selectors are dropped, so that they neither split a name nor hide it.
    Index and query are folded by the same function, which is all that recall needs;
    the token's ``startchar``/``endchar`` still point into the *original* text.

Units and positions
    After folding the text is read as units: runs of CJK characters (Han, including
    〇 and 々, kana, hangul, bopomofo), and words of other letters and digits
    (``xf``, ``2026``, ``13912345678``, ``abc``). Everything else - punctuation,
    whitespace, ``-``, ``_`` - separates units and takes no position. A CJK run takes
    one position per character; a word takes one position. Bigrams never cross a
    separator, so "南京，市长" holds no "京市".

Index mode and query mode
    ``mode="query"`` (whoosh's query parser) emits, for a CJK run of one character, its
    unigram; for a run of n >= 2, its n - 1 bigrams, followed by the run's last character
    as a unigram when another unit follows in the query, so that the next unit's
    position is consecutive (``中国3号`` -> 中国, 国, 3, 号). Any other mode (``"index"``,
    the highlighter's ``"index"``, none) emits all bigrams and all unigrams.

Exactness and its limits
    A query of CJK characters without separators, unquoted or quoted, matches exactly
    the texts containing it contiguously: no false negative and no false positive.
    Words are whole words: ``2026`` finds ``XF-2026-0001``, ``bc`` does not find
    ``abc``, and ``1391234`` does not find ``13912345678``. A phrase that contains
    separators, or mixes CJK with words, matches whenever its units occur in order at
    consecutive positions; the separators themselves are not compared. So the quoted
    phrase ``"南京 市"`` also matches "南京市" and "南京。市", ``"XF-2026"`` also matches
    "xf 2026", and ``"abc中"`` also matches "abc 中". No false negative follows from that
    (any unit-aligned substring of a text finds the text). A caller who wants the
    literal string checks each hit with ``fold_text(phrase) in fold_text(text)``.

Use it through :func:`chinese_text_field`, which sets ``multitoken_query="phrase"``:
with whoosh's default (``"default"``, an AND of the tokens) the parser turns an
unquoted ``南京市`` into ``南京 AND 京市``, which also matches "京市……南京".
Highlighting re-analyses the stored text; call it with ``mode="index"`` (whoosh's
``Highlighter`` does), because query mode does not emit every character's unigram.
The classes are pickled into whoosh's index with the schema, so renaming or moving
them makes existing indexes unreadable.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from whoosh.analysis import CompositeAnalyzer, Filter, Token, Tokenizer
from whoosh.fields import TEXT

__all__ = [
    "CJKBigramFilter",
    "ChineseAnalyzer",
    "ChineseTokenizer",
    "FoldedText",
    "chinese_text_field",
    "cjk_only",
    "fold",
    "fold_text",
]

# Characters indexed one position each, as bigrams and unigrams. The katakana middle dot
# U+30FB (used in transliterated names, 卡尔・马克思) is left out: it is punctuation.
_CJK = (
    "\u2e80-\u2fdf"  # CJK radicals supplement, Kangxi radicals
    "\u3005-\u3007"  # 々 〆 〇
    "\u3021-\u3029\u3038-\u303b"  # Hangzhou numerals
    "\u3041-\u309f"  # hiragana
    "\u30a1-\u30fa\u30fc-\u30ff"  # katakana without the middle dot
    "\u3100-\u312f\u31a0-\u31bf"  # bopomofo
    "\u31f0-\u31ff"  # katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7af"  # hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs (NFKC maps most to unified ones)
    "\U00020000-\U0003fffd"  # CJK extensions B to H, compatibility supplement
)
# A unit is a run of CJK characters or a word: letters and digits that are not CJK
# (the class "not a non-word character, not _, not CJK").
_UNIT = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>[^\W_{_CJK}]+)")


_CJK_ONLY = re.compile(f"[{_CJK}]+")


def cjk_only(text: str) -> bool:
    """Whether ``text`` is one CJK run: every character of it indexed as a position of its own."""
    return _CJK_ONLY.fullmatch(text) is not None


def _is_dropped(char: str) -> bool:
    """Whether folding removes the character: format characters and variation selectors."""
    code = ord(char)
    return unicodedata.category(char) == "Cf" or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


@lru_cache(maxsize=65536)
def _fold_piece(piece: str) -> str:
    """Fold one base character with its combining marks."""
    folded = unicodedata.normalize("NFKC", piece).lower()
    return "".join(char for char in folded if not _is_dropped(char))


@dataclass(frozen=True)
class FoldedText:
    """Folded text and, for each of its characters, where it came from in the original.

    ``starts[i]``/``ends[i]`` are the original offsets of the piece that folded character
    ``i`` came from; both are ``None`` when folding kept every offset (the common case).
    """

    text: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original offsets of the folded slice ``text[start:end]`` (``end > start``)."""
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]


def fold(text: str) -> FoldedText:
    """Fold ``text`` (NFKC, lower case, invisible characters dropped), keeping offsets."""
    distinct = set(text)
    if all(len(_fold_piece(char)) == 1 and not unicodedata.combining(char) for char in distinct):
        table = {ord(char): _fold_piece(char) for char in distinct if _fold_piece(char) != char}
        return FoldedText(text.translate(table) if table else text)
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    index, length = 0, len(text)
    while index < length:
        stop = index + 1
        while stop < length and unicodedata.combining(text[stop]):
            stop += 1
        piece = _fold_piece(text[index:stop])
        pieces.append(piece)
        starts.extend([index] * len(piece))
        ends.extend([stop] * len(piece))
        index = stop
    return FoldedText("".join(pieces), tuple(starts), tuple(ends))


def fold_text(text: str) -> str:
    """The folded form of ``text``; ``fold_text(phrase) in fold_text(text)`` is the literal check."""
    return fold(text).text


class ChineseTokenizer(Tokenizer):
    """Folds the text and yields its units: CJK runs (``token.cjk`` true) and words.

    A CJK run's position is that of its first character, and it takes one position per
    character; a word takes one position. With ``chars=True`` a run also carries
    ``char_spans``, the original offsets of each of its characters, for
    :class:`CJKBigramFilter`.
    """

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        folded = fold(value)
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.text = folded.text
            token.cjk = False
            token.char_spans = None
            if keeporiginal:
                token.original = token.text
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        position = start_pos
        for match in _UNIT.finditer(folded.text):
            text = match.group()
            is_cjk = match.lastgroup == "cjk"
            token.text = text
            token.cjk = is_cjk
            token.boost = 1.0
            token.stopped = False
            token.char_spans = None
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = position
            if chars:
                start, end = folded.span(match.start(), match.end())
                token.startchar, token.endchar = start_char + start, start_char + end
                if is_cjk:
                    token.char_spans = tuple(
                        tuple(start_char + offset for offset in folded.span(index, index + 1))
                        for index in range(match.start(), match.end())
                    )
            position += len(text) if is_cjk else 1
            yield token


class CJKBigramFilter(Filter):
    """Turns CJK runs (tokens with ``cjk`` true) into bigrams and unigrams; passes the rest.

    Index mode: at each character's position its unigram and the bigram starting there.
    Query mode: a one-character run is its unigram; a longer run is its bigrams, plus its
    last character's unigram when another token follows, so positions stay consecutive.
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        waiting: Token | None = None  # a query-mode run, until we know whether a unit follows
        for token in tokens:
            if waiting is not None:
                yield from _query_grams(waiting, followed=True)
                waiting = None
            if not getattr(token, "cjk", False):
                yield token
            elif token.mode == "query":
                waiting = token.copy()
            else:
                yield from _index_grams(token)
        if waiting is not None:
            yield from _query_grams(waiting, followed=False)


def _set_gram(token: Token, run: str, start: int, base: int, spans: Any, width: int) -> Token:
    """Make ``token`` the gram of ``width`` characters of ``run`` starting at ``start``."""
    token.text = run[start : start + width]
    if token.positions:
        token.pos = base + start
    if token.chars:
        token.startchar, token.endchar = spans[start][0], spans[start + width - 1][1]
    return token


def _run_parts(token: Token) -> tuple[str, int, Any]:
    """A run's text, first position and per-character original offsets (``None`` without chars)."""
    spans = getattr(token, "char_spans", None)
    if token.chars and spans is None:  # a run from another tokenizer: one original character each
        spans = tuple((token.startchar + i, token.startchar + i + 1) for i in range(len(token.text)))
    return token.text, (token.pos if token.positions else 0), spans


def _index_grams(token: Token) -> Iterator[Token]:
    run, base, spans = _run_parts(token)
    for start in range(len(run)):
        if start + 1 < len(run):
            yield _set_gram(token, run, start, base, spans, 2)
        yield _set_gram(token, run, start, base, spans, 1)


def _query_grams(token: Token, *, followed: bool) -> Iterator[Token]:
    run, base, spans = _run_parts(token)
    if len(run) == 1:
        yield _set_gram(token, run, 0, base, spans, 1)
        return
    for start in range(len(run) - 1):
        yield _set_gram(token, run, start, base, spans, 2)
    if followed:
        yield _set_gram(token, run, len(run) - 1, base, spans, 1)


def ChineseAnalyzer() -> CompositeAnalyzer:  # noqa: N802  (named like whoosh's analyzer factories)
    """The analyzer for Chinese text fields: :class:`ChineseTokenizer` | :class:`CJKBigramFilter`."""
    return ChineseTokenizer() | CJKBigramFilter()


def chinese_text_field(*, stored: bool = False, chars: bool = False, field_boost: float = 1.0) -> TEXT:
    """A whoosh ``TEXT`` field with :func:`ChineseAnalyzer`, positions, and multi-token words as phrases."""
    return TEXT(
        analyzer=ChineseAnalyzer(),
        phrase=True,
        chars=chars,
        stored=stored,
        field_boost=field_boost,
        multitoken_query="phrase",
    )
