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
    result = bench_search.run(records=30, runs=1, out=tmp_path, cli=False, repeats=1, one_more=2)
    written = json.loads((tmp_path / "search-30.json").read_text())
    assert written["records"] == result["records"] == 30 and written["cases"] == 6
    indexing = written["indexing"]
    assert indexing["reindex"]["runs"] == indexing["peer_naive_whoosh"]["runs"] == indexing["peer_fts5"]["runs"] == 1
    assert 0 < indexing["peak_rss_bytes"] < 1 << 30
    counts = written["search"]["search_archive"]["counts"]
    assert set(counts) == set(bench_search.QUERIES) and counts == written["search"]["peer_unencrypted"]["counts"]
    assert len(written["search"]["profile"]["top_by_own_time"]) == 5
    assert len(written["one_more_record"]["seconds"]) == 2
    sizes = written["index_size"]
    assert sizes["encrypted_bytes"] > 0 and sizes["fts5_bytes"] > 0 and sizes["archive_bytes"] > 0
    assert written["cold_cli"] is None
    assert set(written["goals"]) == {"indexing_3x_naive", "query_p95_50ms_at_100k", "query_p95_1_3x_unencrypted",
                                     "cold_cli_0_6s", "index_1_5x_text", "one_more_record_p95_0_5s_at_100k",
                                     "reindex_peak_rss_1gib", "search_process_300mib"}


def test_the_search_benchmark_can_leave_out_the_whoosh_peers(tmp_path: Path) -> None:
    result = bench_search.run(records=10, runs=1, out=tmp_path, cli=False, repeats=1, one_more=1, whoosh_peers=False)
    assert result["indexing"]["peer_naive_whoosh"] is None and result["indexing"]["peer_fts5"]["runs"] == 1
    assert "peer_unencrypted" not in result["search"] and result["search"]["p95_ratio"] is None
    assert result["goals"]["indexing_3x_naive"] is None and result["goals"]["query_p95_1_3x_unencrypted"] is None


def test_a_kept_archive_can_be_measured_again(tmp_path: Path) -> None:
    built = bench_search.run(records=10, runs=1, out=tmp_path, cli=False, repeats=1, one_more=1, whoosh_peers=False,
                             keep=tmp_path / "kept")
    again = bench_search.queries_on(tmp_path / "kept", runs=1, out=tmp_path, repeats=1, cli=False)
    assert again["records"] == 10 + 1  # the corpus and the one more record
    assert again["search_archive"]["counts"]["津贴"] >= built["search"]["search_archive"]["counts"]["津贴"]
    written = json.loads((tmp_path / "search-queries-11.json").read_text(encoding="utf-8"))
    assert written.pop("machine")["cores"] >= 1 and written == again


def test_growth_compares_the_smallest_scale_with_the_largest() -> None:
    small = {"records": 10, "filing": {"register_case_s": 2.0}, "index_size": {"encrypted_bytes": 100}}
    large = {"records": 100, "filing": {"register_case_s": 30.0}, "index_size": {"encrypted_bytes": 900}}
    grown = bench_search.growth([large, small])
    assert (grown["from_records"], grown["to_records"], grown["records_factor"]) == (10, 100, 10)
    assert grown["factors"]["register_case_s"] == 15 and grown["factors"]["index_bytes"] == 9
    assert grown["factors"]["cold_cli_s"] is None


def test_fts5_gets_the_same_bigrams() -> None:
    assert bench_search.bigram_terms("反映王镇长，XF-2026") == "反映 映王 王镇 镇长 xf 2026"
    assert bench_search.fts5_phrase("扶贫资金") == '"扶贫 贫资 资金"'
