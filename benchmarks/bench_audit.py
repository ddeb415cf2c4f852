"""Audit log verification at scale, next to SHA-256 of the same bytes.

Goal (issue 11): ``audit verify`` of 100,000 entries in at most 10 s on a 2-core
machine.  The peer is hashing the same entry bodies once with hashlib, the floor
any verifier must pay.

Usage: python -m benchmarks.bench_audit [--entries N] [--runs R] [--out DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
from pathlib import Path

from archive import Session, login
from archive.audit import Act, verify_log
from archive.catalogue import write_transaction
from archive.folder import Archive

from ._harness import OFFICER, PASSPHRASE, office_archive, time_runs, write_result

ENTRIES_PER_COMMAND = 5


def build_log(folder: Path, entries: int) -> Archive:
    """An archive whose log has about ``entries`` entries, one checkpoint per simulated command."""
    archive = office_archive(folder, {})
    session = login(archive, OFFICER, PASSPHRASE)
    (existing,) = archive.conn.execute("SELECT COUNT(*) FROM audit_entries").fetchone()
    commands = -(-max(0, entries - existing) // ENTRIES_PER_COMMAND)
    for batch in range(0, commands, 200):
        with write_transaction(archive.conn):
            for command in range(batch, min(batch + 200, commands)):
                act_entries(archive, session, command)
    return archive


def act_entries(archive: Archive, session: Session, command: int) -> None:
    """One simulated command: a few entries and the checkpoint its actor signs."""
    act = Act(archive.conn, archive.config.archive_id, session.account.name, session.keys.sign_private)
    for n in range(ENTRIES_PER_COMMAND):
        record_id = f"R-2026-{command * ENTRIES_PER_COMMAND + n:06d}"
        act.log("record.get", [record_id], info={"case": f"XF-2026-{command % 9999:04d}"})
    act.sign_checkpoint()


def run(entries: int, runs: int, out: Path | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="xinfang-bench-") as scratch:
        archive = build_log(Path(scratch) / "archive", entries)
        with archive:
            bodies = [body.encode() for (body,) in archive.conn.execute("SELECT body FROM audit_entries")]
            size = len(bodies)
            ours = time_runs(lambda: verify_log(archive.conn, archive.config.archive_id), runs)
            peer = time_runs(lambda: [hashlib.sha256(b).digest() for b in bodies], runs)
            summary = verify_log(archive.conn, archive.config.archive_id)
            assert not summary.problems, summary.problems[:3]
    result = {
        "area": "audit",
        "entries": size,
        "verify_log": ours.to_json(),
        "peer_sha256_of_bodies": peer.to_json(),
        "ratio_to_peer": ours.median / peer.median,
        "goal": "verify of 100,000 entries <= 10 s",
        "goal_met": size < 100_000 or ours.median <= 10.0,
    }
    path = write_result("audit", result, out)
    print(f"{'measure':<28}{'median s':>10}{'spread s':>10}")
    print(f"{'audit verify_log':<28}{ours.median:>10.3f}{ours.spread:>10.3f}")
    print(f"{'peer: sha256 of bodies':<28}{peer.median:>10.3f}{peer.spread:>10.3f}")
    print(f"entries {size}; ratio {result['ratio_to_peer']:.1f}x the peer; results in {path}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    run(args.entries, args.runs, args.out)


if __name__ == "__main__":
    main()
