"""The evaluation pipeline for embedding: facts -> indicators -> engine -> alerts.

    engine = Engine(load_rulesets(["rulesets/"]))
    alerts = engine.evaluate(facts, as_of=date(2026, 6, 30))

Evaluation is deterministic as of the given date: rules never read the wall clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Literal

from risk_warning.alerts.build import build_alerts
from risk_warning.alerts.model import Alert
from risk_warning.engine.base import Evaluator, Partition
from risk_warning.engine.durable_adapter import DurableEvaluator
from risk_warning.engine.reference import ReferenceEvaluator
from risk_warning.facts._base import Fact
from risk_warning.facts.normalise import day_number, normalise
from risk_warning.indicators.compute import indicator_facts
from risk_warning.partition import partition_facts
from risk_warning.rules.compiler import compile_rules
from risk_warning.rules.program import Ruleset

EvaluatorName = Literal["durable", "reference"]


class Engine:
    """Evaluates rulesets on typed facts. One instance can serve many as-of dates."""

    def __init__(self, rulesets: Ruleset | Sequence[Ruleset], *, evaluator: EvaluatorName = "durable") -> None:
        self.rulesets: list[Ruleset] = [rulesets] if isinstance(rulesets, Ruleset) else list(rulesets)
        self.evaluator_name = evaluator
        self._evaluators: dict[date, Evaluator] = {}

    def _evaluator(self, as_of: date) -> Evaluator:
        if as_of not in self._evaluators:
            if self.evaluator_name == "reference":
                self._evaluators[as_of] = ReferenceEvaluator(self.rulesets, as_of)
            else:
                self.close()  # one compiled program at a time: programs differ only by as_of
                self._evaluators[as_of] = DurableEvaluator(compile_rules(self.rulesets, as_of))
        return self._evaluators[as_of]

    def evaluate_subject(self, subject: str, facts: Sequence[Fact], as_of: date) -> list[Alert]:
        """Alerts for one subject whose facts (reference facts included) are already gathered."""
        plain = [normalise(f) for f in facts]
        plain += indicator_facts(self.rulesets, subject, plain, day_number(as_of))
        matches = self._evaluator(as_of).evaluate(Partition(subject, plain))
        return build_alerts(matches, plain, facts, self.rulesets, as_of)

    def evaluate(self, facts: Iterable[Fact], as_of: date) -> list[Alert]:
        """Alerts for every subject in ``facts``, highest grade first."""
        alerts: list[Alert] = []
        for subject, members in partition_facts(facts):
            alerts.extend(self.evaluate_subject(subject, members, as_of))
        return sorted(alerts, key=lambda a: (-a.grade.rank, a.subject_id, a.rule_id, a.fingerprint))

    def close(self) -> None:
        for ev in self._evaluators.values():
            if isinstance(ev, DurableEvaluator):
                ev.close()
        self._evaluators.clear()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
