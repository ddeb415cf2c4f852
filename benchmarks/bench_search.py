"""Search at scale: filing, encrypted indexing, permission-filtered queries, the cold CLI, index size.

Goals (the benchmarks issue), each next to a peer measured in the same run:

- indexing: ``reindex`` by a leader, against stock whoosh (``NgramAnalyzer(2)``,
  ``FileStorage``, unencrypted) on the same titles and texts;
- queries: ``search_archive`` as a secretary (permission set, encrypted indexes,
  audit entry) p95 <= 50 ms at 100,000 records and <= 1.3x ``search_indexes`` over
  the same documents in unencrypted whoosh indexes with the same permission filter;
- ``xinfang search QUERY --json`` in a fresh process <= 0.6 s, the searching
  account's keyslot made with the standard Argon2id parameters;
- index size <= 1.5x the plaintext it indexes;
- one more record at scale (``add_records`` and the index commit ``index_queued``), p95 <= 0.5 s;
- peak resident memory of a bulk ``reindex`` <= 1 GiB, of a search process <= 300 MiB.

Further peers: SQLite FTS5 (the standard library's) over the same bigrams, for indexing
and for a query in a fresh process. Given several ``--records``, each scale is
measured and written (``search-<records>.json``), and ``search-growth.json`` says how
each cost grew from the smallest scale to the largest, as a factor.

The corpus (:func:`petition_corpus`) is seeded: the same ``--records`` gives the same
cases, records and texts on every run.

Usage: python -m benchmarks.bench_search [--records N ...] [--runs R] [--out DIR] [--no-cli]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from whoosh import query as wq
from whoosh.analysis import NgramAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage

from archive import (
    Archive,
    KdfParams,
    Level,
    Role,
    Session,
    add_records,
    login,
    parse_kind,
    set_unit,
)
from archive.cases import (
    CaseRegistration,
    Petitioner,
    ReportedPerson,
    open_stored_case,
    register_case,
    visible_case_ids,
)
from archive.records import open_stored_record
from search.indexes import INDEX_DIR, SCHEMA, LevelIndex, index_level
from search.indexing import index_queued, record_document, reindex
from search.query import search_indexes
from search.searching import case_filter, search_archive

from ._harness import ADMIN, PASSPHRASE, Timing, office_archive, profiled, time_runs, write_result

__all__ = ["QUERIES", "CorpusCase", "CorpusRecord", "petition_corpus", "run"]

TODAY = date(2026, 11, 28)
OFFICE_UNIT = "伊金霍洛旗纪委监委"
LEADER, SECRETARY = "吴领导", "王文秘"
QUERIES = ("王", "津贴", "补偿款", "扶贫资金", "挪用扶贫资金", '"违规发放津贴"', '"截留 补偿款"', "镇长 AND 低保")
"""One to four characters, longer runs (phrases by construction) and quoted phrases: the fixed query list."""
REPEATS = 5
"""How many times each query runs in one run: 40 latencies a run."""

# -- the corpus -------------------------------------------------------------------------

_SURNAMES = "王李张刘陈杨黄赵周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志春燕海红梅文斌晓东玉德永福生荣金宝凤巴特尔其木格乌日娜"
_COUNTIES = ("伊金霍洛旗", "东胜区", "康巴什区", "达拉特旗", "准格尔旗", "鄂托克旗", "杭锦旗", "乌审旗")
_TOWNS = ("阿勒腾席热镇", "札萨克镇", "纳林陶亥镇", "红庆河镇", "伊金霍洛镇", "苏布尔嘎镇", "乌兰木伦镇", "树林召镇")
_VILLAGES = ("新街村", "布拉格嘎查", "柳沟村", "哈巴格希村", "台格庙村", "东红海子村", "查干淖尔嘎查", "公尼召村")
_BUREAUS = ("财政局", "民政局", "农牧局", "自然资源局", "住建局", "教育局", "卫健委", "乡村振兴局", "水利局", "交通运输局")
_ISSUES = ("挪用扶贫资金", "违规发放津贴", "截留补偿款", "虚报冒领低保金", "侵占集体资产", "违规收受礼金",
           "套取危房改造补助", "克扣征地补偿款", "违规报销差旅费", "私分土地流转费", "优亲厚友分配救灾物资")
_FUNDS = ("扶贫资金", "草原生态补奖资金", "退耕还林补助款", "征地补偿款", "低保金", "危房改造补助", "养老保险补贴",
          "耕地地力保护补贴", "护林员津贴", "高龄津贴")
_SENTENCES = (
    "尊敬的{county}纪委监委信访室：我叫{petitioner}，身份证号码{id_number}，联系电话{phone}，家住{town}{village}。",
    "现反映{unit}{post}{reported}{issue}的问题，请领导调查处理。",
    "{when}，{reported}以统一发放为名，{issue}，涉及金额共计{amount}元，至今未向群众公开。",
    "据了解，{village}共有{households}户群众应当领取{fund}，实际发到户的只有{paid}户，每户被扣{small}元。",
    "{reported}的亲属{relative}在{unit}挂名领取工资，每月{small}元，本人从未上班。",
    "我们多次向{town}人民政府反映，{when2}镇里答复称正在调查，但至今没有结果。",
    "经初步核实，{reported}于{when}至{when2}期间任{unit}{post}，负责{fund}的审核和发放。",
    "核查组调取了{village}{year}年度{fund}发放花名册和银行流水，发现{paid}户的领取人与实际户主不符。",
    "问：你是否知道{fund}的发放标准？答：知道，每户每年{small}元，由村里统一造册报{town}。",
    "问：{amount}元的去向你是否清楚？答：钱是{reported}让会计{relative}转到个人账户上的，说是先垫付工程款。",
    "证人{relative}（联系电话{witness_phone}）证实，{when}曾按{reported}的要求在空白领款单上签字。",
    "上述问题如查证属实，{reported}的行为违反了廉洁纪律和群众纪律，建议由{county}纪委监委立案审查。",
    "附：{fund}发放花名册复印件一份、银行流水截图{pages}张、证人证言{witnesses}份。",
    "请求上级纪委监委予以查处，对{issue}的问题严肃追责，还群众一个公道。",
    "{reported}在{town}工作期间，多次利用职务便利为他人承揽工程提供帮助，收受好处费{amount}元。",
    "{when2}，{reported}安排{relative}将{fund}分{pages}次转入其控制的账户，用于个人购房。",
    "群众对此意见很大，{village}已有{witnesses}名村民联名向{county}政府写信反映。",
)
_TITLES = ("关于{unit}{post}{reported}{issue}的举报信", "关于{reported}问题线索的初步核实情况报告", "{reported}谈话笔录",
           "关于{reported}{issue}问题的调查报告", "关于{petitioner}反映问题的答复意见")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643-1999, MOD 11-2
_KINDS = ("letter", "report", "evidence", "report", "other")


@dataclass(frozen=True)
class CorpusRecord:
    """One record to file: its title, text (300-800 characters), level and formed date."""

    title: str
    text: str
    level: Level
    formed: date
    kind: str


@dataclass(frozen=True)
class CorpusCase:
    """One case to register and the records filed under it."""

    registration: CaseRegistration
    records: list[CorpusRecord]


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _id_number(rng: random.Random, born: date) -> str:
    """An 18-digit 居民身份证号码 of 伊金霍洛旗 with a right MOD 11-2 check character."""
    body = f"150627{born:%Y%m%d}{rng.randrange(1000):03d}"
    total = sum(int(digit) * weight for digit, weight in zip(body, _ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _written(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def _text(rng: random.Random, facts: dict[str, str], since: date) -> str:
    """Sentences about the case's facts until a drawn length of 300-720 characters (800 at most)."""
    target, parts, length, order = rng.randrange(300, 721), [], 0, []
    while length < target:
        if not order:
            order = rng.sample(_SENTENCES, len(_SENTENCES))
        sentence = order.pop().format(
            **facts, amount=f"{rng.randrange(2_000, 900_000):,}", small=str(rng.randrange(50, 3_000)),
            households=str(rng.randrange(40, 400)), paid=str(rng.randrange(5, 40)), relative=_name(rng),
            witness_phone=_phone(rng), pages=str(rng.randrange(2, 30)), witnesses=str(rng.randrange(1, 6)),
            year=str(rng.choice((2024, 2025, 2026))), when2=_written(_day(rng, since, TODAY)),
        )
        parts.append(sentence)
        length += len(sentence)
    return "".join(parts)


