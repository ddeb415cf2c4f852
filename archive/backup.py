"""Backups: a consistent snapshot of a live archive, still encrypted, under a signed manifest.

Why it is built this way:

- **Taken while the archive is in use.**  The catalogue is copied with SQLite's online
  backup API in one step, which reads one committed state; every committed state ends
  with a signed checkpoint, so the copy is the whole archive at one point of its log.
  Keyslots and record files are copied afterwards and each is checked against the
  digest the *snapshot* holds for it (``accounts.slot_sha256``, ``records.blob_sha256``).
  A file that no longer matches because the archive moved on (a passphrase changed, a
  record destroyed) makes the snapshot start again; one that matches neither the
  snapshot nor the live catalogue is damage, and the backup stops.
- **Search indexes** keep no digest that can be checked without a level key; what they
  keep is each level's latest generation in the catalogue.  So the catalogue and the
  index files are copied while every level's writer lock is held (``index/L<n>/
  .MAIN_WRITELOCK.lock``, FORMAT.md): no index commit happens in between, and the copy
  is at the generation the snapshot records, or newer, which the search accepts.
- **Nothing is decrypted.**  A backup is the archive's ciphertext byte for byte; it is
  as closed as the archive and no more: it keeps every key it held, including those of
  records destroyed after it was made, until it is itself destroyed.
- **A manifest** lists every file with size and SHA-256 and the log's size and root at
  the snapshot, signed with the 系统管理员's Ed25519 key.  Checking a backup needs no
  secret: the signer's public key is in the backed-up catalogue, whose accounts the
  backed-up log vouches for, and the snapshot gets the auditor's own verification.
- **Restoring** rolls the archive back to the snapshot.  The restored log gains a
  ``backup.restore`` entry saying so, and naming what later checkpoints it discards, so
  an exported later checkpoint still shows the rollback instead of it passing unseen.

Only the 系统管理员 makes and restores backups (DESIGN.md: the admin backs up without
reading content); anyone may verify one.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import secrets
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import NoReturn

from . import crypto, merkle
from .accounts import Session, login
from .anchors import ExportedCheckpoint, check_anchor, key_fingerprint, read_checkpoint_file
from .audit import AuditProblem, LogSummary, now_utc
from .backup_manifest import MANIFEST_NAME, BackupFile, Manifest
from .catalogue import SCHEMA_VERSION, open_catalogue, write_transaction
from .config import CONFIG_NAME, read_config
from .errors import IntegrityError, InvalidInput, Refused
from .files import create_private, fsync_directory, write_atomic
from .folder import CATALOGUE_NAME, INDEX_DIR, INDEX_WRITE_LOCK, Archive
from .levels import Level
from .roles import Role, require_role
from .verify import VerifyReport, check_archive

__all__ = [
    "BACKUP_MAKERS",
    "MANIFEST_NAME",
    "SNAPSHOT_DIR",
    "BackupCheck",
    "BackupFile",
    "BackupResult",
    "LaterCheckpoint",
    "Manifest",
    "RestoreResult",
    "create_backup",
    "restore_backup",
    "verify_backup",
]

SNAPSHOT_DIR = "snapshot"
BACKUP_MAKERS = frozenset({Role.ADMIN})
"""Who makes and restores backups: the 系统管理员 alone, who holds no level key."""
INDEX_LOCK_WAIT = 60.0
"""Seconds to wait for an index writer (a long ``search reindex``) before giving up."""

_TOC = re.compile(r"_MAIN_(\d+)\.toc")
_ATTEMPTS = 3

Progress = Callable[[int, int], None]


# -- making a backup --------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    """What :func:`create_backup` made: where, the signed manifest, and what deserves a look."""

    path: Path
    manifest: Manifest
    warnings: list[str]

    @property
    def total_bytes(self) -> int:
        """The size of every file of the snapshot together."""
        return sum(f.size for f in self.manifest.files)


class _ArchiveMoved(Exception):
    """The archive changed under the copy: take the snapshot again."""


def create_backup(archive: Archive, session: Session, dest: Path, *, progress: Progress | None = None) -> BackupResult:
    """Copy the archive, as it stands at one moment, into ``dest`` (absent or empty), and log that it was done.

    The backup is built in a hidden folder beside ``dest`` and renamed into place,
    inside the transaction that logs ``backup.create``: an interrupted backup leaves
    no folder that looks like a backup.
    """
    require_role(session.roles, BACKUP_MAKERS, "备份档案库")
    dest = Path(dest)
    _check_empty_target(dest, "备份文件夹")
    if _inside(dest, archive.root):
        raise InvalidInput("备份不能放在档案库文件夹之内：请选择另一块磁盘或另一个文件夹")
    staging = dest.parent / f".{dest.name}.backup-{os.getpid()}-{secrets.token_hex(4)}"
    staging.mkdir(mode=0o700)
    try:
        snapshot = None
        for _ in range(_ATTEMPTS):
            shutil.rmtree(staging / SNAPSHOT_DIR, ignore_errors=True)
            try:
                snapshot = _take_snapshot(archive, staging / SNAPSHOT_DIR, progress)
                break
            except _ArchiveMoved:
                continue
        if snapshot is None:
            raise Refused("备份期间档案库一再变动（口令更改、账户停用或销毁正在进行），请稍后重试")
        manifest, warnings = snapshot
        manifest = replace(
            manifest, signer=session.account.name, signer_fingerprint=key_fingerprint(session.keys.sign_public)
        )
        manifest = replace(manifest, signature=crypto.sign(session.keys.sign_private, manifest.signed_message()))
        data = manifest.to_bytes()
        write_atomic(staging / MANIFEST_NAME, data)
        _fsync_folders(staging)
        placed = False
        try:
            with archive.act(session) as act:
                act.log("backup.create", info={
                    "log_size": manifest.log_size, "log_root": manifest.log_root, "files": len(manifest.files),
                    "bytes": sum(f.size for f in manifest.files), "manifest": crypto.sha256_hex(data),
                })
                _move_into_place(staging, dest)
                placed = True
        except BaseException:
            if placed:
                shutil.rmtree(dest, ignore_errors=True)
            raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BackupResult(dest, manifest, warnings)


def _take_snapshot(archive: Archive, root: Path, progress: Progress | None) -> tuple[Manifest, list[str]]:
    """Copy the catalogue, index files, settings, keyslots and record files into ``root``; the manifest unsigned."""
    root.mkdir(mode=0o700)
    files: list[BackupFile] = []
    with _index_writers_held(archive.root / INDEX_DIR) as folders:
        catalogue = _snapshot_catalogue(archive.conn, root / CATALOGUE_NAME)
        for folder in folders:
            for path in sorted(folder.iterdir()):
                if path.is_file() and not path.name.startswith("."):
                    copied = _copy(archive.root, root, path.relative_to(archive.root).as_posix())
                    if copied is None:
                        raise _ArchiveMoved
                    files.append(copied)
    files.append(catalogue)
    with closing(sqlite3.connect(root / CATALOGUE_NAME)) as snap:
        (archive_id,) = snap.execute("SELECT value FROM meta WHERE key = 'archive_id'").fetchone()
        (version,) = snap.execute("PRAGMA user_version").fetchone()
        state = snap.execute("SELECT size, frontier FROM audit_state WHERE singleton = 1").fetchone() or (0, b"")
        slots = snap.execute(
            "SELECT account_id, name, slot_sha256 FROM accounts WHERE status = 'active' ORDER BY account_id"
        ).fetchall()
        records = snap.execute(
            "SELECT record_id, blob_sha256 FROM records WHERE length(wrapped_key) > 0 ORDER BY record_id"
        ).fetchall()
        index_rows = snap.execute("SELECT level, generation FROM search_indexes").fetchall()
    done, total = 0, len(files) + 1 + len(slots) + len(records)

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    for _ in files:
        step()
    settings = _copy(archive.root, root, CONFIG_NAME)
    if settings is None:
        raise IntegrityError(f"配置文件 {CONFIG_NAME} 缺失")
    config = read_config(root / CONFIG_NAME)
    if config.archive_id != archive_id:
        raise IntegrityError("配置文件与目录数据库不属于同一个档案库（archive_id 不符）")
    files.append(settings)
    step()
    checks = [
        (archive.slot_path(account_id), digest, "SELECT slot_sha256 FROM accounts WHERE account_id = ? "
         "AND status = 'active'", account_id, f"用户“{name}”的口令槽") for account_id, name, digest in slots
    ] + [
        (archive.record_path(record_id), digest, "SELECT blob_sha256 FROM records WHERE record_id = ? "
         "AND length(wrapped_key) > 0", record_id, f"记录 {record_id} 的密文文件") for record_id, digest in records
    ]
    for source, expected, sql, key, what in checks:
        copied = _copy(archive.root, root, source.relative_to(archive.root).as_posix())
        if copied is None or copied.sha256 != expected:
            _judge(archive, source, expected, sql, key, what)
        files.append(copied)
        step()
    (size, frontier) = state
    manifest = Manifest(
        archive_id=archive_id, organisation=config.organisation, created_at=now_utc(), signer="",
        signer_fingerprint="", catalogue_version=int(version), log_size=int(size),
        log_root=merkle.frontier_root([frontier[i : i + 32] for i in range(0, len(frontier), 32)]).hex(),
        files=tuple(sorted(files, key=lambda f: f.path)),
    )
    return manifest, _index_warnings(root, manifest, index_rows)


def _judge(archive: Archive, source: Path, expected: str | None, sql: str, key: object, what: str) -> NoReturn:
    """A copy did not match the snapshot: if the archive moved on since, start again; if not, it is damaged."""
    with write_transaction(archive.conn):  # holding the write lock: no command is half-way through
        row = archive.conn.execute(sql, (key,)).fetchone()
        now = crypto.sha256_file(source) if source.is_file() else None
    if row is None or row[0] != expected or now == expected:
        raise _ArchiveMoved
    state = "缺失" if now is None else "与目录中的摘要不符"
    raise IntegrityError(f"{what}{state}：档案库本身已损坏或被篡改，未备份；请先运行 xinfang archive verify")


def _snapshot_catalogue(conn: sqlite3.Connection, path: Path) -> BackupFile:
    """One committed state of the catalogue through SQLite's online backup API, as a single self-contained file."""
    path.touch(mode=0o600, exist_ok=False)
    try:
        with closing(sqlite3.connect(path)) as target:
            conn.backup(target)  # all pages in one step: one read transaction, one consistent state
            target.execute("PRAGMA journal_mode = DELETE")  # no -wal beside it; a restore turns WAL back on
    except sqlite3.DatabaseError as exc:
        raise IntegrityError(f"目录数据库无法复制：{exc}") from exc
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())
    return BackupFile(CATALOGUE_NAME, path.stat().st_size, crypto.sha256_file(path))


