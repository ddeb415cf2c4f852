"""The permission property: a search returns exactly what the user may see, counted and ordered
as if nothing else existed.

Hypothesis draws an office - users with roles, clearances and units; cases at levels, each
reporting someone (perhaps one of the users, perhaps someone from a user's unit); records at
levels with a few words from a small vocabulary - files everything through the library,
indexes it, and searches as every user for every word. The expected answer is computed from
the rules alone (role, clearance of record and case, 回避), and the expected order from a
separate index that holds the permitted records only.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh.filedb.filestore import RamStorage

from archive import Founder, Level, PermissionDenied, Role, add_account, add_records, create_archive, login, parse_kind
from archive.accounts import set_unit
from archive.cases import CaseRegistration, ReportedPerson, open_stored_case, register_case
from archive.clearance import set_clearance
from archive.records import open_stored_record
from search.indexes import SCHEMA
from search.indexing import index_queued, record_document
from search.query import search_index
from search.searching import search_archive
from tests.conftest import KDF, PASSPHRASE

WORDS = ("补助款", "扶贫", "公车", "账目", "津贴")
FILLER = "的一是在了有和人这中大为上个我以要他时来们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后"
UNITS = ("甲单位", "乙单位", "丙单位")
USER_NAMES = ("甲用户", "乙用户", "丙用户")
FILER = "总档案员"  # files and indexes everything; named in no case
READERS = {Role.SECRETARY, Role.ARCHIVIST, Role.LEADER}


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    clearance: Level | None
    unit: str | None


@dataclass(frozen=True)
class Case:
    level: Level
    reported: str
    unit: str


@dataclass(frozen=True)
class Record:
    case: int
    level: Level
    counts: tuple[int, ...]  # occurrences of each of WORDS
    seed: int


users = st.lists(
    st.builds(User, st.sampled_from(USER_NAMES), st.sampled_from(sorted(READERS | {Role.INVESTIGATOR}, key=str)),
              st.one_of(st.none(), st.sampled_from(list(Level))), st.one_of(st.none(), st.sampled_from(UNITS))),
    min_size=1, max_size=3, unique_by=lambda u: u.name,
)
cases = st.lists(
    st.builds(Case, st.sampled_from(list(Level)), st.sampled_from((*USER_NAMES, "路人甲")), st.sampled_from(UNITS)),
    min_size=1, max_size=3,
)


@st.composite
def offices(draw: st.DrawFn) -> tuple[list[User], list[Case], list[Record]]:
    drawn_cases = draw(cases)
    records = draw(st.lists(
        st.builds(Record, st.integers(0, len(drawn_cases) - 1), st.sampled_from(list(Level)),
                  st.tuples(*[st.integers(0, 3) for _ in WORDS]), st.integers(0, 1000)),
        min_size=1, max_size=7,
    ))
    return draw(users), drawn_cases, records


def text_of(record: Record) -> str:
    rng = random.Random(record.seed)
    pieces = [word for word, count in zip(WORDS, record.counts, strict=True) for _ in range(count)]
    pieces += ["".join(rng.choice(FILLER) for _ in range(rng.randint(3, 12))) for _ in range(6)]
    rng.shuffle(pieces)
    return "，".join(pieces) + "。"


def may_see(user: User, case: Case, record: Record) -> bool:
    if user.role not in READERS or user.clearance is None:
        return False
    if max(case.level, record.level) > user.clearance:
        return False
    return case.reported != user.name and case.unit != user.unit


def build(folder: Path, drawn_users: list[User], drawn_cases: list[Case], records: list[Record]) -> dict[str, int]:
    """The office on disk, indexed; returns record id -> index into ``records``."""
    archive = create_archive(folder / "archive", organisation="测试纪委", org_code="测纪", fonds="J001",
                             admin=Founder("管理员", PASSPHRASE), security_officer=Founder("保密员", PASSPHRASE), kdf=KDF)
    with archive:
        admin, officer = login(archive, "管理员", PASSPHRASE), login(archive, "保密员", PASSPHRASE)
        add_account(archive, admin, FILER, [Role.LEADER], PASSPHRASE, KDF)
        set_clearance(archive, officer, FILER, Level.TOP_SECRET)
        for user in drawn_users:
            add_account(archive, admin, user.name, [user.role], PASSPHRASE, KDF)
            if user.unit:
                set_unit(archive, admin, user.name, user.unit)
            if user.clearance is not None:
                set_clearance(archive, officer, user.name, user.clearance)
        filer = login(archive, FILER, PASSPHRASE)
        case_ids = [
            register_case(archive, filer, CaseRegistration(
                channel="来信", received=date(2026, 11, 2), category="检举", importance="一般",
                classification=case.level, summary="反映问题", real_name=False,
                reported=[ReportedPerson(case.reported, unit=case.unit)],
            ), today=date(2026, 11, 28)).case_id
            for case in drawn_cases
        ]
        ids = {}
        for number, record in enumerate(records):
            source = folder / f"{number}.txt"
            source.write_text(text_of(record), encoding="utf-8")
            (info,) = add_records(archive, filer, [source], case_id=case_ids[record.case], title=f"第{number}号材料",
                                  kind=parse_kind("letter"), classification=record.level,
                                  formed=date(2026, 11, 1 + number % 3))
            ids[info.record_id] = number
        assert index_queued(archive, filer).left_queued == 0
    return ids


def order_without_the_others(archive_folder: Path, record_ids: list[str], word: str) -> list[str]:
    """The order of ``record_ids`` for ``word`` in an index that holds nothing else."""
    from archive import Archive

    with Archive.open(archive_folder) as archive:
        keys = login(archive, FILER, PASSPHRASE).level_keys
        index = RamStorage().create_index(SCHEMA)
        writer = index.writer()
        for record_id in record_ids:
            stored = open_stored_record(archive, keys, record_id)
            assert stored is not None
            case = open_stored_case(archive, keys, stored.info.case_id)
            assert case is not None
            writer.add_document(**record_document(stored, case))
        writer.commit()
    with index.searcher() as searcher:
        return [hit["record_id"] for hit in search_index(searcher, word, lambda stored: True).results]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(offices())
def test_every_search_returns_exactly_the_permitted_matches_in_the_order_they_would_have_alone(
    office: tuple[list[User], list[Case], list[Record]],
) -> None:
    from archive import Archive

    drawn_users, drawn_cases, records = office
    with TemporaryDirectory() as scratch:
        folder = Path(scratch)
        ids = build(folder, drawn_users, drawn_cases, records)
        for user in drawn_users:
            for word_number, word in enumerate(WORDS):
                expected = {
                    record_id for record_id, number in ids.items()
                    if records[number].counts[word_number] and may_see(user, drawn_cases[records[number].case],
                                                                       records[number])
                }
                with Archive.open(folder / "archive") as archive:
                    session = login(archive, user.name, PASSPHRASE)
                    if user.clearance is None:
                        try:
                            search_archive(archive, session, word)
                        except PermissionDenied:
                            continue
                        raise AssertionError("a user without clearance searched")
                    result = search_archive(archive, session, word, limit=100)
                got = [hit["record_id"] for hit in result.results]
                assert set(got) == expected, (user, word)
                assert result.count == len(expected)
                assert got == order_without_the_others(folder / "archive", got, word)
