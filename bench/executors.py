"""The executors alone, on engine-bound work: every subject of an export evaluated, none screened out.

    .venv/bin/python bench/executors.py --data /tmp/scale/c10000 [--subjects N] [--json]

``bench/scale.py --compare-executors`` times whole scans, where the screen leaves the engine about one
subject in 900 and the executor under a second of work. This times what an executor itself does with
work to spread: the partitions of every subject of the export, or of every k-th to keep about
``--subjects`` (every fact, references and all, as a scan gathers them), evaluated by ``run`` with a
horizon (states computed too), on:

* inline (this process), as the baseline;
* 2 local processes (the default executor);
* Dask with 1 worker and with 2 workers, each a LocalCluster started before the clock starts (a cluster
  operators already run), workers with one thread.

Each line is one ``run``, in this process, one after the other; the alerts must be the same everywhere.
Prints the table and the ratios issue 14 asks for (2 Dask workers against 1; Dask against local
processes) and, with ``--json``, one JSON object. The load average is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 6, 30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True, help="a generated export (fixtures generate)")
    parser.add_argument("--subjects", type=int, default=0, help="about this many, spread over the export (0: all)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("RW_TOKEN_KEY", "bench-only-key")

    from distributed import LocalCluster

    from risk_warning import DirectorySource, load_rulesets
    from risk_warning.executors.base import Executor
    from risk_warning.executors.inline import InlineExecutor
    from risk_warning.executors.on_dask import DaskExecutor
    from risk_warning.executors.processes import ProcessExecutor
    from risk_warning.facts.normalise import day_number
    from risk_warning.plan.horizon import compute_horizon
    from risk_warning.plan.partition import partition_facts

    rulesets = load_rulesets([ROOT / "rulesets"])
    partitions = list(partition_facts(DirectorySource(args.data).load().facts))
    if args.subjects:
        partitions = partitions[:: max(1, len(partitions) // args.subjects)]
    facts = sum(len(f) for _, f in partitions)
    load_before = os.getloadavg()
    runs: dict[str, dict[str, Any]] = {}

    def timed(name: str, executor: Executor, started: float = 0.0) -> None:
        horizon = compute_horizon(rulesets, day_number(AS_OF))
        clock = time.perf_counter()
        outcome = executor.run(rulesets, partitions, AS_OF, horizon=horizon)
        wall = time.perf_counter() - clock
        fingerprints = [a.fingerprint for a in outcome.alerts]
        runs[name] = {"wall_s": round(wall, 2), "alerts": len(fingerprints), "start_s": round(started, 2),
                      "fingerprints": fingerprints, "engine_subjects": outcome.engine_subjects}  # fmt: skip
        executor.close()

    timed("inline", InlineExecutor())
    timed("processes-2", ProcessExecutor(2))
    for workers in (1, 2):
        clock = time.perf_counter()
        with LocalCluster(
            n_workers=workers, threads_per_worker=1, dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR
        ) as cluster:
            started = time.perf_counter() - clock
            timed(f"dask-{workers}", DaskExecutor(cluster.scheduler_address), started)
    load_after = os.getloadavg()
    same = len({tuple(run.pop("fingerprints")) for run in runs.values()}) == 1
    figures = {
        "subjects": len(partitions),
        "facts": facts,
        **{f"{name}_wall_s": run["wall_s"] for name, run in runs.items()},
        "dask_2_over_1": round(runs["dask-1"]["wall_s"] / runs["dask-2"]["wall_s"], 2),
        "dask_overhead": round(runs["dask-2"]["wall_s"] / runs["processes-2"]["wall_s"] - 1, 3),
        "processes_2_over_inline": round(runs["inline"]["wall_s"] / runs["processes-2"]["wall_s"], 2),
        "alerts": runs["inline"]["alerts"],
        "alerts_equal": same,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
    }
    if not args.json:
        print(f"{len(partitions):,} subjects, {facts:,} facts, every one evaluated by the engine")
        print(f"{'executor':<12} {'wall s':>8} {'cluster start s':>16} {'alerts':>7}")
        for name, run in runs.items():
            print(f"{name:<12} {run['wall_s']:>8.1f} {run['start_s']:>16.1f} {run['alerts']:>7}")
        print(f"2 Dask workers vs 1: {figures['dask_2_over_1']}x; Dask (2) vs 2 local processes: "
              f"{figures['dask_overhead']:+.1%}; 2 processes vs inline: {figures['processes_2_over_inline']}x; "
              f"same alerts everywhere: {same}")  # fmt: skip
        print(f"load average before / after: {figures['load_average_before']} / {figures['load_average_after']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
