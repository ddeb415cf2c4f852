"""Search under permission: exactly the permitted matches, counted and ranked as if nothing else existed.

Every test builds a real whoosh index in memory (RamStorage) with the Chinese analyzer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import query as wq
from whoosh import scoring
from whoosh.fields import ID, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.searching import Searcher

from search.analysis import chinese_text_field
from search.errors import QueryError, SearchError
from search.query import RecordWeighting, SearchResults, parse_query, saturation, search_index
from search.searching import case_filter


@dataclass(frozen=True)
class Doc:
    record_id: str
    title: str
    text: str
    case_id: str = "XF-2026-0001"
    kind: str = "letter"
    date: str = "2026-01-01"


def schema() -> Schema:
    return Schema(
        record_id=ID(stored=True, unique=True),
        case_id=ID(stored=True),
        kind=ID(stored=True),
        title=chinese_text_field(stored=True),
        text=chinese_text_field(stored=True),
        date=ID(stored=True),
    )


@contextmanager
def indexed(docs: Sequence[Doc], *, split: int | None = None, weighting: object = None) -> Iterator[Searcher]:
    """An index of ``docs``; with ``split``, written as two segments (the first ``split`` docs, then the rest)."""
    index = RamStorage().create_index(schema())
    batches = [docs[:split], docs[split:]] if split is not None else [docs]
    for batch in batches:
        writer = index.writer()
        for doc in batch:
            writer.add_document(**doc.__dict__)
        writer.commit(merge=False)
    with index.searcher(**({"weighting": weighting} if weighting is not None else {})) as searcher:
        yield searcher


def ids(results: SearchResults) -> list[str]:
    return [hit["record_id"] for hit in results.results]


# The key property: permitted matches only, counted and ordered as if the others never existed

CJK = "张王李南"
CASES = ["XF-2026-0001", "XF-2026-0002", "XF-2026-0003"]
DATES = ["2026-01-01", "2026-01-02", "2026-01-03"]


@st.composite
def corpora(draw: st.DrawFn) -> list[Doc]:
    count = draw(st.integers(1, 12))
    return [
        Doc(
            record_id=f"R-{number:03d}",
            title=draw(st.text(CJK + " ", max_size=5)),
            text=draw(st.text(CJK + " ，", max_size=14)),
            case_id=draw(st.sampled_from(CASES)),
            date=draw(st.sampled_from(DATES)),
        )
        for number in range(count)
    ]


words = st.one_of(st.sampled_from(CJK), st.text(CJK, min_size=2, max_size=3))


@st.composite
def queries(draw: st.DrawFn) -> tuple[str, list[str], list[str]]:
    """A query, the words a record must contain (any of them) and the words it must not contain."""
    first = draw(words)
    form = draw(st.sampled_from(["plain", "quoted", "or", "or", "or", "not", "and"]))
    if form == "plain":
        return first, [first], []
    if form == "quoted":
        return f'"{first}"', [first], []
    second = draw(words)
    if form == "or":
        return f"{first} OR {second}", [first, second], []
    if form == "not":
        return f"{first} NOT {second}", [first], [second]
    return f"{first} {second}", [f"{first}+{second}"], []


def contains(doc: Doc, word: str) -> bool:
    if "+" in word:
        return all(contains(doc, part) for part in word.split("+"))
    return word in doc.title or word in doc.text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora(), st.data(), queries(), st.booleans())
def test_search_sees_only_permitted_records_and_ranks_as_if_the_others_did_not_exist(
    docs: list[Doc], data: st.DataObject, query: tuple[str, list[str], list[str]], as_predicate: bool
) -> None:
    text, wanted, unwanted = query
    shown = data.draw(st.lists(st.booleans(), min_size=len(docs), max_size=len(docs)))
    allowed = frozenset(doc.record_id for doc, visible in zip(docs, shown, strict=True) if visible)
    permitted = (lambda stored: stored["record_id"] in allowed) if as_predicate else allowed
    split = data.draw(st.integers(0, len(docs)))
    expected = {
        doc.record_id
        for doc in docs
        if doc.record_id in allowed
        and any(contains(doc, word) for word in wanted)
        and not any(contains(doc, word) for word in unwanted)
    }
    with indexed(docs, split=split) as searcher:
        found = search_index(searcher, text, permitted)
    assert set(ids(found)) == expected
    assert found.count == len(expected) == len(found.results)
    with indexed([doc for doc in docs if doc.record_id in allowed]) as alone:
        assert found == search_index(alone, text, lambda stored: True)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora(), st.data())
def test_a_permission_query_selects_exactly_the_records_it_names_deleted_ones_never(
    docs: list[Doc], data: st.DataObject
) -> None:
    """The case filter as ``search_archive`` builds it - permitted cases, or all but the hidden ones - and a kind."""
    docs = [replace(doc, kind=data.draw(st.sampled_from(["letter", "evidence"]))) for doc in docs]
    cases = set(data.draw(st.lists(st.sampled_from(CASES), unique=True)))
    hidden = set(CASES) - cases
    permission = case_filter(cases, hidden)
    kind = data.draw(st.sampled_from([None, "letter", "evidence"]))
    if kind is not None:
        permission = wq.And([permission, wq.Term("kind", kind)])
    deleted = set(data.draw(st.lists(st.sampled_from([doc.record_id for doc in docs]), unique=True)))
    index = RamStorage().create_index(schema())
    for batch in (docs[: len(docs) // 2], docs[len(docs) // 2 :]):
        writer = index.writer()
        for doc in batch:
            writer.add_document(**doc.__dict__)
        writer.commit(merge=False)
    writer = index.writer()
    for record_id in deleted:
        writer.delete_by_term("record_id", record_id)
    writer.commit(merge=False)
    allowed = frozenset(doc.record_id for doc in docs
                        if doc.case_id in cases and kind in (None, doc.kind) and doc.record_id not in deleted)
    with index.searcher() as searcher:
        for text in ("张", "南 OR 王 OR 李"):
            assert search_index(searcher, text, permission) == search_index(searcher, text, allowed)


# What whoosh's BM25F would leak, and that we do not

LEAK_CORPUS = [
    Doc("R-A", "", "张张张来信"),
    Doc("R-B", "", "李李来信"),
    *[Doc(f"R-X{number}", "", "张某某举报") for number in range(20)],
]
LEAK_PERMITTED = frozenset({"R-A", "R-B"})


def bm25f_order(docs: Sequence[Doc], permitted: frozenset[str], text: str) -> list[str]:
    """whoosh's own ranking, filtered to the permitted records."""
    with indexed(docs, weighting=scoring.BM25F()) as searcher:
        allowed = {n for n, stored in searcher.reader().iter_docs() if stored["record_id"] in permitted}
        hits = searcher.search(parse_query(searcher.schema, text), filter=allowed, limit=None)
        return [hit["record_id"] for hit in hits]


