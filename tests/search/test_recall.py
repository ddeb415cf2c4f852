"""Recall 1.00: every 1-4 character Chinese query finds every record that contains it, through the
whole path - filing, text extraction, the encrypted level index - and quoted phrases are exact.

The corpus is generated (seeded) from a small alphabet, so short substrings occur in many
records and long ones in few; the expected answer for a query is the set of records whose text
contains it.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from archive import Level, add_records, login, parse_kind
from search.indexes import LevelIndex
from search.indexing import index_queued
from search.query import search_indexes
from tests.conftest import PASSPHRASE, build_office, register_cases

ALPHABET = "张王李赵扶贫补助款资金挪用截留村委会镇长站财政所会计虚报冒领"
RECORDS = 12


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("recall")
    office = build_office(folder / "archive")
    register_cases(office, 1)
    rng = random.Random(20261128)
    texts = {}
    with office.open() as archive:
        leader = login(archive, "吴领导", PASSPHRASE)
        for number in range(RECORDS):
            text = "".join(rng.choice(ALPHABET) for _ in range(120))
            source = folder / f"{number}.txt"
            source.write_text(text, encoding="utf-8")
            (info,) = add_records(archive, leader, [source], case_id="XF-2026-0001", title=f"材料{number}",
                                  kind=parse_kind("letter"), classification=Level.INTERNAL)
            texts[info.record_id] = text
        index_queued(archive, leader)
    return office.path, texts


def search_all(folder: Path, queries: list[str]) -> dict[str, set[str]]:
    from archive import Archive

    answers = {}
    with Archive.open(folder) as archive:
        index = LevelIndex(archive, login(archive, "吴领导", PASSPHRASE).level_keys[Level.INTERNAL]).open()
        assert index is not None
        with index.searcher() as searcher:
            for query in queries:
                found = search_indexes([(searcher, lambda stored: True)], query)
                answers[query] = {hit["record_id"] for hit in found.results}
                assert found.count == len(found.results)
    return answers


def test_every_one_to_four_character_query_finds_every_record_containing_it(corpus: tuple[Path, dict[str, str]]) -> None:
    folder, texts = corpus
    queries = sorted({text[i : i + n] for text in texts.values() for n in range(1, 5) for i in range(len(text) - n + 1)})
    answers = search_all(folder, queries)
    wrong = [q for q in queries if answers[q] != {rid for rid, text in texts.items() if q in text}]
    assert not wrong, f"{len(wrong)} of {len(queries)} queries wrong, e.g. {wrong[:5]}"


def test_quoted_phrases_are_exact(corpus: tuple[Path, dict[str, str]]) -> None:
    folder, texts = corpus
    rng = random.Random(7)
    phrases = []
    for text in texts.values():
        for _ in range(5):
            start, length = rng.randrange(0, 100), rng.randint(5, 12)
            phrases.append(text[start : start + length])
    phrases += ["".join(rng.choice(ALPHABET) for _ in range(6)) for _ in range(30)]  # mostly absent
    answers = search_all(folder, [f'"{p}"' for p in phrases])
    for phrase in phrases:
        assert answers[f'"{phrase}"'] == {rid for rid, text in texts.items() if phrase in text}, phrase
