"""Reading an export: DirectorySource.load() over a generated organisation. Prints figures and JSON.

.venv/bin/python bench/load_throughput.py --data /tmp/gen10k            # an existing generated directory
.venv/bin/python bench/load_throughput.py --cadres 10000 --data /tmp/gen10k   # generate it first

Reading includes decoding, header and date handling (columnar) and one pydantic model per record.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path

from risk_warning import DirectorySource


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--cadres", type=int, default=0, help="generate this many cadres into --data first")
    args = parser.parse_args()
    if args.cadres:
        from risk_warning import load_rulesets
        from risk_warning.testing.synthetic import generate

        generate(
            load_rulesets([Path(__file__).resolve().parents[1] / "rulesets"]), args.data, cadres=args.cadres, seed=7
        )
    load1, _, _ = os.getloadavg()
    started = time.perf_counter()
    loaded = DirectorySource(args.data).load()
    seconds = time.perf_counter() - started
    records = len(loaded.facts) + len(loaded.quarantined)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {
        "records": records,
        "accepted": len(loaded.facts),
        "seconds": round(seconds, 2),
        "records_per_second": round(records / seconds),
        "peak_rss_mib": round(peak_mib),
        "load_average_1m": load1,
    }
    print(
        f"{records:,} records ({len(loaded.facts):,} accepted) in {seconds:.2f} s: "
        f"{records / seconds:,.0f} records/s, peak {peak_mib:,.0f} MiB (load {load1:.2f})"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
