"""Destruction: proposed, approved, witnessed, executed by cryptographic erase - and provably gone.

Two 内部 records of XF-2026-0002, formed in 2000 with 定期10年, are long due. After execution a raw
byte scan of the whole archive folder (catalogue, WAL, record files, index files) finds neither
their plaintext, nor their ciphertext, nor their wrapped keys, nor the case's parties.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
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
    Session,
    add_records,
    login,
    parse_kind,
    read_record,
    verify_archive,
)
from archive.cases import CaseRegistration, ReportedPerson, open_case, register_case
from archive.destruction import (
    Batch,
    approve_batch,
    execute_batch,
    find_batch,
    propose_batch,
    reject_batch,
    witness_batch,
)
from archive.destruction_register import read_register
from archive.docx_redaction import docx_paragraphs
from archive.holds import place_hold, release_hold
from archive.records import list_records
from generators.reporting import render_destruction_register
from search.indexing import index_queued
from search.searching import search_archive
from tests.conftest import PASSPHRASE, Office

LEADER, CLERK, ARCHIVIST, AUDITOR, INVESTIGATOR = "吴领导", "王文秘", "孙档案", "钱审计", "周调查"
TEXTS = ("旧案材料一：反映东胜村会计挪用救灾款八万元。", "旧案材料二：东胜村账目复印件，经手人刘满仓。")
REPORTED = "贺兰山雪"


@pytest.fixture
def due(bare_office: Office, tmp_path: Path) -> tuple[Office, list[str], str]:
    """An office with one 内部 case of two long-due records, indexed."""
    with bare_office.open() as archive:
        clerk = login(archive, CLERK, PASSPHRASE)
        case_id = register_case(archive, clerk, CaseRegistration(
            channel="来信", received=date(2000, 3, 1), category="检举", importance="一般",
            classification=Level.INTERNAL, summary="反映东胜村会计挪用救灾款", real_name=False,
            reported=[ReportedPerson(REPORTED, unit="东胜村委会")],
        ), today=date(2026, 11, 28)).case_id
        ids = []
        for number, text in enumerate(TEXTS):
            source = tmp_path / f"{number}.txt"
            source.write_text(text, encoding="utf-8")
            (info,) = add_records(archive, clerk, [source], case_id=case_id, title=f"旧案材料{number + 1}",
                                  kind=parse_kind("letter"), classification=Level.INTERNAL,
                                  retention=Retention.TEN_YEARS, formed=date(2000, 3, 1))
            ids.append(info.record_id)
        index_queued(archive, clerk)
    return bare_office, ids, case_id


def execute(archive: Archive, archivist: Session, batch_id: str) -> Batch:
    """Execute as ``destroy execute`` does: the 清册 rendered by the generators, then the index purged."""
    done = execute_batch(archive, archivist, batch_id, render_destruction_register(archive, archivist))
    index_queued(archive, archivist)
    return done


def approved(office: Office, ids: list[str]) -> str:
    with office.open() as archive:
        batch = propose_batch(archive, login(archive, ARCHIVIST, PASSPHRASE), ids, note="2010年到期")
        approve_batch(archive, login(archive, LEADER, PASSPHRASE), batch.batch_id)
    return batch.batch_id


def test_the_whole_cycle_leaves_tombstones_and_nothing_readable(due: tuple[Office, list[str], str],
                                                                 tmp_path: Path) -> None:
    office, ids, case_id = due
    before: dict[str, bytes] = {}
    with office.raw_catalogue() as conn:
        for record_id in ids:
            (wrapped,) = conn.execute("SELECT wrapped_key FROM records WHERE record_id = ?", (record_id,)).fetchone()
            before[f"wrapped key of {record_id}"] = bytes(wrapped)
        (parties,) = conn.execute("SELECT sealed_parties FROM cases WHERE case_id = ?", (case_id,)).fetchone()
        before["sealed parties"] = bytes(parties)
    with office.open() as archive:
        for record_id in ids:
            before[f"ciphertext of {record_id}"] = archive.record_path(record_id).read_bytes()[40:104]
    batch_id = approved(office, ids)
    scan = tmp_path / "签名.pdf"
    scan.write_bytes(b"%PDF-1.4 signature of the witness from the secrecy office")
    with office.open() as archive:
        archivist = login(archive, ARCHIVIST, PASSPHRASE)
        with pytest.raises(Refused, match="至少 2 名监销人"):
            execute(archive, archivist, batch_id)
        witness_batch(archive, login(archive, CLERK, PASSPHRASE), batch_id)
        witness_batch(archive, archivist, batch_id, external="刘保密", unit="旗保密办", scan=scan)
        done = execute(archive, archivist, batch_id)
        assert done.state == "executed" and done.done == ids and "xinfang 审计检查点" in (done.checkpoint or "")
        leader = login(archive, LEADER, PASSPHRASE)
        for record_id in ids:
            with pytest.raises(Refused, match=f"随销毁批次 {batch_id} 以密码擦除方式销毁"):
                read_record(archive, leader, record_id)
            assert not archive.record_path(record_id).exists()
        erased = open_case(archive, leader, case_id)
        assert (erased.parties["reported"], erased.parties["petitioners"]) == ([], [])
        assert index_queued(archive, leader).purged == []  # execute purged them already, as the command does
        assert search_archive(archive, leader, "救灾款").count == 0
        report = verify_archive(archive, login(archive, AUDITOR, PASSPHRASE))
        assert report.ok, report.problems
        (check,) = report.destructions
        assert (check.batch_id, check.items, check.approver, check.register_filed, check.ok) == (
            batch_id, 2, LEADER, True, True)
        assert check.witnesses == sorted([CLERK, "刘保密"])
        archive.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    needles = {**before, **{f"text {t[:6]}": t.encode() for t in TEXTS}, "reported": REPORTED.encode()}
    found = [f"{what} in {path.relative_to(office.path)}" for path in office.path.rglob("*") if path.is_file()
             for what, needle in needles.items() if needle in path.read_bytes()]
    assert found == []


def test_the_register_lists_what_was_destroyed_and_is_kept_for_good(due: tuple[Office, list[str], str],
                                                                    tmp_path: Path) -> None:
    office, ids, _ = due
    batch_id = approved(office, ids)
    with office.open() as archive:
        archivist = login(archive, ARCHIVIST, PASSPHRASE)
        witness_batch(archive, login(archive, CLERK, PASSPHRASE), batch_id)
        witness_batch(archive, login(archive, "郑秘书", PASSPHRASE), batch_id)
        done = execute(archive, archivist, batch_id)
        leader = login(archive, LEADER, PASSPHRASE)
        register = read_register(archive, leader, done)
        assert [(i.record_id, i.title, i.year, i.retention) for i in register.items] == [
            (ids[0], "旧案材料1", 2000, "D10"), (ids[1], "旧案材料2", 2000, "D10")]
        info, content = read_record(archive, leader, done.register_record or "")
        assert (info.case_id, info.kind, info.retention, info.classification) == (
            batch_id, "destruction-register", "Y", "内部")
        text = "".join(docx_paragraphs(content))
        for needle in ("档案销毁清册", batch_id, "旧案材料1", "旧案材料2", "密码擦除", LEADER, CLERK, "郑秘书", "根哈希"):
            assert needle in text, needle
        assert [r.record_id for r in list_records(archive, leader, batch_id)] == [done.register_record]
        for outsider in (INVESTIGATOR, CLERK):  # the batch's file is the archivists' and leaders'
            with pytest.raises(NotFound):
                read_record(archive, login(archive, outsider, PASSPHRASE), done.register_record or "")
        with pytest.raises(PermissionDenied):
            read_register(archive, login(archive, AUDITOR, PASSPHRASE), done)


def test_who_may_do_each_step(due: tuple[Office, list[str], str]) -> None:
    office, ids, _ = due
    with office.open() as archive:
        clerk, leader = login(archive, CLERK, PASSPHRASE), login(archive, LEADER, PASSPHRASE)
        with pytest.raises(PermissionDenied):
            propose_batch(archive, clerk, ids)
        batch = propose_batch(archive, login(archive, ARCHIVIST, PASSPHRASE), ids)
        with pytest.raises(PermissionDenied):
            approve_batch(archive, clerk, batch.batch_id)
        with pytest.raises(Refused, match="须先经批准"):
            witness_batch(archive, clerk, batch.batch_id)
        with pytest.raises(Refused, match="已在销毁批次"):
            propose_batch(archive, login(archive, ARCHIVIST, PASSPHRASE), ids[:1])
        approve_batch(archive, leader, batch.batch_id)
        with pytest.raises(Refused, match="提出人或批准人"):
            witness_batch(archive, leader, batch.batch_id)
        witness_batch(archive, clerk, batch.batch_id)
        with pytest.raises(Refused, match="已登记为本批次的监销人"):
            witness_batch(archive, clerk, batch.batch_id)
        with pytest.raises(InvalidInput, match="签名扫描件"):
            witness_batch(archive, login(archive, ARCHIVIST, PASSPHRASE), batch.batch_id, external="刘保密", unit="保密办")
        with pytest.raises(PermissionDenied):
            find_batch(archive, login(archive, INVESTIGATOR, PASSPHRASE), batch.batch_id)


def test_a_rejected_batch_frees_its_items(due: tuple[Office, list[str], str]) -> None:
    office, ids, _ = due
    with office.open() as archive:
        archivist, leader = login(archive, ARCHIVIST, PASSPHRASE), login(archive, LEADER, PASSPHRASE)
        batch = propose_batch(archive, archivist, ids)
        assert reject_batch(archive, leader, batch.batch_id, reason="须再鉴定").state == "rejected"
        assert propose_batch(archive, archivist, ids).state == "proposed"


def test_a_hold_blocks_proposal_and_execution(due: tuple[Office, list[str], str]) -> None:
    office, ids, case_id = due
    with office.open() as archive:
        archivist, leader = login(archive, ARCHIVIST, PASSPHRASE), login(archive, LEADER, PASSPHRASE)
        hold = place_hold(archive, leader, record_id=ids[0], reason="复查需要")
        with pytest.raises(Refused, match=f"保全中（{hold.hold_id}）"):
            propose_batch(archive, archivist, ids)
        release_hold(archive, leader, hold.hold_id)
    batch_id = approved(office, ids)
    with office.open() as archive:
        archivist, leader = login(archive, ARCHIVIST, PASSPHRASE), login(archive, LEADER, PASSPHRASE)
        witness_batch(archive, login(archive, CLERK, PASSPHRASE), batch_id)
        witness_batch(archive, login(archive, "郑秘书", PASSPHRASE), batch_id)
        late = place_hold(archive, leader, case_id=case_id, reason="纪律审查调卷")
        with pytest.raises(Refused, match=f"被保全.*{late.hold_id}"):
            execute(archive, archivist, batch_id)
        assert all(archive.record_path(r).exists() for r in ids)


def _end_state(office: Office, batch_id: str) -> tuple[object, ...]:
    """What an execution leaves, without times: the batch, every record row's fate, the files, the 清册's lines."""
    with office.open() as archive:
        archivist = login(archive, ARCHIVIST, PASSPHRASE)
        batch = find_batch(archive, archivist, batch_id)
        rows = archive.conn.execute(
            "SELECT record_id, case_id, kind, destroyed_batch, length(wrapped_key) FROM records ORDER BY record_id"
        ).fetchall()
        cases = archive.conn.execute("SELECT case_id, erased_batch, length(wrapped_key) FROM cases").fetchall()
        files = sorted(p.name for p in (office.path / "records").rglob("*") if p.is_file())
        register = read_register(archive, archivist, batch).items
        report = verify_archive(archive, login(archive, AUDITOR, PASSPHRASE))
    return (batch.state, batch.items, batch.done, [w.name for w in batch.witnesses], batch.register_record,
            bool(batch.checkpoint), rows, cases, files, register, report.ok, report.warnings)


def _witnessed(office: Office, ids: list[str]) -> str:
    batch_id = approved(office, ids)
    with office.open() as archive:
        witness_batch(archive, login(archive, CLERK, PASSPHRASE), batch_id)
        witness_batch(archive, login(archive, "郑秘书", PASSPHRASE), batch_id)
    return batch_id


@pytest.mark.parametrize(("step", "call"), [
    ("_destroy_item", 1), ("_destroy_item", 2), ("_sign_checkpoint", 1), ("render", 1),
], ids=["before the first item", "between the items", "before the checkpoint", "before the register is filed"])
def test_an_interrupted_execution_ends_as_an_uninterrupted_one(due: tuple[Office, list[str], str], tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch, step: str,
                                                               call: int) -> None:
    import archive.destruction as destruction

    office, ids, _ = due
    batch_id = _witnessed(office, ids)
    reference = Office(tmp_path / "reference")
    shutil.copytree(office.path, reference.path)
    with reference.open() as archive:
        execute(archive, login(archive, ARCHIVIST, PASSPHRASE), batch_id)

    calls = []

    def dies(real: Callable[..., object]) -> Callable[..., object]:
        def wrapper(*args: object) -> object:
            calls.append(args)
            if len(calls) == call:
                raise KeyboardInterrupt  # the process dies here
            return real(*args)
        return wrapper

    with office.open() as archive:
        archivist = login(archive, ARCHIVIST, PASSPHRASE)
        render = render_destruction_register(archive, archivist)
        if step == "render":
            render = dies(render)  # type: ignore[assignment]
        else:
            monkeypatch.setattr(destruction, step, dies(getattr(destruction, step)))
        with pytest.raises(KeyboardInterrupt):
            execute_batch(archive, archivist, batch_id, render)
        monkeypatch.undo()
        interrupted = verify_archive(archive, login(archive, AUDITOR, PASSPHRASE))
        assert interrupted.ok and interrupted.warnings  # it says which step is left
        execute(archive, archivist, batch_id)
        with pytest.raises(Refused, match="执行完毕"):
            execute(archive, archivist, batch_id)
    assert _end_state(office, batch_id) == _end_state(reference, batch_id)


def test_a_tombstone_without_a_proper_batch_is_reported(due: tuple[Office, list[str], str]) -> None:
    office, ids, _ = due
    with office.raw_catalogue() as conn:  # someone marks a record destroyed by hand
        conn.execute("UPDATE records SET destroyed_batch = 'XH-2026-9999' WHERE record_id = ?", (ids[0],))
    with office.open() as archive:
        report = verify_archive(archive, login(archive, AUDITOR, PASSPHRASE))
    assert any("XH-2026-9999 不存在或未执行" in p.message for p in report.problems)


def test_an_edited_batch_no_longer_matches_the_log(due: tuple[Office, list[str], str]) -> None:
    office, ids, _ = due
    batch_id = approved(office, ids)
    with office.raw_catalogue() as conn:  # someone swaps the approver by hand
        conn.execute("UPDATE destruction_batches SET approved_by = '郑秘书' WHERE batch_id = ?", (batch_id,))
    with office.open() as archive:
        report = verify_archive(archive, login(archive, AUDITOR, PASSPHRASE))
    assert [p.where for p in report.problems] == [f"销毁批次 {batch_id}"]
