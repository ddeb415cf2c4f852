"""The Chinese analyzer: folding, units and positions, and exact recall through a real whoosh index."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh.fields import ID, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import QueryParser
from whoosh.searching import Searcher

from search.analysis import ChineseAnalyzer, chinese_text_field, fold, fold_text

CJK = "张王李刘陈来信访举报办公室南京市长江大桥"  # 20 characters, words among them
assert len(set(CJK)) == 20
ALPHABET = CJK + "，。、！ -ab1"


def tokens(text: str, mode: str = "index") -> list[tuple[str, int]]:
    return [(t.text, t.pos) for t in ChineseAnalyzer()(text, positions=True, mode=mode)]


def spans(text: str, mode: str = "index") -> list[tuple[str, str]]:
    """Each token's text and the original text its chars point at."""
    return [(t.text, text[t.startchar : t.endchar]) for t in ChineseAnalyzer()(text, chars=True, mode=mode)]


@contextmanager
def indexed(texts: Sequence[str]) -> Iterator[tuple[Searcher, QueryParser]]:
    schema = Schema(id=ID(stored=True), body=chinese_text_field())
    index = RamStorage().create_index(schema)
    writer = index.writer()
    for number, text in enumerate(texts):
        writer.add_document(id=str(number), body=text)
    writer.commit()
    with index.searcher() as searcher:
        yield searcher, QueryParser("body", schema)


def hits(searcher: Searcher, parser: QueryParser, query: str) -> set[int]:
    return {int(hit["id"]) for hit in searcher.search(parser.parse(query), limit=None)}


# Folding


def test_folding_turns_full_width_into_half_width_and_lower_case() -> None:
    assert fold_text("ＸＦ－２０２６－０００１") == "xf-2026-0001"
    assert fold_text("ＡＢＣ　ａｂｃ（１）：") == "abc abc(1):"
    assert fold_text("①号 ㍿") == "1号 株式会社"


def test_folding_drops_invisible_characters_so_they_do_not_split_a_name() -> None:
    assert fold_text("张\u200b三\ufeff\u00ad") == "张三"
    assert fold_text("王\ufe00五") == "王五"
    assert tokens("张\u200b三") == tokens("张三")


def test_folding_keeps_the_original_offsets() -> None:
    folded = fold("a㍿b")
    assert folded.text == "a株式会社b"
    assert folded.span(1, 5) == (1, 2)
    assert folded.span(5, 6) == (2, 3)
    assert fold("南京").starts is None  # one folded character per character: no table needed


# Tokens


def test_cjk_is_indexed_as_bigrams_and_unigrams_at_each_characters_position() -> None:
    assert tokens("南京市") == [("南京", 0), ("南", 0), ("京市", 1), ("京", 1), ("市", 2)]


def test_a_query_of_two_or_more_characters_is_its_bigrams_and_of_one_its_unigram() -> None:
    assert tokens("南京市长", mode="query") == [("南京", 0), ("京市", 1), ("市长", 2)]
    assert tokens("张", mode="query") == [("张", 0)]


def test_punctuation_and_whitespace_split_runs_and_take_no_position() -> None:
    assert tokens("张三，李四 王") == [
        ("张三", 0), ("张", 0), ("三", 1), ("李四", 2), ("李", 2), ("四", 3), ("王", 4),
    ]  # fmt: skip
    assert "三李" not in {text for text, _ in tokens("张三，李四")}


def test_ascii_words_and_numbers_are_lower_cased_words() -> None:
    assert tokens("编号ＸＦ－２０２６－０００１，电话13912345678 ABC") == [
        ("编号", 0), ("编", 0), ("号", 1), ("xf", 2), ("2026", 3), ("0001", 4),
        ("电话", 5), ("电", 5), ("话", 6), ("13912345678", 7), ("abc", 8),
    ]  # fmt: skip


def test_a_query_run_followed_by_another_unit_ends_with_its_last_unigram() -> None:
    assert tokens("中国3号", mode="query") == [("中国", 0), ("国", 1), ("3", 2), ("号", 3)]
    assert tokens("3号，中国", mode="query") == [("3", 0), ("号", 1), ("中国", 2)]


def test_chars_point_into_the_original_text() -> None:
    assert spans("ＸＦ号，张三") == [("xf", "ＸＦ"), ("号", "号"), ("张三", "张三"), ("张", "张"), ("三", "三")]
    assert spans("㍿")[:2] == [("株式", "㍿"), ("株", "㍿")]
    assert spans("cafe\u0301 x") == [("café", "cafe\u0301"), ("x", "x")]


def test_untokenized_value_is_one_folded_token() -> None:
    assert [t.text for t in ChineseAnalyzer()("ＡＢ 中", tokenize=False)] == ["ab 中"]


# Through a real index and whoosh's query parser