def _unit_and_post(rng: random.Random, county: str, town: str) -> tuple[str, str]:
    if rng.random() < 0.02:  # a complaint about the office itself: its staff are recused (回避)
        return OFFICE_UNIT, rng.choice(("科员", "副主任"))
    return rng.choice((
        (f"{county}{rng.choice(_BUREAUS)}", rng.choice(("局长", "副局长", "科长", "会计", "出纳"))),
        (f"{town}人民政府", rng.choice(("镇长", "副镇长"))),
        (f"{town}农经站", rng.choice(("站长", "会计", "出纳"))),
        (f"{rng.choice(_VILLAGES)}村委会", rng.choice(("村党支部书记", "村委会主任", "会计"))),
    ))


def _case(rng: random.Random, records: int) -> CorpusCase:
    county, town = rng.choice(_COUNTIES), rng.choice(_TOWNS)
    unit, post = _unit_and_post(rng, county, town)
    received = _day(rng, date(2025, 1, 2), TODAY)
    happened = _day(rng, date(2024, 1, 1), received)
    facts = {
        "county": county, "town": town, "village": rng.choice(_VILLAGES), "unit": unit, "post": post,
        "petitioner": _name(rng), "reported": _name(rng), "issue": rng.choice(_ISSUES), "fund": rng.choice(_FUNDS),
        "id_number": _id_number(rng, _day(rng, date(1950, 1, 1), date(1995, 12, 31))), "phone": _phone(rng),
        "when": _written(happened),
    }
    real_name = rng.random() < 0.6
    level = rng.choices((Level.INTERNAL, Level.SECRET, Level.CONFIDENTIAL), (6, 3, 1))[0]
    registration = CaseRegistration(
        channel=rng.choice(("来信", "来访", "来电", "举报箱", "网上")), received=received,
        category=rng.choice(("检举", "控告")), importance=rng.choice(("一般", "一般", "重要")), classification=level,
        summary=f"反映{unit}{post}{facts['reported']}{facts['issue']}", real_name=real_name,
        petitioners=[Petitioner(facts["petitioner"], id_number=facts["id_number"], phone=facts["phone"],
                                address=f"{county}{town}{facts['village']}")] if real_name else [],
        reported=[ReportedPerson(facts["reported"], unit=unit, post=post)],
        disciplines=rng.sample(("廉洁", "群众", "工作"), rng.randrange(1, 3)),
    )
    filed = []
    for n in range(records):
        bumped = Level(min(level.value + 1, Level.CONFIDENTIAL.value)) if n and rng.random() < 0.3 else level
        filed.append(CorpusRecord(
            title=_TITLES[n % len(_TITLES)].format(**facts), text=_text(rng, facts, happened), level=bumped,
            formed=_day(rng, received, TODAY), kind=_KINDS[n % len(_KINDS)],
        ))
    return CorpusCase(registration, filed)


