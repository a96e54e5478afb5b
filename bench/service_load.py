"""The service under load, on loopback: N concurrent clients for S seconds on list and evaluate, with lifecycle
changes mixed in. Prints requests/s and latency (p50, p99) per kind, errors, wrong evaluate answers and lost
lifecycle changes (and JSON with --json).

.venv/bin/python bench/service_load.py                       # 50 clients, 30 s, SQLite (WAL) store
.venv/bin/python bench/service_load.py --clients 50 --seconds 30 --db postgresql+psycopg://rw:rw@127.0.0.1/rwload

Each client loops: 45% GET /alerts?limit=50 (an audited read), 45% POST /evaluate (the demo export, 12
subjects, 64 records), 10% POST /alerts/{id}/education (a lifecycle change that is always allowed, so every
2xx must leave exactly one assignment and one history entry: "lost" counts those that did not). An evaluate
answer is wrong when its alerts differ from the library's for the same facts. The server is
`risk-warning serve` in its own process (uvicorn, one worker); the machine's load is printed before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from risk_warning import AlertStore, DirectorySource, Engine, InputPolicy, load_rulesets, scan
from risk_warning.bundled import data_path
from risk_warning.store.principal import Role
from risk_warning.testing.served import start_service

AS_OF = date(2026, 6, 30)


def prepare(db: str) -> tuple[str, dict[str, Any], list[str], list[int]]:
    facts = DirectorySource(data_path("demo")).load().facts
    store = AlertStore(db)
    try:
        scan(load_rulesets(["core"]), DirectorySource(data_path("demo")), AS_OF, store=store,
             policy=InputPolicy(max_quarantined=0.2))  # fmt: skip
        _, key = store.create_key(f"load-{os.getpid()}-{time.time_ns()}", Role.ADMIN)
        alert_ids = [a.id for a in store.alerts()]
    finally:
        store.close()
    grouped: dict[str, list[Any]] = defaultdict(list)
    for fact in facts:
        grouped[fact.fact_type].append(fact.model_dump(mode="json"))
    expected = sorted(a.fingerprint for a in Engine(load_rulesets(["core"])).evaluate(facts, AS_OF))
    return key, {"as_of": AS_OF.isoformat(), "facts": grouped}, expected, alert_ids


async def client(url: str, key: str, body: dict[str, Any], expected: list[str], alert_ids: list[int],
                 until: float, seed: int, out: dict[str, Any]) -> None:  # fmt: skip
    chance = random.Random(seed)
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=120) as http:
        while time.perf_counter() < until:
            roll = chance.random()
            started = time.perf_counter()
            try:
                if roll < 0.45:
                    kind, answer = "list", await http.get("/alerts", params={"limit": 50})
                elif roll < 0.90:
                    kind, answer = "evaluate", await http.post("/evaluate", json=body)
                else:
                    alert = chance.choice(alert_ids)
                    kind, answer = (
                        "educate",
                        await http.post(
                            f"/alerts/{alert}/education", json={"on": "2026-07-01", "due": "2026-09-30", "by": "load"}
                        ),
                    )
            except httpx.HTTPError as exc:
                out["errors"][f"{type(exc).__name__}"] += 1
                continue
            out["latency"][kind].append(time.perf_counter() - started)
            if answer.status_code >= 300:
                out["errors"][f"{kind} {answer.status_code}"] += 1
            elif kind == "evaluate":
                got = sorted(a["fingerprint"] for a in answer.json()["alerts"])
                out["wrong"] += got != expected
            elif kind == "educate":
                out["educated"][alert] += 1


def lost_changes(db: str, educated: Counter[int]) -> int:
    store = AlertStore(db)
    try:
        assigned = Counter(a.alert_id for a in store.assignments())
        histories = store.histories(list(educated))
    finally:
        store.close()
    noted = Counter({i: sum(1 for h in hs if h.action == "education_assigned") for i, hs in histories.items()})
    return sum(abs(educated[i] - assigned[i]) + abs(educated[i] - noted[i]) for i in educated)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--db", default=None, help="a store URL (default: a new SQLite file)")
    parser.add_argument("--workers", type=int, default=1, help="server processes (serve --workers)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="rw-load-"))
    db = args.db or f"sqlite:///{folder / 'load.db'}"
    key, body, expected, alert_ids = prepare(db)
    served = start_service(db, folder, RW_RATE_LIMIT="1000000/second", RW_WORKERS="0",
                           RW_SERVICE_WORKERS=str(args.workers))  # fmt: skip
    out: dict[str, Any] = {"latency": defaultdict(list), "errors": Counter(), "wrong": 0, "educated": Counter()}
    load_before = os.getloadavg()
    try:

        async def warm_up() -> None:  # each server process loads the rules on its first evaluate: not counted
            async with httpx.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=120) as http:
                for answer in await asyncio.gather(*(http.post(served.url + "/evaluate", json=body)
                                                     for _ in range(4 * args.workers))):  # fmt: skip
                    answer.raise_for_status()

        asyncio.run(warm_up())
        started = time.perf_counter()
        until = started + args.seconds

        async def run() -> None:
            await asyncio.gather(*(client(served.url, key, body, expected, alert_ids, until, n, out)
                                   for n in range(args.clients)))  # fmt: skip

        asyncio.run(run())
        elapsed = time.perf_counter() - started
    finally:
        served.stop()
    load_after = os.getloadavg()
    kinds = {
        kind: {
            "requests": len(times), "per_second": round(len(times) / elapsed, 1),
            "p50_ms": round(1000 * statistics.median(times), 1), "p99_ms": round(1000 * percentile(times, 0.99), 1),
        }
        for kind, times in sorted(out["latency"].items())
    }  # fmt: skip
    total = sum(len(t) for t in out["latency"].values())
    figures = {
        "clients": args.clients, "server_processes": args.workers, "seconds": round(elapsed, 1), "store": db.split("://")[0],
        "requests": total, "per_second": round(total / elapsed, 1), "kinds": kinds,
        "errors": dict(out["errors"]), "wrong_evaluations": out["wrong"],
        "lifecycle_changes": sum(out["educated"].values()), "lost_lifecycle_changes": lost_changes(db, out["educated"]),
        "load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in load_after],
        "cpus": os.cpu_count(),
    }  # fmt: skip
    for kind, f in kinds.items():
        print(f"{kind:9} {f['requests']:6} requests  {f['per_second']:7.1f}/s  p50 {f['p50_ms']:7.1f} ms  "
              f"p99 {f['p99_ms']:7.1f} ms")  # fmt: skip
    print(f"all       {total:6} requests  {figures['per_second']:7.1f}/s over {figures['seconds']} s, "
          f"{args.clients} clients, {args.workers} server process(es), {figures['store']}")  # fmt: skip
    print(f"errors {sum(out['errors'].values())} {dict(out['errors'])}; wrong evaluations {out['wrong']}; "
          f"lifecycle changes {figures['lifecycle_changes']}, lost {figures['lost_lifecycle_changes']}")  # fmt: skip
    print(f"load average before {figures['load_before']}, after {figures['load_after']} ({figures['cpus']} cpus)")
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
