"""Search one open whoosh index for a user: permitted records only, ranked without leaking.

What a user may learn
    Nothing about a record outside ``permitted`` may follow from what a search returns:
    not its existence, not its words, not how often a word occurs in it. So the permitted
    document numbers are computed first and handed to whoosh as its ``filter``; whoosh
    then neither counts, collects nor scores anything else, and the count, the order and
    the snippets are computed from permitted hits only.

Why not BM25F
    A filter does not change term statistics. whoosh's default BM25F weighs a term by its
    document frequency and a field by its average length over the *whole* index, so two
    permitted records would swap places depending on how often a word occurs in records
    the user cannot see - a user could probe those records one word at a time.
    :class:`RecordWeighting` uses no collection statistics at all: a record's score is
    the sum over the query's matched terms of ``field weight x tf / (tf + 1)``, where
    ``tf`` is the term's frequency in that record's field. The title weighs more than the
    parties and units of its case, and those more than the text; ID fields (``case_id:``,
    ``kind:``) select and weigh nothing. Ties are broken by date, newest first, then by
    record id. The score of a record thus depends on the
    record and the query alone, and the order of the hits is the order they would have
    if the forbidden records did not exist (the property tests check exactly that).

Why the scores are multiples of 1/1024
    whoosh arranges the matchers of an ``And`` or ``Or`` in a tree ordered by estimated
    posting sizes - collection statistics again - so the same record's term scores are
    summed in a different grouping in a different index. Floating-point addition is not
    associative, and a last-bit difference would reorder two otherwise tied records. Each
    term contributes a small integer times ``k / 1024``; such sums are exact in binary
    floating point in any grouping, so the score is bit-for-bit the same.

Query language
    whoosh's parser over ``title``, ``parties``, ``unit`` and ``text`` (those of them the
    index has) with AND as the default: ``AND``, ``OR``,
    ``NOT``, ``ANDNOT``, parentheses, quoted phrases (also with Chinese quotation marks
    “…”), and ``field:value`` for the other fields of the schema (``case_id:XF-2026-0001``,
    ``kind:letter``). Wildcards, ranges, boosts and ``*:*`` are switched off: a prefix or
    range query expands over the whole index's term list and whoosh scores it differently
    when the expansion is large, and a user's boost would break the exact sums. ``*`` and
    ``^`` are then separators, as other punctuation is (``张*`` searches ``张``, which finds
    every record with a word starting with 张 anyway). A malformed query raises
    :class:`QueryError` with a Chinese message.

Snippets
    Only for permitted hits: the record's text is re-analysed and the first place where a
    positive term or phrase of the query matches is shown in a window of about 80
    characters, every match inside the window between ``mark`` strings. A hit that matches
    in the title only shows the beginning of its text, unmarked.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator, Sequence, Set
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq
from whoosh.qparser import (
    BoostPlugin,
    EveryPlugin,
    MultifieldParser,
    RangePlugin,
    WildcardPlugin,
)
from whoosh.scoring import BaseScorer, WeightingModel
from whoosh.searching import Searcher

from .analysis import cjk_only, fold
from .errors import QueryError

__all__ = [
    "FIELD_WEIGHTS",
    "RecordWeighting",
    "SearchResults",
    "parse_query",
    "search_index",
    "search_indexes",
]

#: Integer weight of each full-text field; any other field weighs 0 (it only selects).
FIELD_WEIGHTS: dict[str, int] = {"title": 3, "parties": 2, "unit": 2, "text": 1}
_SCALE = 1024  # term scores are multiples of 1 / _SCALE: sums stay exact
_SEARCHED_FIELDS = ("title", "parties", "unit", "text")  # those an index's schema has
_OPERATORS = {"AND", "OR", "ANDNOT", "ANDMAYBE"}
_QUOTES = str.maketrans({"“": '"', "”": '"', "＂": '"', "（": "(", "）": ")"})
_FIELD_PREFIX = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(.*)", re.ASCII | re.DOTALL)
_SNIPPET_BEFORE = 20
_SNIPPET_LENGTH = 80
_SPACE = re.compile(r"\s+")
_MAX_QUERY = 500  # characters; whoosh's query parser takes time quadratic in a word's length (100,000: four minutes)


# -- ranking ----------------------------------------------------------------------------


class RecordWeighting(WeightingModel):  # type: ignore[misc]
    """Scores a record by its own term frequencies and fixed field weights, never by collection statistics."""

    use_final = False

    def __init__(self, field_weights: dict[str, int] | None = None) -> None:
        weights = dict(FIELD_WEIGHTS if field_weights is None else field_weights)
        if any(not isinstance(w, int) or w < 0 or w > 1024 for w in weights.values()):
            raise ValueError("field weights must be integers from 0 to 1024 (they keep score sums exact)")
        self.field_weights = weights

    def idf(self, searcher: Any, fieldname: str, text: Any) -> float:
        """Always 1: how many other records hold a term says nothing about this record."""
        return 1.0

    def scorer(self, searcher: Any, fieldname: str, text: Any, qf: int = 1) -> BaseScorer:
        return _SaturationScorer(self.field_weights.get(fieldname, 0))


def saturation(tf: float) -> float:
    """``tf / (tf + 1)`` rounded to a multiple of 1/1024: more occurrences count, with diminishing returns."""
    if tf <= 0:
        return 0.0
    return math.floor(_SCALE * tf / (tf + 1) + 0.5) / _SCALE


class _SaturationScorer(BaseScorer):  # type: ignore[misc]
    def __init__(self, field_weight: int) -> None:
        self._weight = field_weight

    def supports_block_quality(self) -> bool:
        return False

    def score(self, matcher: Any) -> float:
        return self._weight * saturation(matcher.weight())

    def max_quality(self) -> float:
        return float(self._weight)

    def block_quality(self, matcher: Any) -> float:
        return float(self._weight)


# -- parsing ----------------------------------------------------------------------------


def _lex(text: str) -> list[str]:
    """Split a query into ``(``, ``)`` and words; a quoted phrase stays inside its word."""
    tokens: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
            current.append(char)
        elif quoted:
            current.append(char)
        elif char.isspace() or char in "()":
            if current:
                tokens.append("".join(current))
                current = []
            if char in "()":
                tokens.append(char)
        else:
            current.append(char)
    if current:
        tokens.append("".join(current))
    return tokens


def _check_tokens(tokens: list[str], fieldnames: Set[str]) -> None:
    """Raise QueryError for unbalanced parentheses, dangling operators and unknown fields."""
    depth = 0
    expect_operand = True
    previous = ""
    for index, token in enumerate(tokens):
        if token == "(":
            depth += 1
            expect_operand = True
        elif token == ")":
            if depth == 0:
                raise QueryError("检索式中的括号不成对：多了一个“)”")
            if previous == "(" or previous.endswith(":"):
                raise QueryError("检索式中有空括号“()”")
            if expect_operand:
                raise QueryError(f"检索式中“{previous}”后面缺少检索词")
            depth -= 1
        elif token in _OPERATORS:
            if expect_operand:
                where = f"“{previous}”与“{token}”之间" if previous and previous != "(" else f"“{token}”前面"
                raise QueryError(f"检索式中{where}缺少检索词")
            expect_operand = True
        elif token == "NOT":
            expect_operand = True
        else:
            match = _FIELD_PREFIX.fullmatch(token)
            if match:
                name, value = match.groups()
                if name not in fieldnames:
                    known = "、".join(sorted(fieldnames))
                    raise QueryError(f"检索式中的字段“{name}”不存在；可用的字段：{known}")
                if not value and (index + 1 == len(tokens) or tokens[index + 1] != "("):
                    raise QueryError(f"检索式中字段“{name}:”后面缺少检索词")
                if not value:
                    previous = token
                    continue
            expect_operand = False
        previous = token
    if depth:
        raise QueryError("检索式中的括号不成对：缺少“)”")
    if expect_operand and tokens:
        raise QueryError(f"检索式中“{tokens[-1]}”后面缺少检索词")


def _rejoin(tokens: list[str]) -> str:
    """The query again, with spaces around parentheses so whoosh reads operators as we checked them."""
    parts: list[str] = []
    for token in tokens:
        if parts and token == "(" and parts[-1].endswith(":"):
            parts[-1] += token
        else:
            parts.append(token)
    return " ".join(parts)


def parse_query(schema: Any, text: str) -> wq.Query:
    """Parse a user's query over ``title`` and ``text`` (AND by default); raise QueryError if malformed."""
    normalized = text.translate(_QUOTES).strip()
    if not normalized:
        raise QueryError("检索式为空")
    if len(normalized) > _MAX_QUERY:
        raise QueryError(f"检索式过长（{len(normalized)} 个字符，最多 {_MAX_QUERY} 个）")
    if normalized.count('"') % 2:
        raise QueryError("检索式中的引号不成对")
    tokens = _lex(normalized)
    _check_tokens(tokens, set(schema.names()))
    parser = MultifieldParser([name for name in _SEARCHED_FIELDS if name in schema], schema)
    parser.remove_plugin_class(WildcardPlugin)
    parser.remove_plugin_class(RangePlugin)
    parser.remove_plugin_class(BoostPlugin)
    parser.remove_plugin_class(EveryPlugin)
    try:
        parsed = parser.parse(_rejoin(tokens))
    except Exception as exc:  # whoosh's parser raises assorted errors on odd input
        raise QueryError(f"无法解析检索式“{text}”：{exc}") from exc
    if parsed is wq.NullQuery or not any(True for _ in parsed.iter_all_terms()):
        raise QueryError(f"检索式“{text}”中没有可检索的字词（只有标点、空白或运算符）")
    return parsed