def petition_corpus(records: int, *, seed: int = 20261128, per_case: int = 5) -> list[CorpusCase]:
    """``records`` petition records of 300-800 characters in cases of ``per_case``, deterministic for a seed.

    Cases are 内部, 秘密 and 机密 (6:3:1); a record after a case's first letter is one
    level higher in three of ten.  Texts hold names, 18-digit ID numbers, phone
    numbers, places, dates and amounts; about 2% of cases report someone of the
    office itself (its unit is :data:`OFFICE_UNIT`).
    """
    rng = random.Random(seed)
    return [_case(rng, min(per_case, records - start)) for start in range(0, records, per_case)]


# -- the archive ------------------------------------------------------------------------


@dataclass
class Built:
    """The benchmark archive: its two working sessions, where each record is indexed, and what filing cost."""

    archive: Archive
    leader: Session
    secretary: Session
    levels: dict[str, Level]  # record id -> the level whose index holds it
    case_ids: list[str]
    plaintext_bytes: int  # UTF-8 titles and texts filed
    register_s: float
    file_s: float
    unlock_s: float  # the secretary's login: Argon2id with the standard parameters


def build_archive(folder: Path, scratch: Path, corpus: list[CorpusCase]) -> Built:
    """Create the archive, its leader (test KDF) and secretary (standard KDF), register and file the corpus.

    The leader registers and files everything, one ``add_records`` (one signed
    transaction) per record; nothing is indexed yet: every record stays queued.
    """
    archive = office_archive(folder, {LEADER: (Role.LEADER, KdfParams.insecure_for_tests()),
                                      SECRETARY: (Role.SECRETARY, KdfParams.standard())})
    set_unit(archive, login(archive, ADMIN, PASSPHRASE), SECRETARY, OFFICE_UNIT)
    leader = login(archive, LEADER, PASSPHRASE)
    start = time.perf_counter()
    case_ids = [register_case(archive, leader, case.registration, today=TODAY).case_id for case in corpus]
    register_s = time.perf_counter() - start
    source, levels, plaintext = scratch / "材料.txt", {}, 0
    start = time.perf_counter()
    for case, case_id in zip(corpus, case_ids, strict=True):
        for record in case.records:
            source.write_text(record.text, encoding="utf-8")
            (info,) = add_records(archive, leader, [source], case_id=case_id, title=record.title,
                                  kind=parse_kind(record.kind), classification=record.level, formed=record.formed)
            levels[info.record_id] = index_level(record.level, case.registration.classification)
            plaintext += len(record.title.encode()) + len(record.text.encode())
    file_s = time.perf_counter() - start
    start = time.perf_counter()
    secretary = login(archive, SECRETARY, PASSPHRASE)
    unlock_s = time.perf_counter() - start
    return Built(archive, leader, secretary, levels, case_ids, plaintext, register_s, file_s, unlock_s)


# -- the peers --------------------------------------------------------------------------

NAIVE_SCHEMA = Schema(
    record_id=ID(stored=True, unique=True),
    title=TEXT(analyzer=NgramAnalyzer(2), stored=True),
    text=TEXT(analyzer=NgramAnalyzer(2), stored=True),
)
"""Stock whoosh as anyone would first write it: character bigrams, titles and texts stored."""


def naive_index(folder: Path, corpus: list[CorpusCase]) -> None:
    """Index the corpus's titles and texts with :data:`NAIVE_SCHEMA` in a plain ``FileStorage``."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    index = FileStorage(str(folder)).create_index(NAIVE_SCHEMA)
    with index.writer(limitmb=128) as writer:
        for n, record in enumerate(record for case in corpus for record in case.records):
            writer.add_document(record_id=str(n), title=record.title, text=record.text)


def plain_documents(built: Built) -> dict[Level, list[dict[str, Any]]]:
    """Each record's index document, exactly as ``reindex`` makes it, by the level of its index."""
    keys, documents = built.leader.level_keys, {}
    cases: dict[str, Any] = {}
    for record_id, level in built.levels.items():
        stored = open_stored_record(built.archive, keys, record_id)
        assert stored is not None, record_id
        case_id = stored.info.case_id
        if case_id not in cases:
            cases[case_id] = open_stored_case(built.archive, keys, case_id)
        documents.setdefault(level, []).append(record_document(stored, cases[case_id]))
    return documents


def plain_indexes(folder: Path, documents: dict[Level, list[dict[str, Any]]]) -> None:
    """The same documents in unencrypted whoosh indexes, one per level under ``folder``, with our SCHEMA."""
    shutil.rmtree(folder, ignore_errors=True)
    for level, batch in documents.items():
        (folder / f"L{level.value}").mkdir(parents=True)
        index = FileStorage(str(folder / f"L{level.value}")).create_index(SCHEMA)
        with index.writer(limitmb=128) as writer:
            for document in batch:
                writer.add_document(**document)