def test_parser_queries_on_a_small_corpus() -> None:
    texts = [
        "信访办公室收到张三的来信，反映南京市长江大桥问题。",
        "编号ＸＦ－２０２６－０００１，电话13912345678",
        "京市，南京",
        "哈哈哈",
    ]
    with indexed(texts) as (searcher, parser):
        assert hits(searcher, parser, "南京市") == {0}
        assert hits(searcher, parser, '"南京市"') == {0}
        assert hits(searcher, parser, "京市") == {0, 2}
        assert hits(searcher, parser, "张") == {0}
        assert hits(searcher, parser, "XF-2026-0001") == {1}
        assert hits(searcher, parser, "ｘｆ－２０２６－０００１") == {1}
        assert hits(searcher, parser, "2026") == {1}
        assert hits(searcher, parser, "13912345678") == {1}
        assert hits(searcher, parser, "1391234") == set()  # words are whole words
        assert hits(searcher, parser, "哈哈哈") == {3}
        assert hits(searcher, parser, "哈哈哈哈") == set()
        assert hits(searcher, parser, "市南") == set()  # no bigram across the comma
        assert hits(searcher, parser, "南京市 OR 哈哈") == {0, 3}
        assert hits(searcher, parser, "京市 NOT 长江") == {2}


def test_a_phrase_with_separators_ignores_them_and_the_literal_check_removes_such_hits() -> None:
    texts = ["南京市", "南京 市", "南京。市"]
    with indexed(texts) as (searcher, parser):
        found = hits(searcher, parser, '"南京 市"')
    assert found == {0, 1, 2}  # the documented false positives
    assert {n for n in found if fold_text("南京 市") in fold_text(texts[n])} == {1}


def test_highlighting_in_index_mode_marks_a_single_character() -> None:
    schema = Schema(body=chinese_text_field(stored=True))
    index = RamStorage().create_index(schema)
    with index.writer() as writer:
        writer.add_document(body="来信人张三反映问题")
    with index.searcher() as searcher:
        (hit,) = searcher.search(QueryParser("body", schema).parse("张"))
        assert ">张</b>" in hit.highlights("body")


texts_strategy = st.lists(st.text(alphabet=ALPHABET, max_size=30), min_size=1, max_size=8)


def cjk_substrings(texts: Sequence[str]) -> list[str]:
    found = set()
    for text in texts:
        for start in range(len(text)):
            for length in range(1, 5):
                piece = text[start : start + length]
                if len(piece) == length and all(char in CJK for char in piece):
                    found.add(piece)
    return sorted(found)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=texts_strategy, data=st.data())
def test_every_cjk_query_of_one_to_four_characters_finds_exactly_the_texts_containing_it(
    texts: list[str], data: st.DataObject
) -> None:
    present = cjk_substrings(texts)
    # Near misses: substrings of the texts with everything between CJK characters removed.
    joined = cjk_substrings(["".join(char for char in text if char in CJK) for text in texts])
    queries = data.draw(st.lists(st.sampled_from(present), max_size=12, unique=True)) if present else []
    queries += data.draw(st.lists(st.sampled_from(joined), max_size=12, unique=True)) if joined else []
    queries += data.draw(st.lists(st.text(alphabet=CJK, min_size=1, max_size=4), max_size=6))
    with indexed(texts) as (searcher, parser):
        for query in queries:
            expected = {number for number, text in enumerate(texts) if query in text}
            assert hits(searcher, parser, query) == expected, query
            assert hits(searcher, parser, f'"{query}"') == expected, query


def unit_aligned(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` cuts no ASCII word in two."""
    word = str.isalnum
    inner = text[start:end]
    if not any(char in CJK or word(char) for char in inner):
        return False
    cuts_left = start > 0 and word(text[start - 1]) and word(text[start]) and text[start] not in CJK
    cuts_right = end < len(text) and word(text[end]) and word(text[end - 1]) and text[end - 1] not in CJK
    return not (cuts_left or cuts_right)


def aligned_in(query: str, text: str) -> bool:
    """Whether ``query`` occurs in ``text`` without cutting a word at either end."""
    start = text.find(query)
    while start != -1:
        if unit_aligned(text, start, start + len(query)):
            return True
        start = text.find(query, start + 1)
    return False


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=texts_strategy, data=st.data())
def test_a_quoted_phrase_of_any_unit_aligned_substring_finds_its_text(texts: list[str], data: st.DataObject) -> None:
    candidates = sorted(
        {
            text[start:end]
            for text in texts
            for start in range(len(text))
            for end in range(start + 1, min(len(text), start + 8) + 1)
            if unit_aligned(text, start, end)
        }
    )
    if not candidates:
        return
    queries = data.draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=10, unique=True))
    with indexed(texts) as (searcher, parser):
        for query in queries:
            found = hits(searcher, parser, f'"{query}"')
            # words are whole words ("1" does not find "11"): expected are the texts holding it unit-aligned
            expected = {number for number, text in enumerate(texts) if aligned_in(query, text)}
            assert expected <= found, query
            literal = {number for number in found if aligned_in(fold_text(query), fold_text(texts[number]))}
            assert literal == expected, query