# -- permission -------------------------------------------------------------------------


Permitted = Callable[[dict[str, Any]], bool] | Set[str] | wq.Query


def _permitted_docnums(searcher: Searcher, permitted: Permitted) -> set[int]:
    """The document numbers the user may see: a query's matches, record ids in a set, or a predicate's choice.

    A whoosh query (``Or`` of the permitted ``case_id`` terms, or every document but
    the hidden cases') is the fast form: it reads postings, not every stored document.
    """
    if isinstance(permitted, str):
        raise TypeError("permitted must be a set of record ids, a query or a predicate, not a string")
    if isinstance(permitted, wq.Query):
        return _query_docnums(searcher, permitted)
    if isinstance(permitted, Set):
        docnums: set[int] = set()
        for record_id in permitted:
            docnums.update(searcher.document_numbers(record_id=record_id))
        return docnums
    if callable(permitted):
        return {docnum for docnum, stored in searcher.reader().iter_docs() if permitted(stored)}
    raise TypeError(f"permitted must be a set of record ids, a query or a predicate, not {type(permitted).__name__}")


def _query_docnums(searcher: Searcher, query: wq.Query) -> set[int]:
    """The live documents ``query`` selects, its ``Or``, ``And``, ``Not`` and ``Every`` read as set algebra.

    whoosh runs such a query as a tree of matchers, stepping every document through
    every level of it: the ``Not(Or(...))`` of the 400 hidden cases of a 100,000-record
    archive took seconds a search.  The leaves (terms, date ranges) are still whoosh's
    to match; combining their documents as sets is what a permission filter needs.
    """
    live: set[int] = set()

    def every() -> set[int]:  # read once: the usual filter, And(Every, Not(...)), asks twice
        if not live:
            live.update(searcher.reader().all_doc_ids())
        return live

    def docs(node: wq.Query) -> set[int]:
        if isinstance(node, wq.Or):
            return set().union(*(docs(part) for part in node.subqueries))
        if isinstance(node, wq.And):
            parts = [docs(part) for part in node.subqueries]
            return set.intersection(*parts) if parts else set()
        if isinstance(node, wq.Not):
            return every() - docs(node.query)
        if isinstance(node, wq.Every) and node.fieldname in (None, "*"):
            return set(every())
        return set(searcher.docs_for_query(node))

    return docs(query)


