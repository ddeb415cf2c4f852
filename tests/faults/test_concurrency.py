"""Four office computers at once: filing, issuing numbered letters and searching, for about ten seconds.

Each of four threads runs ``xinfang`` as separate processes, one after another,
against the same archive folder, as four people at their desks would: a
secretary files letters (``archive add``, three files and so three transactions
a process), two leader's sessions issue 转办函 from drafts made beforehand
(``issue``, two drafts a process: a 发文字号 and two records each), and a secretary
searches (``search``).  New commands start for ``DURATION`` seconds; how many run
depends on the machine (a command takes one to a few seconds on two busy cores),
but the first four always overlap.  Every command must succeed.  Afterwards:

- no record is lost: every id a command printed is in the catalogue and reads back,
  the filed ones byte for byte, and nothing else was filed;
- the 发文字号 of the series run 1, 2, 3, … without a gap or a repeat, and the
  register says the same;
- the searcher never saw fewer hits than before (the index only grows), and
  finally finds every filed letter;
- ``archive verify`` passes, and no output anywhere says "database is locked",
  shows a traceback or the catch-all internal error.

The archive is the issuing office of ``tests.generators.conftest`` (built once per
module) with drafts made through the library; the processes use the fast test KDF.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from archive import login
from generators.issuing import generate_draft
from tests.conftest import FAULT_SCALE, PASSPHRASE, CliRun, Office
from tests.generators.conftest import ANONYMOUS, LEADER, REQUIRED, SECRETARY, YEAR, build_town, copy_town

XINFANG = Path(sys.executable).with_name("xinfang")
DURATION = 15.0 * FAULT_SCALE  # seconds during which new commands are started (a minute in `make faults`)
FILES_PER_ADD = 3  # each file its own transaction: three record ids per process
DRAFTS_PER_ISSUE = 2  # each its own 发文字号
DRAFTS_PER_ISSUER = 4
ISSUERS = 2
WORD = "扶贫"
FORBIDDEN = ("database is locked", "Traceback", "程序内部错误")


@dataclass
class Stream:
    """One desk: the commands it ran, with what each printed."""

    name: str
    runs: list[subprocess.CompletedProcess[str]] = field(default_factory=list)

    def failures(self) -> list[str]:
        return [f"{self.name}: {' '.join(r.args[1:4])} → {r.returncode}\n{r.stderr}" for r in self.runs
                if r.returncode != 0]


@pytest.fixture(scope="module")
def drafted_town(tmp_path_factory: pytest.TempPathFactory) -> tuple[Office, list[str]]:
    """The issuing office with ``ISSUERS * DRAFTS_PER_ISSUER`` 转办函 drafts for its anonymous case."""
    root = tmp_path_factory.mktemp("concurrency")
    town = build_town(root / "archive")
    with town.open() as archive:
        secretary = login(archive, SECRETARY, PASSPHRASE)
        drafts = [generate_draft(archive, secretary, "forward", ANONYMOUS, REQUIRED["forward"], root / "草稿").draft.draft_id
                  for _ in range(ISSUERS * DRAFTS_PER_ISSUER)]
    return town, drafts


def _environment(archive: Path, user: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINFANG_")}
    return env | {"XINFANG_ARCHIVE": str(archive), "XINFANG_USER": user, "XINFANG_PASSPHRASE": PASSPHRASE,
                  "XINFANG_INSECURE_TEST_KDF": "1", "PYTHONUNBUFFERED": "1"}


def _desk(stream: Stream, env: dict[str, str], deadline: float,
          next_command: Callable[[int], list[str] | None]) -> Callable[[], None]:
    """A thread body: run ``next_command(n)`` as its own process until the deadline or until it says None."""

    def work() -> None:
        n = 0
        while time.monotonic() < deadline:
            args = next_command(n)
            if args is None:
                return
            stream.runs.append(subprocess.run([str(XINFANG), *args], env=env, capture_output=True, text=True,
                                              timeout=120, stdin=subprocess.DEVNULL))
            n += 1

    return work


def test_four_desks_filing_issuing_and_searching_at_once_lose_nothing_and_number_without_gaps(
    drafted_town: tuple[Office, list[str]], tmp_path: Path, cli: CliRun
) -> None:
    template, drafts = drafted_town
    town = copy_town(template, tmp_path / "archive")
    sources, out = tmp_path / "收件", tmp_path / "发文"
    sources.mkdir()
    contents: dict[int, list[bytes]] = {}  # the n-th filing's contents, file by file

    def file_letters(n: int) -> list[str]:
        batch = []
        for k in range(FILES_PER_ADD):
            source = sources / f"第{n}批" / f"来信{k}.txt"
            source.parent.mkdir(exist_ok=True)
            source.write_bytes(f"第{n}批第{k}封来信：反映某村挪用{WORD}资金。".encode())
            batch.append(source)
        contents[n] = [source.read_bytes() for source in batch]
        return ["archive", "add", *map(str, batch), "--case", ANONYMOUS, "--title", f"第{n}批来信", "--kind", "letter",
                "--classification", "内部", "--json"]

    def issuer(mine: list[str]) -> Callable[[int], list[str] | None]:
        batches = [mine[k : k + DRAFTS_PER_ISSUE] for k in range(0, len(mine), DRAFTS_PER_ISSUE)]
        return lambda n: ["issue", *batches[n], "--signer", LEADER, "--out", str(out), "--json"] if n < len(batches) else None

    deadline = time.monotonic() + DURATION
    filer, searcher = Stream("文秘归档"), Stream("检索")
    issuers = [Stream(f"领导签发{i + 1}") for i in range(ISSUERS)]
    desks = [
        _desk(filer, _environment(town.path, SECRETARY), deadline, file_letters),
        *(_desk(stream, _environment(town.path, LEADER), deadline, issuer(drafts[i::ISSUERS]))
          for i, stream in enumerate(issuers)),
        _desk(searcher, _environment(town.path, SECRETARY), deadline,
              lambda n: ["search", WORD, "--limit", "10000", "--json"]),
    ]
    threads = [threading.Thread(target=desk) for desk in desks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
        assert not thread.is_alive()

    streams = [filer, *issuers, searcher]
    everything = "".join(r.stdout + r.stderr for stream in streams for r in stream.runs)
    for phrase in FORBIDDEN:
        assert phrase not in everything, everything
    assert [failure for stream in streams for failure in stream.failures()] == []
    assert all(stream.runs for stream in streams)  # all four started together: at least their first commands overlapped

    # No record lost, none extra: what the commands printed is what the catalogue holds.
    filed = {}
    for n, run in enumerate(filer.runs):
        records = json.loads(run.stdout)["records"]
        assert len(records) == FILES_PER_ADD
        filed |= {record["record_id"]: content for record, content in zip(records, contents[n], strict=True)}
    issued = [document for stream in issuers for run in stream.runs
              for document in json.loads(run.stdout).get("documents", [])]
    assert len(issued) == DRAFTS_PER_ISSUE * sum(len(stream.runs) for stream in issuers)
    issued_records = {record["record_id"] for document in issued for record in document["records"]}
    assert len(issued_records) == 2 * len(issued)
    listed = json.loads(cli("archive", "list", "--json", user=LEADER).stdout)
    assert {record["record_id"] for record in listed} == set(filed) | issued_records
    for record_id, content in filed.items():
        target = tmp_path / f"{record_id}.txt"
        got = cli("archive", "get", record_id, "--out", str(target), user=SECRETARY)
        assert got.exit_code == 0, got.output
        assert target.read_bytes() == content
    for record_id in sorted(issued_records):
        got = cli("archive", "get", record_id, "--out", str(tmp_path / f"{record_id}.docx"), user=LEADER)
        assert got.exit_code == 0, got.output

    # 发文字号: one series, consecutive from 1, and the register agrees.
    numbers = sorted(int(re.fullmatch(rf"伊纪信字〔{YEAR}〕(\d+)号", d["document_number"])[1]) for d in issued)
    assert numbers == list(range(1, len(issued) + 1))
    register = json.loads(cli("issue", "list", "--json", user=SECRETARY).stdout)["documents"]
    assert sorted((d["document_number"], tuple(d["records"])) for d in register) == sorted(
        (d["document_number"], tuple(r["record_id"] for r in d["records"])) for d in issued)

    # The index only grew while the searcher watched, and in the end holds every filed letter.
    counts = [json.loads(run.stdout)["count"] for run in searcher.runs]
    assert counts == sorted(counts)
    found = cli("search", WORD, "--limit", "10000", "--json", user=SECRETARY)
    assert found.exit_code == 0, found.output
    assert set(filed) <= {hit["record_id"] for hit in json.loads(found.stdout)["results"]}

    verified = cli("archive", "verify", "--json", user="钱审计")
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.stdout)["ok"]