def test_bm25f_order_reveals_words_of_forbidden_records_and_ours_does_not() -> None:
    only_permitted = [doc for doc in LEAK_CORPUS if doc.record_id in LEAK_PERMITTED]
    # BM25F: 20 forbidden records holding 张 lower its idf, and 李 overtakes 张.
    assert bm25f_order(LEAK_CORPUS, LEAK_PERMITTED, "张 OR 李") == ["R-B", "R-A"]
    assert bm25f_order(only_permitted, LEAK_PERMITTED, "张 OR 李") == ["R-A", "R-B"]
    # Ours: the same order either way (and R-A first: more 张 than R-B has 李).
    with indexed(LEAK_CORPUS) as full, indexed(only_permitted) as alone:
        assert ids(search_index(full, "张 OR 李", LEAK_PERMITTED)) == ["R-A", "R-B"]
        assert search_index(full, "张 OR 李", LEAK_PERMITTED) == search_index(alone, "张 OR 李", LEAK_PERMITTED)


def test_the_searchers_own_weighting_is_not_used() -> None:
    with indexed(LEAK_CORPUS, weighting=scoring.BM25F()) as searcher:
        assert ids(search_index(searcher, "张 OR 李", LEAK_PERMITTED)) == ["R-A", "R-B"]


def test_term_scores_are_exact_multiples_of_1_1024() -> None:
    for tf in range(0, 200):
        assert (saturation(tf) * 1024).is_integer()
    assert saturation(1) == 0.5 and saturation(3) == 0.75
    assert saturation(1) < saturation(2) < saturation(100) < 1
    with pytest.raises(ValueError):
        RecordWeighting({"title": 1.5})  # type: ignore[dict-item]


# Counts and snippets reveal nothing outside permission