@contextmanager
def _index_writers_held(index_root: Path) -> Iterator[list[Path]]:
    """Hold every level index's writer lock, so no index commit lands between catalogue and index copies."""
    folders = sorted(p for p in index_root.iterdir() if p.is_dir() and not p.name.startswith(".")) \
        if index_root.is_dir() else []
    held: list[int] = []
    try:
        for folder in folders:
            held.append(_lock_index(folder))
        yield folders
    finally:
        for fd in held:
            os.close(fd)  # closing the descriptor releases its flock


def _lock_index(folder: Path) -> int:
    path = folder / f".{INDEX_WRITE_LOCK}.lock"
    deadline = time.monotonic() + INDEX_LOCK_WAIT
    while True:
        try:
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        except FileNotFoundError:  # a rebuild is swapping the folder this very moment
            fd = -1
        if fd >= 0:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if os.fstat(fd).st_ino == os.stat(path).st_ino:  # a rebuild swapped folders: lock the one in place
                    return fd
            except (BlockingIOError, FileNotFoundError):
                pass
            os.close(fd)
        if time.monotonic() > deadline:
            raise Refused(f"检索索引 {folder.name} 正在更新（如 search reindex），等待 {INDEX_LOCK_WAIT:g} 秒后仍未结束；请稍后再备份")
        time.sleep(0.2)


