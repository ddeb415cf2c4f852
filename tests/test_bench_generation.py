"""A tiny run of the generation benchmark, so it cannot rot; the timings themselves are not tested."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import bench_generation


def test_the_generation_benchmark_drafts_issues_and_writes_its_result(tmp_path: Path) -> None:
    result = bench_generation.run(drafts=3, runs=1, out=tmp_path)
    written = json.loads((tmp_path / "generation.json").read_text())
    assert written["drafts"] == result["drafts"] == 3 and written["template"] == "letter.docx"
    for measure in ("draft_reminders", "peer_raw_docxtpl", "issue_drafts"):
        assert written[measure]["runs"] == 1 and written[measure]["median_s"] > 0
    assert written["issue_drafts"]["pdf"] is False and written["issue_drafts"]["renders"] in range(9, 13)
    assert written["ratio_to_peer"] > 0 and written["machine"]["cores"] >= 1
    assert set(written["goals"]) == {"drafts_0_8x_raw_docxtpl"}
    if written["goals"]["drafts_0_8x_raw_docxtpl"]:
        assert written["profile"] is None
    else:
        assert written["profile"]["drafts"] == 3 and len(written["profile"]["top_by_own_time"]) == 10
