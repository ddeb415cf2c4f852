"""A full disk while filing: every write point fails in turn, and the archive stays whole.

``xinfang archive add`` of two files (a short letter, and evidence of two chunks)
runs in-process with the disk "full" from the N-th write point on: the N-th call
of a file's ``write``, of ``os.fsync`` (files and folders) or of ``os.replace`` —
the calls :mod:`archive.chunks`, :mod:`archive.files` and the encrypted index
storage (:mod:`search.storage`) make — raises ``OSError(ENOSPC)``.  That is
``ENOSPC`` at every point the filing writes: the record files, their renames and
folder syncs, and the search index files written after the filing commits.  For
N = 1, 2, … until the filing runs through without reaching its N-th point:

- the command fails with exit code 1 and the Chinese "磁盘空间已满", never a traceback;
- ``archive list`` shows only whole records: each listed record reads back byte for byte,
  and the new ones are those the command reported, in the order of the files;
- ``archive verify`` passes, with no warning beyond those it documents for an
  interrupted command (a removable leftover, records waiting for the index);
- the search index still opens (a failed index write leaves the previous commit).

SQLite's own writes are not faulted here: they are SQLite's, and its journal makes them atomic.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from archive.chunks import CHUNK_SIZE
from tests.conftest import OFFICER, PASSPHRASE, SECRET_TEXT, CliRun, Office, build_office, register_cases
from xinfang.cli import main

FILER = "王文秘"
EXIT_OK, EXIT_INVALID = 0, 1
FILED = re.compile(r"^已归入 (R-\d{4}-\d{6})$", re.M)
# What `archive verify` may say after an interrupted filing: each warning names a state it documents.
DOCUMENTED_WARNINGS = ("弱口令派生参数", "可删除", "尚未编入检索索引")
MAX_POINTS = 200


class DiskFull:
    """Counts write points; the ``fail_at``-th and every later one raise ENOSPC, as a disk that filled up."""

    def __init__(self, fail_at: int) -> None:
        self.fail_at = fail_at
        self.seen = 0
        self.failed: list[str] = []

    def point(self, what: str, filename: str | None = None) -> None:
        self.seen += 1
        if self.seen >= self.fail_at:
            self.failed.append(what)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), filename)


class _FaultyFile:
    """A file object whose ``write`` is a write point; everything else is the real file's."""

    def __init__(self, file: Any, disk: DiskFull) -> None:
        self._file = file
        self._disk = disk

    def write(self, data: Any) -> int:
        self._disk.point("write")
        return int(self._file.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)

    def __enter__(self) -> _FaultyFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._file.close()


@contextmanager
def disk_full_from(point: int, monkeypatch: pytest.MonkeyPatch) -> Iterator[DiskFull]:
    """Within the block, the ``point``-th write point and all later ones fail with ENOSPC."""
    disk = DiskFull(point)
    real_fdopen, real_fsync, real_replace = os.fdopen, os.fsync, os.replace

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        return _FaultyFile(real_fdopen(fd, *args, **kwargs), disk)

    def fsync(fd: int) -> None:
        disk.point("fsync")
        real_fsync(fd)

    def replace(source: Any, target: Any, **kwargs: Any) -> None:
        disk.point("replace", os.fspath(source))
        real_replace(source, target, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(os, "fdopen", fdopen)
        patch.setattr(os, "fsync", fsync)
        patch.setattr(os, "replace", replace)
        yield disk


@pytest.fixture(scope="module")
def indexed_office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    """The office with three cases and one 秘密 letter already filed and indexed (so the index exists)."""
    root = tmp_path_factory.mktemp("disk-full")
    office = build_office(root / "archive")
    register_cases(office)
    first = root / "第一封来信.txt"
    first.write_text(SECRET_TEXT, encoding="utf-8")
    result = CliRunner().invoke(main, [*_add_args([first])], catch_exceptions=False, env={
        "XINFANG_ARCHIVE": str(office.path), "XINFANG_USER": FILER, "XINFANG_PASSPHRASE": PASSPHRASE})
    assert result.exit_code == 0, result.output
    assert (office.path / "index" / "L2").is_dir()
    return office


def _add_args(files: list[Path]) -> list[str]:
    return ["archive", "add", *map(str, files), "--case", "XF-2026-0001", "--title", "现场取证材料", "--kind", "evidence",
            "--classification", "秘密"]


def _sources(folder: Path) -> list[Path]:
    folder.mkdir()
    letter, evidence = folder / "补充来信.txt", folder / "账目照片.bin"
    letter.write_text(f"补充材料：{SECRET_TEXT}", encoding="utf-8")
    evidence.write_bytes(os.urandom(CHUNK_SIZE + 1000))  # two chunks
    return [letter, evidence]


def _listed(cli: CliRun) -> list[str]:
    result = cli("archive", "list", "--json", user=OFFICER)
    assert result.exit_code == EXIT_OK, result.output
    return [record["record_id"] for record in json.loads(result.stdout)]


def _assert_clean(result: Result) -> None:
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream and "程序内部错误" not in stream, stream
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def test_filing_on_a_full_disk_fails_cleanly_at_every_write_point_and_leaves_the_archive_whole(
    indexed_office: Office, tmp_path: Path, cli: CliRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "archive"  # where the cli fixture looks
    sources = _sources(tmp_path / "收件")
    failures: dict[int, str] = {}
    for point in range(1, MAX_POINTS + 1):
        shutil.rmtree(archive, ignore_errors=True)
        shutil.copytree(indexed_office.path, archive)
        before = _listed(cli)
        with disk_full_from(point, monkeypatch) as disk:
            result = cli(*_add_args(sources), user=FILER)
        _assert_clean(result)
        reported = FILED.findall(result.stdout)
        if not disk.failed:  # the filing never reached its point-th write: it ran through
            assert result.exit_code == EXIT_OK, result.output
            assert len(reported) == len(sources)
            break
        failures[point] = disk.failed[0]
        assert result.exit_code == EXIT_INVALID, (point, disk.failed, result.output)
        assert "磁盘空间已满" in result.stderr, (point, result.stderr)
        if len(reported) == len(sources):  # filed, then the index write failed: the message must say they are filed
            assert "记录已归入（留在待索引队列中）" in result.stderr, (point, result.stderr)

        # Only whole records: the old ones, then those reported, in the order of the files.
        listed = _listed(cli)
        assert listed[: len(before)] == before
        new = listed[len(before) :]
        assert new == reported, (point, new, reported)
        for record_id, source in zip(new, sources, strict=False):
            out = tmp_path / f"{point}-{record_id}"
            got = cli("archive", "get", record_id, "--out", str(out), user=FILER)
            assert got.exit_code == EXIT_OK, (point, got.output)
            assert out.read_bytes() == source.read_bytes()

        verified = cli("archive", "verify", "--json", user=OFFICER)
        assert verified.exit_code == EXIT_OK, (point, verified.output)
        report = json.loads(verified.stdout)
        assert report["problems"] == [] and report["records_decrypted"] == len(listed)
        assert all(any(mark in warning for mark in DOCUMENTED_WARNINGS) for warning in report["warnings"]), (
            point, report["warnings"])
        searched = cli("search", "补充材料", "--json", user=FILER)
        assert searched.exit_code == EXIT_OK, (point, searched.output)
    else:
        pytest.fail(f"the filing still hit a write point after {MAX_POINTS}")
    # Every kind of write point was met on the way: the record files' and the index's.
    assert {"write", "fsync", "replace"} <= set(failures.values()), failures
    assert len(failures) >= 10, failures