_RUN = re.compile(r"[\u3400-\u9fff]+|[0-9a-z]+")


def bigram_terms(text: str) -> str:
    """The peer's tokens for FTS5, space-separated: each CJK run's bigrams (a lone character as itself), each word."""
    terms = []
    for run in _RUN.findall(text.lower()):
        if run[0].isascii() or len(run) == 1:
            terms.append(run)
        else:
            terms.extend(run[i:i + 2] for i in range(len(run) - 1))
    return " ".join(terms)


def fts5_index(path: Path, corpus: list[CorpusCase]) -> None:
    """SQLite FTS5 over the corpus's titles and texts as :func:`bigram_terms`, in one transaction."""
    path.unlink(missing_ok=True)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE VIRTUAL TABLE docs USING fts5(record_id UNINDEXED, title, text)")
        conn.executemany("INSERT INTO docs VALUES (?, ?, ?)", (
            (str(n), bigram_terms(record.title), bigram_terms(record.text))
            for n, record in enumerate(record for case in corpus for record in case.records)))


def fts5_phrase(text: str) -> str:
    """A query of CJK characters as the FTS5 phrase of its bigrams."""
    return f'"{bigram_terms(text)}"'


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


# -- queries ----------------------------------------------------------------------------


def _nearest_rank(values: list[float], fraction: float) -> float:
    """The smallest value with at least ``fraction`` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * fraction) - 1)]


@dataclass
class Latencies:
    """p50 and p95 of each run's query latencies, as Timings (the median over runs, and the spread)."""

    p50: Timing
    p95: Timing
    counts: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {"p50": self.p50.to_json(), "p95": self.p95.to_json(), "counts": self.counts}


def query_latencies(searches: dict[str, Callable[[str], int]], runs: int, repeats: int) -> dict[str, Latencies]:
    """Each run times :data:`QUERIES` ``repeats`` times over, the ``searches`` back to back on each query.

    Interleaving keeps drift of a shared machine out of the ratios.  Each search
    returns the number of permitted matches, which must agree.
    """
    p50s: dict[str, list[float]] = {name: [] for name in searches}
    p95s: dict[str, list[float]] = {name: [] for name in searches}
    counts: dict[str, dict[str, int]] = {name: {} for name in searches}
    for _ in range(runs):
        seconds: dict[str, list[float]] = {name: [] for name in searches}
        for _ in range(repeats):
            for text in QUERIES:
                for name, search in searches.items():
                    start = time.perf_counter()
                    counts[name][text] = search(text)
                    seconds[name].append(time.perf_counter() - start)
        for name, taken in seconds.items():
            p50s[name].append(_nearest_rank(taken, 0.50))
            p95s[name].append(_nearest_rank(taken, 0.95))
    first, *others = counts.values()
    assert all(other == first for other in others), counts
    return {name: Latencies(Timing(p50s[name]), Timing(p95s[name]), counts[name]) for name in searches}


def permission_query(archive: Archive, cases: set[str]) -> wq.Query:
    """What ``search_archive`` hands whoosh as the filter when the user gives no filters of their own."""
    every = {case_id for (case_id,) in archive.conn.execute("SELECT case_id FROM cases")}
    return wq.And([case_filter(cases, every - cases)])


def counting_search(open_searchers: Callable[[], list[Any]], permitted: wq.Query) -> Callable[[str], int]:
    """``search_indexes`` with ``permitted`` over searchers opened afresh for each query, as ``search_archive`` does."""

    def search(text: str) -> int:
        searchers = open_searchers()
        try:
            return search_indexes([(s, permitted) for s in searchers], text, schema=SCHEMA, limit=20).count
        finally:
            for s in searchers:
                s.close()

    return search


def plain_searchers(folder: Path) -> list[Any]:
    """Searchers of the unencrypted level indexes under ``folder``."""
    return [FileStorage(str(path)).open_index(schema=SCHEMA).searcher() for path in sorted(folder.iterdir())]


def encrypted_searchers(built: Built) -> list[Any]:
    """Searchers of the encrypted level indexes the secretary's keys open."""
    indexes = [LevelIndex(built.archive, key).open() for _level, key in sorted(built.secretary.level_keys.items())]
    return [index.searcher() for index in indexes if index is not None]


PHASES = {
    "visible_case_ids": ("cases.py", "visible_case_ids"),
    "open_level_indexes": ("indexes.py", "open"),
    "permission_filter_docnums": ("query.py", "_permitted_docnums"),
    "whoosh_search": ("searching.py", "search"),
    "stored_fields": ("reading.py", "stored_fields"),
    "snippets": ("query.py", "_snippet"),
    "pending_count": ("indexes.py", "pending_count"),
    "audit_entry": ("folder.py", "act"),
}
"""Where one search's time goes: (file, function) whose cumulative time cProfile reports."""


def profile_search(built: Built, text: str) -> dict[str, Any]:
    """cProfile of one ``search_archive``: its phases, and the top five functions by own time."""
    _found, profile = profiled(lambda: search_archive(built.archive, built.secretary, text), PHASES, 5)
    return {"query": text, **profile}


# -- processes of their own -------------------------------------------------------------