def _copy(source_root: Path, target_root: Path, relative: str) -> BackupFile | None:
    """Copy one file, hashing what was read; None when the source is gone."""
    digest, size = hashlib.sha256(), 0
    try:
        source = open(source_root / relative, "rb")
    except FileNotFoundError:
        return None
    folder = target_root
    for part in PurePosixPath(relative).parts[:-1]:  # each folder private, as in the archive
        folder = folder / part
        folder.mkdir(mode=0o700, exist_ok=True)
    with source, create_private(target_root / relative) as target:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
            target.write(block)
            size += len(block)
        target.flush()
        os.fsync(target.fileno())
    return BackupFile(relative, size, digest.hexdigest())


def _index_warnings(root: Path, manifest: Manifest, index_rows: Sequence[tuple[int, int]]) -> list[str]:
    """What can be told of the index files without a key: none older than the catalogue recorded."""
    warnings = []
    latest: dict[str, int] = {}
    for entry in manifest.files:
        parts = entry.path.split("/")
        if parts[0] != INDEX_DIR or len(parts) != 3:
            continue
        toc = _TOC.fullmatch(parts[2])
        if toc:
            latest[parts[1]] = max(latest.get(parts[1], -1), int(toc.group(1)))
    for level, generation in index_rows:
        have = latest.get(f"L{level}")
        if have is None or have < generation:
            state = "缺失" if have is None else "比目录记录的版本旧"
            warnings.append(f"{Level(level).label}级检索索引{state}：恢复后请档案员或领导运行 xinfang search reindex 重建")
    return warnings


