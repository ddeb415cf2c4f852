"""Key rotation: a new version of each level key, everything moved to it, the old one gone.

The office has one record per level in XF-2026-0001, indexed, and everything else sealed
under a level key: a search (its query sealed under the secretary's 机密 key), an
investigator's request denied by the leader (秘密), a destruction batch proposed with a
note (机密) and rejected with a reason (绝密), and an executed batch whose 清册 list is
sealed (内部).  After a rotation every cleared user sees exactly what they saw before, both
verifications pass, and a raw scan of the catalogue and its WAL finds none of the old
ciphertexts; interrupted anywhere, everything stays readable and a rerun finishes.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from archive import (
    Archive,
    IntegrityError,
    Level,
    PermissionDenied,
    Refused,
    Retention,
    Role,
    Session,
    add_account,
    add_records,
    disable_account,
    login,
    parse_kind,
    read_record,
    set_clearance,
    verify_archive,
)
from archive import rotation as rotation_module
from archive.access import deny_request, list_requests, request_access
from archive.audit import read_sealed_details
from archive.auditing import verify_audit
from archive.cases import open_case
from archive.destruction import approve_batch, execute_batch, find_batch, propose_batch, reject_batch, witness_batch
from archive.destruction_register import read_register
from archive.keyring import LevelKey, unwrap_level_keys
from archive.keyslots import read_keyslot
from archive.records import list_records, unwrap_record_key
from archive.recovery import make_recovery_sheets
from archive.rotation import Rotation, rotate_level_keys
from search.indexing import index_queued, reindex
from search.searching import search_archive
from tests.conftest import ADMIN, CASES, KDF, OFFICER, PASSPHRASE, Office

LEADER, CLERK, ARCHIVIST, INVESTIGATOR, JUNIOR = "吴领导", "王文秘", "孙档案", "周调查", "郑秘书"
READERS = (CLERK, ARCHIVIST, LEADER, JUNIOR, OFFICER)
"""Cleared accounts whose role lets them read content."""

# Every ciphertext sealed under a level key (or wrapping one), as (table, column, which rows).
SEALED_UNDER_LEVEL_KEYS = (
    ("records", "wrapped_key", "1"),
    ("cases", "wrapped_key", "1"),
    ("level_key_grants", "wrapped", "1"),
    ("access_requests", "sealed_reason", "1"),
    ("access_requests", "sealed_denial", "1"),
    ("destruction_batches", "sealed_note", "1"),
    ("destruction_batches", "sealed_rejection", "1"),
    ("destruction_registers", "sealed_items", "1"),
    ("audit_entries", "sealed_details", "body LIKE '%\"action\":\"search\"%'"),  # others: under record and case keys
)


@pytest.fixture
def busy_office(filed_office: Office, tmp_path: Path) -> Office:
    """:func:`filed_office`, indexed, searched, with a denied request and two destruction batches."""
    with filed_office.open() as archive:
        leader, clerk, archivist = (login(archive, name, PASSPHRASE) for name in (LEADER, CLERK, ARCHIVIST))
        index_queued(archive, leader)
        search_archive(archive, clerk, "挪用")
        request = request_access(archive, login(archive, INVESTIGATOR, PASSPHRASE), "XF-2026-0002",
                                 reason="核查举报人张秀兰反映的问题")
        deny_request(archive, leader, request.request_id, reason="与本案无关")
        old = []
        for number in range(2):
            source = tmp_path / f"旧{number}.txt"
            source.write_text(f"旧案材料{number}：东胜村账目", encoding="utf-8")
            (info,) = add_records(archive, clerk, [source], case_id="XF-2026-0002", title=f"旧案材料{number}",
                                  kind=parse_kind("letter"), classification=Level.INTERNAL,
                                  retention=Retention.TEN_YEARS, formed=date(2000, 3, 1))
            old.append(info.record_id)
        rejected = propose_batch(archive, archivist, [old[0]], note="刘满仓经手的旧账")
        reject_batch(archive, leader, rejected.batch_id, reason="刘满仓案尚在复查")
        executed = propose_batch(archive, archivist, [old[1]], note="到期")
        approve_batch(archive, leader, executed.batch_id)
        for witness in (CLERK, JUNIOR):
            witness_batch(archive, login(archive, witness, PASSPHRASE), executed.batch_id)
        execute_batch(archive, archivist, executed.batch_id, lambda register: b"PK\x03\x04 a register")
        index_queued(archive, leader)
    return filed_office


def rotate(archive: Archive, session: Session, levels: list[Level] | None = None) -> Rotation:
    return rotate_level_keys(archive, session, levels, rebuild_index=lambda rotated, level: reindex(
        archive, rotated, [level]))


def what_everyone_sees(office: Office) -> dict[str, Any]:
    """Per reader: every record (title and content), the cases' parties, the search hits, request texts, 清册 lists."""
    seen: dict[str, Any] = {}
    with office.open() as archive:
        for name in READERS:
            session = login(archive, name, PASSPHRASE)
            records = {info.record_id: (info.title, read_record(archive, session, info.record_id)[1])
                       for info in list_records(archive, session)}
            cases = {case_id: open_case(archive, session, case_id).parties for case_id in CASES[:2]}
            hits = [hit["record_id"] for hit in search_archive(archive, session, "挪用").results]
            seen[name] = (records, cases, hits)
        leader = login(archive, LEADER, PASSPHRASE)
        seen["requests"] = [(r.reason, r.denial) for r in list_requests(archive, leader)]
        batches = [row[0] for row in archive.conn.execute("SELECT batch_id FROM destruction_registers")]
        seen["registers"] = [read_register(archive, leader, find_batch(archive, leader, b)).items for b in batches]
    assert all(seen[name][0] for name in READERS) and seen["requests"][0][1] == "与本案无关"
    return seen