SECRET_CORPUS = [
    Doc("R-1", "来信", "反映南京市长江大桥问题", case_id="XF-2026-0001"),
    Doc("R-2", "举报信", "举报王五在南京市挪用扶贫款", case_id="XF-2026-0002"),
    Doc("R-3", "秘密报告", "南京市某局局长赵六受贿", case_id="XF-2026-0003"),
]


def test_a_word_only_in_forbidden_records_gives_nothing() -> None:
    with indexed(SECRET_CORPUS) as searcher:
        assert search_index(searcher, "赵六", frozenset({"R-1", "R-2"})) == SearchResults(0, [])
        assert search_index(searcher, "赵六", lambda stored: stored["case_id"] != "XF-2026-0003").count == 0
        assert search_index(searcher, "赵六", lambda stored: True).count == 1


def test_counts_and_snippets_of_shared_words_mention_permitted_records_only() -> None:
    with indexed(SECRET_CORPUS) as searcher:
        found = search_index(searcher, "南京市", frozenset({"R-1", "R-2"}))
    assert found.count == 2
    assert ids(found) == ["R-1", "R-2"]
    shown = repr(found.results)
    assert "赵六" not in shown and "R-3" not in shown and "秘密报告" not in shown


def test_no_permitted_record_means_no_result_even_though_whoosh_reads_an_empty_filter_as_none() -> None:
    with indexed(SECRET_CORPUS) as searcher:
        assert search_index(searcher, "南京市", frozenset()) == SearchResults(0, [])
        assert search_index(searcher, "南京市", lambda stored: False) == SearchResults(0, [])
        assert search_index(searcher, "南京市", frozenset({"R-9"})) == SearchResults(0, [])


def test_permitted_must_be_a_set_or_a_predicate() -> None:
    with indexed(SECRET_CORPUS) as searcher, pytest.raises(TypeError):
        search_index(searcher, "南京市", "R-1")  # type: ignore[arg-type]


# Query language

PHRASE_CORPUS = [
    Doc("R-1", "", "南京市长江大桥"),
    Doc("R-2", "", "南京，市里"),
    Doc("R-3", "", "京市南京"),
    Doc("R-4", "", "张三反映南京问题"),
]


@pytest.mark.parametrize("text", ["南京市", '"南京市"', "“南京市”", "text:南京市", 'text:"南京市"'])
def test_phrases_are_exact(text: str) -> None:
    with indexed(PHRASE_CORPUS) as searcher:
        assert ids(search_index(searcher, text, lambda stored: True)) == ["R-1"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("南京 NOT 张三", {"R-1", "R-2", "R-3"}),
        ("南京 ANDNOT 张三", {"R-1", "R-2", "R-3"}),
        ("NOT 南京", set()),
        ("南京 NOT (长江 OR 京市)", {"R-2", "R-4"}),
        ("张三 OR 长江", {"R-1", "R-4"}),
        ("南京 问题", {"R-4"}),
        ("（长江 OR 张三） 南京", {"R-1", "R-4"}),
    ],
)
def test_boolean_operators(text: str, expected: set[str]) -> None:
    with indexed(PHRASE_CORPUS) as searcher:
        found = search_index(searcher, text, lambda stored: True)
    assert set(ids(found)) == expected
    assert found.count == len(expected)


def test_field_values_select_by_case_and_kind() -> None:
    docs = [
        Doc("R-1", "", "南京", case_id="XF-2026-0001", kind="letter"),
        Doc("R-2", "", "南京", case_id="XF-2026-0002", kind="report"),
        Doc("R-3", "", "北京", case_id="XF-2026-0002", kind="letter"),
    ]
    with indexed(docs) as searcher:
        assert ids(search_index(searcher, "case_id:XF-2026-0002 南京", lambda stored: True)) == ["R-2"]
        assert set(ids(search_index(searcher, "kind:letter", lambda stored: True))) == {"R-1", "R-3"}
        assert ids(search_index(searcher, "title:南京", lambda stored: True)) == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        '"南京',
        "(南京",
        "南京)",
        "()",
        "南京 AND",
        "OR 南京",
        "南京 AND OR 张三",
        "NOT",
        "foo:南京",
        "case_id:",
        "，。！",
    ],
)
def test_a_malformed_query_is_a_query_error_in_chinese(text: str) -> None:
    with indexed(PHRASE_CORPUS) as searcher, pytest.raises(QueryError) as caught:
        search_index(searcher, text, lambda stored: True)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, SearchError)
    assert re.search(r"[\u4e00-\u9fff]", str(caught.value))


