"""Indexing records as they are filed, searching them as a user, and recovering a damaged index.

Everything runs against a real archive folder (the searchable office of conftest.py): the
level indexes are encrypted files under ``index/``, the queue and generations live in the
catalogue, and permission comes from the accounts' roles, clearances and 回避.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from archive import Level, PermissionDenied, add_records, login, parse_kind
from archive.audit import read_sealed_details
from archive.cases import CaseRegistration, register_case
from archive.filing import file_case
from archive.folder import INDEX_DIR
from archive.index_queue import queued_records
from archive.verify import verify_archive
from search.errors import IndexBusy, IndexCorrupted, QueryError
from search.indexes import LevelIndex
from search.indexing import index_queued, reindex
from search.searching import SearchFilters, search_archive
from search.storage import HEADER_SIZE
from tests.conftest import PASSPHRASE
from tests.search.conftest import FILES, TODAY, Library

LEADER, CLERK, ARCHIVIST, INVESTIGATOR, RECUSED, AUDITOR = "吴领导", "王文秘", "孙档案", "周调查", "郑秘书", "钱审计"


def found(library: Library, user: str, text: str, **filters: object) -> list[str]:
    """The keys (conftest's FILES) of the records ``user`` finds, best first."""
    by_id = {record_id: key for key, record_id in library.ids.items()}
    with library.open() as archive:
        result = search_archive(archive, login(archive, user, PASSPHRASE), text, SearchFilters(**filters), limit=100)
    assert result.count == len(result.results)
    return [by_id[hit["record_id"]] for hit in result.results]


# What is indexed


@pytest.mark.parametrize("key", ["letter", "docx", "pdf", "confidential"])
def test_each_record_is_found_by_a_word_of_its_content(library: Library, key: str) -> None:
    assert found(library, LEADER, FILES[key][0].word) == [key]


@pytest.mark.parametrize("word", ["表格里的青储饲料补贴", "页眉里的信访室专用", "页脚里的第一页共三页"])
def test_docx_text_in_tables_headers_and_footers_is_indexed(library: Library, word: str) -> None:
    assert found(library, LEADER, word) == ["docx"]


def test_a_pdf_line_break_inside_a_phrase_does_not_hide_it(library: Library) -> None:
    assert found(library, LEADER, '"草原生态补奖资金"') == ["pdf"]


def test_a_record_without_text_is_found_by_its_title(library: Library) -> None:
    assert found(library, LEADER, "农经站账本") == ["photo"]


def test_parties_and_units_are_searchable_but_never_shown(library: Library) -> None:
    assert set(found(library, LEADER, "慕容建国")) == {"letter", "docx", "pdf", "photo"}
    assert found(library, LEADER, "unit:伊金霍洛旗财政局") == ["confidential"]
    with library.open() as archive:
        result = search_archive(archive, login(archive, LEADER, PASSPHRASE), "parties:欧阳春燕", limit=100)
    assert result.count == 4
    assert not any("欧阳春燕" in json.dumps(hit, ensure_ascii=False) for hit in result.results)


def test_filters_narrow_by_case_kind_and_formed_date(library: Library) -> None:
    assert set(found(library, LEADER, "补助款", case_id="XF-2026-0003")) == {"confidential"}
    assert set(found(library, LEADER, "补助款", date_from=date(2026, 11, 3), date_to=date(2026, 11, 19))) == {
        "recused"}
    assert found(library, LEADER, "补助款", kind="evidence") == []
    assert set(found(library, LEADER, "补助款", kind="来信原件")) == {"letter", "recused", "confidential"}


def test_a_result_carries_the_search_shape(library: Library) -> None:
    with library.open() as archive:
        result = search_archive(archive, login(archive, LEADER, PASSPHRASE), "退耕还林")
    assert result.to_json() == {
        "count": 1,
        "results": [{
            "rank": 1, "record_id": library.ids["letter"], "archival_code": None, "case_id": "XF-2026-0001",
            "title": "关于截留退耕还林补助款的来信", "date": "2026-11-02",
            "snippet": "反映某镇农经站站长截留【退耕还林】补助款四十二万元，并虚报冒领危房改造补助。",
        }],
    }


def test_filing_a_case_gives_its_hits_their_archival_codes(library: Library) -> None:
    with library.open() as archive:
        leader = login(archive, LEADER, PASSPHRASE)
        codes = {info.record_id: info.archival_code for info in file_case(archive, leader, "XF-2026-0001", force=True)}
        assert queued_records(archive.conn)  # re-queued: the index entry must learn the 档号
        index_queued(archive, leader)
        assert not queued_records(archive.conn)
        (hit,) = search_archive(archive, leader, "退耕还林").results
    assert hit["archival_code"] == codes[library.ids["letter"]] is not None


# Permission


def test_clearance_decides_which_indexes_are_read(library: Library) -> None:
    assert set(found(library, LEADER, "补助款")) == {"letter", "recused", "confidential"}
    assert set(found(library, ARCHIVIST, "补助款")) == {"letter", "recused", "confidential"}  # 机密
    assert set(found(library, "郑秘书", "补助款")) == {"letter"}  # 秘密; and recused from XF-2026-0002


def test_a_recused_user_finds_nothing_of_the_case_that_names_them(library: Library) -> None:
    assert "recused" in found(library, CLERK, "公车私用")
    assert found(library, RECUSED, "公车私用") == []
    assert found(library, RECUSED, "补助款") == ["letter"]  # 秘密 clearance: 0001 yes, 0002 recused, 0003 too high
    assert found(library, RECUSED, "公车私用", case_id="XF-2026-0002") == found(
        library, RECUSED, "公车私用", case_id="XF-2026-9999")


def test_investigators_without_grants_find_nothing(library: Library) -> None:
    assert found(library, INVESTIGATOR, "补助款") == []


@pytest.mark.parametrize("user", [AUDITOR, "李管理"])
def test_the_auditor_and_the_administrator_may_not_search(library: Library, user: str) -> None:
    with library.open() as archive, pytest.raises(PermissionDenied):
        search_archive(archive, login(archive, user, PASSPHRASE), "补助款")


def test_every_search_is_audited_with_the_query_sealed(library: Library) -> None:
    with library.open() as archive:
        leader = login(archive, LEADER, PASSPHRASE)
        search_archive(archive, leader, "慕容建国 退耕还林", SearchFilters(case_id="XF-2026-0001"))
        seq, body = archive.conn.execute(
            "SELECT seq, body FROM audit_entries ORDER BY seq DESC LIMIT 1").fetchone()
        entry = json.loads(body)
        details = read_sealed_details(archive.conn, seq, leader.level_keys[Level.TOP_SECRET].key)
    assert entry["action"] == "search" and entry["actor"] == LEADER
    assert entry["objects"] == [library.ids["letter"]] and entry["info"] == {"count": 1, "shown": 1}
    assert "慕容建国" not in body
    assert details["query"] == "慕容建国 退耕还林" and details["filters"]["case"] == "XF-2026-0001"


def test_a_malformed_query_is_refused_before_anything_is_read(library: Library) -> None:
    with library.open() as archive, pytest.raises(QueryError):
        search_archive(archive, login(archive, LEADER, PASSPHRASE), "补助款 AND")


# The queue: filed but not yet indexed


def file_without_indexing(library: Library, tmp_path: Path) -> str:
    source = tmp_path / "补充材料.txt"
    source.write_text("补充反映：站长还虚列青苗补偿款。", encoding="utf-8")
    with library.open() as archive:
        (info,) = add_records(archive, login(archive, LEADER, PASSPHRASE), [source], case_id="XF-2026-0001",
                              title="补充材料", kind=parse_kind("letter"), classification=Level.INTERNAL)
    return info.record_id


def test_a_record_filed_but_not_indexed_is_reported_and_reindex_indexes_it(library: Library, tmp_path: Path) -> None:
    record_id = file_without_indexing(library, tmp_path)  # as if the process died after the filing commit
    with library.open() as archive:
        report = verify_archive(archive, login(archive, AUDITOR, PASSPHRASE))
        assert report.ok and any("尚未编入检索索引" in warning for warning in report.warnings)
        leader = login(archive, LEADER, PASSPHRASE)
        missing = search_archive(archive, leader, "青苗补偿款")
        assert (missing.count, missing.not_yet_indexed) == (0, 1)
        rebuilt = reindex(archive, login(archive, ARCHIVIST, PASSPHRASE), [Level.INTERNAL])
        assert rebuilt.indexed == {Level.INTERNAL: 4}
        hits = search_archive(archive, leader, "青苗补偿款")
        assert [hit["record_id"] for hit in hits.results] == [record_id] and hits.not_yet_indexed == 0
        assert not any("尚未编入" in w for w in verify_archive(archive, login(archive, AUDITOR, PASSPHRASE)).warnings)


def test_indexing_takes_only_what_the_users_keys_open(library: Library, tmp_path: Path) -> None:
    source = tmp_path / "绝密.txt"
    source.write_text("绝密材料：涉及金矿探矿权。", encoding="utf-8")
    with library.open() as archive:
        leader = login(archive, LEADER, PASSPHRASE)
        add_records(archive, leader, [source], case_id="XF-2026-0003", title="绝密材料",
                    kind=parse_kind("evidence"), classification=Level.TOP_SECRET)
        clerk_report = index_queued(archive, login(archive, CLERK, PASSPHRASE))
        assert (clerk_report.total, clerk_report.left_queued) == (0, 1)
        assert index_queued(archive, login(archive, INVESTIGATOR, PASSPHRASE)).total == 0  # does not file
        assert index_queued(archive, leader).indexed == {Level.TOP_SECRET: 1}
        assert search_archive(archive, leader, "金矿探矿权").count == 1
        assert search_archive(archive, login(archive, ARCHIVIST, PASSPHRASE), "金矿探矿权").count == 0


def test_a_case_above_the_record_puts_the_entry_in_the_higher_index(library: Library, tmp_path: Path) -> None:
    source = tmp_path / "内部件.txt"
    source.write_text("内部件：关于专项债的说明。", encoding="utf-8")
    with library.open() as archive:
        leader = login(archive, LEADER, PASSPHRASE)
        add_records(archive, leader, [source], case_id="XF-2026-0003", title="说明", kind=parse_kind("other"),
                    classification=Level.INTERNAL)
        assert index_queued(archive, leader).indexed == {Level.CONFIDENTIAL: 1}


def test_a_second_writer_waits_then_says_the_index_is_busy(library: Library, tmp_path: Path) -> None:
    file_without_indexing(library, tmp_path)
    with library.open() as archive:
        leader = login(archive, LEADER, PASSPHRASE)
        target = LevelIndex(archive, leader.level_keys[Level.INTERNAL])
        with target.write_lock():
            with pytest.raises(IndexBusy, match="另一进程正在更新内部级检索索引"):
                with target.writer(target.open_or_create(), wait=0.3):
                    pass
        assert len(queued_records(archive.conn)) == 1
        assert index_queued(archive, leader).total == 1


def test_a_killed_writers_temporary_file_is_removed_by_the_next_writer(library: Library, tmp_path: Path) -> None:
    leftover = library.path / INDEX_DIR / "L1" / ".MAIN_abc.seg.4242-0badcafe.tmp"
    leftover.write_bytes(b"\x00" * 100)
    file_without_indexing(library, tmp_path)
    with library.open() as archive:
        assert index_queued(archive, login(archive, LEADER, PASSPHRASE)).total == 1
    assert not leftover.exists()


# Damage, rollback and rebuilding


def index_files(library: Library, level: Level) -> list[Path]:
    return sorted(p for p in (library.path / INDEX_DIR / f"L{level.value}").iterdir() if not p.name.startswith("."))


def test_a_flipped_byte_in_an_index_file_is_found_and_reindex_repairs_it(library: Library) -> None:
    segment = max(index_files(library, Level.INTERNAL), key=lambda p: p.stat().st_size)
    data = bytearray(segment.read_bytes())
    data[HEADER_SIZE + 40] ^= 0x01
    segment.write_bytes(bytes(data))
    with library.open() as archive, pytest.raises(IndexCorrupted):
        search_archive(archive, login(archive, LEADER, PASSPHRASE), "退耕还林")
    with library.open() as archive:
        reindex(archive, login(archive, ARCHIVIST, PASSPHRASE), [Level.INTERNAL])
    assert found(library, LEADER, "退耕还林") == ["letter"]


def test_an_index_rolled_back_to_an_old_copy_is_refused(library: Library, tmp_path: Path) -> None:
    folder = library.path / INDEX_DIR / "L1"
    shutil.copytree(folder, tmp_path / "old")
    file_without_indexing(library, tmp_path)
    with library.open() as archive:
        index_queued(archive, login(archive, LEADER, PASSPHRASE))
    shutil.rmtree(folder)
    shutil.copytree(tmp_path / "old", folder)
    with library.open() as archive, pytest.raises(IndexCorrupted, match="回滚"):
        search_archive(archive, login(archive, LEADER, PASSPHRASE), "青苗补偿款")


def test_a_deleted_index_is_refused_not_taken_for_empty(library: Library) -> None:
    shutil.rmtree(library.path / INDEX_DIR / "L2")
    with library.open() as archive, pytest.raises(IndexCorrupted, match="缺失"):
        search_archive(archive, login(archive, LEADER, PASSPHRASE), "饮水工程")


def test_an_index_swapped_with_another_levels_fails_authentication(library: Library) -> None:
    index = library.path / INDEX_DIR
    (index / "L1").rename(index / "tmp")
    (index / "L2").rename(index / "L1")
    (index / "tmp").rename(index / "L2")
    with library.open() as archive, pytest.raises(IndexCorrupted):
        search_archive(archive, login(archive, LEADER, PASSPHRASE), "饮水工程")


def test_reindex_removes_what_a_crashed_rebuild_left_and_keeps_results_identical(library: Library) -> None:
    before = found(library, LEADER, "补助款")
    leftover = library.path / INDEX_DIR / ".L1.0badcafe"
    leftover.mkdir()
    (leftover / "_MAIN_1.toc").write_bytes(b"half-written")
    with library.open() as archive:
        report = reindex(archive, login(archive, LEADER, PASSPHRASE))
    assert not leftover.exists()
    assert report.indexed == {Level.INTERNAL: 3, Level.SECRET: 2, Level.CONFIDENTIAL: 1}
    assert report.title_only == [library.ids["photo"]]
    assert found(library, LEADER, "补助款") == before
    assert sorted(p.name for p in (library.path / INDEX_DIR).iterdir()) == ["L1", "L2", "L3"]


def test_reindex_needs_a_maintainer_holding_the_level(library: Library) -> None:
    with library.open() as archive:
        with pytest.raises(PermissionDenied):
            reindex(archive, login(archive, CLERK, PASSPHRASE))
        with pytest.raises(PermissionDenied, match="绝密"):
            reindex(archive, login(archive, ARCHIVIST, PASSPHRASE), [Level.TOP_SECRET])


def test_a_new_archive_searches_before_anything_is_indexed(tmp_path: Path) -> None:
    from tests.conftest import build_office

    office = build_office(tmp_path / "archive")
    with office.open() as archive:
        leader = login(archive, LEADER, PASSPHRASE)
        register_case(archive, leader, CaseRegistration(
            channel="来信", received=date(2026, 11, 2), category="检举", importance="一般",
            classification=Level.INTERNAL, summary="空档案库", real_name=False), today=TODAY)
        assert search_archive(archive, leader, "任何").count == 0
    assert not (office.path / INDEX_DIR).exists()


def test_a_grant_opens_its_case_to_the_investigators_search_for_its_time(library: Library) -> None:
    from dataclasses import replace
    from datetime import datetime, timedelta

    from archive.access import grant_access, revoke_grant

    with library.open() as archive:
        leader = login(archive, LEADER, PASSPHRASE)
        made = grant_access(archive, leader, "XF-2026-0001", to=INVESTIGATOR, days=2, reason="核查")
        investigator = login(archive, INVESTIGATOR, PASSPHRASE)
        hits = search_archive(archive, investigator, "补助款 OR 饮水工程 OR 公车私用", limit=100)
        assert {hit["record_id"] for hit in hits.results} == {library.ids["letter"], library.ids["docx"]}
        later = replace(investigator, as_of=datetime.fromisoformat(made.expires_at.replace("Z", "+00:00")))
        assert search_archive(archive, later, "补助款").count == 0
        before = replace(investigator, as_of=datetime.fromisoformat(made.starts_at.replace("Z", "+00:00"))
                         - timedelta(seconds=1))
        assert search_archive(archive, before, "补助款").count == 0
        revoke_grant(archive, leader, made.grant_id)
        assert search_archive(archive, investigator, "补助款").count == 0