REPOSITORY = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Child:
    """A finished child process: its wall time, its own peak resident memory and what it printed."""

    seconds: float
    peak_rss: int  # bytes
    stdout: bytes


_MEASURE = """
import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_pid, status, usage = os.wait4(child.pid, 0)
child.returncode = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as out:
    out.write(f"{time.perf_counter() - start} {usage.ru_maxrss}")
sys.exit(child.returncode)
"""
"""Runs a command and writes its wall time and peak RSS. Linux counts into a child's peak the memory of the
process it was forked from, so the child is forked from this small process, never from the benchmark itself."""


def run_child(command: list[str], environment: dict[str, str] | None = None) -> Child:
    """Run ``command`` to its end: its wall time and its own peak RSS (``wait4``), and what it printed."""
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryFile() as errors:
        measured = Path(folder) / "measured"
        done = subprocess.run([sys.executable, "-c", _MEASURE, str(measured), *command], stdout=subprocess.PIPE,
                              stderr=errors, env=environment, cwd=REPOSITORY, check=False)
        if done.returncode:
            errors.seek(0)
            raise RuntimeError(f"{command} exited {done.returncode}: {errors.read().decode()[-2000:]}")
        seconds, peak_kib = measured.read_text().split()
    return Child(float(seconds), int(peak_kib) * 1024, done.stdout)


def reindex_in_child(folder: Path, records: int) -> Child:
    """``reindex`` by the leader in a process of its own (:func:`_reindex_here`): the time is the rebuild's alone."""
    child = run_child([sys.executable, "-m", "benchmarks.bench_search", "--reindex-child", str(folder)])
    done = json.loads(child.stdout)
    _check_indexed(done["total"], records)
    return Child(done["seconds"], child.peak_rss, child.stdout)


def _reindex_here(folder: Path) -> None:
    with Archive.open(folder) as archive:
        leader = login(archive, LEADER, PASSPHRASE)
        start = time.perf_counter()
        total = reindex(archive, leader).total
        print(json.dumps({"total": total, "seconds": time.perf_counter() - start}))


# -- the cold command line --------------------------------------------------------------


@dataclass(frozen=True)
class ColdRuns:
    """Fresh processes: our search, its start-up peer, and SQLite FTS5 answering the same query."""

    search: Timing
    help: Timing
    fts5: Timing
    search_peak_rss: int


def cold_cli(folder: Path, fts5: Path, text: str, runs: int, expected_count: int) -> ColdRuns:
    """``xinfang search TEXT --json`` in a fresh process; ``xinfang --help`` and an FTS5 query as its peers."""
    script = Path(sys.executable).with_name("xinfang")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "xinfang"]
    environment = {name: value for name, value in os.environ.items() if name != "XINFANG_INSECURE_TEST_KDF"}
    environment |= {"XINFANG_ARCHIVE": str(folder), "XINFANG_USER": SECRETARY, "XINFANG_PASSPHRASE": PASSPHRASE}
    peaks = []

    def search() -> None:
        child = run_child([*command, "search", text, "--json"], environment)
        assert json.loads(child.stdout)["count"] == expected_count, child.stdout[:200]
        peaks.append(child.peak_rss)

    def help_only() -> None:
        run_child([*command, "--help"], environment)

    def fts5_query() -> None:
        program = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                   "print(c.execute('SELECT count(*) FROM docs WHERE docs MATCH ?', (sys.argv[2],)).fetchone()[0])")
        assert int(run_child([sys.executable, "-c", program, str(fts5), fts5_phrase(text)]).stdout) > 0

    return ColdRuns(time_runs(search, runs), time_runs(help_only, runs), time_runs(fts5_query, runs), max(peaks))


# -- one more record --------------------------------------------------------------------


def one_more_record(built: Built, scratch: Path, count: int) -> list[float]:
    """Seconds of each of ``count`` records filed one at a time into the built archive, index commit included.

    Each is what ``xinfang archive add`` does for one file: ``add_records`` (one
    signed transaction), then ``index_queued``, which commits it to its level index.
    """
    extra = [record for case in petition_corpus(count, seed=5) for record in case.records]
    source, seconds = scratch / "再一份材料.txt", []
    for n, record in enumerate(extra):
        case_id = built.case_ids[n * 7919 % len(built.case_ids)]
        source.write_text(record.text, encoding="utf-8")
        start = time.perf_counter()
        add_records(built.archive, built.leader, [source], case_id=case_id, title=record.title,
                    kind=parse_kind(record.kind), classification=record.level, formed=record.formed)
        report = index_queued(built.archive, built.leader)
        seconds.append(time.perf_counter() - start)
        assert sum(report.indexed.values()) == 1 and not report.left_queued, report
    return seconds


# -- the run ----------------------------------------------------------------------------


ONE_MORE = 20
"""Records filed one at a time after the measurements, for the p95 of one more record."""


