"""Crash safety of ``archive add``: a process killed mid-way leaves whole records only.

``xinfang archive add`` runs as its own process (real Argon2id, with the weak test
parameters) over forty files of about 200 KiB and is sent SIGKILL after it has reported
a few records.  Afterwards the archive must verify — with keys and without — every
reported record must be there and read back byte for byte, nothing may be half filed,
and the same command must simply work when run again.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import CASES, FAULT_SCALE, OFFICER, PASSPHRASE, CliRun, Office, register_cases

XINFANG = Path(sys.executable).with_name("xinfang")
FILER = "王文秘"
AUDITOR = "钱审计"
ITERATIONS = 5 * FAULT_SCALE
FILES_PER_RUN = 40
SEED = 20261128
REPORTED = re.compile(r"^已归入 (R-\d{4}-\d{6})$")


def make_sources(folder: Path, rng: random.Random) -> list[Path]:
    """Forty files of 150–300 KiB of random bytes: some one chunk, some two."""
    folder.mkdir()
    sources = []
    for number in range(FILES_PER_RUN):
        path = folder / f"证据{number:02d}.bin"
        path.write_bytes(rng.randbytes(rng.randint(150, 300) * 1024))
        sources.append(path)
    return sources


def add_command(sources: list[Path], case_id: str) -> list[str]:
    return [str(XINFANG), "archive", "add", *map(str, sources), "--case", case_id, "--title", "现场取证材料",
            "--kind", "evidence", "--classification", "秘密"]


def environment(office: Office) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINFANG_")}
    return env | {"XINFANG_ARCHIVE": str(office.path), "XINFANG_USER": FILER, "XINFANG_PASSPHRASE": PASSPHRASE,
                  "XINFANG_INSECURE_TEST_KDF": "1", "PYTHONUNBUFFERED": "1"}


def add_and_kill(command: list[str], env: dict[str, str], kill_after: int, delay: float, stderr: Path) -> list[str]:
    """Start the add, SIGKILL it ``delay`` seconds after its ``kill_after``-th report; the ids it reported."""
    reported: list[str] = []
    with open(stderr, "wb") as errors, subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL
    ) as process:
        assert process.stdout is not None
        while len(reported) < kill_after:
            line = process.stdout.readline().decode()
            if not line:
                break
            match = REPORTED.match(line.strip())
            assert match, line
            reported.append(match[1])
        time.sleep(delay)  # a record takes a few milliseconds: land anywhere inside the next one
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    assert len(reported) == kill_after, stderr.read_text(encoding="utf-8", errors="replace")
    assert process.returncode == -signal.SIGKILL, "the add finished before it could be killed"
    return reported


def assert_verifies(cli: CliRun) -> None:
    """The officer (decrypting everything) and the auditor (without keys) both find no problem."""
    with_keys = cli("archive", "verify", "--json", user=OFFICER)
    assert with_keys.exit_code == 0, with_keys.output
    report = json.loads(with_keys.stdout)
    assert report["ok"] and report["problems"] == []
    assert report["records_decrypted"] == report["records_checked"] > 0
    without_keys = cli("archive", "verify", "--json", user=AUDITOR)
    assert without_keys.exit_code == 0, without_keys.output
    assert json.loads(without_keys.stdout)["records_checked"] == report["records_checked"]


def listed_ids(cli: CliRun, case_id: str | None = None) -> list[str]:
    args = ["archive", "list", "--json"] + (["--case", case_id] if case_id else [])
    result = cli(*args, user=OFFICER)
    assert result.exit_code == 0, result.output
    return [record["record_id"] for record in json.loads(result.stdout)]


def read_back(cli: CliRun, record_id: str, out_folder: Path) -> bytes:
    out = out_folder / f"{record_id}.bin"
    result = cli("archive", "get", record_id, "--out", str(out), user=FILER)
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_killed_add_leaves_only_whole_records_and_can_be_rerun(cli: CliRun, office: Office, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    register_cases(office, ITERATIONS - len(CASES))
    env = environment(office)
    out_folder = tmp_path / "取出"
    out_folder.mkdir()
    expected: dict[str, bytes] = {}
    for iteration in range(ITERATIONS):
        case_id = f"XF-2026-{iteration + 1:04d}"
        sources = make_sources(tmp_path / f"第{iteration}批", rng)
        command = add_command(sources, case_id)
        kill_after, delay = rng.randint(3, 10), rng.uniform(0, 0.005)

        reported = add_and_kill(command, env, kill_after, delay, tmp_path / f"stderr-{iteration}.txt")

        assert_verifies(cli)
        survived = listed_ids(cli, case_id)
        # Every reported record is there, in file order; whatever else was committed
        # before the kill continues that order — nothing is out of place or half filed.
        assert survived[: len(reported)] == reported
        assert len(reported) <= len(survived) < FILES_PER_RUN
        for record_id, source in zip(survived, sources, strict=False):
            assert read_back(cli, record_id, out_folder) == source.read_bytes(), (iteration, record_id, source)
            expected[record_id] = source.read_bytes()

        rerun = subprocess.run(command, env=env, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
        assert rerun.returncode == 0, rerun.stderr.decode()
        lines = rerun.stdout.decode().splitlines()
        again = [match[1] for match in map(REPORTED.match, lines) if match]
        assert len(again) == len(lines) == FILES_PER_RUN
        assert listed_ids(cli, case_id) == survived + again
        for record_id, source in zip(again, sources, strict=True):
            expected[record_id] = source.read_bytes()
        for record_id, source in rng.sample(list(zip(again, sources, strict=True)), 3):
            assert read_back(cli, record_id, out_folder) == source.read_bytes()

    assert_verifies(cli)
    everything = listed_ids(cli)
    assert sorted(everything) == sorted(expected)
    # A killed transaction gives its number back: the ids run without a gap.
    year = everything[0].split("-")[1]
    assert everything == [f"R-{year}-{n:06d}" for n in range(1, len(everything) + 1)]