# -- checking a backup ------------------------------------------------------------------------


@dataclass
class BackupCheck:
    """What :func:`verify_backup` found; any problem is an integrity failure."""

    manifest: Manifest | None = None
    problems: list[AuditProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files_checked: int = 0
    audit: VerifyReport | None = None

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.problems

    def problem(self, where: str, message: str) -> None:
        """Record one failure."""
        self.problems.append(AuditProblem(where, message))


def verify_backup(backup: Path, *, progress: Progress | None = None) -> BackupCheck:
    """Check a backup without restoring it and without any secret.

    The manifest's signature against the signer's key in the backed-up catalogue;
    every file against the manifest (none missing, none added); then the auditor's
    verification of the snapshot itself (log, checkpoints, keyslots, wrapped keys,
    record files against the log) on the catalogue opened read-only, and that its
    log is where the manifest says it stood.
    """
    backup = Path(backup)
    manifest_data = _manifest_path(backup).read_bytes()
    check = BackupCheck()
    try:
        check.manifest = manifest = Manifest.from_bytes(manifest_data)
    except IntegrityError as exc:
        check.problem("备份清单", str(exc))
        return check
    root = backup / SNAPSHOT_DIR
    _check_files(root, manifest, check, progress)
    if not (root / CATALOGUE_NAME).is_file() or not (root / CONFIG_NAME).is_file():
        return check  # reported missing: nothing to open
    try:  # even a catalogue that fails its digest: what it says of the signature and the log helps tell why
        with _snapshot_opened(root) as archive:
            for message in _signature_problems(archive, manifest):
                check.problem("备份清单", message)
            report, summary = check_archive(archive, {}, progress)
            check.audit = report
            check.problems.extend(report.problems)
            check.warnings.extend(report.warnings)
            for message in _position_problems(summary, manifest):
                check.problem("备份清单", message)
            rows = archive.conn.execute("SELECT level, generation FROM search_indexes").fetchall()
            check.warnings.extend(_index_warnings(root, manifest, rows))
    except IntegrityError as exc:
        check.problem("备份中的档案库", str(exc))
    except sqlite3.DatabaseError as exc:
        check.problem("备份中的目录数据库", f"无法读取（已损坏）：{exc}")
    return check


def _manifest_path(backup: Path) -> Path:
    if not backup.is_dir():
        raise InvalidInput(f"备份文件夹 {backup} {'不是文件夹' if backup.exists() else '不存在'}")
    path = backup / MANIFEST_NAME
    if not path.is_file():
        raise InvalidInput(f"{backup} 不是 xinfang 备份（缺少 {MANIFEST_NAME}）")
    return path


def _check_files(root: Path, manifest: Manifest, check: BackupCheck, progress: Progress | None) -> None:
    """Every listed file present with its size and digest, and nothing else."""
    for done, entry in enumerate(manifest.files, 1):
        path = root / entry.path
        message = None
        if not path.is_file():
            message = "缺失"
        elif path.stat().st_size != entry.size:
            message = "大小与清单不符（被截断、加长或替换）"
        elif crypto.sha256_file(path) != entry.sha256:
            message = "内容与清单中的 SHA-256 不符（被篡改或损坏）"
        if message:
            check.problem(f"备份文件 {entry.path}", message)
        check.files_checked += 1
        if progress is not None:
            progress(done, len(manifest.files))
    for extra in _unlisted(root, manifest):
        check.problem(f"备份文件 {extra}", "不在清单中（备份被加入文件，或被当作档案库打开过）")


def _unlisted(root: Path, manifest: Manifest) -> list[str]:
    listed = {entry.path for entry in manifest.files}
    if not root.is_dir():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if not p.is_dir() and p.relative_to(root).as_posix() not in listed)