def run(records: int, runs: int, out: Path | None, *, cli: bool = True, repeats: int = REPEATS,
        one_more: int = ONE_MORE, whoosh_peers: bool = True, keep: Path | None = None) -> dict[str, Any]:
    """Build an archive of ``records`` records and measure; ``cli=False`` skips the cold command line (smoke runs).

    ``keep`` builds in that (new) folder and leaves it, so a later change can be
    measured on the same archive (``--reindex-child FOLDER/archive``) without
    building hours of corpus again.

    ``whoosh_peers=False`` leaves out naive whoosh and our schema unencrypted, each
    about as long to build as our own index: at 100,000 records they would double a
    run of hours, and their ratios to ours are what the smaller scale already gives.
    """
    corpus = petition_corpus(records)
    with _scratch(keep) as scratch:
        built = build_archive(scratch / "archive", scratch, corpus)
        archive, secretary = built.archive, built.secretary
        with archive:
            rebuilds = [reindex_in_child(archive.root, records) for _ in range(runs)]
            ours = Timing([child.seconds for child in rebuilds])
            fts5 = time_runs(lambda: fts5_index(scratch / "fts5.sqlite", corpus), runs)
            naive = plain = None
            if whoosh_peers:
                naive = time_runs(lambda: naive_index(scratch / "naive", corpus), runs)
                documents = plain_documents(built)
                plain = time_runs(lambda: plain_indexes(scratch / "plain", documents), runs)
            sizes = {
                "encrypted_bytes": folder_bytes(archive.root / INDEX_DIR),
                "plain_schema_bytes": folder_bytes(scratch / "plain") if whoosh_peers else None,
                "naive_bytes": folder_bytes(scratch / "naive") if whoosh_peers else None,
                "fts5_bytes": (scratch / "fts5.sqlite").stat().st_size,
                "plaintext_bytes": built.plaintext_bytes,
                "archive_bytes": folder_bytes(archive.root) - folder_bytes(archive.root / INDEX_DIR),
            }

            permitted = permission_query(archive, visible_case_ids(archive, secretary))
            permission = time_runs(lambda: visible_case_ids(archive, secretary), runs * repeats)
            searches = {
                "search_archive": lambda text: search_archive(archive, secretary, text).count,
                "encrypted_core": counting_search(lambda: encrypted_searchers(built), permitted),
            }
            if whoosh_peers:
                searches["peer_unencrypted"] = counting_search(lambda: plain_searchers(scratch / "plain"), permitted)
            latencies = query_latencies(searches, runs, repeats)
            profile = profile_search(built, "扶贫资金")
            expected = latencies["search_archive"].counts["扶贫资金"]
            command_line = (cold_cli(archive.root, scratch / "fts5.sqlite", "扶贫资金", max(runs, 3), expected)
                            if cli else None)
            more = one_more_record(built, scratch, one_more)

    result = _result(records, len(corpus), built, Measured(ours, naive, fts5, plain, max(c.peak_rss for c in rebuilds)),
                     sizes, permission, latencies, profile, command_line, more)
    path = write_result(f"search-{records}", result, out)
    _print_table(result, path)
    return result


def queries_on(kept: Path, runs: int, out: Path | None, *, repeats: int = REPEATS, cli: bool = True) -> dict[str, Any]:
    """The queries again, as the secretary, on an archive kept by ``--keep``: after a change to the search path.

    ``search_archive`` p50/p95 and the cold command line, measured as :func:`run`
    measures them, without building hours of archive again.
    """
    with Archive.open(kept / "archive") as archive:
        (records,) = archive.conn.execute("SELECT COUNT(*) FROM records").fetchone()
        secretary = login(archive, SECRETARY, PASSPHRASE)
        latencies = query_latencies({"search_archive": lambda text: search_archive(archive, secretary, text).count},
                                    runs, repeats)["search_archive"]
        permission = time_runs(lambda: visible_case_ids(archive, secretary), runs * repeats)
    result: dict[str, Any] = {"records": records, "queries": list(QUERIES), "search_archive": latencies.to_json(),
                              "visible_case_ids": permission.to_json(), "cold_cli": None}
    print(f"{records:,} records: search_archive p50 {latencies.p50.median * 1000:.0f} ms, "
          f"p95 {latencies.p95.median * 1000:.0f} ms; visible_case_ids {permission.median * 1000:.1f} ms")
    if cli:
        cold = cold_cli(kept / "archive", kept / "fts5.sqlite", "扶贫资金", max(runs, 3), latencies.counts["扶贫资金"])
        result["cold_cli"] = {"search": cold.search.to_json(), "peer_help": cold.help.to_json(),
                              "peer_fts5": cold.fts5.to_json(), "search_peak_rss_bytes": cold.search_peak_rss}
        print(f"cold CLI {cold.search.median:.2f} s (FTS5 {cold.fts5.median:.3f} s, --help {cold.help.median:.2f} s)")
    path = write_result(f"search-queries-{records}", result, out)
    print(f"results in {path}")
    return result


@contextmanager
def _scratch(keep: Path | None) -> Iterator[Path]:
    if keep is None:
        with tempfile.TemporaryDirectory(prefix="xinfang-bench-") as folder:
            yield Path(folder)
    else:
        keep.mkdir(parents=True)
        yield keep


@dataclass(frozen=True)
class Measured:
    """Bulk indexing: ours, its peers, and the peak memory of our rebuild."""

    ours: Timing
    naive: Timing | None
    fts5: Timing
    plain: Timing | None
    peak_rss: int


def _check_indexed(total: int, records: int) -> None:
    assert total == records, f"reindex indexed {total} of {records} records"