def sealed_now(office: Office) -> set[bytes]:
    with office.raw_catalogue() as conn:
        return {bytes(value) for table, column, rows in SEALED_UNDER_LEVEL_KEYS
                for (value,) in conn.execute(f"SELECT {column} FROM {table} WHERE length({column}) > 0 AND {rows}")}


def catalogue_bytes(archive: Archive) -> bytes:
    """The catalogue and its write-ahead log as they lie on disk, read while the archive is open."""
    wal = archive.root / "catalogue.sqlite-wal"
    return (archive.root / "catalogue.sqlite").read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def check_verifies(office: Office, *, rotation_warning: bool) -> None:
    with office.open() as archive:
        report = verify_archive(archive, login(archive, LEADER, PASSPHRASE))
        assert report.ok, report.problems
        assert report.records_decrypted == report.records_checked - report.records_destroyed
        assert any("待轮换" in warning for warning in report.warnings) == rotation_warning, report.warnings
        audit = verify_audit(archive)
        assert audit.ok, audit.archive.problems


def test_after_a_rotation_everyone_sees_the_same_and_no_old_ciphertext_is_left(busy_office: Office) -> None:
    before = what_everyone_sees(busy_office)
    old = sealed_now(busy_office)
    with busy_office.open() as archive:
        done = rotate(archive, login(archive, OFFICER, PASSPHRASE))
        on_disk = catalogue_bytes(archive)
    assert [(r.level, r.version, r.resumed) for r in done.levels] == [(level, 2, False) for level in Level]
    # 内部: the filed record, the rejected batch's item and the filed 清册 (the destroyed item's tombstone has no
    # key left), the three cases, the 清册's list.  A search's query goes with the searcher's highest level.
    assert {r.level: {column: n for column, n in r.moved.items() if n} for r in done.levels} == {
        Level.PUBLIC: {},
        Level.INTERNAL: {"records": 3, "cases": 3, "registers": 1},
        Level.SECRET: {"records": 1, "requests": 1, "search_details": 1},
        Level.CONFIDENTIAL: {"records": 1, "batches": 2, "search_details": 3},
        Level.TOP_SECRET: {"records": 1, "batches": 1, "search_details": 2},
    }
    assert done.wal_truncated and done.still_due == () and done.outdated_recovery is None
    assert what_everyone_sees(busy_office) == before
    check_verifies(busy_office, rotation_warning=False)
    leftovers = [value for value in old if value in on_disk]
    assert not leftovers, f"{len(leftovers)} old ciphertexts still in the catalogue or its WAL"
    with busy_office.raw_catalogue() as conn:
        assert conn.execute("SELECT DISTINCT version FROM level_key_grants").fetchall() == [(2,)]
        assert conn.execute("SELECT COUNT(*) FROM level_keys WHERE rotation_due IS NOT NULL").fetchone() == (0,)
        assert conn.execute("SELECT DISTINCT key_version FROM search_indexes").fetchall() == [(2,)]
        (seq,) = conn.execute("SELECT seq FROM audit_entries WHERE body LIKE '%\"action\":\"search\"%'").fetchone()
    with busy_office.open() as archive:
        clerk = login(archive, CLERK, PASSPHRASE)
        assert read_sealed_details(archive.conn, seq, clerk.level_keys[Level.CONFIDENTIAL].key)["query"] == "挪用"


