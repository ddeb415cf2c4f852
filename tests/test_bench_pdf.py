"""A tiny run of the PDF benchmark, so it cannot rot; the timings themselves are not tested.

It needs LibreOffice: the ``soffice`` fixture skips it without, except on CI, where it fails.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import bench_pdf


def test_the_pdf_benchmark_converts_both_ways_and_writes_its_result(tmp_path: Path, soffice: str) -> None:
    result = bench_pdf.run(documents=2, runs=1, out=tmp_path, peer_sample=1)
    written = json.loads((tmp_path / "pdf.json").read_text())
    assert written["documents"] == result["documents"] == 2 and written["pages"] >= 2
    assert written["convert_to_pdf"]["runs"] == written["peer_soffice_per_document"]["runs"] == 1
    peer = written["peer_soffice_per_document"]
    assert peer["extrapolated"] is True and peer["sampled"] == 1
    assert peer["median_s"] == 2 * peer["measured"]["median_s"]
    assert written["speedup"] > 0 and "LibreOffice" in written["soffice"]
    assert set(written["goals"]) == {"pdf_5x_soffice_per_document"}