def _result(records: int, cases: int, built: Built, indexing: Measured, sizes: dict[str, Any], permission: Timing,
            latencies: dict[str, Latencies], profile: dict[str, Any], command_line: ColdRuns | None,
            more: list[float]) -> dict[str, Any]:
    full, unencrypted = latencies["search_archive"], latencies.get("peer_unencrypted")
    ours, naive = indexing.ours, indexing.naive
    p95_ms = full.p95.median * 1000
    cli_s = command_line.search.median if command_line else None
    index_ratio = sizes["encrypted_bytes"] / sizes["plaintext_bytes"]
    more_p95 = _nearest_rank(more, 0.95)
    return {
        "area": "search",
        "records": records,
        "cases": cases,
        "queries": list(QUERIES),
        "filing": {
            "register_case_s": built.register_s, "cases_per_s": cases / built.register_s,
            "add_records_s": built.file_s, "records_per_s": records / built.file_s,
        },
        "indexing": {
            "reindex": ours.to_json(), "records_per_s": records / ours.median,
            "peer_naive_whoosh": naive.to_json() if naive else None,
            "peer_records_per_s": records / naive.median if naive else None,
            "peer_plain_schema": indexing.plain.to_json() if indexing.plain else None,
            "peer_fts5": indexing.fts5.to_json(), "peer_fts5_records_per_s": records / indexing.fts5.median,
            "time_ratio_to_naive": ours.median / naive.median if naive else None,
            "time_ratio_to_fts5": ours.median / indexing.fts5.median,
            "peak_rss_bytes": indexing.peak_rss,
        },
        "one_more_record": {"seconds": more, "p50_s": _nearest_rank(more, 0.5) if more else None,
                            "p95_s": more_p95 if more else None},
        "search": {
            **{name: measured.to_json() for name, measured in latencies.items()},
            "p50_ratio": full.p50.median / unencrypted.p50.median if unencrypted else None,
            "p95_ratio": full.p95.median / unencrypted.p95.median if unencrypted else None,
            "visible_case_ids": permission.to_json(),
            "unlock_standard_kdf_s": built.unlock_s,
            "profile": profile,
        },
        "cold_cli": {"search": command_line.search.to_json(), "peer_help": command_line.help.to_json(),
                     "peer_fts5": command_line.fts5.to_json(), "search_peak_rss_bytes": command_line.search_peak_rss}
        if command_line else None,
        "index_size": sizes | {"ratio_to_plaintext": index_ratio,
                               "archive_bytes_per_1000_records": sizes["archive_bytes"] * 1000 / records},
        "goals": {
            "indexing_3x_naive": 3 * ours.median <= naive.median if naive else None,  # records/s at least 3x naive's
            "query_p95_50ms_at_100k": p95_ms <= 50 if records >= 100_000 else None,
            "query_p95_1_3x_unencrypted": full.p95.median <= 1.3 * unencrypted.p95.median if unencrypted else None,
            "cold_cli_0_6s": cli_s <= 0.6 if cli_s is not None else None,
            "index_1_5x_text": index_ratio <= 1.5,
            "one_more_record_p95_0_5s_at_100k": more_p95 <= 0.5 if records >= 100_000 and more else None,
            "reindex_peak_rss_1gib": indexing.peak_rss <= 1 << 30,
            "search_process_300mib": command_line.search_peak_rss <= 300 << 20 if command_line else None,
        },
    }


def _print_table(result: dict[str, Any], path: Path) -> None:
    indexing, search, filing = result["indexing"], result["search"], result["filing"]

    def row(measure: str, timing: dict[str, Any] | None, scale: float = 1.0, unit: str = "s") -> None:
        if timing is None:  # (a peer left out)
            return
        spread = (timing["max_s"] - timing["min_s"]) * scale
        print(f"{measure:<44}{timing['median_s'] * scale:>10.3f}{spread:>10.3f} {unit}")

    print(f"{'measure':<44}{'median':>10}{'spread':>10}")
    print(f"{'register_case, ' + str(result['cases']) + ' cases':<44}{filing['register_case_s']:>10.3f}{'':>10} s")
    print(f"{'add_records, one by one':<44}{filing['add_records_s']:>10.3f}{'':>10} s")
    row("reindex (encrypted, all levels)", indexing["reindex"])
    row("peer: naive whoosh, NgramAnalyzer(2)", indexing["peer_naive_whoosh"])
    row("peer: our SCHEMA, unencrypted, docs ready", indexing["peer_plain_schema"])
    row("peer: SQLite FTS5, same bigrams", indexing["peer_fts5"])
    for name, key in (("search_archive", "search_archive"), ("encrypted core (no permission set/audit)", "encrypted_core"),
                      ("peer: unencrypted search_indexes", "peer_unencrypted")):
        row(f"{name} p50", search.get(key, {}).get("p50"), 1000, "ms")
        row(f"{name} p95", search.get(key, {}).get("p95"), 1000, "ms")
    row("visible_case_ids", search["visible_case_ids"], 1000, "ms")
    if result["cold_cli"]:
        row("cold CLI: xinfang search --json", result["cold_cli"]["search"])
        row("peer: cold xinfang --help", result["cold_cli"]["peer_help"])
        row("peer: cold FTS5 query", result["cold_cli"]["peer_fts5"])
        print(f"search process peak RSS {result['cold_cli']['search_peak_rss_bytes'] / 2**20:.0f} MiB")
    if result["one_more_record"]["p95_s"] is not None:
        more = result["one_more_record"]
        print(f"one more record (filing + index commit): p50 {more['p50_s']:.3f} s, p95 {more['p95_s']:.3f} s")
    print(f"reindex peak RSS {indexing['peak_rss_bytes'] / 2**20:.0f} MiB")
    sizes = result["index_size"]
    print(f"filing {filing['records_per_s']:.0f} records/s, registration {filing['cases_per_s']:.1f} cases/s; "
          f"indexing {indexing['records_per_s']:.0f} records/s vs naive {_number(indexing['peer_records_per_s'], 0)} "
          f"({_number(indexing['time_ratio_to_naive'])}x its time)")
    print(f"query p50 {_number(search['p50_ratio'])}x, p95 {_number(search['p95_ratio'])}x unencrypted; "
          f"Argon2id unlock {search['unlock_standard_kdf_s']:.3f} s")
    print(f"index {sizes['encrypted_bytes'] / 1e6:.1f} MB = {sizes['ratio_to_plaintext']:.2f}x the "
          f"{sizes['plaintext_bytes'] / 1e6:.1f} MB of text (naive {_number(sizes['naive_bytes'], 1, 1e6)} MB, "
          f"unencrypted {_number(sizes['plain_schema_bytes'], 1, 1e6)} MB, FTS5 {sizes['fts5_bytes'] / 1e6:.1f} MB); "
          f"archive without index {sizes['archive_bytes_per_1000_records'] / 1e6:.1f} MB per 1,000 records")
    profile = search["profile"]
    phases = ", ".join(f"{name} {seconds * 1000:.1f}" for name, seconds in profile["phases_s"].items())
    print(f"profile of one search_archive, {profile['total_s'] * 1000:.1f} ms under cProfile; phases (ms): {phases}")
    print("top by own time:")
    for hot in profile["top_by_own_time"]:
        print(f"  {hot['own_s'] * 1000:8.2f} ms {hot['calls']:>7} calls  {hot['function']}")
    print(f"goals: {result['goals']}; results in {path}")


