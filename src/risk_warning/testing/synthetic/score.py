"""Compare a scan of generated data with its ground truth: recall and precision per rule."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from risk_warning.alerts.model import Alert
from risk_warning.testing.synthetic.generate import GROUND_TRUTH
from risk_warning.testing.synthetic.planted import outcomes


@dataclass(frozen=True)
class RuleScore:
    rule_id: str
    expected: int
    found: int  # expected and raised with the expected grade
    missed: int
    extra: int  # raised but not expected (a wrong grade counts as missed plus extra)

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        raised = self.found + self.extra
        return self.found / raised if raised else 1.0


def read_ground_truth(data: Path) -> set[tuple[str, str, str]]:
    with (data / GROUND_TRUTH).open(encoding="utf-8", newline="") as f:
        return {(r["rule_id"], r["subject_id"], r["grade"]) for r in csv.DictReader(f)}


def score(alerts: Iterable[Alert], truth: set[tuple[str, str, str]]) -> list[RuleScore]:
    raised = outcomes(alerts)
    rules = sorted({t[0] for t in truth} | {r[0] for r in raised})
    out = []
    for rule in rules:
        want = {t for t in truth if t[0] == rule}
        got = {r for r in raised if r[0] == rule}
        out.append(RuleScore(rule, len(want), len(want & got), len(want - got), len(got - want)))
    return out