# -- results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchResults:
    """What one search returns: the number of permitted matches and the hits shown, best first."""

    count: int
    results: list[dict[str, Any]] = field(default_factory=list)


def _date_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


_Hit = tuple[float, dict[str, Any], Any]  # score, stored fields, the analyzer of its text field


def _ranked(hits: list[_Hit]) -> list[_Hit]:
    """Score descending, then date descending (records without a date last), then record id."""
    hits = sorted(hits, key=lambda hit: str(hit[1].get("record_id", "")))
    hits.sort(key=lambda hit: _date_text(hit[1].get("date")) or "", reverse=True)
    hits.sort(key=lambda hit: hit[0], reverse=True)
    return hits


def search_index(
    searcher: Searcher,
    text: str,
    permitted: Permitted,
    *,
    limit: int | None = None,
    mark: tuple[str, str] = ("【", "】"),
) -> SearchResults:
    """Search ``text`` in one open index, seeing only ``permitted`` records (see :func:`search_indexes`)."""
    return search_indexes([(searcher, permitted)], text, limit=limit, mark=mark)


def search_indexes(
    sources: Sequence[tuple[Searcher, Permitted]],
    text: str,
    *,
    schema: Any = None,
    limit: int | None = None,
    mark: tuple[str, str] = ("【", "】"),
) -> SearchResults:
    """Search ``text`` in several open indexes, each with what the user may see in it, as one list.

    ``permitted`` is a whoosh query selecting the permitted records, a set of record
    ids, or a predicate over a record's stored fields (``lambda f: f["case_id"] in
    cases``). ``count`` is the exact number of permitted matches; ``results`` holds at
    most ``limit`` of them, ranked by :class:`RecordWeighting` — whose scores depend on
    the record and the query alone, so hits from different indexes merge by score as if
    they came from one — each ``{"rank", "record_id", "archival_code", "case_id",
    "title", "date", "snippet"}``. ``schema`` checks the query when there is no index
    to search. Raises :class:`QueryError` for a malformed query. The searchers' own
    weightings are not used.
    """
    if limit is not None and limit < 0:
        raise ValueError("limit must be None or at least 0")
    if schema is None:
        if not sources:
            raise ValueError("a schema is needed to check a query when there is no index")
        schema = sources[0][0].schema
    parsed = parse_query(schema, text)
    scored: list[tuple[float, Searcher, int]] = []
    for searcher, permitted in sources:
        allowed = _permitted_docnums(searcher, permitted)
        if not allowed:  # whoosh reads an empty filter as "no filter"
            continue
        ranking = Searcher(searcher.reader(), weighting=RecordWeighting(), closereader=False)
        found = ranking.search(parsed, filter=allowed, limit=None)
        scored.extend((score, searcher, docnum) for docnum, score in found.items())
    scored.sort(key=lambda item: item[0], reverse=True)
    count = len(scored)
    if limit is not None and limit < count:
        cutoff = scored[limit - 1][0] if limit else math.inf
        scored = [item for item in scored if item[0] >= cutoff]
    hits = _ranked([(score, searcher.stored_fields(docnum), _text_analyzer(searcher)) for score, searcher, docnum in scored])
    if limit is not None:
        hits = hits[:limit]
    leaves = _positive_leaves(parsed)
    results = []
    for rank, (_score, stored, analyzer) in enumerate(hits, start=1):
        body = stored.get("text") or ""
        results.append(
            {
                "rank": rank,
                "record_id": stored.get("record_id"),
                "archival_code": stored.get("archival_code"),
                "case_id": stored.get("case_id"),
                "title": stored.get("title"),
                "date": _date_text(stored.get("date")),
                "snippet": _snippet(body, analyzer, leaves, mark) if analyzer is not None else "",
            }
        )
    return SearchResults(count, results)


