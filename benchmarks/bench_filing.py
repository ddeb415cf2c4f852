"""Filing: ``add_records`` throughput for 1 MiB and 10 KiB records, and what the archive folder weighs.

Goals (the benchmarks issue, 2-core machine), each next to peers measured in the
same run on the same files:

- 1 MiB records (``--big``, 64 by default), filed in one ``add_records`` call as
  ``xinfang archive add`` files several files: at least 0.5x the MB/s of ``cp`` of
  the same files into a fresh folder followed by ``sync``;
- 10 KiB records (``--small``, 1,000 by default): at least 200 records/s in one call;
- size (report only): the archive folder per 1,000 records against the plaintext it
  holds (the search index is bench_search's; these archives have none yet).

Peers: ``cp`` then ``sync`` (the goal's), ``cp`` then ``sync`` of just the copied
files and their folder (the same per-file durability filing gives each record,
without the rest of the machine's dirty pages), and AES-256-GCM of the same bytes
in memory (the floor of any encryption).  ``xinfang archive add`` of the 10 KiB
files in a fresh process is timed too: it indexes what it filed before it ends.

Every run files into fresh archives; ``sync`` runs untimed before each timed step,
so no step pays for the previous one's writes.  The files are seeded petition
texts (:func:`benchmarks.bench_search.petition_corpus`).  The scratch folder is
``tempfile``'s: ``TMPDIR`` must be on a real disk, since fsync on tmpfs is free.

Usage: python -m benchmarks.bench_filing [--big N] [--small N] [--runs R] [--out DIR] [--no-cli]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from archive import KdfParams, Role, Session, add_records, login, parse_kind
from archive.cases import CaseRegistration, register_case
from archive.folder import CATALOGUE_NAME, RECORD_DIR, Archive

from ._harness import PASSPHRASE, Timing, office_archive, write_result
from .bench_search import TODAY, petition_corpus

__all__ = ["RecordSet", "petition_files", "run"]

FILER = "吴领导"
KIND = "evidence"
MB = 1_000_000
BIG_BYTES, SMALL_BYTES = 1024 * 1024, 10 * 1024
POOL_RECORDS = 500
"""Petition texts (about 1.5 KB each) the files are drawn from: 0.75 MB of distinct text."""


@dataclass(frozen=True)
class RecordSet:
    """Files of one size to file in one call, their bytes for the in-memory peer, and the case they go under."""

    files: list[Path]
    contents: list[bytes]
    registration: CaseRegistration
    title: str

    @property
    def plaintext_bytes(self) -> int:
        return sum(len(content) for content in self.contents)


def petition_files(folder: Path, count: int, size: int, *, seed: int = 20261128) -> RecordSet:
    """``count`` UTF-8 text files of exactly ``size`` bytes, petition texts drawn at random, deterministic for a seed.

    Each file is whole records of :func:`petition_corpus` (title, then text), cut at
    a character boundary and padded with newlines to ``size``.  Nothing in filing
    compresses or deduplicates, so drawing from a pool costs the measure nothing.
    """
    corpus = petition_corpus(POOL_RECORDS, seed=seed)
    pool = [f"{record.title}\n{record.text}\n\n".encode() for case in corpus for record in case.records]
    rng = random.Random(seed + size)
    folder.mkdir(parents=True)
    files, contents = [], []
    for n in range(count):
        parts, length = [], 0
        while length < size:
            parts.append(rng.choice(pool))
            length += len(parts[-1])
        content = b"".join(parts)[:size].decode("utf-8", errors="ignore").encode()
        content += b"\n" * (size - len(content))
        path = folder / f"信访材料-{n + 1:04d}.txt"
        path.write_bytes(content)
        files.append(path)
        contents.append(content)
    case = corpus[0]
    return RecordSet(files, contents, case.registration, case.records[0].title)


# -- what is timed ----------------------------------------------------------------------


def prepared_archive(folder: Path, records: RecordSet) -> tuple[Archive, Session, str]:
    """A fresh archive, its filer (a leader, clearance 机密, test KDF) logged in, and the case registered."""
    archive = office_archive(folder, {FILER: (Role.LEADER, KdfParams.insecure_for_tests())})
    filer = login(archive, FILER, PASSPHRASE)
    case_id = register_case(archive, filer, records.registration, today=TODAY).case_id
    return archive, filer, case_id


def timed(action: Callable[[], object]) -> float:
    """Wall-clock seconds of ``action``, after flushing what earlier steps left dirty."""
    os.sync()
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def file_in_process(folder: Path, records: RecordSet) -> float:
    """Seconds of one ``add_records`` call filing every file into a fresh archive (closed afterwards)."""
    archive, filer, case_id = prepared_archive(folder, records)
    with archive:
        level = records.registration.classification

        def file_all() -> None:
            filed = add_records(archive, filer, records.files, case_id=case_id, title=records.title,
                                kind=parse_kind(KIND), classification=level, formed=TODAY)
            assert len(filed) == len(records.files), len(filed)

        return timed(file_all)


def file_on_command_line(folder: Path, records: RecordSet) -> float:
    """Seconds of ``xinfang archive add FILES… --json`` in a fresh process: start-up, unlock, filing, indexing."""
    archive, _filer, case_id = prepared_archive(folder, records)
    archive.close()
    script = Path(sys.executable).with_name("xinfang")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "xinfang"]
    command += ["archive", "add", *map(str, records.files), "--case", case_id, "--title", records.title,
                "--kind", KIND, "--classification", records.registration.classification.label,
                "--formed", TODAY.isoformat(), "--json"]
    environment = os.environ | {"XINFANG_ARCHIVE": str(folder), "XINFANG_USER": FILER, "XINFANG_PASSPHRASE": PASSPHRASE}

    def add() -> None:
        done = subprocess.run(command, env=environment, capture_output=True, check=True)
        assert len(json.loads(done.stdout)["records"]) == len(records.files), done.stdout[:200]

    return timed(add)


def copy_and_sync(folder: Path, records: RecordSet, *, only_copied: bool) -> float:
    """Seconds of ``cp`` of the files into a fresh ``folder`` and ``sync`` (of everything, or of the copies only)."""
    folder.mkdir()
    copies = [str(folder / path.name) for path in records.files]
    sync = ["sync", "--", *copies, str(folder)] if only_copied else ["sync"]

    def copy() -> None:
        subprocess.run(["cp", "--", *map(str, records.files), str(folder)], check=True)
        subprocess.run(sync, check=True)

    return timed(copy)


def encrypt_in_memory(records: RecordSet) -> float:
    """Seconds of AES-256-GCM over each file's bytes, already in memory, one call a file.

    Each ciphertext is dropped at once, as filing writes it out: keeping them all
    would time the page faults of fresh memory, not the cipher.
    """
    aead = AESGCM(bytes(range(32)))

    def encrypt_all() -> None:
        for n, content in enumerate(records.contents):
            aead.encrypt(n.to_bytes(12, "big"), content, None)

    return timed(encrypt_all)


# -- sizes ------------------------------------------------------------------------------


def folder_size(folder: Path) -> dict[str, int]:
    """Bytes of the files under ``folder`` and what they take on disk, folders included (as ``du`` counts)."""
    paths = [folder, *folder.rglob("*")]
    return {
        "apparent_bytes": sum(path.stat().st_size for path in paths if path.is_file()),
        "disk_bytes": sum(path.stat().st_blocks * 512 for path in paths),
    }


def archive_sizes(archive_folder: Path, copy_folder: Path, records: RecordSet) -> dict[str, Any]:
    """The archive folder at rest (closed) against its plaintext and the plain copy, per 1,000 records."""
    whole, copy = folder_size(archive_folder), folder_size(copy_folder)
    per_thousand = 1000 / len(records.files)
    return {
        "records": len(records.files),
        "plaintext_bytes": records.plaintext_bytes,
        "archive": whole,
        "record_files_bytes": folder_size(archive_folder / RECORD_DIR)["apparent_bytes"],
        "catalogue_bytes": sum(path.stat().st_size for path in archive_folder.glob(f"{CATALOGUE_NAME}*")),
        "plain_copy": copy,
        "archive_disk_bytes_per_1000_records": whole["disk_bytes"] * per_thousand,
        "plaintext_bytes_per_1000_records": records.plaintext_bytes * per_thousand,
        "ratio_disk_to_plaintext": whole["disk_bytes"] / records.plaintext_bytes,
        "ratio_disk_to_plain_copy": whole["disk_bytes"] / copy["disk_bytes"],
    }


# -- the run ----------------------------------------------------------------------------

MEASURES = ("add_records", "peer_cp_sync", "peer_cp_sync_copies", "peer_aes_gcm")


def measure_set(scratch: Path, records: RecordSet, runs: int, cli: bool) -> tuple[dict[str, Timing], dict[str, Any]]:
    """Each run: filing, its peers back to back, and the command line if asked; sizes from the first run."""
    seconds: dict[str, list[float]] = {name: [] for name in (*MEASURES, *(["cli_archive_add"] if cli else []))}
    sizes: dict[str, Any] = {}
    for _ in range(runs):
        with tempfile.TemporaryDirectory(dir=scratch) as place_name:
            place = Path(place_name)
            seconds["add_records"].append(file_in_process(place / "archive", records))
            seconds["peer_cp_sync"].append(copy_and_sync(place / "copy", records, only_copied=False))
            seconds["peer_cp_sync_copies"].append(copy_and_sync(place / "copy-synced", records, only_copied=True))
            seconds["peer_aes_gcm"].append(encrypt_in_memory(records))
            if cli:
                seconds["cli_archive_add"].append(file_on_command_line(place / "cli-archive", records))
            sizes = sizes or archive_sizes(place / "archive", place / "copy", records)
    return {name: Timing(taken) for name, taken in seconds.items()}, sizes


def set_result(records: RecordSet, timings: dict[str, Timing]) -> dict[str, Any]:
    """Medians and spreads, MB/s and records/s; for each peer, filing's throughput over the peer's (ours/peer)."""
    ours = timings["add_records"].median
    result: dict[str, Any] = {
        "records": len(records.files),
        "record_bytes": len(records.contents[0]),
        "plaintext_bytes": records.plaintext_bytes,
    }
    for name, timing in timings.items():
        result[name] = timing.to_json() | {
            "mb_per_s": records.plaintext_bytes / MB / timing.median,
            "records_per_s": len(records.files) / timing.median,
        }
        if name.startswith("peer_"):
            result[name]["ours_to_peer"] = timing.median / ours
    return result


def run(big: int = 64, small: int = 1000, runs: int = 3, out: Path | None = None, *, cli: bool = True) -> dict[str, Any]:
    """Write ``big`` 1 MiB and ``small`` 10 KiB files, measure, write ``filing.json`` under ``out`` and return it.

    ``cli=False`` leaves out ``xinfang archive add``, which also indexes the files.
    """
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="xinfang-bench-") as scratch_name:
        scratch = Path(scratch_name)
        big_set = petition_files(scratch / "big", big, BIG_BYTES)
        small_set = petition_files(scratch / "small", small, SMALL_BYTES)
        big_timings, big_sizes = measure_set(scratch, big_set, runs, cli=False)
        small_timings, small_sizes = measure_set(scratch, small_set, runs, cli=cli)
    big_result, small_result = set_result(big_set, big_timings), set_result(small_set, small_timings)
    cli_per_s = small_result["cli_archive_add"]["records_per_s"] if cli else None
    result = {
        "area": "filing",
        "runs": runs,
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "big": big_result,
        "small": small_result,
        "sizes": {"big": big_sizes, "small": small_sizes},
        "goals": {
            "filing_1mib_0_5x_cp_sync": big_result["peer_cp_sync"]["ours_to_peer"] >= 0.5,
            "small_200_per_s": small_result["add_records"]["records_per_s"] >= 200,
            "cli_small_200_per_s": None if cli_per_s is None else cli_per_s >= 200,
        },
    }
    path = write_result("filing", result, out)
    _print_table(result, path)
    return result


_LABELS = {
    "add_records": "add_records, one call",
    "peer_cp_sync": "peer: cp, then sync",
    "peer_cp_sync_copies": "peer: cp, sync of the copies",
    "peer_aes_gcm": "peer: AES-256-GCM in memory",
    "cli_archive_add": "xinfang archive add, indexing too",
}


def _print_table(result: dict[str, Any], path: Path) -> None:
    print(f"{'measure':<42}{'median s':>10}{'spread s':>10}{'MB/s':>10}{'records/s':>11}{'ours/peer':>11}")
    for key in ("big", "small"):
        figures = result[key]
        print(f"{figures['records']} records of {figures['record_bytes']:,} bytes")
        for name, label in _LABELS.items():
            if name in figures:
                row = figures[name]
                spread = row["max_s"] - row["min_s"]
                ratio = f"{row['ours_to_peer']:.3f}x" if "ours_to_peer" in row else ""
                print(f"  {label:<40}{row['median_s']:>10.3f}{spread:>10.3f}{row['mb_per_s']:>10.1f}"
                      f"{row['records_per_s']:>11.1f}{ratio:>11}")
    for key, sizes in result["sizes"].items():
        print(f"size, {sizes['records']} records of {result[key]['record_bytes']:,} bytes: archive {sizes['archive']['disk_bytes'] / MB:.2f} MB on disk, "
              f"plaintext {sizes['plaintext_bytes'] / MB:.2f} MB: {sizes['ratio_disk_to_plaintext']:.2f}x "
              f"({sizes['ratio_disk_to_plain_copy']:.2f}x the plain copy on disk)")
    print(f"goals {result['goals']}; load average {result['load_average']}; results in {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--big", type=int, default=64, help="1 MiB records to file")
    parser.add_argument("--small", type=int, default=1000, help="10 KiB records to file")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--no-cli", dest="cli", action="store_false", help="leave out xinfang archive add")
    args = parser.parse_args()
    run(args.big, args.small, args.runs, args.out, cli=args.cli)


if __name__ == "__main__":
    main()