def test_a_disabled_users_old_keyslot_opens_no_current_key(busy_office: Office, tmp_path: Path) -> None:
    with busy_office.open() as archive:
        junior = login(archive, JUNIOR, PASSPHRASE)
        kept_slot = tmp_path / "郑秘书.slot.json"
        shutil.copy(archive.slot_path(junior.account.account_id), kept_slot)
        kept_keys = dict(junior.level_keys)  # whatever the person may have written down
        assert disable_account(archive, login(archive, ADMIN, PASSPHRASE), JUNIOR) == list(Level.SECRET.up_to())
    check_verifies(busy_office, rotation_warning=True)
    with busy_office.open() as archive:
        done = rotate(archive, login(archive, OFFICER, PASSPHRASE), [Level.INTERNAL, Level.SECRET])
        assert [r.level for r in done.levels] == [Level.INTERNAL, Level.SECRET]
        assert done.still_due == (Level.PUBLIC,)  # flagged too, and not asked for
        box_private = read_keyslot(kept_slot).unlock(PASSPHRASE).box_private
        assert unwrap_level_keys(archive.conn, archive.config.archive_id, junior.account.account_id, box_private) == {}
        for level in (Level.INTERNAL, Level.SECRET):
            rows = archive.conn.execute("SELECT record_id, wrapped_key FROM records WHERE level = ? AND "
                                        "length(wrapped_key) > 0", (level.value,)).fetchall()
            assert rows
            for record_id, wrapped in rows:
                for version in (1, 2):
                    with pytest.raises(IntegrityError):
                        unwrap_record_key(LevelKey(level, version, kept_keys[level].key), record_id, wrapped)
    check_verifies(busy_office, rotation_warning=True)  # 公开 is still due


def test_only_the_security_officer_rotates_and_only_levels_held(busy_office: Office) -> None:
    with busy_office.open() as archive:
        for name in (LEADER, ADMIN):
            with pytest.raises(PermissionDenied, match="安全保密管理员"):
                rotate(archive, login(archive, name, PASSPHRASE))
        officer = login(archive, OFFICER, PASSPHRASE)
        lesser = Session(officer.account, officer.keys, {Level.INTERNAL: officer.level_keys[Level.INTERNAL]})
        with pytest.raises(PermissionDenied, match="不持有秘密级密钥"):
            rotate(archive, lesser, [Level.SECRET])


def test_a_rotation_makes_the_latest_recovery_sheets_outdated(busy_office: Office, tmp_path: Path) -> None:
    with busy_office.open() as archive:
        officer = login(archive, OFFICER, PASSPHRASE)
        make_recovery_sheets(archive, officer, shares=2, threshold=2, out=tmp_path / "恢复单")
        assert rotate(archive, officer, [Level.TOP_SECRET]).outdated_recovery == (1, (Level.TOP_SECRET,))


