"""What every benchmark shares: repeated timing with medians and spread, and where results go."""

from __future__ import annotations

import cProfile
import io
import json
import os
import platform
import pstats
import statistics
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from archive import Archive, Founder, KdfParams, Level, Role, add_account, create_archive, login, set_clearance

__all__ = ["ADMIN", "OFFICER", "PASSPHRASE", "RESULTS", "Timing", "machine", "office_archive", "profiled",
           "time_runs", "write_result"]

RESULTS = Path(__file__).resolve().parent / "results"
PASSPHRASE = "benchmark passphrase"
"""Every benchmark account's passphrase."""
ADMIN, OFFICER = "李管理", "赵保密"


def office_archive(folder: Path, staff: Mapping[str, tuple[Role, KdfParams]]) -> Archive:
    """A new archive of the benchmark office, its founders on the test KDF, and ``staff`` cleared to 机密.

    Each member of ``staff`` gets a role and the keyslot parameters to unlock with:
    the test KDF where the unlock is not what is measured.
    """
    archive = create_archive(
        folder, organisation="伊金霍洛旗纪委监委", org_code="伊纪", fonds="J001",
        admin=Founder(ADMIN, PASSPHRASE), security_officer=Founder(OFFICER, PASSPHRASE),
        kdf=KdfParams.insecure_for_tests(),
    )
    admin, officer = login(archive, ADMIN, PASSPHRASE), login(archive, OFFICER, PASSPHRASE)
    for name, (role, kdf) in staff.items():
        add_account(archive, admin, name, [role], PASSPHRASE, kdf)
        set_clearance(archive, officer, name, Level.CONFIDENTIAL)
    return archive


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


def profiled(action: Callable[[], Any], phases: Mapping[str, tuple[str, str]], top: int) -> tuple[Any, dict[str, Any]]:
    """``action``'s result, and where its time went under cProfile.

    ``phases`` names (file, function) pairs whose cumulative time is reported;
    ``top`` is how many functions to list by their own time.
    """
    profiler = cProfile.Profile()
    profiler.enable()
    result = action()
    profiler.disable()
    rows = pstats.Stats(profiler, stream=io.StringIO()).stats  # type: ignore[attr-defined]

    def cumulative(file: str, function: str) -> float:
        return sum(row[3] for (path, _line, name), row in rows.items() if name == function and Path(path).name == file)

    hottest = sorted(rows.items(), key=lambda item: item[1][2], reverse=True)[:top]
    return result, {
        "total_s": sum(own for _calls, _primitive, own, _cumulative, _callers in rows.values()),
        "phases_s": {phase: cumulative(*where) for phase, where in phases.items()},
        "top_by_own_time": [
            {"function": f"{Path(file).name}:{line}({name})", "calls": calls, "own_s": own, "cumulative_s": cum}
            for (file, line, name), (calls, _primitive, own, cum, _callers) in hottest
        ],
    }
