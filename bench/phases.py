"""Where a full scan spends its time and memory, phase by phase: what bench/scale.py's totals are made of.

    .venv/bin/python bench/phases.py --data DIR [--json]

Runs one full scan (``run.scan.scan``, a new SQLite store in a temporary directory) with each of its
phases timed: reading (and within it de-duplication and dangling references), the input profile, the
split into subject buckets, and per bucket the membership, the screen, the partitions and the plan, the
engine, and the store's write. A thread samples the process's resident memory every 0.1 s and keeps the
highest figure seen while each phase ran (a phase inside another counts for both). Phases are found by
wrapping the scan's own functions, so a renamed function drops out of the table rather than failing.

Figures vary with the machine's load, printed before and after. For a ratio between two versions, run
both in one session (``farm-bench``), not this.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 6, 30)


class Phases:
    """Wall seconds, calls and the highest resident memory seen, per phase."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.peak_mb: dict[str, int] = {}
        self.running: list[str] = []
        self.lock = threading.Lock()

    def wrap(self, owner: Any, name: str, label: str | None = None) -> None:
        original = getattr(owner, name, None)
        if original is None:
            return
        phase = label or name

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.lock:
                self.running.append(phase)
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                with self.lock:
                    self.running.remove(phase)
                    self.seconds[phase] = self.seconds.get(phase, 0.0) + time.perf_counter() - start
                    self.calls[phase] = self.calls.get(phase, 0) + 1

        setattr(owner, name, timed)

    def sample(self, stop: threading.Event) -> None:
        while not stop.wait(0.1):
            rss = _rss_mb()
            with self.lock:
                for phase in {"scan", *self.running}:
                    self.peak_mb[phase] = max(self.peak_mb.get(phase, 0), rss)


def _rss_mb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


def _instrument(phases: Phases) -> Callable[..., Any]:
    from risk_warning.run import scan as run_scan
    from risk_warning.sources import buckets, directory
    from risk_warning.store.repository import AlertStore

    named = {
        "_read": "reading",
        "profile_of": "input profile",
        "check_input": "input check",
        "compute_horizon": "date horizon",
        "members": "membership",
        "screened": "screen",
        "partitions_of": "partitions",
    }
    for name, label in named.items():
        phases.wrap(run_scan, name, label)
    phases.wrap(run_scan, "plan", "plan (incremental)")
    phases.wrap(directory, "drop_duplicates", "  de-duplication")
    phases.wrap(directory, "_quarantine_dangling", "  dangling references")
    phases.wrap(buckets.Buckets, "__init__", "split into buckets")
    phases.wrap(run_scan._Night, "evaluate", "engine")
    phases.wrap(AlertStore, "finish_scan", "store write")
    return run_scan.scan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="a generated directory (fixtures generate)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from risk_warning import AlertStore, DirectorySource, load_rulesets
    from risk_warning.run.input_check import InputPolicy

    phases = Phases()
    scan = _instrument(phases)
    rulesets = load_rulesets([ROOT / "rulesets"])
    load_before = os.getloadavg()
    stop = threading.Event()
    sampler = threading.Thread(target=phases.sample, args=(stop,), daemon=True)
    with tempfile.TemporaryDirectory() as scratch:
        store = AlertStore(f"sqlite:///{Path(scratch) / 'phases.db'}")
        sampler.start()
        start = time.perf_counter()
        policy = InputPolicy(max_subject_drop=1.0, max_quarantined=1.0)
        result = scan(rulesets, DirectorySource(args.data), AS_OF, store=store, full=True, policy=policy)
        phases.seconds["scan"], phases.calls["scan"] = time.perf_counter() - start, 1
        stop.set()
        sampler.join()
        store.close()
    rows = sorted(phases.seconds, key=lambda p: (p != "scan", -phases.seconds[p]))
    figures = {
        "records": result.facts,
        "subjects": result.subjects,
        "buckets": result.buckets,
        "phases": {
            p: {"s": round(phases.seconds[p], 2), "calls": phases.calls[p], "peak_mb": phases.peak_mb.get(p)}
            for p in rows
        },
        "load_average_before": [round(v, 2) for v in load_before],
        "load_average_after": [round(v, 2) for v in os.getloadavg()],
    }
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return
    print(f"{result.facts:,} records, {result.subjects:,} subjects, {result.buckets} bucket(s)")
    print(f"{'phase':28s} {'seconds':>8s} {'calls':>6s} {'peak MB':>8s}")
    for p in rows:
        peak = phases.peak_mb.get(p)
        print(f"{p:28s} {phases.seconds[p]:8.2f} {phases.calls[p]:6d} {peak if peak is not None else '-':>8}")
    print(f"load average before / after: {figures['load_average_before']} / {figures['load_average_after']}")


if __name__ == "__main__":
    main()