def _text_analyzer(searcher: Searcher) -> Any:
    return searcher.schema["text"].analyzer if "text" in searcher.schema else None


# -- snippets ---------------------------------------------------------------------------


def _positive_leaves(parsed: wq.Query) -> list[tuple[str, ...]]:
    """The words of each term and phrase of the ``text`` field that a hit may match (not under NOT)."""
    found: list[tuple[str, ...]] = []

    def walk(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            walk(node.a)
            return
        if isinstance(node, wq.Phrase):
            if node.fieldname == "text":
                found.append(tuple(str(word) for word in node.words))
            return
        if isinstance(node, wq.Term):
            if node.fieldname == "text":
                found.append((str(node.text),))
            return
        for child in node.children():
            walk(child)

    walk(parsed)
    return found


def _match_spans(body: str, analyzer: Any, leaves: list[tuple[str, ...]]) -> Iterator[tuple[int, int]]:
    """Original-text spans where a leaf's words stand at consecutive positions.

    Most leaves are CJK grams that chain into one string (``扶贫 贫资 资金`` is
    扶贫资金); those are found in the folded text directly, which is what the
    analysed text would say and much cheaper than analysing it.  Other leaves
    (words, separators in a quoted phrase) are matched on the analysed text.
    """
    chained = [_chain(words) for words in leaves]
    if any(chain is not None for chain in chained):
        folded = fold(body)
        for chain in chained:
            if chain is not None:
                yield from _found(folded.text, chain, folded.span)
    others = [words for words, chain in zip(leaves, chained, strict=True) if chain is None]
    if others:
        yield from _analysed_spans(body, analyzer, others)


def _chain(words: tuple[str, ...]) -> str | None:
    """The string a leaf of CJK grams stands for, when each gram after the first is a bigram overlapping the last.

    Bigrams never cross a separator, so such a string occurs in the folded text
    exactly where the grams stand at consecutive positions.  None for any other leaf.
    """
    if not words or not all(cjk_only(word) for word in words) or len(words[0]) > 2:
        return None
    chain = words[0]
    for word in words[1:]:
        if len(word) != 2 or word[0] != chain[-1]:
            return None
        chain += word[1]
    return chain


def _found(text: str, wanted: str, span: Callable[[int, int], tuple[int, int]]) -> Iterator[tuple[int, int]]:
    start = text.find(wanted)
    while start >= 0:
        yield span(start, start + len(wanted))
        start = text.find(wanted, start + 1)


def _analysed_spans(body: str, analyzer: Any, leaves: list[tuple[str, ...]]) -> Iterator[tuple[int, int]]:
    """Original-text spans where a leaf's words stand at consecutive positions of the analysed text."""
    at: dict[int, dict[str, tuple[int, int]]] = {}
    for token in analyzer(body, positions=True, chars=True, mode="index"):
        at.setdefault(token.pos, {})[token.text] = (token.startchar, token.endchar)
    for words in leaves:
        for position, grams in at.items():
            if words[0] not in grams:
                continue
            spans = [at.get(position + offset, {}).get(word) for offset, word in enumerate(words)]
            if all(span is not None for span in spans):
                yield spans[0][0], max(span[1] for span in spans)  # type: ignore[index]


def _snippet(body: str, analyzer: Any, leaves: list[tuple[str, ...]], mark: tuple[str, str]) -> str:
    spans = sorted(set(_match_spans(body, analyzer, leaves))) if leaves and body else []
    if not spans:
        return _clean(body[:_SNIPPET_LENGTH]) + ("…" if len(body) > _SNIPPET_LENGTH else "")
    first_start, first_end = spans[0]
    start = max(0, first_start - _SNIPPET_BEFORE)
    end = min(len(body), max(start + _SNIPPET_LENGTH, first_end))
    merged: list[list[int]] = []
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        if merged and span_start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], span_end)
        else:
            merged.append([span_start, span_end])
    parts = ["…" if start > 0 else ""]
    cursor = start
    for span_start, span_end in merged:
        parts += [_clean(body[cursor:span_start]), mark[0], _clean(body[span_start:span_end]), mark[1]]
        cursor = span_end
    parts += [_clean(body[cursor:end]), "…" if end < len(body) else ""]
    return "".join(parts)


def _clean(piece: str) -> str:
    """Whitespace runs (line breaks, tabs) as one space."""
    return _SPACE.sub(" ", piece)
