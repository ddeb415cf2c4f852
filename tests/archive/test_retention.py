"""Retention through the library: when an item falls due, holds, appraisal decisions and who may see what.

The office of tests/conftest.py (three 内部 cases, no records). Records are filed with
``formed`` dates far in the past so that their periods have run out: a D10 item formed
in 2010 falls due on 2021-01-01, a D30 item formed in 1990 too.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from archive import (
    InvalidInput,
    Level,
    NotFound,
    PermissionDenied,
    Refused,
    Retention,
    login,
    parse_kind,
    verify_archive,
)
from archive import add_records as file_records
from archive.appraisal import appraise, due_items
from archive.cases import CaseRegistration, ReportedPerson, register_case
from archive.filing import file_case
from archive.holds import holds_on, list_holds, place_hold, release_hold
from archive.index_queue import queued_records
from archive.retention import disposal_date
from tests.conftest import PASSPHRASE, Office

ARCHIVIST, LEADER, CLERK, AUDITOR, OFFICER = "孙档案", "吴领导", "王文秘", "钱审计", "赵保密"
CASE, OTHER = "XF-2026-0001", "XF-2026-0002"
TODAY = date(2026, 11, 28)


def add(office: Office, tmp_path: Path, formed: date, retention: Retention, *, case_id: str = CASE,
        level: Level = Level.INTERNAL, filer: str = CLERK, title: str = "关于某村账目的来信") -> str:
    source = tmp_path / f"{formed.isoformat()}-{retention.value}-{level.name}.txt"
    source.write_text(f"{title}的内容", encoding="utf-8")
    with office.open() as archive:
        (info,) = file_records(archive, login(archive, filer, PASSPHRASE), [source], case_id=case_id, title=title,
                               kind=parse_kind("letter"), classification=level, retention=retention, formed=formed)
    return info.record_id


def due(office: Office, as_of: date, name: str = ARCHIVIST) -> dict[str, str | None]:
    """Record id → its latest decision, for the items due on ``as_of``."""
    with office.open() as archive:
        return {item.record_id: item.decision for item in due_items(archive, login(archive, name, PASSPHRASE), as_of)}


def verifies(office: Office) -> bool:
    with office.open() as archive:
        report = verify_archive(archive, login(archive, AUDITOR, PASSPHRASE))
    return report.ok


# --- when an item falls due -----------------------------------------------------------------------


def test_the_disposal_date_is_1_january_after_the_year_formed_plus_the_period() -> None:
    assert disposal_date(Retention.TEN_YEARS, date(2010, 6, 1)) == date(2021, 1, 1)
    assert disposal_date(Retention.THIRTY_YEARS, date(1990, 12, 31)) == date(2021, 1, 1)
    assert disposal_date(Retention.PERMANENT, date(1950, 1, 1)) is None


def test_items_fall_due_on_their_disposal_date_and_permanent_ones_never(office: Office, tmp_path: Path) -> None:
    ten = add(office, tmp_path, date(2010, 6, 1), Retention.TEN_YEARS)
    thirty = add(office, tmp_path, date(1990, 3, 1), Retention.THIRTY_YEARS)
    later = add(office, tmp_path, date(2000, 1, 1), Retention.THIRTY_YEARS)
    add(office, tmp_path, date(1950, 1, 1), Retention.PERMANENT)
    assert due(office, date(2020, 12, 31)) == {}
    assert set(due(office, date(2021, 1, 1))) == {ten, thirty}
    assert set(due(office, date(2031, 1, 1))) == {ten, thirty, later}
    assert set(due(office, date(2999, 1, 1))) == {ten, thirty, later}
    with office.open() as archive:
        items = due_items(archive, login(archive, LEADER, PASSPHRASE), date(2021, 1, 1))
    assert [i.record_id for i in items] == [ten, thirty]  # the same day: by 档号, then record id
    item = items[1]
    assert (item.disposal, item.formed, item.retention, item.classification, item.title) == (
        "2021-01-01", "1990-03-01", "D30", "内部", "关于某村账目的来信")


def test_only_archivists_and_leaders_see_the_due_list(office: Office) -> None:
    with office.open() as archive:
        for name in (CLERK, "周调查", AUDITOR):
            with pytest.raises(PermissionDenied):
                due_items(archive, login(archive, name, PASSPHRASE), TODAY)


def test_hidden_records_are_never_listed_to_someone_who_may_not_see_them(office: Office, tmp_path: Path) -> None:
    with office.open() as archive:
        recused = register_case(archive, login(archive, CLERK, PASSPHRASE), CaseRegistration(
            channel="来信", received=date(2026, 11, 2), category="检举", importance="一般",
            classification=Level.INTERNAL, summary="反映档案员违规借阅档案", real_name=False,
            reported=[ReportedPerson(ARCHIVIST, unit="某局")],
        ), today=TODAY).case_id
    about_archivist = add(office, tmp_path, date(2000, 1, 1), Retention.TEN_YEARS, case_id=recused)
    top_secret = add(office, tmp_path, date(2001, 1, 1), Retention.TEN_YEARS, level=Level.TOP_SECRET, filer=LEADER)
    plain = add(office, tmp_path, date(2002, 1, 1), Retention.TEN_YEARS)
    assert set(due(office, TODAY)) == {plain}
    assert set(due(office, TODAY, LEADER)) == {about_archivist, top_secret, plain}
    with office.open() as archive:
        archivist, leader = login(archive, ARCHIVIST, PASSPHRASE), login(archive, LEADER, PASSPHRASE)
        hold = place_hold(archive, leader, case_id=recused, reason="复查")
        assert [h.hold_id for h in list_holds(archive, archivist)] == []
        assert [h.hold_id for h in list_holds(archive, leader)] == [hold.hold_id]
        for record_id in (about_archivist, top_secret, "R-2026-999999"):
            with pytest.raises(NotFound, match=f"记录 {record_id} 不存在，或您无权查看"):
                place_hold(archive, archivist, record_id=record_id, reason="复查")
            with pytest.raises(NotFound, match=f"记录 {record_id} 不存在，或您无权查看"):
                appraise(archive, archivist, record_id, decision="destroy")
        with pytest.raises(NotFound, match=f"信访件 {recused} 不存在，或您无权查看"):
            place_hold(archive, archivist, case_id=recused, reason="复查")


def test_a_leader_neither_sees_nor_releases_a_hold_on_a_case_about_himself(office: Office) -> None:
    with office.open() as archive:
        about_leader = register_case(archive, login(archive, CLERK, PASSPHRASE), CaseRegistration(
            channel="来信", received=date(2026, 11, 2), category="检举", importance="一般",
            classification=Level.INTERNAL, summary="反映领导干预信访办理", real_name=False,
            reported=[ReportedPerson(LEADER)],
        ), today=TODAY).case_id
        archivist, leader = login(archive, ARCHIVIST, PASSPHRASE), login(archive, LEADER, PASSPHRASE)
        hold = place_hold(archive, archivist, case_id=about_leader, reason="上级调卷")
        assert list_holds(archive, leader) == []
        with pytest.raises(NotFound, match=f"保全 {hold.hold_id} 不存在，或您无权查看"):
            release_hold(archive, leader, hold.hold_id)


# --- holds ------------------------------------------------------------------------------------------


def test_every_standing_hold_keeps_an_item_off_the_list_until_a_leader_releases_it(
    office: Office, tmp_path: Path
) -> None:
    record = add(office, tmp_path, date(2010, 6, 1), Retention.TEN_YEARS)
    sibling = add(office, tmp_path, date(2010, 7, 1), Retention.TEN_YEARS)
    elsewhere = add(office, tmp_path, date(2010, 8, 1), Retention.TEN_YEARS, case_id=OTHER)
    with office.open() as archive:
        archivist, leader = login(archive, ARCHIVIST, PASSPHRASE), login(archive, LEADER, PASSPHRASE)
        own = place_hold(archive, archivist, record_id=record, reason="审计调阅", mandate="审计通知书〔2026〕5号")
        whole = place_hold(archive, leader, case_id=CASE, reason="纪律审查调卷")
        assert (own.hold_id, whole.hold_id) == ("HD-2026-0001", "HD-2026-0002")
        assert (own.record_id, own.case_id, whole.record_id) == (record, CASE, None)
        assert holds_on(archive.conn, record) == [own.hold_id, whole.hold_id]
        assert holds_on(archive.conn, sibling) == [whole.hold_id]
        assert holds_on(archive.conn, elsewhere) == []
        listed = {h.hold_id: h for h in list_holds(archive, login(archive, OFFICER, PASSPHRASE))}
        assert (listed[own.hold_id].reason, listed[own.hold_id].mandate) == ("审计调阅", "审计通知书〔2026〕5号")
        assert listed[whole.hold_id].to_json()["active"] is True
    assert set(due(office, TODAY)) == {elsewhere}
    with office.open() as archive:
        with pytest.raises(PermissionDenied):
            release_hold(archive, login(archive, ARCHIVIST, PASSPHRASE), own.hold_id)
        released = release_hold(archive, login(archive, LEADER, PASSPHRASE), whole.hold_id)
        assert (released.active, released.released_by) == (False, LEADER)
        with pytest.raises(Refused, match="已于 .* 由 吴领导 解除"):
            release_hold(archive, login(archive, LEADER, PASSPHRASE), whole.hold_id)
    assert set(due(office, TODAY)) == {sibling, elsewhere}
    with office.open() as archive:
        release_hold(archive, login(archive, LEADER, PASSPHRASE), own.hold_id)
        assert holds_on(archive.conn, record) == []
    assert set(due(office, TODAY)) == {record, sibling, elsewhere}
    assert verifies(office)


def test_who_may_place_a_hold_and_on_what(office: Office, tmp_path: Path) -> None:
    record = add(office, tmp_path, date(2010, 6, 1), Retention.TEN_YEARS)
    with office.open() as archive:
        archivist = login(archive, ARCHIVIST, PASSPHRASE)
        for name in (CLERK, "周调查", OFFICER):
            with pytest.raises(PermissionDenied, match="无权设置保全"):
                place_hold(archive, login(archive, name, PASSPHRASE), record_id=record, reason="复查")
        with pytest.raises(InvalidInput, match="二者择一"):
            place_hold(archive, archivist, case_id=CASE, record_id=record, reason="复查")
        with pytest.raises(InvalidInput, match="二者择一"):
            place_hold(archive, archivist, reason="复查")
        with pytest.raises(InvalidInput, match="保全理由"):
            place_hold(archive, archivist, record_id=record, reason="  ")
        with pytest.raises(NotFound, match="信访件 XF-2026-0999 不存在，或您无权查看"):
            place_hold(archive, archivist, case_id="XF-2026-0999", reason="复查")
        with pytest.raises(PermissionDenied):
            list_holds(archive, login(archive, "周调查", PASSPHRASE))


def test_a_destroyed_record_is_never_due_and_never_held_anew(office: Office, tmp_path: Path) -> None:
    record = add(office, tmp_path, date(2010, 6, 1), Retention.TEN_YEARS)
    with office.raw_catalogue() as conn:  # a tombstone as destruction leaves it
        conn.execute("UPDATE records SET wrapped_key = x'', sealed_description = x'', destroyed_batch = 'XH-2026-0001' "
                     "WHERE record_id = ?", (record,))
    assert due(office, TODAY) == {}
    with office.open() as archive:
        with pytest.raises(Refused, match=f"记录 {record} 已"):
            place_hold(archive, login(archive, ARCHIVIST, PASSPHRASE), record_id=record, reason="复查")
        with pytest.raises(Refused, match=f"记录 {record} 已"):
            appraise(archive, login(archive, LEADER, PASSPHRASE), record, decision="destroy", today=TODAY)


def test_an_item_in_an_open_destruction_batch_is_not_due_nor_appraised(office: Office, tmp_path: Path) -> None:
    record = add(office, tmp_path, date(2010, 6, 1), Retention.TEN_YEARS)
    with office.raw_catalogue() as conn:
        conn.execute("INSERT INTO destruction_batches (batch_id, proposed_by, proposed_at, state) "
                     "VALUES ('XH-2026-0001', '孙档案', '2026-11-28T00:00:00Z', 'proposed')")
        conn.execute("INSERT INTO destruction_items (batch_id, record_id) VALUES ('XH-2026-0001', ?)", (record,))
    assert due(office, TODAY) == {}
    with office.open() as archive:
        with pytest.raises(Refused, match="已列入销毁批次 XH-2026-0001"):
            appraise(archive, login(archive, ARCHIVIST, PASSPHRASE), record, decision="destroy", today=TODAY)
    with office.raw_catalogue() as conn:
        conn.execute("UPDATE destruction_batches SET state = 'rejected'")
    assert set(due(office, TODAY)) == {record}


# --- appraisal --------------------------------------------------------------------------------------


def test_a_destroy_decision_leaves_the_item_due_until_it_is_put_in_a_batch(office: Office, tmp_path: Path) -> None:
    record = add(office, tmp_path, date(2010, 6, 1), Retention.TEN_YEARS)
    young = add(office, tmp_path, date(2020, 6, 1), Retention.TEN_YEARS)
    permanent = add(office, tmp_path, date(1950, 1, 1), Retention.PERMANENT)
    with office.open() as archive:
        archivist = login(archive, ARCHIVIST, PASSPHRASE)
        made = appraise(archive, archivist, record, decision="destroy", note="已无保存价值", today=TODAY)
        assert (made.appraisal_id, made.decision, made.old_retention, made.new_retention) == (
            "JD-2026-0001", "destroy", "D10", None)
        with pytest.raises(Refused, match="至 2031-01-01 才届满"):
            appraise(archive, archivist, young, decision="destroy", today=TODAY)
        with pytest.raises(Refused, match="永久保存，无需鉴定"):
            appraise(archive, archivist, permanent, decision="destroy", today=TODAY)
        with pytest.raises(PermissionDenied, match="无权鉴定档案"):
            appraise(archive, login(archive, CLERK, PASSPHRASE), record, decision="destroy", today=TODAY)
        with pytest.raises(InvalidInput, match="未知的鉴定结论"):
            appraise(archive, archivist, record, decision="burn", today=TODAY)
        hold = place_hold(archive, archivist, record_id=record, reason="复查")
        with pytest.raises(Refused, match=f"保全中（{hold.hold_id}）"):
            appraise(archive, archivist, record, decision="destroy", today=TODAY)
        release_hold(archive, login(archive, LEADER, PASSPHRASE), hold.hold_id)
    assert due(office, TODAY) == {record: "destroy"}
    assert verifies(office)


def test_a_review_date_postpones_the_item_until_that_day(office: Office, tmp_path: Path) -> None:
    record = add(office, tmp_path, date(2010, 6, 1), Retention.TEN_YEARS)
    with office.open() as archive:
        leader = login(archive, LEADER, PASSPHRASE)
        with pytest.raises(InvalidInput, match="须晚于今天"):
            appraise(archive, leader, record, decision="review", review_on=TODAY, today=TODAY)
        with pytest.raises(InvalidInput, match="复审须且只须给出复审日期"):
            appraise(archive, leader, record, decision="review", today=TODAY)
        made = appraise(archive, leader, record, decision="review", review_on=date(2030, 1, 1), today=TODAY)
        assert (made.decided_by, made.review_on) == (LEADER, "2030-01-01")
    assert due(office, date(2029, 12, 31)) == {}
    assert due(office, date(2030, 1, 1)) == {record: "review"}
    assert verifies(office)
    with office.raw_catalogue() as conn:  # pulled forward behind the archive's back
        conn.execute("UPDATE records SET review_on = '2027-01-01' WHERE record_id = ?", (record,))
    with office.open() as archive:
        report = verify_archive(archive, login(archive, AUDITOR, PASSPHRASE))
    assert [p.where for p in report.problems] == [f"记录 {record}"]


def test_extending_renumbers_the_item_in_its_new_series_and_verify_stays_clean(
    office: Office, tmp_path: Path
) -> None:
    ten = add(office, tmp_path, date(2010, 6, 1), Retention.TEN_YEARS)
    thirty = add(office, tmp_path, date(2010, 3, 1), Retention.THIRTY_YEARS)
    with office.open() as archive:
        codes = {r.record_id: r.archival_code
                 for r in file_case(archive, login(archive, LEADER, PASSPHRASE), CASE, force=True)}
        assert codes == {thirty: "J001-WS·2010-D30-XFS-0001", ten: "J001-WS·2010-D10-XFS-0001"}
        archive.conn.execute("DELETE FROM index_queue")  # as if indexed
        archivist = login(archive, ARCHIVIST, PASSPHRASE)
        made = appraise(archive, archivist, ten, decision="extend", retention=Retention.THIRTY_YEARS,
                        note="仍有查考价值", today=TODAY)
        # 件号 run within a retention period: D30-0001 is taken, so the item becomes the series' next.
        assert (made.old_retention, made.new_retention) == ("D10", "D30")
        assert (made.old_archival_code, made.archival_code) == ("J001-WS·2010-D10-XFS-0001", "J001-WS·2010-D30-XFS-0002")
        assert [q.record_id for q in queued_records(archive.conn)] == [ten]
        stored = archive.conn.execute("SELECT retention, archival_code FROM records WHERE record_id = ?", (ten,))
        assert stored.fetchone() == ("D30", "J001-WS·2010-D30-XFS-0002")
        for shorter in (Retention.TEN_YEARS, Retention.THIRTY_YEARS):
            with pytest.raises(Refused, match="只能延长保管期限"):
                appraise(archive, archivist, ten, decision="extend", retention=shorter, today=TODAY)
    assert due(office, date(2040, 12, 31)) == {}
    assert due(office, date(2041, 1, 1)) == {ten: "extend", thirty: None}
    assert verifies(office)


def test_an_extension_that_would_already_have_run_out_is_refused(office: Office, tmp_path: Path) -> None:
    old = add(office, tmp_path, date(1980, 6, 1), Retention.TEN_YEARS)
    with office.open() as archive:
        archivist = login(archive, ARCHIVIST, PASSPHRASE)
        with pytest.raises(Refused, match="改为定期30年后保管期限也已于 2011-01-01 届满"):
            appraise(archive, archivist, old, decision="extend", retention=Retention.THIRTY_YEARS, today=TODAY)
        made = appraise(archive, archivist, old, decision="extend", retention=Retention.PERMANENT, today=TODAY)
        assert (made.archival_code, made.old_archival_code) == (None, None)  # not filed: no 档号 to change
    assert due(office, date(2999, 1, 1)) == {}


# --- the log -------------------------------------------------------------------------------------


@pytest.mark.parametrize("table", ["holds", "appraisals"])
def test_verify_catches_an_edited_or_deleted_hold_or_appraisal(office: Office, tmp_path: Path, table: str) -> None:
    record = add(office, tmp_path, date(2010, 6, 1), Retention.TEN_YEARS)
    with office.open() as archive:
        archivist = login(archive, ARCHIVIST, PASSPHRASE)
        if table == "holds":
            made = place_hold(archive, archivist, record_id=record, reason="复查").hold_id
            label, column, edit = "保全", "hold_id", "UPDATE holds SET released_at = '2026-11-28T00:00:00Z'"
        else:
            made = appraise(archive, archivist, record, decision="review", review_on=date(2030, 1, 1),
                            today=TODAY).appraisal_id
            label, column, edit = "鉴定", "appraisal_id", "UPDATE appraisals SET review_on = '2099-01-01'"
    assert verifies(office)
    with office.raw_catalogue() as conn:
        conn.execute(edit)
    with office.open() as archive:
        report = verify_archive(archive, login(archive, AUDITOR, PASSPHRASE))
    assert [(p.where, p.message) for p in report.problems] == [(f"{label} {made}", "与审计日志不符（目录被改动）")]
    with office.raw_catalogue() as conn:
        conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (made,))
    with office.open() as archive:
        report = verify_archive(archive, login(archive, AUDITOR, PASSPHRASE))
    assert [p.where for p in report.problems] == [f"{label} {made}"]
    assert "被删除" in report.problems[0].message
    with pytest.raises(sqlite3.IntegrityError):
        with office.raw_catalogue() as conn:
            conn.execute("INSERT INTO appraisals (appraisal_id, record_id, decision, old_retention, decided_by, "
                         "decided_at) VALUES ('JD-x', ?, 'burn', 'D10', 'x', 'x')", (record,))
