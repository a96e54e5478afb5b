"""``risk-warning fixtures generate``: the background organisation plus planted scenarios, streamed."""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from risk_warning.evaluate.subject import Engine
from risk_warning.privacy import ephemeral_token_key
from risk_warning.rules.program import Ruleset
from risk_warning.testing.synthetic.background import Counter, unit_records
from risk_warning.testing.synthetic.composed import compose_escalations
from risk_warning.testing.synthetic.planted import instantiate, select_scenarios
from risk_warning.testing.synthetic.writer import CsvFacts

# beside the fact files, in a folder the directory source does not read
GROUND_TRUTH = "truth/ground_truth.csv"
MANIFEST = "truth/generated.json"


@dataclass
class GenerateResult:
    cadres: int = 0
    units: int = 0
    planted: int = 0  # scenario instances
    expected_alerts: int = 0
    records: dict[str, int] = field(default_factory=dict)
    not_planted: dict[str, str] = field(default_factory=dict)  # rule id -> why


def generate(
    rulesets: Sequence[Ruleset],
    out: Path,
    *,
    cadres: int,
    seed: int,
    as_of: date = date(2026, 6, 30),
    plant_per_rule: int = 2,
    progress: Callable[[str, int, int], None] | None = None,
) -> GenerateResult:
    """Write ``cadres`` background cadres in units of 20 to 60 and ``plant_per_rule`` instances of each
    rule's scenario to ``out``; the alerts the scenarios must raise go to ground_truth.csv.

    The same arguments give byte-identical files. Only one unit is held in memory at a time. ``progress(step,
    done, total)`` is told of the scenarios planted (``"planted"``) and the cadres written (``"cadres"``).
    """
    told = progress or (lambda step, done, total: None)
    if cadres < 1:
        raise ValueError("--cadres must be at least 1")
    rng = random.Random(seed)
    result = GenerateResult()
    with ephemeral_token_key(), Engine(list(rulesets)) as engine:  # the scenarios' tokens never leave here
        scenarios, result.not_planted = select_scenarios(rulesets, engine, as_of)
        escalations, not_composed = compose_escalations(rulesets, scenarios, engine, as_of)
    scenarios += escalations
    for composed in escalations:
        result.not_planted.pop(composed.rule_id, None)
    result.not_planted.update(not_composed)
    (out / GROUND_TRUTH).parent.mkdir(parents=True, exist_ok=True)
    with CsvFacts(out) as files, (out / GROUND_TRUTH).open("w", encoding="utf-8", newline="") as truth_file:
        truth = csv.writer(truth_file)
        truth.writerow(["rule_id", "subject_id", "grade", "scenario"])
        n = 0
        for scenario in scenarios:
            for _ in range(plant_per_rule):
                n += 1
                told("planted", n, len(scenarios) * plant_per_rule)
                facts, expected = instantiate(scenario, n, rng)
                for fact_type, rows in facts.items():
                    for row in rows:
                        files.write(fact_type, row)
                for e in expected:
                    truth.writerow([e.rule_id, e.subject_id, e.grade, f"{scenario.rule_id}: {scenario.test}"])
                result.expected_alerts += len(expected)
        result.planted = n
        ids = Counter()
        sizes: list[int] = []
        remaining = cadres
        while remaining > 0:
            size = min(remaining, rng.randrange(20, 61))
            sizes.append(size)
            remaining -= size
        written = 0
        for unit_no, size in enumerate(sizes, start=1):
            for fact_type, record in unit_records(rng, ids, as_of, unit_no, size, len(sizes)):
                files.write(fact_type, record)
            written += size
            told("cadres", written, cadres)
        result.cadres, result.units = cadres, len(sizes)
        result.records = dict(sorted(files.counts.items()))
    manifest = {
        "seed": seed,
        "as_of": as_of.isoformat(),
        "cadres": cadres,
        "units": result.units,
        "scenario_instances": result.planted,
        "expected_alerts": result.expected_alerts,
        "not_planted": result.not_planted,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return result
