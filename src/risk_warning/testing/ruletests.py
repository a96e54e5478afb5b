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
from risk_warning.rules.model import RuleTest
from risk_warning.rules.program import Rule, Ruleset
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
    skipped: str = ""  # why the test was not run (a rule the site disabled, a param the site changed)


@dataclass
class TestReport:
    outcomes: list[TestOutcome] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(o.passed for o in self.outcomes if not o.skipped)

    def per_rule(self) -> dict[str, tuple[int, int]]:
        """rule id -> (passed, total) of the tests that ran."""
        total: Counter[str] = Counter()
        ok: Counter[str] = Counter()
        for o in self.outcomes:
            if o.skipped:
                continue
            total[o.rule_id] += 1
            ok[o.rule_id] += o.passed
        return {rule: (ok[rule], total[rule]) for rule in total}


SITE = "site"  # the ruleset and rule id a site test is reported under


def run_rule_tests(
    rulesets: Sequence[Ruleset], *, evaluator: EvaluatorName = "durable", site_tests: Sequence[RuleTest] = ()
) -> TestReport:
    """Each test evaluates the rule's whole ruleset and compares the alerts of the rule under test.

    With a site file applied: a rule the site disabled has its tests skipped, and so has a rule that reads a
    param the site changed (its boundary tests assume the default) unless the test sets that param itself;
    a rule the site re-graded is expected at the site's grade; the site's own tests (``site_tests``) run
    every ruleset and compare every alert.
    Tokens of the tests' sensitive values use a random key unless a site key is set: they never leave the run.
    """
    with ephemeral_token_key():
        report = _run(rulesets, evaluator)
        report.outcomes += [_site_test(rulesets, test, evaluator) for test in site_tests]
        return report


def _skipped(rs: Ruleset, rule: Rule, test: RuleTest) -> str:
    if not rule.enabled:
        return "the site disabled the rule"
    changed = sorted((rs.params_read(rule) & rs.site_changed) - set(test.params))
    return f"reads params the site changed: {', '.join(changed)}" if changed else ""


def _site_test(rulesets: Sequence[Ruleset], test: RuleTest, evaluator: EvaluatorName) -> TestOutcome:
    loaded = MemorySource.from_records(test.facts, name=f"site:{test.name}", fill_keys=True).load()
    problems = tuple(str(q) for q in loaded.quarantined)
    with Engine([rs.with_params(test.params) for rs in rulesets], evaluator=evaluator) as engine:
        result = engine.evaluation(loaded.facts, test.as_of)
    expected = Counter(f"{e.rule} {e.subject} {e.grade.value}" for e in test.expect)
    outcomes = [(a.rule_id, a.subject_id, a.grade) for a in result.alerts]
    outcomes += [(r.rule_id, r.subject, r.to_grade) for r in result.raises]
    actual = Counter(f"{r} {s} {g.value}" for r, s, g in outcomes)
    missing = tuple(sorted((expected - actual).elements()))
    unexpected = tuple(sorted((actual - expected).elements()))
    passed = not missing and not unexpected and not problems
    return TestOutcome(SITE, SITE, test.name, passed, missing, unexpected, problems)


def _run(rulesets: Sequence[Ruleset], evaluator: EvaluatorName) -> TestReport:
    report = TestReport()
    for rs in rulesets:
        for rule in rs.rules:
            for test in rule.spec.tests:
                if skipped := _skipped(rs, rule, test):
                    report.outcomes.append(TestOutcome(rs.id, rule.id, test.name, True, skipped=skipped))
                    continue
                source = MemorySource.from_records(test.facts, name=f"{rs.path}:{rule.id}:{test.name}", fill_keys=True)
                loaded = source.load()
                problems = tuple(str(q) for q in loaded.quarantined)
                with Engine(rs.with_params(test.params), evaluator=evaluator) as engine:
                    result = engine.evaluation(loaded.facts, test.as_of)
                # a rule the site re-graded raises its alerts at the site's grade
                expected = Counter(
                    f"{e.rule or rule.id} {e.subject} {rs.site_grades.get(e.rule or rule.id, e.grade).value}"
                    for e in test.expect
                )
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
