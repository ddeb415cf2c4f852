"""A tiny run of each benchmark, so the harness cannot rot; the timings themselves are not tested."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import bench_audit


def test_the_audit_benchmark_runs_and_writes_its_result(tmp_path: Path) -> None:
    result = bench_audit.run(entries=60, runs=1, out=tmp_path)
    written = json.loads((tmp_path / "audit.json").read_text())
    assert written["entries"] == result["entries"] >= 60
    assert written["machine"]["cores"] >= 1 and written["verify_log"]["runs"] == 1
