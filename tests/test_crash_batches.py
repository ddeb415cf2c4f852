"""Crash safety of the batch commands: ``search reindex``, ``keys rotate``, ``destroy execute``, ``generate reminders``.

Each runs as its own process over an archive of two dozen records and is sent SIGKILL at
seeded moments of its run (the run's length is measured first on a copy, and the kills
land in its second half, past start-up, where the work is).  After each kill the archive
must verify, with keys and without; running the same command again must finish the job;
and the end state must be the one an uninterrupted run leaves: every surviving record
reads back byte for byte, searches find what they found, and the batch is destroyed
exactly, its 清册 filed once.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from archive import Level, Retention, add_records, login, parse_kind
from archive.destruction import approve_batch, propose_batch, witness_batch
from search import index_queued
from tests.conftest import FAULT_SCALE, OFFICER, PASSPHRASE, CliRun, Office
from tests.generators.conftest import REAL, build_town

XINFANG = Path(sys.executable).with_name("xinfang")
SEED = 20261129
RECORDS = 24
KILLS = 2 * FAULT_SCALE
LEADER, CLERK, ARCHIVIST, AUDITOR = "吴领导", "王文秘", "孙档案", "钱审计"
WORDS = ("挪用扶贫资金", "虚报冒领", "优亲厚友")


def _fill(office: Office, scratch: Path) -> None:
    """Two dozen records of two cases: half recent, half formed in 2000 with 定期10年 (due), all indexed."""
    rng = random.Random(SEED)
    scratch.mkdir()
    with office.open() as archive:
        clerk = login(archive, CLERK, PASSPHRASE)
        for number in range(RECORDS):
            old = number % 2 == 1
            source = scratch / f"{number}.txt"
            source.write_text(f"第{number}件材料：反映某村{rng.choice(WORDS)}，" + "经手人记录。" * rng.randint(20, 200),
                              encoding="utf-8")
            add_records(archive, clerk, [source], case_id="XF-2026-0002" if old else "XF-2026-0001",
                        title=f"材料{number}", kind=parse_kind("letter"),
                        classification=Level.INTERNAL if old else Level.SECRET,
                        retention=Retention.TEN_YEARS if old else None, formed=date(2000, 1, 5) if old else None)
        index_queued(archive, login(archive, LEADER, PASSPHRASE))


def _witnessed_batch(office: Office) -> str:
    with office.open() as archive:
        due = [r for (r,) in archive.conn.execute("SELECT record_id FROM records WHERE formed < '2001-01-01'")]
        batch = propose_batch(archive, login(archive, ARCHIVIST, PASSPHRASE), due)
        approve_batch(archive, login(archive, LEADER, PASSPHRASE), batch.batch_id)
        for witness in (CLERK, "郑秘书"):
            witness_batch(archive, login(archive, witness, PASSPHRASE), batch.batch_id)
    return batch.batch_id


COMMANDS: dict[str, tuple[str, Callable[[Office], list[str]]]] = {
    "reindex": (LEADER, lambda office: ["search", "reindex"]),
    "rotate": (OFFICER, lambda office: ["keys", "rotate"]),
    "destroy": (ARCHIVIST, lambda office: ["destroy", "execute", _witnessed_batch(office)]),
}


def _environment(folder: Path, user: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINFANG_")}
    return env | {"XINFANG_ARCHIVE": str(folder), "XINFANG_USER": user, "XINFANG_PASSPHRASE": PASSPHRASE,
                  "XINFANG_INSECURE_TEST_KDF": "1"}


def _run(folder: Path, user: str, args: list[str], kill_at: float | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run the command; with ``kill_at``, SIGKILL it that many seconds after its start."""
    process = subprocess.Popen([str(XINFANG), *args], env=_environment(folder, user), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if kill_at is not None:
        try:
            process.wait(timeout=kill_at)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
    out, err = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def _state(cli: CliRun, folder: Path, scratch: Path) -> dict[str, object]:
    """What a user would check: verification, every record's bytes, what a search finds, the batches."""
    with_keys = cli("archive", "verify", "--json", user=OFFICER, archive=folder)
    without_keys = cli("archive", "verify", "--json", user=AUDITOR, archive=folder)
    assert with_keys.exit_code == 0 and without_keys.exit_code == 0, with_keys.output + without_keys.output
    report = json.loads(with_keys.stdout)
    left_over = [w for w in report["warnings"] if "弱口令派生参数" not in w]  # (the test archives' fast KDF)
    assert report["problems"] == [] and left_over == [], report
    listed = json.loads(cli("archive", "list", "--json", user=LEADER, archive=folder).stdout)
    assert report["records_decrypted"] == len(listed)  # every live record decrypted and checked against its MAC
    contents: dict[str, object] = {r["record_id"]: (r["title"], r["classification"], r["kind"]) for r in listed}
    for record in listed[:: len(listed) // 4 or 1]:  # and a few read back as a user would
        if record["kind"] == "destruction-register":
            continue  # (it prints its own times)
        out = scratch / f"{record['record_id']}.bin"
        out.unlink(missing_ok=True)
        got = cli("archive", "get", record["record_id"], "--out", str(out), user=LEADER, archive=folder)
        assert got.exit_code == 0, got.output
        contents[record["record_id"] + " bytes"] = out.read_bytes()
    searched = {word: json.loads(cli("search", word, "--json", "--limit", "100", user=LEADER, archive=folder).stdout)
                for word in WORDS}
    destructions = [(d["batch_id"], d["items"], d["register_filed"], d["ok"]) for d in report["destructions"]]
    return {"records": contents, "destroyed": report["records_destroyed"], "destructions": destructions,
            "search": {word: sorted(hit["record_id"] for hit in found["results"]) for word, found in searched.items()}}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_killed_batch_command_is_finished_by_running_it_again(name: str, office: Office, cli: CliRun,
                                                                tmp_path: Path) -> None:
    user, command = COMMANDS[name]
    _fill(office, tmp_path / "源文件")
    args = command(office)
    scratch = tmp_path / "取出"
    scratch.mkdir()

    reference = tmp_path / "reference"
    shutil.copytree(office.path, reference)
    started = time.monotonic()
    whole = _run(reference, user, args)
    length = time.monotonic() - started
    assert whole.returncode == 0, whole.stderr.decode()
    expected = _state(cli, reference, scratch)

    rng = random.Random(f"{SEED}-{name}")
    for kill in range(KILLS):
        folder = tmp_path / f"killed-{kill}"
        shutil.copytree(office.path, folder)
        killed = _run(folder, user, args, kill_at=rng.uniform(0.5, 0.95) * length)
        assert b"Traceback" not in killed.stderr
        interrupted = cli("archive", "verify", "--json", user=AUDITOR, archive=folder)
        assert interrupted.exit_code == 0, interrupted.output  # warnings name what is left, never a problem
        again = _run(folder, user, args)
        finished_before = name == "destroy" and "执行完毕" in again.stderr.decode()  # the kill came after the end
        assert again.returncode == 0 or finished_before, again.stderr.decode()
        assert _state(cli, folder, scratch) == expected, (name, kill)


def test_a_killed_generate_reminders_leaves_one_draft_and_its_file(tmp_path: Path, cli: CliRun) -> None:
    """``generate reminders`` killed anywhere, then run again: one unissued 催办函 draft, its file beside it."""
    town = build_town(tmp_path / "town")
    args = ["generate", "reminders", "--as-of", "2026-11-28"]
    reference = tmp_path / "reference"
    shutil.copytree(town.path, reference)
    started = time.monotonic()
    whole = _run(reference, CLERK, [*args, "--out", str(tmp_path / "reference-out")])
    length = time.monotonic() - started
    assert whole.returncode == 0, whole.stderr.decode()

    rng = random.Random(f"{SEED}-reminders")
    for kill in range(KILLS + 1):
        folder, out = tmp_path / f"killed-{kill}", tmp_path / f"out-{kill}"
        shutil.copytree(town.path, folder)
        killed = _run(folder, CLERK, [*args, "--out", str(out)], kill_at=rng.uniform(0.5, 1.0) * length)
        assert b"Traceback" not in killed.stderr
        again = _run(folder, CLERK, [*args, "--out", str(out), "--json"])
        assert again.returncode == 0, again.stderr.decode()
        with Office(folder).raw_catalogue() as conn:
            drafts = conn.execute("SELECT draft_id, case_id FROM drafts WHERE kind = 'reminder'").fetchall()
        assert [case for _, case in drafts] == [REAL], (kill, drafts)
        assert [p.name.split("-催办函")[0] for p in out.iterdir()] == [drafts[0][0]]
        assert cli("archive", "verify", user=AUDITOR, archive=folder).exit_code == 0