@contextmanager
def _snapshot_opened(root: Path) -> Iterator[Archive]:
    """The backed-up archive for reading: its catalogue opened immutable, so checking writes nothing into the backup.

    A catalogue made by an older xinfang is migrated in a private temporary copy, never in place.
    """
    config = read_config(root / CONFIG_NAME)
    path = root / CATALOGUE_NAME
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    temp: Path | None = None
    try:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise Refused(f"备份的目录版本 {version} 高于本程序支持的版本 {SCHEMA_VERSION}，请升级 xinfang")
        if version < SCHEMA_VERSION:
            conn.close()
            temp = Path(tempfile.mkdtemp(prefix="xinfang-backup-"))
            shutil.copyfile(path, temp / CATALOGUE_NAME)
            conn = open_catalogue(temp / CATALOGUE_NAME)
        row = conn.execute("SELECT value FROM meta WHERE key = 'archive_id'").fetchone()
        if row is None or row[0] != config.archive_id:
            raise IntegrityError("备份中的配置文件与目录数据库不属于同一个档案库（archive_id 不符）")
        yield Archive(root, config, conn)
    finally:
        conn.close()
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)


def _signature_problems(archive: Archive, manifest: Manifest) -> list[str]:
    """The manifest is signed by a 系统管理员 of this very archive, with the key its catalogue holds."""
    problems = []
    if manifest.archive_id != archive.config.archive_id:
        problems.append("清单属于另一个档案库（archive_id 不符）")
    row = archive.conn.execute("SELECT roles, sign_public FROM accounts WHERE name = ?", (manifest.signer,)).fetchone()
    if row is None:
        return [*problems, f"签署人“{manifest.signer}”不是备份中档案库的账户"]
    roles, public_key = row
    if key_fingerprint(public_key) != manifest.signer_fingerprint:
        problems.append("签署人的公钥与清单上的指纹不符（目录中的公钥被替换）")
    elif not crypto.verify_signature(public_key, manifest.signature, manifest.signed_message()):
        problems.append("签名无效：清单被改动，或不是签署人所签")
    if Role.ADMIN.value not in roles.split(","):
        problems.append(f"签署人“{manifest.signer}”不是系统管理员")
    return problems


def _position_problems(summary: LogSummary, manifest: Manifest) -> list[str]:
    """The backed-up log is exactly as long as the manifest says, with the root it gives."""
    if summary.size != manifest.log_size or merkle.root_hash(summary.leaves).hex() != manifest.log_root:
        return [f"清单记载的审计日志（{manifest.log_size} 条）与备份中的日志（{summary.size} 条）不符"]
    return []


# -- restoring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LaterCheckpoint:
    """A checkpoint the live archive signed after the snapshot: what a restore discards is at least up to it."""

    source: str
    size: int
    root: str
    signer: str
    signed_at: str
    verified: bool
    """False when its signer has no account in the backup (created later), so its signature could not be checked."""


@dataclass(frozen=True)
class RestoreResult:
    """What :func:`restore_backup` did."""

    path: Path
    manifest: Manifest
    log_size: int
    later: list[LaterCheckpoint]
    warnings: list[str]

    @property
    def discarded_entries(self) -> int | None:
        """How many log entries the live archive had after the snapshot, at least; None when no checkpoint told."""
        return max(c.size for c in self.later) - self.manifest.log_size if self.later else None


