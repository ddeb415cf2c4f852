"""Backups through the library: one moment of a live archive, still encrypted, signed, checked and restored."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import archive.backup as backup_module
from archive import (
    CredentialsError,
    IntegrityError,
    InvalidInput,
    Level,
    PermissionDenied,
    Refused,
    add_records,
    change_passphrase,
    login,
    parse_kind,
    read_record,
    verify_archive,
)
from archive.auditing import export_checkpoint, verify_audit
from archive.backup import MANIFEST_NAME, SNAPSHOT_DIR, BackupResult, create_backup, restore_backup, verify_backup
from search.indexes import LevelIndex
from search.indexing import index_queued
from search.searching import search_archive
from tests.conftest import ADMIN, KDF, OFFICER, PASSPHRASE, SECRET_TEXT, SECRET_TITLE, Office

AUDITOR, LEADER, CLERK = "钱审计", "吴领导", "王文秘"


def make_backup(office: Office, dest: Path, progress: Callable[[int, int], None] | None = None) -> BackupResult:
    with office.open() as archive:
        return create_backup(archive, office.session(archive, ADMIN), dest, progress=progress)


def restore(backup: Path, target: Path, *, user: str = ADMIN, passphrase: str = PASSPHRASE, later: tuple[Path, ...] = ()):
    return restore_backup(backup, target, user=user, passphrase=passphrase, later_checkpoints=list(later))


def log_entries(path: Path, action: str) -> list[dict]:
    with Office(path).raw_catalogue() as conn:
        bodies = [json.loads(body) for (body,) in conn.execute("SELECT body FROM audit_entries ORDER BY seq")]
    return [entry for entry in bodies if entry["action"] == action]


def flip(path: Path, offset: int = -20) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def no_leftovers(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.startswith(".")]


def test_a_restored_backup_verifies_and_reads_back_identical(filed_office: Office, tmp_path: Path) -> None:
    result = make_backup(filed_office, tmp_path / "备份")
    assert verify_backup(tmp_path / "备份").ok
    restored = restore(tmp_path / "备份", tmp_path / "恢复")
    assert restored.path == tmp_path / "恢复" and no_leftovers(tmp_path)
    with filed_office.open() as live, Office(restored.path).open() as archive:
        officer = login(archive, OFFICER, PASSPHRASE)
        report = verify_archive(archive, officer)
        assert report.ok, report.problems
        assert report.records_decrypted == len(filed_office.records) == 4
        for record_id in filed_office.records.values():
            assert read_record(archive, officer, record_id) == read_record(live, login(live, OFFICER, PASSPHRASE), record_id)
    (entry,) = log_entries(restored.path, "backup.restore")
    assert entry["actor"] == ADMIN and entry["seq"] == result.manifest.log_size + 1 == restored.log_size
    assert entry["info"]["snapshot_size"] == result.manifest.log_size and entry["info"]["discarded_entries"] is None


def test_the_backup_holds_ciphertext_only_and_private_files(filed_office: Office, tmp_path: Path) -> None:
    with filed_office.open() as archive:
        index_queued(archive, login(archive, LEADER, PASSPHRASE))
    result = make_backup(filed_office, tmp_path / "备份")
    assert any(f.path.startswith("index/L4/") for f in result.manifest.files)
    secrets = [SECRET_TEXT, SECRET_TITLE, "张秀兰", "152701198003151234", "挪用扶贫"]
    for path in (tmp_path / "备份").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(s.encode() in data for s in secrets), path
            assert path.stat().st_mode & 0o077 == 0, path
        else:
            assert path.stat().st_mode & 0o077 == 0, path


def test_only_the_administrator_makes_backups(filed_office: Office, tmp_path: Path) -> None:
    with filed_office.open() as archive:
        for name in (CLERK, LEADER, OFFICER, AUDITOR):
            with pytest.raises(PermissionDenied, match="备份"):
                create_backup(archive, login(archive, name, PASSPHRASE), tmp_path / name)
            assert not (tmp_path / name).exists()


def test_making_a_backup_is_logged_with_the_manifest_digest(filed_office: Office, tmp_path: Path) -> None:
    result = make_backup(filed_office, tmp_path / "备份")
    (entry,) = log_entries(filed_office.path, "backup.create")
    manifest = (tmp_path / "备份" / MANIFEST_NAME).read_bytes()
    assert entry["actor"] == ADMIN and entry["seq"] == result.manifest.log_size + 1
    assert entry["info"]["manifest"] == hashlib.sha256(manifest).hexdigest()
    assert entry["info"]["files"] == len(result.manifest.files)


def test_the_destination_must_be_absent_or_empty_and_outside_the_archive(filed_office: Office, tmp_path: Path) -> None:
    (tmp_path / "满的").mkdir()
    (tmp_path / "满的" / "别的文件").write_text("x")
    with pytest.raises(Refused, match="不是空文件夹"):
        make_backup(filed_office, tmp_path / "满的")
    with pytest.raises(InvalidInput, match="档案库文件夹之内"):
        make_backup(filed_office, filed_office.path / "备份")
    (tmp_path / "空的").mkdir()
    assert make_backup(filed_office, tmp_path / "空的").path == tmp_path / "空的"
    assert verify_backup(tmp_path / "空的").ok and no_leftovers(tmp_path)


def test_a_record_filed_during_the_backup_is_not_in_it(filed_office: Office, tmp_path: Path) -> None:
    filed: list[str] = []

    def meanwhile(done: int, total: int) -> None:
        if not filed:  # another clerk files a record while the copy runs
            source = tmp_path / "新来信.txt"
            source.write_text("又一封来信", encoding="utf-8")
            with filed_office.open() as other:
                (info,) = add_records(other, login(other, CLERK, PASSPHRASE), [source], case_id="XF-2026-0001",
                                      title="新来信", kind=parse_kind("letter"), classification=Level.INTERNAL)
            filed.append(info.record_id)

    result = make_backup(filed_office, tmp_path / "备份", progress=meanwhile)
    assert filed and not any(filed[0] in f.path for f in result.manifest.files)
    assert sum(f.path.startswith("records/") for f in result.manifest.files) == 4
    assert verify_backup(tmp_path / "备份").ok


def test_a_passphrase_changed_during_the_copy_makes_the_snapshot_start_again(filed_office: Office,
                                                                             tmp_path: Path) -> None:
    changed: list[int] = []

    def meanwhile(done: int, total: int) -> None:
        if not changed:
            with filed_office.open() as other:
                change_passphrase(other, CLERK, PASSPHRASE, "新口令 new passphrase", KDF)
            changed.append(done)

    make_backup(filed_office, tmp_path / "备份", progress=meanwhile)
    assert changed and verify_backup(tmp_path / "备份").ok
    restore(tmp_path / "备份", tmp_path / "恢复")
    with Office(tmp_path / "恢复").open() as archive:
        assert login(archive, CLERK, "新口令 new passphrase").account.name == CLERK


def test_a_damaged_archive_is_not_backed_up(filed_office: Office, tmp_path: Path) -> None:
    flip(filed_office.path / "records" / "2026" / f"{filed_office.records[Level.SECRET]}.xfr")
    with pytest.raises(IntegrityError, match="archive verify"):
        make_backup(filed_office, tmp_path / "备份")
    assert not (tmp_path / "备份").exists() and no_leftovers(tmp_path)


def _flip_record(backup: Path, office: Office) -> None:
    flip(backup / SNAPSHOT_DIR / "records" / "2026" / f"{office.records[Level.SECRET]}.xfr")


def _edit_manifest(backup: Path, office: Office) -> None:
    manifest = json.loads((backup / MANIFEST_NAME).read_text(encoding="utf-8"))
    manifest["log"]["size"] -= 1
    (backup / MANIFEST_NAME).write_text(json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2) + "\n",
                                        encoding="utf-8")


@pytest.mark.parametrize(("tamper", "where", "says"), [
    (_flip_record, "备份文件 records/2026/", "SHA-256 不符"),
    (lambda b, o: flip(b / MANIFEST_NAME, 40), "备份清单", ""),
    (_edit_manifest, "备份清单", "签名无效"),
    (lambda b, o: flip(b / SNAPSHOT_DIR / "catalogue.sqlite", 5000), "备份文件 catalogue.sqlite", "SHA-256 不符"),
    (lambda b, o: (b / SNAPSHOT_DIR / "keyslots" / "0003.slot.json").unlink(), "备份文件 keyslots/0003", "缺失"),
    (lambda b, o: (b / SNAPSHOT_DIR / "catalogue.sqlite-wal").write_bytes(b"x"), "备份文件 catalogue.sqlite-wal",
     "不在清单中"),
], ids=["record", "manifest-byte", "manifest-resigned", "catalogue", "keyslot", "extra-file"])
def test_verify_and_restore_catch_every_change(filed_office: Office, tmp_path: Path, tamper: Callable, where: str,
                                                says: str) -> None:
    make_backup(filed_office, tmp_path / "备份")
    tamper(tmp_path / "备份", filed_office)
    check = verify_backup(tmp_path / "备份")
    assert not check.ok
    assert any(p.where.startswith(where) and says in p.message for p in check.problems), check.problems
    with pytest.raises(IntegrityError):
        restore(tmp_path / "备份", tmp_path / "恢复")
    assert not (tmp_path / "恢复").exists() and no_leftovers(tmp_path)


def test_restoring_needs_an_administrator_of_the_backup_and_an_empty_target(filed_office: Office,
                                                                            tmp_path: Path) -> None:
    make_backup(filed_office, tmp_path / "备份")
    with pytest.raises(PermissionDenied, match="恢复"):
        restore(tmp_path / "备份", tmp_path / "恢复", user=CLERK)
    with pytest.raises(CredentialsError):
        restore(tmp_path / "备份", tmp_path / "恢复", passphrase="wrong passphrase")
    with pytest.raises(Refused, match="不是空文件夹"):
        restore(tmp_path / "备份", filed_office.path)
    assert not (tmp_path / "恢复").exists() and no_leftovers(tmp_path)


def test_a_restore_names_the_later_checkpoints_it_discards_and_audit_verify_reports_the_rollback(
        filed_office: Office, tmp_path: Path) -> None:
    result = make_backup(filed_office, tmp_path / "备份")
    with filed_office.open() as archive:
        later = tmp_path / "later.txt"
        later.write_text(export_checkpoint(archive, login(archive, AUDITOR, PASSPHRASE)), encoding="utf-8")
        (later_size,) = archive.conn.execute("SELECT size FROM audit_state").fetchone()
    restored = restore(tmp_path / "备份", tmp_path / "恢复", later=(later,))
    assert restored.discarded_entries == later_size - result.manifest.log_size >= 2  # backup.create, the export
    (entry,) = log_entries(restored.path, "backup.restore")
    assert entry["info"]["later_checkpoints"][0]["size"] == later_size
    assert entry["info"]["later_checkpoints"][0]["verified"] is True
    with Office(restored.path).open() as archive:
        assert verify_audit(archive).ok
        report = verify_audit(archive, [later])
    assert not report.ok and "回滚" in report.anchors[0].problems[0].message


def test_a_checkpoint_from_before_the_backup_is_not_taken_for_a_later_one(filed_office: Office, tmp_path: Path) -> None:
    with filed_office.open() as archive:
        earlier = tmp_path / "earlier.txt"
        earlier.write_text(export_checkpoint(archive, login(archive, AUDITOR, PASSPHRASE)), encoding="utf-8")
    make_backup(filed_office, tmp_path / "备份")
    with pytest.raises(InvalidInput, match="不晚于备份"):
        restore(tmp_path / "备份", tmp_path / "恢复", later=(earlier,))
    forged = tmp_path / "forged.txt"
    forged.write_text(earlier.read_text(encoding="utf-8").replace("条目数：", "条目数：9"), encoding="utf-8")
    with pytest.raises(IntegrityError, match="签名"):
        restore(tmp_path / "备份", tmp_path / "恢复", later=(forged,))
    assert not (tmp_path / "恢复").exists()


def test_the_restored_search_index_answers_as_before(filed_office: Office, tmp_path: Path) -> None:
    with filed_office.open() as archive:
        index_queued(archive, login(archive, LEADER, PASSPHRASE))
    make_backup(filed_office, tmp_path / "备份")
    shutil.rmtree(filed_office.path)  # the machine is lost; the backup is all there is
    restore(tmp_path / "备份", tmp_path / "恢复")
    with Office(tmp_path / "恢复").open() as archive:
        found = search_archive(archive, login(archive, LEADER, PASSPHRASE), "扶贫")
    assert found.count == 4 and found.not_yet_indexed == 0


def test_a_backup_waits_for_an_index_writer_and_then_gives_up_clearly(filed_office: Office, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup_module, "INDEX_LOCK_WAIT", 0.3)
    with filed_office.open() as archive:
        leader = login(archive, LEADER, PASSPHRASE)
        index_queued(archive, leader)
        with LevelIndex(archive, leader.level_keys[Level.INTERNAL]).write_lock():  # a reindex is running
            with pytest.raises(Refused, match="检索索引 L1 正在更新"):
                create_backup(archive, login(archive, ADMIN, PASSPHRASE), tmp_path / "备份")
        assert create_backup(archive, login(archive, ADMIN, PASSPHRASE), tmp_path / "备份").path.is_dir()
    assert not (tmp_path / "备份" / SNAPSHOT_DIR / "index" / "L1" / ".MAIN_WRITELOCK.lock").exists()
