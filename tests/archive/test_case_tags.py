"""Blind tags: repeats and 回避 found without opening every case, and nothing found that opening would not find."""

from __future__ import annotations

import random
from datetime import date

import pytest

from archive import Level, set_unit, verify_archive
from archive import cases as cases_module
from archive.case_tags import BANDS, bigrams, case_tags
from archive.cases import CaseRegistration, Petitioner, ReportedPerson, open_case, register_case, visible_case_ids
from archive.keyring import LevelKey
from archive.rotation import rotate_level_keys
from tests.conftest import ADMIN, OFFICER, Office, sqlite_steps

WORDS = ("镇长", "村支书", "扶贫资金", "低保", "补偿款", "挪用", "截留", "违规", "发放", "津贴", "修建", "办公楼",
         "宴请", "公车", "私用", "土地", "征收", "拆迁", "优亲厚友", "虚报", "冒领", "工程", "招标", "围标")


def _letter(summary: str, *, petitioner: str = "", reported: str = "", unit: str | None = None,
            level: Level = Level.INTERNAL) -> CaseRegistration:
    return CaseRegistration(
        channel="来信", received=date(2026, 11, 2), category="检举", importance="一般", classification=level,
        summary=summary, real_name=bool(petitioner), petitioners=[Petitioner(petitioner)] if petitioner else [],
        reported=[ReportedPerson(reported, unit=unit)] if reported else [],
    )


def _summary(rng: random.Random, words: int = 14) -> str:
    return "反映" + "".join(rng.choice(WORDS) for _ in range(words)) + "问题"


def _register_many(office: Office, registrations: list[CaseRegistration]) -> list[str]:
    with office.open() as archive:
        session = office.session(archive, "王文秘")
        return [register_case(archive, session, r, today=date(2026, 11, 3)).case_id for r in registrations]


def _jaccard(a: str, b: str) -> float:
    x, y = bigrams(a), bigrams(b)
    return len(x & y) / len(x | y)


