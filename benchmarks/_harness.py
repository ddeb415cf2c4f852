"""What every benchmark shares: repeated timing with medians and spread, and where results go."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["RESULTS", "Timing", "machine", "time_runs", "write_result"]

RESULTS = Path(__file__).resolve().parent / "results"


class Timing:
    """Seconds of several runs; median and spread as the report shows them."""

    def __init__(self, seconds: list[float]) -> None:
        self.seconds = seconds

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def spread(self) -> float:
        return max(self.seconds) - min(self.seconds)

    def to_json(self) -> dict[str, Any]:
        return {"median_s": self.median, "min_s": min(self.seconds), "max_s": max(self.seconds), "runs": len(self.seconds)}


def time_runs(action: Callable[[], object], runs: int) -> Timing:
    """Wall-clock seconds of ``runs`` calls of ``action``."""
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - start)
    return Timing(seconds)


def machine() -> dict[str, Any]:
    """The facts that make numbers comparable: cores, memory, Python."""
    with open("/proc/meminfo") as handle:
        total_kib = int(handle.readline().split()[1])
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(total_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def write_result(name: str, result: dict[str, Any], out: Path | None = None) -> Path:
    """Write one area's machine-readable result."""
    path = (out or RESULTS) / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"machine": machine(), **result}, ensure_ascii=False, indent=2) + "\n")
    return path
