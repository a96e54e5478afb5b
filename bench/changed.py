"""A share of cadres changed overnight: the next-day incremental scan against --full on the same data.

    .venv/bin/python bench/changed.py --data /tmp/scale/c100000 [--share 0.01] [--json]

Copies the generated export, scans it as of 2026-06-30 into two stores (the same first night in both),
then changes ``--share`` of the cadres (chosen with a fixed seed): their cadre row (the name) and every
expense claim of theirs (the amount, tripled). As of the next day it scans one store incrementally (the
default) and the other ``--full``, and prints the subjects the engine evaluated in each, the times, and
whether the alerts and the stored alerts are equal. Issue 13's target: after changing 1% of cadres'
records the engine evaluates no more than 2% of subjects, and the alerts equal ``--full``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIRST, NEXT = date(2026, 6, 30), date(2026, 7, 1)


def change(path: Path, owner: str, chosen: set[str], edit: Callable[[dict[str, str]], None]) -> int:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = list(reader.fieldnames or []), list(reader)
    changed = 0
    for row in rows:
        if row.get(owner) in chosen:
            edit(row)
            changed += 1
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return changed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True, help="a generated export (fixtures generate)")
    parser.add_argument("--share", type=float, default=0.01)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("RW_TOKEN_KEY", "bench-only-key")

    from risk_warning import AlertStore, DirectorySource, load_rulesets
    from risk_warning.run.input_check import InputPolicy
    from risk_warning.run.scan import ScanResult, scan

    rulesets = load_rulesets([ROOT / "rulesets"])
    policy = InputPolicy(max_subject_drop=1.0, max_quarantined=1.0)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "data"
        shutil.copytree(args.data, work)
        stores = {name: AlertStore(f"sqlite:///{Path(tmp) / name}.db") for name in ("incremental", "full")}
        for store in stores.values():
            scan(rulesets, DirectorySource(work), FIRST, store=store, full=True, policy=policy)
        with (work / "cadre.csv").open(encoding="utf-8", newline="") as fh:
            cadres = sorted(row["cadre_id"] for row in csv.DictReader(fh))
        chosen = set(random.Random(7).sample(cadres, max(1, round(len(cadres) * args.share))))
        rows = change(work / "cadre.csv", "cadre_id", chosen, lambda r: r.update(name=r["name"] + "甲"))

        def tripled(row: dict[str, str]) -> None:
            row["amount"] = str(round(float(row["amount"] or 0) * 3 + 1, 2))

        rows += change(work / "expense_claim.csv", "claimant_id", chosen, tripled)
        results: dict[str, tuple[ScanResult, float]] = {}
        for name, store in stores.items():
            started = time.perf_counter()
            result = scan(rulesets, DirectorySource(work), NEXT, store=store, full=name == "full", policy=policy)
            results[name] = (result, time.perf_counter() - started)

        def stored(store: AlertStore) -> list[tuple[Any, ...]]:
            return sorted((r.fingerprint, r.grade, r.status, r.first_seen, r.last_seen) for r in store.alerts())

        same_stored = stored(stores["incremental"]) == stored(stores["full"])
        for store in stores.values():
            store.close()
    incremental, full = results["incremental"], results["full"]

    def keyed(result: ScanResult) -> list[tuple[str, str, str, str]]:
        return [(a.subject_id, a.rule_id, a.fingerprint, a.grade.value) for a in result.alerts]

    figures = {
        "cadres_changed": len(chosen),
        "rows_changed": rows,
        "subjects": incremental[0].subjects,
        "incremental_engine_subjects": incremental[0].engine_subjects,
        "incremental_engine_share": round(incremental[0].engine_subjects / incremental[0].subjects, 5),
        "incremental_carried": incremental[0].carried_subjects,
        "incremental_s": round(incremental[1], 2),
        "full_engine_subjects": full[0].engine_subjects,
        "full_s": round(full[1], 2),
        "alerts": len(full[0].alerts),
        "alerts_equal": keyed(incremental[0]) == keyed(full[0]),
        "stored_equal": same_stored,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    if not args.json:
        print(f"{len(chosen):,} cadres changed ({rows:,} rows) of {incremental[0].subjects:,} subjects")
        print(f"incremental: {figures['incremental_engine_subjects']:,} subjects to the engine "
              f"({figures['incremental_engine_share']:.2%}), {figures['incremental_carried']:,} carried, "
              f"{figures['incremental_s']:.1f} s")  # fmt: skip
        print(f"--full:      {figures['full_engine_subjects']:,} subjects to the engine, {figures['full_s']:.1f} s")
        print(f"alerts equal: {figures['alerts_equal']} ({figures['alerts']}); stored alerts equal: {same_stored}")
        print(f"load average before / after: {figures['load_average_before']} / {figures['load_average_after']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
