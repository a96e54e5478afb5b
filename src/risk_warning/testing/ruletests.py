"""Run the tests written beside the rules: given facts and as_of, exactly the expected alerts.

A rule with ``adjust:`` raises no alert of its own; its tests expect it (rule, subject) at the grade it
raised a signal to.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from risk_warning.evaluate.subject import Engine, EvaluatorName
from risk_warning.privacy import ephemeral_token_key
from risk_warning.rules.program import Ruleset
from risk_warning.sources.memory import MemorySource


@dataclass(frozen=True)
class TestOutcome:
    ruleset_id: str
    rule_id: str
    name: str
    passed: bool
    missing: tuple[str, ...] = ()
    unexpected: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass
class TestReport:
    outcomes: list[TestOutcome] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(o.passed for o in self.outcomes)

    def per_rule(self) -> dict[str, tuple[int, int]]:
        """rule id -> (passed, total)."""
        total: Counter[str] = Counter()
        ok: Counter[str] = Counter()
        for o in self.outcomes:
            total[o.rule_id] += 1
            ok[o.rule_id] += o.passed
        return {rule: (ok[rule], total[rule]) for rule in total}


def run_rule_tests(rulesets: Sequence[Ruleset], *, evaluator: EvaluatorName = "durable") -> TestReport:
    """Each test evaluates the rule's whole ruleset and compares the alerts of the rule under test.

    Tokens of the tests' sensitive values use a random key unless a site key is set: they never leave the run.
    """
    with ephemeral_token_key():
        return _run(rulesets, evaluator)


def _run(rulesets: Sequence[Ruleset], evaluator: EvaluatorName) -> TestReport:
    report = TestReport()
    for rs in rulesets:
        for rule in rs.rules:
            for test in rule.spec.tests:
                source = MemorySource.from_records(test.facts, name=f"{rs.path}:{rule.id}:{test.name}", fill_keys=True)
                loaded = source.load()
                problems = tuple(str(q) for q in loaded.quarantined)
                with Engine(rs.with_params(test.params), evaluator=evaluator) as engine:
                    result = engine.evaluation(loaded.facts, test.as_of)
                expected = Counter(f"{e.rule or rule.id} {e.subject} {e.grade.value}" for e in test.expect)
                watched = {e.rule or rule.id for e in test.expect} | {rule.id}
                # an adjustment reads as the adjusting rule raising its signal to a grade
                outcomes = [(a.rule_id, a.subject_id, a.grade) for a in result.alerts]
                outcomes += [(r.rule_id, r.subject, r.to_grade) for r in result.raises]
                actual = Counter(f"{r} {s} {g.value}" for r, s, g in outcomes if r in watched)
                missing = tuple(sorted((expected - actual).elements()))
                unexpected = tuple(sorted((actual - expected).elements()))
                passed = not missing and not unexpected and not problems
                report.outcomes.append(TestOutcome(rs.id, rule.id, test.name, passed, missing, unexpected, problems))
    return report
