"""Reclassification (定密变更, 解密): who may, what moves with the record, and what is refused.

The filed office has one record per level from 内部 to 绝密 in the 内部 case XF-2026-0001.
郑秘书's clearance is lowered to 内部 first: she is the user a level change must show the
record to, or hide it from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from archive import (
    Archive,
    InvalidInput,
    Level,
    NotFound,
    PermissionDenied,
    Refused,
    Retention,
    add_records,
    login,
    parse_kind,
    read_record,
    set_clearance,
    verify_archive,
)
from archive.auditing import list_log_entries
from archive.cases import CaseRegistration, register_case
from archive.destruction import approve_batch, execute_batch, propose_batch, witness_batch
from archive.index_queue import queued_records
from archive.reclassify import reclassify_record
from generators.reporting import render_destruction_register
from search.indexing import index_queued
from search.searching import search_archive
from tests.conftest import OFFICER, PASSPHRASE, SECRET_TEXT, Office

LEADER, CLERK, ARCHIVIST, INVESTIGATOR, INTERNAL_CLERK = "吴领导", "王文秘", "孙档案", "周调查", "郑秘书"
REASON = "已在全区通报中公开，解密"


@dataclass
class Desk:
    """The filed office, open, with 郑秘书 cleared for 内部 only."""

    office: Office
    archive: Archive

    def session(self, name: str):
        return login(self.archive, name, PASSPHRASE)

    def record(self, level: Level) -> str:
        return self.office.records[level]

    def finds(self, name: str, record_id: str) -> int:
        """How many times ``name`` finds the record by a phrase of its text (0, or 1: never twice)."""
        found = search_archive(self.archive, self.session(name), '"反映镇长挪用扶贫专项资金"', limit=100)
        return [hit["record_id"] for hit in found.results].count(record_id)


@pytest.fixture
def desk(filed_office: Office) -> Iterator[Desk]:
    with filed_office.open() as archive:
        set_clearance(archive, login(archive, OFFICER, PASSPHRASE), INTERNAL_CLERK, Level.INTERNAL)
        yield Desk(filed_office, archive)


def test_lowering_re_wraps_the_key_so_the_lower_level_reads_the_same_content(desk: Desk) -> None:
    record_id = desk.record(Level.CONFIDENTIAL)
    path = desk.archive.record_path(record_id)
    before = path.read_bytes()
    with pytest.raises(NotFound):
        read_record(desk.archive, desk.session(INTERNAL_CLERK), record_id)

    change = reclassify_record(desk.archive, desk.session(OFFICER), record_id, to=Level.INTERNAL, reason=REASON)

    assert re.fullmatch(rf"DM-{date.today().year}-0001", change.reclassification_id)
    assert (change.record_id, change.from_level, change.to_level, change.decided_by) == (record_id, "机密", "内部", OFFICER)
    info, content = read_record(desk.archive, desk.session(INTERNAL_CLERK), record_id)
    assert info.classification == "内部" and SECRET_TEXT in content.decode()
    assert path.read_bytes() == before  # the content is not re-encrypted: only the key moved
    report = verify_archive(desk.archive, desk.session(LEADER))
    assert report.ok, report.problems


def test_raising_hides_the_record_from_the_level_it_left(desk: Desk) -> None:
    record_id = desk.record(Level.INTERNAL)
    reclassify_record(desk.archive, desk.session(LEADER), record_id, to=Level.CONFIDENTIAL, reason="涉及在查案件")
    with pytest.raises(NotFound, match=f"记录 {record_id} 不存在，或您无权查看"):
        read_record(desk.archive, desk.session(INTERNAL_CLERK), record_id)
    assert read_record(desk.archive, desk.session(CLERK), record_id)[0].classification == "机密"


def test_the_reason_is_sealed_and_the_act_audited(desk: Desk) -> None:
    record_id = desk.record(Level.SECRET)
    change = reclassify_record(desk.archive, desk.session(OFFICER), record_id, to=Level.INTERNAL, reason=REASON)
    catalogue = b"".join(p.read_bytes() for p in desk.office.path.glob("catalogue.sqlite*"))
    assert REASON.encode() not in catalogue
    seq, body = desk.archive.conn.execute(
        "SELECT seq, body FROM audit_entries WHERE json_extract(body, '$.action') = 'record.reclassify'"
    ).fetchone()
    assert change.reclassification_id in body and '"from":"秘密"' in body and '"to":"内部"' in body
    entry = next(e for e in list_log_entries(desk.archive, desk.session(OFFICER)) if e.seq == seq)
    assert entry.details == {"reason": REASON} and entry.objects == [change.reclassification_id, record_id]


def test_an_edited_level_or_history_row_no_longer_matches_the_log(desk: Desk) -> None:
    record_id = desk.record(Level.SECRET)
    change = reclassify_record(desk.archive, desk.session(OFFICER), record_id, to=Level.INTERNAL, reason=REASON)
    with desk.office.raw_catalogue() as conn:
        conn.execute("UPDATE reclassifications SET from_level = 4 WHERE reclassification_id = ?",
                     (change.reclassification_id,))
    problems = {p.where for p in verify_archive(desk.archive, desk.session(LEADER)).problems}
    assert problems == {f"密级变更 {change.reclassification_id}"}


@pytest.mark.parametrize("name", [CLERK, ARCHIVIST, INVESTIGATOR, "钱审计"])
def test_only_the_security_officer_or_a_leader_reclassifies(desk: Desk, name: str) -> None:
    with pytest.raises(PermissionDenied, match="安全保密管理员、领导"):
        reclassify_record(desk.archive, desk.session(name), desk.record(Level.SECRET), to=Level.INTERNAL,
                          reason=REASON)


def test_both_levels_must_be_held_and_a_hidden_record_answers_as_a_missing_one(desk: Desk) -> None:
    set_clearance(desk.archive, desk.session(OFFICER), LEADER, Level.SECRET)
    leader = desk.session(LEADER)
    with pytest.raises(PermissionDenied, match="不含机密"):
        reclassify_record(desk.archive, leader, desk.record(Level.SECRET), to=Level.CONFIDENTIAL, reason=REASON)
    hidden, missing = desk.record(Level.CONFIDENTIAL), "R-2026-999999"
    messages = []
    for record_id in (hidden, missing):
        with pytest.raises(NotFound) as refused:
            reclassify_record(desk.archive, leader, record_id, to=Level.INTERNAL, reason=REASON)
        messages.append(str(refused.value).replace(record_id, "ID"))
    assert messages[0] == messages[1]


def test_the_same_level_and_an_empty_reason_are_refused(desk: Desk) -> None:
    officer = desk.session(OFFICER)
    with pytest.raises(Refused, match="已是秘密"):
        reclassify_record(desk.archive, officer, desk.record(Level.SECRET), to=Level.SECRET, reason=REASON)
    with pytest.raises(InvalidInput, match="变更理由"):
        reclassify_record(desk.archive, officer, desk.record(Level.SECRET), to=Level.INTERNAL, reason="  ")


def test_a_raised_record_leaves_the_old_index_even_when_its_own_indexing_was_interrupted(desk: Desk) -> None:
    officer = desk.session(OFFICER)
    index_queued(desk.archive, officer)
    record_id = desk.record(Level.INTERNAL)
    assert desk.finds(INTERNAL_CLERK, record_id) == 1
    reclassify_record(desk.archive, officer, record_id, to=Level.CONFIDENTIAL, reason="涉及在查案件")
    # The officer's indexing never ran (a crash); the 内部 clerk's next indexing purges the old entry,
    # though only someone cleared for 机密 can index the record where it now belongs.
    index_queued(desk.archive, desk.session(INTERNAL_CLERK))
    assert desk.finds(INTERNAL_CLERK, record_id) == 0
    assert [q.record_id for q in queued_records(desk.archive.conn)] == [record_id]
    index_queued(desk.archive, desk.session(CLERK))
    assert desk.finds(CLERK, record_id) == 1 and not queued_records(desk.archive.conn)


def test_a_lowered_record_is_found_once_wherever_it_is_indexed_first(desk: Desk) -> None:
    index_queued(desk.archive, desk.session(OFFICER))
    record_id = desk.record(Level.CONFIDENTIAL)
    reclassify_record(desk.archive, desk.session(OFFICER), record_id, to=Level.INTERNAL, reason=REASON)
    index_queued(desk.archive, desk.session(INTERNAL_CLERK))  # cannot reach the 机密 index: the record stays queued
    assert desk.finds(INTERNAL_CLERK, record_id) == 1
    assert [q.record_id for q in queued_records(desk.archive.conn)] == [record_id]
    index_queued(desk.archive, desk.session(CLERK))
    assert desk.finds(CLERK, record_id) == 1 and not queued_records(desk.archive.conn)


def test_destroyed_records_and_records_in_an_open_batch_are_refused(bare_office: Office, tmp_path: Path) -> None:
    with bare_office.open() as archive:
        clerk = login(archive, CLERK, PASSPHRASE)
        case_id = register_case(archive, clerk, CaseRegistration(
            channel="来信", received=date(2000, 3, 1), category="检举", importance="一般",
            classification=Level.INTERNAL, summary="反映某村会计挪用救灾款", real_name=False,
        ), today=date(2026, 11, 28)).case_id
        ids = []
        for number in range(2):
            source = tmp_path / f"{number}.txt"
            source.write_text(f"旧案材料{number}", encoding="utf-8")
            (info,) = add_records(archive, clerk, [source], case_id=case_id, title=f"旧案材料{number}",
                                  kind=parse_kind("letter"), classification=Level.INTERNAL,
                                  retention=Retention.TEN_YEARS, formed=date(2000, 3, 1))
            ids.append(info.record_id)
        archivist, leader = login(archive, ARCHIVIST, PASSPHRASE), login(archive, LEADER, PASSPHRASE)
        destroyed = propose_batch(archive, archivist, ids[:1]).batch_id
        approve_batch(archive, leader, destroyed)
        witness_batch(archive, clerk, destroyed)
        witness_batch(archive, login(archive, INTERNAL_CLERK, PASSPHRASE), destroyed)
        execute_batch(archive, archivist, destroyed, render_destruction_register(archive, archivist))
        open_batch = propose_batch(archive, archivist, ids[1:]).batch_id
        officer = login(archive, OFFICER, PASSPHRASE)
        with pytest.raises(Refused, match=f"已.*随销毁批次 {destroyed} .*销毁"):
            reclassify_record(archive, officer, ids[0], to=Level.SECRET, reason=REASON)
        with pytest.raises(Refused, match=f"已列入销毁批次 {open_batch}"):
            reclassify_record(archive, officer, ids[1], to=Level.SECRET, reason=REASON)