def test_a_registration_opens_only_the_cases_that_may_repeat_it(bare_office: Office,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(7)
    ids = _register_many(bare_office, [_letter(_summary(rng), petitioner=f"信访人{i}", reported=f"干部{i}")
                                       for i in range(40)])
    opened: list[str] = []
    unwrap = cases_module.unwrap_case_key
    monkeypatch.setattr(cases_module, "unwrap_case_key",
                        lambda key, case_id, wrapped: opened.append(case_id) or unwrap(key, case_id, wrapped))
    with bare_office.open() as archive:
        registered = register_case(archive, bare_office.session(archive, "王文秘"),
                                   _letter("建议公开村务账目", petitioner="信访人7"), today=date(2026, 11, 3))
    assert registered.likely_repeats == [(ids[7], "同一信访人")]
    assert len(opened) <= 4  # the one sharing the petitioner, and few others by chance - not all forty


def test_summaries_half_alike_are_found_and_unlike_ones_are_not(bare_office: Office) -> None:
    rng = random.Random(11)
    originals = [_summary(rng, 20) for _ in range(25)]
    ids = _register_many(bare_office, [_letter(text) for text in originals])
    with bare_office.open() as archive:
        session = bare_office.session(archive, "王文秘")
        for case_id, text in zip(ids, originals, strict=True):
            varied = text[:-12] + "并长期拖欠工资"  # a tail rewritten: about two thirds of the bigrams kept
            found = register_case(archive, session, _letter(varied), today=date(2026, 11, 3)).likely_repeats
            expected = [other for other, o in zip(ids, originals, strict=True) if _jaccard(varied, o) >= 0.5]
            assert case_id in expected
            assert [repeat for repeat, _ in found] == expected  # exactly what opening every case would find


def test_tags_differ_between_levels_and_name_no_one_in_the_clear(bare_office: Office) -> None:
    parties = {"petitioners": [{"name": "张秀兰"}], "reported": [{"name": "李建国", "unit": "某镇人民政府"}],
               "summary": "反映某镇镇长挪用扶贫资金"}
    internal = case_tags(LevelKey(Level.INTERNAL, 1, b"k" * 32), parties)
    secret = case_tags(LevelKey(Level.SECRET, 1, b"s" * 32), parties)
    assert len(internal) == 3 + BANDS and not internal & secret
    assert case_tags(LevelKey(Level.INTERNAL, 1, b"k" * 32), {**parties, "summary": ""}) < internal


def test_a_case_whose_tags_were_deleted_is_reported_by_verify(bare_office: Office) -> None:
    (case_id,) = _register_many(bare_office, [_letter("反映镇长挪用扶贫资金", reported="李建国")])
    with bare_office.raw_catalogue() as conn:
        conn.execute("DELETE FROM case_tags WHERE case_id = ?", (case_id,))
    with bare_office.open() as archive:
        report = verify_archive(archive, bare_office.session(archive, "钱审计"))
    assert [problem.where for problem in report.problems] == [f"信访件 {case_id}"]


def test_cases_registered_before_tags_are_judged_on_their_parties_then_tagged(bare_office: Office) -> None:
    first, second = _register_many(bare_office, [_letter("反映镇长挪用扶贫资金", reported="孙档案"),
                                                 _letter("反映村支书优亲厚友", reported="李建国")])
    with bare_office.raw_catalogue() as conn:  # as a catalogue migrated from version 10 has them
        conn.execute("DELETE FROM case_tags")
        conn.execute("UPDATE cases SET tag_version = NULL")
    with bare_office.open() as archive:
        archivist = bare_office.session(archive, "孙档案")
        assert first not in visible_case_ids(archive, archivist) and second in visible_case_ids(archive, archivist)
        again = register_case(archive, bare_office.session(archive, "王文秘"),
                              _letter("反映村支书优亲厚友", reported="李建国"), today=date(2026, 11, 3))
        assert [repeat for repeat, _ in again.likely_repeats] == [second]
        untagged = archive.conn.execute("SELECT COUNT(*) FROM cases WHERE tag_version IS NULL").fetchone()[0]
        assert untagged == 0
        assert visible_case_ids(archive, archivist) == {second, again.case_id}
        assert verify_archive(archive, bare_office.session(archive, "钱审计")).ok


def test_a_rotation_retags_and_回避_still_holds(bare_office: Office) -> None:
    (case_id,) = _register_many(bare_office, [_letter("反映镇长挪用扶贫资金", reported="李某", unit="某镇 人民政府")])
    with bare_office.open() as archive:
        set_unit(archive, bare_office.session(archive, ADMIN), "孙档案", "某镇人民政府")
        rotate_level_keys(archive, bare_office.session(archive, OFFICER), [Level.INTERNAL],
                          rebuild_index=lambda session, level: None)
        version = archive.conn.execute("SELECT key_version, tag_version FROM cases WHERE case_id = ?",
                                       (case_id,)).fetchone()
        assert version[0] == version[1] > 1
        assert case_id not in visible_case_ids(archive, bare_office.session(archive, "孙档案"))
        assert open_case(archive, bare_office.session(archive, "吴领导"), case_id).case_id == case_id
        assert verify_archive(archive, bare_office.session(archive, "钱审计")).ok


def test_a_case_the_registrar_is_recused_from_is_no_repeat_of_hers(bare_office: Office) -> None:
    (hidden,) = _register_many(bare_office, [_letter("反映某局违规发放津贴", petitioner="张秀兰", reported="李某",
                                                     unit="某镇人民政府")])
    with bare_office.open() as archive:
        set_unit(archive, bare_office.session(archive, ADMIN), "王文秘", "某镇人民政府")
        again = register_case(archive, bare_office.session(archive, "王文秘"),
                              _letter("反映某局违规发放津贴", petitioner="张秀兰"), today=date(2026, 11, 3))
        assert again.likely_repeats == []
        leader = bare_office.session(archive, "吴领导")
        third = register_case(archive, leader, _letter("反映某局违规发放津贴", petitioner="张秀兰"), today=date(2026, 11, 3))
        assert third.likely_repeats == [(hidden, "同一信访人、内容相似"), (again.case_id, "同一信访人、内容相似")]


def _steps_of_one_registration(office: Office, more_cases: int) -> int:
    """SQLite steps of one registration after ``more_cases`` tagged cases (copies of the first) were added."""
    with office.raw_catalogue() as conn:
        columns = [name for _, name, *_ in conn.execute("PRAGMA table_info(cases)")]
        (first,) = conn.execute(f"SELECT {', '.join(columns)} FROM cases ORDER BY case_id LIMIT 1").fetchall()
        at = columns.index("case_id")
        conn.executemany(
            f"INSERT INTO cases ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [(*first[:at], f"XF-2020-{n:04d}", *first[at + 1:]) for n in range(more_cases)],
        )
    with office.open() as archive:
        session = office.session(archive, "王文秘")
        with sqlite_steps(archive.conn) as steps:
            register_case(archive, session, _letter("反映某单位违规发放津贴问题"), today=date(2026, 11, 3))
    return steps[0]


def test_a_registration_does_not_read_every_case(bare_office: Office) -> None:
    _register_many(bare_office, [_letter("反映某镇修建办公楼问题")])
    short = _steps_of_one_registration(bare_office, 0)
    long = _steps_of_one_registration(bare_office, 3000)
    assert long - short < 1000, (short, long)  # reading 3,000 cases would take tens of thousands of steps


def test_a_version_11_catalogue_gains_the_untagged_index_when_opened(bare_office: Office) -> None:
    _register_many(bare_office, [_letter("反映某镇修建办公楼问题")])
    with bare_office.raw_catalogue() as conn:  # as this program's previous release left it
        conn.execute("DROP INDEX cases_untagged")
        conn.execute("PRAGMA user_version = 11")
    with bare_office.open() as archive:
        assert archive.conn.execute("PRAGMA user_version").fetchone() == (12,)
        plan = archive.conn.execute(
            "EXPLAIN QUERY PLAN SELECT case_id FROM cases WHERE tag_version IS NOT key_version").fetchall()
        assert any("cases_untagged" in row[-1] for row in plan), plan
        assert verify_archive(archive, bare_office.session(archive, "钱审计")).ok
