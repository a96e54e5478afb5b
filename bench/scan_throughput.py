"""Scan throughput: synthetic cadres through the whole pipeline on both evaluators. Prints figures.

.venv/bin/python bench/scan_throughput.py [--cadres 2000]
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from datetime import date, timedelta
from pathlib import Path

from risk_warning import Engine, load_rulesets
from risk_warning.facts._base import Fact
from risk_warning.facts.conduct import ExpenseClaim, OrgLifeAttendance
from risk_warning.facts.integrity import EducationRecord
from risk_warning.facts.personnel import Appointment, Cadre, Position

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 6, 30)


def synthetic(cadres: int, seed: int = 7) -> list[Fact]:
    rng = random.Random(seed)
    facts: list[Fact] = [
        Position(position_id=f"P{i}", title=f"岗位{i}", risk_level=rng.choice(["high", "low", "medium"]))
        for i in range(50)
    ]
    for c in range(cadres):
        cid = f"C{c:07d}"
        facts.append(Cadre(cadre_id=cid, name="测试", reporting_scope=rng.random() < 0.3))
        start = AS_OF - timedelta(days=rng.randint(100, 4000))
        facts.append(
            Appointment(appointment_id=f"A{c}", cadre_id=cid, position_id=f"P{rng.randrange(50)}", start_date=start)
        )
        for k in range(rng.randint(0, 3)):
            facts.append(
                EducationRecord(
                    record_id=f"E{c}-{k}",
                    cadre_id=cid,
                    type="警示教育",
                    date=AS_OF - timedelta(days=rng.randint(1, 700)),
                    hours=2,
                )
            )
        for k in range(rng.randint(0, 6)):
            facts.append(
                ExpenseClaim(
                    claim_id=f"X{c}-{k}",
                    claimant_id=cid,
                    amount=rng.choice([800, 4800, 4990]),
                    tier=5000,
                    invoice_no=str(rng.randint(1, 10**6)),
                    invoice_date=AS_OF - timedelta(days=rng.randint(1, 200)),
                )
            )
        for k in range(rng.randint(0, 6)):
            facts.append(
                OrgLifeAttendance(
                    attendance_id=f"L{c}-{k}",
                    meeting_type="党小组会",
                    cadre_id=cid,
                    date=AS_OF - timedelta(days=rng.randint(1, 300)),
                    status=rng.choice(["present", "present", "absent"]),
                )
            )
    return facts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cadres", type=int, default=2000)
    args = parser.parse_args()
    facts = synthetic(args.cadres)
    rulesets = load_rulesets([ROOT / "rulesets"])
    for evaluator in ("durable", "reference"):
        with Engine(rulesets, evaluator=evaluator) as engine:  # type: ignore[arg-type]
            start = time.perf_counter()
            alerts = engine.evaluate(facts, AS_OF)
            seconds = time.perf_counter() - start
        print(
            f"{evaluator:9} {args.cadres} cadres, {len(facts)} facts, {len(alerts)} alerts: {seconds:.2f} s, "
            f"{args.cadres / seconds:,.0f} cadres/s, {len(facts) / seconds:,.0f} facts/s"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