def restore_backup(
    backup: Path,
    target: Path,
    *,
    user: str,
    passphrase: str,
    later_checkpoints: Sequence[Path] = (),
    progress: Progress | None = None,
) -> RestoreResult:
    """Restore ``backup`` into ``target`` (absent or empty) and log the restore in the restored archive.

    Each file is checked against the manifest as it is copied, the copy gets the
    auditor's verification, and ``user`` — a 系统管理员 of the backed-up archive,
    with the passphrase valid at the snapshot — signs a ``backup.restore`` entry
    naming the snapshot and every later checkpoint given, whose entries the restore
    discards.  Built in a hidden folder beside ``target`` and renamed into place.
    """
    backup, target = Path(backup), Path(target)
    manifest_path = _manifest_path(backup)
    _check_empty_target(target, "恢复目标")
    if _inside(target, backup):
        raise InvalidInput("不能恢复到备份文件夹之内")
    exported = [(path.name, read_checkpoint_file(path)) for path in later_checkpoints]
    manifest_data = manifest_path.read_bytes()
    manifest = Manifest.from_bytes(manifest_data)
    staging = target.parent / f".{target.name}.restoring-{os.getpid()}-{secrets.token_hex(4)}"
    staging.mkdir(mode=0o700)
    try:
        _restore_files(backup / SNAPSHOT_DIR, staging, manifest, progress)
        with Archive.open(staging) as archive:
            problems = _signature_problems(archive, manifest)
            report, summary = check_archive(archive, {}, progress)
            problems += [f"{p.where}：{p.message}" for p in report.problems] + _position_problems(summary, manifest)
            if problems:
                more = f"（共 {len(problems)} 个问题，详见 xinfang backup verify）" if len(problems) > 3 else ""
                raise IntegrityError(f"备份未通过校验，未恢复：{'；'.join(problems[:3])}{more}")
            session = login(archive, user, passphrase)
            require_role(session.roles, BACKUP_MAKERS, "从备份恢复档案库")
            public_keys = dict(archive.conn.execute("SELECT name, sign_public FROM accounts").fetchall())
            later = sorted((_later_checkpoint(source, cp, archive, public_keys, summary) for source, cp in exported),
                           key=lambda c: c.size)
            with archive.act(session) as act:
                act.log("backup.restore", info={
                    "backup_created": manifest.created_at, "backup_signer": manifest.signer,
                    "manifest": crypto.sha256_hex(manifest_data),
                    "snapshot_size": manifest.log_size, "snapshot_root": manifest.log_root,
                    "later_checkpoints": [{"size": c.size, "root": c.root, "signer": c.signer,
                                           "signed_at": c.signed_at, "verified": c.verified} for c in later],
                    "discarded_entries": max(c.size for c in later) - manifest.log_size if later else None,
                })
            (log_size,) = archive.conn.execute("SELECT size FROM audit_state").fetchone()
        _fsync_folders(staging)
        _move_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    warnings = [w for w in report.warnings if "未签名条目" not in w]  # the restore's checkpoint covered them
    return RestoreResult(target, manifest, int(log_size), later, warnings)


def _restore_files(root: Path, staging: Path, manifest: Manifest, progress: Progress | None) -> None:
    extra = _unlisted(root, manifest)
    if extra:
        raise IntegrityError(f"备份中有清单之外的文件 {extra[0]}（共 {len(extra)} 个），未恢复；请运行 xinfang backup verify 查看")
    for done, entry in enumerate(manifest.files, 1):
        copied = _copy(root, staging, entry.path)
        if copied != entry:
            state = "缺失" if copied is None else "与清单不符（被篡改或损坏）"
            raise IntegrityError(f"备份文件 {entry.path} {state}，未恢复；请运行 xinfang backup verify 查看")
        if progress is not None:
            progress(done, len(manifest.files))


def _later_checkpoint(source: str, exported: ExportedCheckpoint, archive: Archive, public_keys: dict[str, bytes],
                      summary: LogSummary) -> LaterCheckpoint:
    """Check an exported checkpoint from the live archive and say what of it the restore discards."""
    checkpoint = exported.checkpoint
    where = f"检查点文件 {source}（{checkpoint.signer}，{checkpoint.signed_at}，{checkpoint.size} 条）"
    if checkpoint.archive_id != archive.config.archive_id:
        raise InvalidInput(f"{where}属于另一个档案库")
    if checkpoint.size <= summary.size:
        result = check_anchor(exported, source, archive.config.archive_id, public_keys, summary)
        if result.problems:
            raise IntegrityError(f"{where}与备份中的日志矛盾：{result.problems[0].message}")
        raise InvalidInput(f"{where}不晚于备份（备份时日志 {summary.size} 条）：恢复不丢弃它覆盖的任何条目")
    key = public_keys.get(checkpoint.signer)
    if key is not None and (key_fingerprint(key) != exported.fingerprint
                            or not crypto.verify_signature(key, checkpoint.signature, checkpoint.message())):
        raise IntegrityError(f"{where}的签名或公钥指纹与备份中签署人的公钥不符：检查点文件被改动")
    return LaterCheckpoint(source, checkpoint.size, checkpoint.root.hex(), checkpoint.signer, checkpoint.signed_at,
                           verified=key is not None)


# -- folders ----------------------------------------------------------------------------------


def _check_empty_target(path: Path, label: str) -> None:
    if not path.parent.is_dir():
        raise InvalidInput(f"上级文件夹 {path.parent} 不存在")
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise Refused(f"{label} {path} 已存在且不是空文件夹，拒绝覆盖")


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _fsync_folders(root: Path) -> None:
    """Make every file's name in the tree durable before the tree is renamed into place."""
    for folder, _, _ in os.walk(root):
        fsync_directory(Path(folder))


def _move_into_place(staging: Path, target: Path) -> None:
    if target.exists():
        target.rmdir()  # checked empty before we began
    staging.rename(target)
    fsync_directory(target.parent)
