"""A tiny run of the filing benchmark, so it cannot rot; the timings themselves are not tested."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import bench_filing


def test_the_filing_benchmark_runs_and_writes_its_result(tmp_path: Path) -> None:
    result = bench_filing.run(big=2, small=5, runs=1, out=tmp_path)
    written = json.loads((tmp_path / "filing.json").read_text())
    assert written["big"] == result["big"] and written["machine"]["cores"] >= 1 and written["runs"] == 1
    assert (written["big"]["records"], written["big"]["record_bytes"]) == (2, 1024 * 1024)
    assert (written["small"]["records"], written["small"]["record_bytes"]) == (5, 10 * 1024)
    peers = {"peer_cp_sync", "peer_cp_sync_copies", "peer_aes_gcm"}
    assert set(written["big"]) >= {"add_records", *peers} and "cli_archive_add" in written["small"]
    assert all(written[key][name]["runs"] == 1 and written[key][name]["ours_to_peer"] > 0
               for key in ("big", "small") for name in peers)
    for key in ("big", "small"):
        sizes = written["sizes"][key]
        assert sizes["plaintext_bytes"] == written[key]["plaintext_bytes"] > 0
        assert sizes["archive"]["disk_bytes"] > sizes["record_files_bytes"] > sizes["plaintext_bytes"]
        assert sizes["catalogue_bytes"] > 0 and sizes["ratio_disk_to_plaintext"] > 1
    assert set(written["goals"]) == {"filing_1mib_0_5x_cp_sync", "small_200_per_s", "cli_small_200_per_s"}
    assert all(isinstance(met, bool) for met in written["goals"].values())


def test_the_files_are_the_same_for_a_seed(tmp_path: Path) -> None:
    first = bench_filing.petition_files(tmp_path / "first", 3, 10 * 1024)
    again = bench_filing.petition_files(tmp_path / "again", 3, 10 * 1024)
    assert first.contents == again.contents and len(set(first.contents)) == 3
    assert all(len(content) == 10 * 1024 and content.decode("utf-8") for content in first.contents)