# Ranking, limit and result shape


def test_title_outranks_text_then_newer_then_record_id() -> None:
    docs = [
        Doc("R-1", "", "南京", date="2026-03-01"),
        Doc("R-2", "南京", "", date="2026-01-01"),
        Doc("R-3", "", "南京", date="2026-02-01"),
        Doc("R-0", "", "南京", date="2026-02-01"),
        Doc("R-4", "", "南京南京南京", date="2026-01-01"),
    ]
    with indexed(docs) as searcher:
        found = search_index(searcher, "南京", lambda stored: True)
    assert ids(found) == ["R-2", "R-4", "R-1", "R-0", "R-3"]
    assert [hit["rank"] for hit in found.results] == [1, 2, 3, 4, 5]


def test_limit_cuts_the_list_not_the_count() -> None:
    docs = [Doc(f"R-{n}", "", "南京", date=f"2026-01-0{n}") for n in range(1, 8)]
    with indexed(docs) as searcher:
        found = search_index(searcher, "南京", lambda stored: True, limit=3)
        assert found.count == 7
        assert ids(found) == ["R-7", "R-6", "R-5"]
        assert search_index(searcher, "南京", lambda stored: True, limit=0) == SearchResults(7, [])
        with pytest.raises(ValueError):
            search_index(searcher, "南京", lambda stored: True, limit=-1)


def test_a_hit_has_the_search_json_shape_without_scores() -> None:
    with indexed([Doc("R-1", "来信", "南京市", case_id="XF-2026-0007", date="2026-11-28")]) as searcher:
        (hit,) = search_index(searcher, "南京", frozenset({"R-1"})).results
    assert hit == {
        "rank": 1,
        "record_id": "R-1",
        "archival_code": None,
        "case_id": "XF-2026-0007",
        "title": "来信",
        "date": "2026-11-28",
        "snippet": "【南京】市",
    }


# Snippets


def test_snippet_is_a_window_around_the_first_match_with_matches_marked() -> None:
    text = "甲" * 50 + "南京市长江大桥" + "乙" * 10 + "南京" + "丙" * 100
    with indexed([Doc("R-1", "", text)]) as searcher:
        (hit,) = search_index(searcher, '"南京市" OR 南京', lambda stored: True).results
    # 80 characters, from 20 before the first match
    assert hit["snippet"] == "…" + "甲" * 20 + "【南京市】长江大桥" + "乙" * 10 + "【南京】" + "丙" * 41 + "…"


def test_snippet_marks_only_positive_terms_and_collapses_line_breaks() -> None:
    with indexed([Doc("R-1", "", "张三\n\n反映南京问题")]) as searcher:
        (hit,) = search_index(searcher, "南京 NOT 李四", lambda stored: True).results
        assert hit["snippet"] == "张三 反映【南京】问题"
        (hit,) = search_index(searcher, "南京 OR 李四", lambda stored: True, mark=("<b>", "</b>")).results
        assert hit["snippet"] == "张三 反映<b>南京</b>问题"


def test_title_only_match_shows_the_beginning_of_the_text_unmarked() -> None:
    with indexed([Doc("R-1", "南京来信", "反映问题" * 30)]) as searcher:
        (hit,) = search_index(searcher, "南京", lambda stored: True).results
    assert hit["snippet"] == "反映问题" * 20 + "…"


_SNIPPET_TEXT = st.text(alphabet=st.sampled_from("南京市长江大桥ＸＦ-2026 。，\n\u200b\u0301ab"), max_size=40)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(body=_SNIPPET_TEXT, query=st.text(alphabet=st.sampled_from("南京市长江大桥2026ab \""), min_size=1, max_size=6))
def test_snippet_spans_found_in_the_folded_text_are_those_of_the_analysed_text(body: str, query: str) -> None:
    """The shortcut for CJK leaves marks exactly what matching the analysed text would mark."""
    from search.query import _analysed_spans, _match_spans, _positive_leaves

    try:
        leaves = _positive_leaves(parse_query(schema(), query))
    except QueryError:
        return
    analyzer = schema()["text"].analyzer
    assert set(_match_spans(body, analyzer, leaves)) == set(_analysed_spans(body, analyzer, leaves))
