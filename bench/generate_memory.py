"""Generator memory and speed: write N synthetic cadres to a temporary directory. Prints figures.

    .venv/bin/python bench/generate_memory.py [--cadres 100000]

The generator holds one unit at a time, so peak RSS should not grow with N (compare 10,000 and
100,000). Peak RSS includes the interpreter, pydantic and the rulesets loaded to pick scenarios.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

from risk_warning import load_rulesets
from risk_warning.testing.synthetic import generate

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cadres", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="rw-gen-"))
    try:
        rulesets = load_rulesets([ROOT / "rulesets"])
        started = time.perf_counter()
        result = generate(rulesets, out, cadres=args.cadres, seed=args.seed)
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        records = sum(result.records.values())
        print(f"cadres:      {result.cadres:,} in {result.units:,} units")
        print(f"records:     {records:,} ({size / 2**20:,.0f} MiB of CSV)")
        print(f"time:        {seconds:,.1f} s ({result.cadres / seconds:,.0f} cadres/s)")
        print(f"peak RSS:    {peak:,.0f} MiB")
    finally:
        shutil.rmtree(out)


if __name__ == "__main__":
    main()