@contextmanager
def interrupted(monkeypatch: pytest.MonkeyPatch, step: str) -> Iterator[None]:
    """Make the rotation stop at ``step`` as a Ctrl-C would; moving one object per transaction."""
    monkeypatch.setattr(rotation_module, "BATCH", 1)
    if step == "moving records":
        calls = {"n": 0}
        older = LevelKey.older

        def stop_at_the_third(self: LevelKey, version: int) -> LevelKey:
            calls["n"] += 1
            if calls["n"] == 3:
                raise KeyboardInterrupt
            return older(self, version)

        monkeypatch.setattr(LevelKey, "older", stop_at_the_third)
    elif step == "finishing":
        monkeypatch.setattr(rotation_module, "_finish", lambda *args: (_ for _ in ()).throw(KeyboardInterrupt()))
    yield
    monkeypatch.undo()


@pytest.mark.parametrize("step", ["moving records", "rebuilding the index", "finishing"])
def test_an_interrupted_rotation_stays_readable_and_a_rerun_finishes_it(
    busy_office: Office, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, step: str
) -> None:
    before = what_everyone_sees(busy_office)
    with busy_office.open() as archive, interrupted(monkeypatch, step), pytest.raises(KeyboardInterrupt):
        officer = login(archive, OFFICER, PASSPHRASE)

        def rebuild(rotated: Session, level: Level) -> None:
            if step == "rebuilding the index" and level == Level.SECRET:
                raise KeyboardInterrupt
            reindex(archive, rotated, [level])

        rotate_level_keys(archive, officer, rebuild_index=rebuild)
    assert what_everyone_sees(busy_office) == before
    check_verifies(busy_office, rotation_warning=True)
    source = tmp_path / "新.txt"
    source.write_text("轮换中途归入的来信：反映挪用问题", encoding="utf-8")
    with busy_office.open() as archive:  # filed meanwhile: under the new version, readable at once
        clerk = login(archive, CLERK, PASSPHRASE)
        (new,) = add_records(archive, clerk, [source], case_id="XF-2026-0001", title="中途来信",
                             kind=parse_kind("letter"), classification=Level.SECRET)
        index_queued(archive, clerk)
        assert read_record(archive, clerk, new.record_id)[1] == source.read_bytes()
        done = rotate(archive, login(archive, OFFICER, PASSPHRASE))
    assert [r.version for r in done.levels] == [2] * len(Level) and all(r.resumed for r in done.levels)
    after = what_everyone_sees(busy_office)
    for name in READERS:
        records, cases, hits = after[name]
        assert {k: v for k, v in records.items() if k != new.record_id} == before[name][0]
        assert (cases, [hit for hit in hits if hit != new.record_id]) == before[name][1:]
    check_verifies(busy_office, rotation_warning=False)
    with busy_office.raw_catalogue() as conn:
        assert conn.execute("SELECT DISTINCT version FROM level_key_grants").fetchall() == [(2,)]
        assert conn.execute("SELECT COUNT(*) FROM level_keys").fetchone() == (2 * len(Level),)


def test_an_officer_without_the_old_version_cannot_finish_someone_elses_rotation(
    busy_office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    with busy_office.open() as archive, interrupted(monkeypatch, "finishing"), pytest.raises(KeyboardInterrupt):
        rotate(archive, login(archive, OFFICER, PASSPHRASE))
    with busy_office.open() as archive:
        add_account(archive, login(archive, ADMIN, PASSPHRASE), "孙保密", [Role.SECURITY_OFFICER], PASSPHRASE, KDF)
        set_clearance(archive, login(archive, OFFICER, PASSPHRASE), "孙保密", Level.TOP_SECRET)  # the new versions only
        with pytest.raises(Refused, match="不持有公开级密钥第 1 版，不能续完这次轮换"):
            rotate(archive, login(archive, "孙保密", PASSPHRASE))
        assert rotate(archive, login(archive, OFFICER, PASSPHRASE)).grants_removed > 0
