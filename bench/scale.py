"""Province scale on one machine: a full scan, a next-day scan, and the floors to compare them with.

    .venv/bin/python bench/scale.py --cadres 100000 [--data DIR] [--workers 2] [--executor dask] [--json] [--skip-post]
    .venv/bin/python bench/scale.py --cadres 100000 --data DIR --compare-executors [--json]

Generates the organisation (``fixtures generate --seed 7``) into ``--data`` unless it is there, then
runs each measurement in a fresh process (so each peak RSS is its own):

* scan: ``run.scan.scan`` over the directory into a new SQLite store, ``--full``; an export larger than
  ``RW_SCAN_BUCKET_MB`` (64 MB) is spilled and evaluated in buckets of subjects (set the variable to
  compare: ``RW_SCAN_BUCKET_MB=100000`` evaluates any export in one piece);
* next day: the same store, as of the next day, incremental (the default);
* I/O floor: Polars reading every file as text, plus writing the scan's alerts to a new store;
* durable post: every fact of every subject asserted into durable-rules one call per fact
  (``DurableEvaluator(one_by_one=True)``), the compiled rules of the subject's kind; only the asserts
  and the engine's answers are timed, not reading or flattening.

``--executor`` (inline, processes, dask: a LocalCluster of ``--workers`` processes) says where subjects are
evaluated; by default ``--workers`` decides, as the scan's own default does. ``--compare-executors`` runs the
full scan alone, in one run, on Dask with 1 worker, Dask with 2 workers and 2 local processes, and prints
each wall time, the time spent inside the executor (``evaluate_s``: subjects sent out and their outcomes
back, a LocalCluster's start included) and the two ratios issue 14 asks for: 2 Dask workers against 1, and
Dask against local processes.

Prints one table with the ratios, or with ``--json`` one JSON object (cadres, records, subjects,
engine_subjects, wall_s, cpu_s, peak_rss_mb, io_floor_s, durable_post_s, next_day_s, ...). The machine's
load average is printed before and after: a ratio is only meaningful from one run on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 6, 30)


def _usage() -> dict[str, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "cpu_s": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
        "peak_rss_mb": max(me.ru_maxrss, kids.ru_maxrss) / 1024,
    }


def _timed(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    before = _usage()
    started = time.perf_counter()
    figures = work()
    wall = time.perf_counter() - started
    after = _usage()
    return {**figures, "wall_s": round(wall, 2), "cpu_s": round(after["cpu_s"] - before["cpu_s"], 2),
            "peak_rss_mb": round(after["peak_rss_mb"])}  # fmt: skip


def _rulesets() -> Any:
    from risk_warning import load_rulesets

    return load_rulesets([ROOT / "rulesets"])


def step_scan(
    data: Path,
    db: Path,
    workers: int,
    as_of: date,
    full: bool,
    alerts_out: Path | None,
    executor: str | None = None,
    scheduler: str | None = None,
) -> dict[str, Any]:
    from risk_warning import AlertStore, DirectorySource
    from risk_warning.run.input_check import InputPolicy
    from risk_warning.run.scan import scan

    rulesets = _rulesets()
    inside = [0.0]  # seconds inside the executor's runs

    def work() -> dict[str, Any]:
        store = AlertStore(f"sqlite:///{db}")
        policy = InputPolicy(max_subject_drop=1.0, max_quarantined=1.0)
        source = DirectorySource(data)
        if executor is None:  # an older checkout (a before/after run) has no executor argument
            result = scan(rulesets, source, as_of, store=store, workers=workers, full=full, policy=policy)
        else:
            from risk_warning.executors.registry import make_executor

            evaluating = _Timed(make_executor(executor, workers, scheduler), inside)  # type: ignore[arg-type]
            try:
                result = scan(rulesets, source, as_of, store=store, full=full, policy=policy, executor=evaluating)
            finally:
                evaluating.close()
        store.close()
        if alerts_out is not None:
            payload = {"subjects": result.subjects_seen, "alerts": [a.model_dump(mode="json") for a in result.alerts]}
            alerts_out.write_text(json.dumps(payload), encoding="utf-8")
        return {
            "records": result.facts + len(result.quarantined),
            "subjects": result.subjects,
            # older versions (a before/after run on a checkout) had no pre-filter: every subject was evaluated
            "engine_subjects": getattr(result, "engine_subjects", len(result.subjects_seen)),
            "planned_subjects": getattr(result, "planned_subjects", len(result.subjects_seen)),
            "alerts": len(result.alerts),
            "carried": result.carried_subjects,
            "buckets": getattr(result, "buckets", 1),
            "evaluate_s": round(inside[0], 2),
            "executor": executor or ("processes" if workers else "inline"),
        }

    return _timed(work)


class _Timed:
    """An executor whose runs are timed (what the scan spends sending subjects out and taking outcomes in)."""

    def __init__(self, executor: Any, seconds: list[float]) -> None:
        self.executor, self.seconds = executor, seconds

    def run(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.executor.run(*args, **kwargs)
        finally:
            self.seconds[0] += time.perf_counter() - started

    def prepare(self, *args: Any, **kwargs: Any) -> None:
        if hasattr(self.executor, "prepare"):
            self.executor.prepare(*args, **kwargs)

    def close(self) -> None:
        self.executor.close()


def step_io_floor(data: Path, db: Path, alerts_in: Path) -> dict[str, Any]:
    import polars as pl

    from risk_warning import AlertStore
    from risk_warning.alerts.model import Alert

    payload = json.loads(alerts_in.read_text(encoding="utf-8"))
    alerts = [Alert.model_validate(a) for a in payload["alerts"]]

    def work() -> dict[str, Any]:
        rows = 0
        for path in sorted(data.glob("*.csv")):
            rows += pl.read_csv(path, infer_schema=False).height
        store = AlertStore(f"sqlite:///{db}")
        scan_id = store.start_scan(AS_OF, "io-floor")
        store.finish_scan(scan_id, alerts, [], payload["subjects"])
        store.close()
        return {"rows": rows}

    return _timed(work)


def step_post(data: Path) -> dict[str, Any]:
    from risk_warning import DirectorySource
    from risk_warning.engine.base import Partition
    from risk_warning.engine.durable.adapter import DurableEvaluator
    from risk_warning.engine.durable.compile import compile_rules
    from risk_warning.facts._base import subject_kind
    from risk_warning.facts.normalise import normalise
    from risk_warning.plan.partition import partition_facts

    rulesets = _rulesets()
    loaded = DirectorySource(data).load()
    kinds = {rs.spec.subject for rs in rulesets}
    programs = {kind: compile_rules([rs for rs in rulesets if rs.spec.subject == kind], AS_OF) for kind in kinds}
    evaluators = {kind: DurableEvaluator(program, one_by_one=True) for kind, program in programs.items()}
    posted, seconds, before = 0, 0.0, _usage()
    for subject, members in partition_facts(loaded.facts):
        evaluator = evaluators.get(subject_kind(subject))
        if evaluator is None:
            continue
        partition = Partition(subject, [normalise(f) for f in members])
        started = time.perf_counter()
        evaluator.evaluate(partition)
        seconds += time.perf_counter() - started
        posted += len(partition.facts)
    after = _usage()
    return {"facts_posted": posted, "wall_s": round(seconds, 2), "peak_rss_mb": round(after["peak_rss_mb"]),
            "cpu_s": round(after["cpu_s"] - before["cpu_s"], 2)}  # fmt: skip


def _child(*args: str) -> dict[str, Any]:
    command = [sys.executable, __file__, *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cadres", type=int, required=True)
    parser.add_argument("--data", type=Path, help="the generated directory (default: a temporary one per size)")
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--executor", choices=["inline", "processes", "dask"], help="where subjects are evaluated")
    parser.add_argument("--scheduler", help=argparse.SUPPRESS)
    parser.add_argument("--compare-executors", action="store_true", help="Dask 1 vs 2 workers vs 2 processes")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--skip-post", action="store_true", help="leave out the durable-rules posting baseline")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--alerts", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--as-of", default=AS_OF.isoformat(), help=argparse.SUPPRESS)
    parser.add_argument("--incremental", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("RW_TOKEN_KEY", "bench-only-key")
    if args.step == "scan":
        as_of = date.fromisoformat(args.as_of)
        print(json.dumps(step_scan(args.data, args.db, args.workers, as_of, not args.incremental, args.alerts,
                                   args.executor, args.scheduler)))  # fmt: skip
        return
    if args.step == "io":
        print(json.dumps(step_io_floor(args.data, args.db, args.alerts)))
        return
    if args.step == "post":
        print(json.dumps(step_post(args.data)))
        return

    data = args.data or Path(tempfile.gettempdir()) / f"rw-scale-{args.cadres}"
    if not (data / "cadre.csv").exists():
        from risk_warning.testing.synthetic import generate

        generate(_rulesets(), data, cadres=args.cadres, seed=7)
    if args.compare_executors:
        compare_executors(data, args.cadres, args.json)
        return
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        common = ["--data", str(data), "--workers", str(args.workers)]
        common += ["--executor", args.executor] if args.executor else []
        full = _child("--step", "scan", *common, "--db", str(work / "scan.db"), "--alerts", str(work / "alerts.json"),
                      "--cadres", str(args.cadres))  # fmt: skip
        next_day = (AS_OF + timedelta(days=1)).isoformat()
        nightly = _child("--step", "scan", *common, "--db", str(work / "scan.db"), "--as-of", next_day,
                         "--incremental", "--cadres", str(args.cadres))  # fmt: skip
        floor = _child("--step", "io", "--data", str(data), "--db", str(work / "floor.db"),
                       "--alerts", str(work / "alerts.json"), "--cadres", str(args.cadres))  # fmt: skip
        post = None if args.skip_post else _child("--step", "post", "--data", str(data), "--cadres", str(args.cadres))
    load_after = os.getloadavg()
    figures: dict[str, Any] = {
        "cadres": args.cadres,
        "records": full["records"],
        "subjects": full["subjects"],
        "engine_subjects": full["engine_subjects"],
        "alerts": full["alerts"],
        "wall_s": full["wall_s"],
        "cpu_s": full["cpu_s"],
        "records_per_s": round(full["records"] / full["wall_s"]),
        "peak_rss_mb": full["peak_rss_mb"],
        "io_floor_s": floor["wall_s"],
        "durable_post_s": post["wall_s"] if post else None,
        "next_day_s": nightly["wall_s"],
        "next_day_engine_subjects": nightly["engine_subjects"],
        "next_day_peak_rss_mb": nightly["peak_rss_mb"],
        "scan_over_io_floor": round(full["wall_s"] / floor["wall_s"], 2),
        "post_over_scan": round(post["wall_s"] / full["wall_s"], 2) if post else None,
        "next_day_over_full": round(nightly["wall_s"] / full["wall_s"], 2),
        "workers": args.workers,
        "executor": full["executor"],
        "evaluate_s": full["evaluate_s"],
        "buckets": full["buckets"],
        "bucket_mb": os.environ.get("RW_SCAN_BUCKET_MB", "64 (default)"),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
    }
    if args.json:
        print(json.dumps(figures))
        return
    rows = [
        ("records", f"{figures['records']:,}"),
        ("subjects (engine)", f"{figures['subjects']:,} ({figures['engine_subjects']:,})"),
        ("alerts", f"{figures['alerts']:,}"),
        ("full scan wall / CPU", f"{figures['wall_s']:,.1f} s / {figures['cpu_s']:,.1f} s"),
        ("records/s", f"{figures['records_per_s']:,}"),
        ("peak RSS", f"{figures['peak_rss_mb']:,} MB"),
        ("subject buckets (RW_SCAN_BUCKET_MB)", f"{figures['buckets']} ({figures['bucket_mb']})"),
        ("I/O floor (Polars read + alert write)", f"{figures['io_floor_s']:,.1f} s"),
        ("durable-rules, one post per fact", f"{post['wall_s']:,.1f} s" if post else "skipped"),
        ("next day wall (engine subjects)", f"{nightly['wall_s']:,.1f} s ({nightly['engine_subjects']:,})"),
        ("full scan / I/O floor", f"{figures['scan_over_io_floor']}x"),
        ("durable post / full scan", f"{figures['post_over_scan']}x" if post else "-"),
        ("next day / full scan", f"{figures['next_day_over_full']}"),
        ("load average before / after", f"{figures['load_average_before']} / {figures['load_average_after']}"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    print(json.dumps(figures))


def compare_executors(data: Path, cadres: int, as_json: bool) -> None:
    """The full scan on Dask with 1 and 2 workers and on 2 local processes, one after the other, in one run."""
    load_before = os.getloadavg()
    runs: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, executor, workers in (("dask-1", "dask", 1), ("dask-2", "dask", 2), ("processes-2", "processes", 2)):
            runs[name] = _child("--step", "scan", "--data", str(data), "--workers", str(workers), "--executor",
                                executor, "--db", str(Path(tmp) / f"{name}.db"), "--cadres", str(cadres))  # fmt: skip
        # a cluster already running, as operators run one: its start is not the scan's
        from distributed import LocalCluster

        # a cluster already running, as operators run one: its start is not the scan's; "warm" is its second scan
        # (the workers have imported the library; each compiles the new job's engine)
        with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address="127.0.0.1:0") as cluster:
            for name in ("dask-2-running", "dask-2-warm"):
                runs[name] = _child("--step", "scan", "--data", str(data), "--executor", "dask", "--scheduler",
                                    cluster.scheduler_address, "--db", str(Path(tmp) / f"{name}.db"),
                                    "--cadres", str(cadres))  # fmt: skip
    load_after = os.getloadavg()
    figures = {
        "cadres": cadres,
        "engine_subjects": runs["dask-2"]["engine_subjects"],
        **{f"{name}_wall_s": run["wall_s"] for name, run in runs.items()},
        **{f"{name}_evaluate_s": run["evaluate_s"] for name, run in runs.items()},
        "dask_2_over_1": round(runs["dask-1"]["wall_s"] / runs["dask-2"]["wall_s"], 2),
        "dask_2_over_1_evaluate": round(runs["dask-1"]["evaluate_s"] / max(runs["dask-2"]["evaluate_s"], 0.01), 2),
        "dask_overhead": round(runs["dask-2"]["wall_s"] / runs["processes-2"]["wall_s"] - 1, 3),
        "dask_running_overhead": round(runs["dask-2-running"]["wall_s"] / runs["processes-2"]["wall_s"] - 1, 3),
        "dask_warm_overhead": round(runs["dask-2-warm"]["wall_s"] / runs["processes-2"]["wall_s"] - 1, 3),
        "alerts_equal": len({run["alerts"] for run in runs.values()}) == 1,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
    }
    if not as_json:
        print(f"{'executor':<15} {'wall s':>8} {'evaluate s':>11} {'alerts':>7}")
        for name, run in runs.items():
            print(f"{name:<15} {run['wall_s']:>8.1f} {run['evaluate_s']:>11.1f} {run['alerts']:>7}")
        print(f"subjects sent to the engine: {figures['engine_subjects']:,}")
        print(f"2 Dask workers vs 1, whole scan: {figures['dask_2_over_1']}x (executor alone: "
              f"{figures['dask_2_over_1_evaluate']}x)")  # fmt: skip
        print(f"Dask vs 2 local processes, whole scan: {figures['dask_overhead']:+.1%} (a LocalCluster started by the "
              f"scan), {figures['dask_running_overhead']:+.1%} (a cluster already running), "
              f"{figures['dask_warm_overhead']:+.1%} (its second scan)")  # fmt: skip
        print(f"load average before / after: {figures['load_average_before']} / {figures['load_average_after']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
