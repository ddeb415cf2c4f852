"""A tiny run of each benchmark, so the harness cannot rot; the timings themselves are not tested."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import bench_audit, bench_search


def test_the_audit_benchmark_runs_and_writes_its_result(tmp_path: Path) -> None:
    result = bench_audit.run(entries=60, runs=1, out=tmp_path)
    written = json.loads((tmp_path / "audit.json").read_text())
    assert written["entries"] == result["entries"] >= 60
    assert written["machine"]["cores"] >= 1 and written["verify_log"]["runs"] == 1


def test_the_search_benchmark_runs_and_writes_its_result(tmp_path: Path) -> None:
    result = bench_search.run(records=30, runs=1, out=tmp_path, cli=False, repeats=1)
    written = json.loads((tmp_path / "search.json").read_text())
    assert written["records"] == result["records"] == 30 and written["cases"] == 6
    assert written["indexing"]["reindex"]["runs"] == written["indexing"]["peer_naive_whoosh"]["runs"] == 1
    counts = written["search"]["search_archive"]["counts"]
    assert set(counts) == set(bench_search.QUERIES) and counts == written["search"]["peer_unencrypted"]["counts"]
    assert len(written["search"]["profile"]["top_by_own_time"]) == 5
    assert written["index_size"]["encrypted_bytes"] > 0 and written["cold_cli"] is None
    assert set(written["goals"]) == {"indexing_3x_naive", "query_p95_50ms_at_100k", "query_p95_1_3x_unencrypted",
                                     "cold_cli_0_6s", "index_1_5x_text"}