def _number(value: float | None, digits: int = 2, unit: float = 1.0) -> str:
    """A figure for the table, or "-" for a peer left out."""
    return "-" if value is None else f"{value / unit:.{digits}f}"


GROWTH = {
    "register_case_s": ("filing", "register_case_s"),
    "add_records_s": ("filing", "add_records_s"),
    "reindex_s": ("indexing", "reindex", "median_s"),
    "naive_whoosh_s": ("indexing", "peer_naive_whoosh", "median_s"),
    "search_archive_p50_s": ("search", "search_archive", "p50", "median_s"),
    "search_archive_p95_s": ("search", "search_archive", "p95", "median_s"),
    "visible_case_ids_s": ("search", "visible_case_ids", "median_s"),
    "cold_cli_s": ("cold_cli", "search", "median_s"),
    "one_more_record_p95_s": ("one_more_record", "p95_s"),
    "index_bytes": ("index_size", "encrypted_bytes"),
    "reindex_peak_rss_bytes": ("indexing", "peak_rss_bytes"),
}
"""What :func:`growth` compares between scales: a name and the path to it in a result."""


def growth(results: list[dict[str, Any]]) -> dict[str, Any]:
    """How each cost grew from the smallest scale to the largest, as a factor, beside the growth of the records."""
    small, large = min(results, key=lambda r: r["records"]), max(results, key=lambda r: r["records"])

    def at(result: dict[str, Any], path: tuple[str, ...]) -> float | None:
        value: Any = result
        for step in path:
            value = value.get(step) if isinstance(value, dict) else None
        return value

    factors = {}
    for name, path in GROWTH.items():
        before, after = at(small, path), at(large, path)
        factors[name] = after / before if before and after is not None else None
    return {"from_records": small["records"], "to_records": large["records"],
            "records_factor": large["records"] / small["records"], "factors": factors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, nargs="+", default=[10_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--no-cli", dest="cli", action="store_false", help="skip the cold command-line runs")
    parser.add_argument("--no-whoosh-peers", dest="whoosh_peers", action="store_false",
                        help="leave out naive whoosh and our schema unencrypted (each as long to build as ours)")
    parser.add_argument("--keep", type=Path, help="build in this new folder and keep it (one --records only)")
    parser.add_argument("--grown-from", type=Path,
                        help="an earlier result (search-N.json) to state the growth from, beside this run's")
    parser.add_argument("--queries-on", type=Path, help="measure only the queries, on a folder kept by --keep")
    parser.add_argument("--reindex-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reindex_child:
        _reindex_here(args.reindex_child)
        return
    if args.queries_on:
        queries_on(args.queries_on, args.runs, args.out)
        return
    if args.keep and len(args.records) > 1:
        parser.error("--keep takes one --records")
    results = [run(records, args.runs, args.out, cli=args.cli, whoosh_peers=args.whoosh_peers, keep=args.keep)
               for records in sorted(args.records)]
    if args.grown_from:
        results.append(json.loads(args.grown_from.read_text(encoding="utf-8")))
    if len(results) > 1:
        grown = growth(results)
        path = write_result("search-growth", grown, args.out)
        print(f"from {grown['from_records']:,} to {grown['to_records']:,} records ({grown['records_factor']:.0f}x):")
        for name, factor in grown["factors"].items():
            print(f"  {name:<28}{'-' if factor is None else f'{factor:.2f}x'}")
        print(f"results in {path}")


if __name__ == "__main__":
    main()
