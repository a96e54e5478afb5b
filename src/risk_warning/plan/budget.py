"""The per-subject budget: a subject on whose facts some rule would cross-join too many combinations is
not sent to the engine; the caller quarantines it with the reason, and the scan goes on.

The durable-rules engine matches a rule's patterns one after another, testing every partial match of
the earlier patterns against every candidate fact of the next, and once asked it cannot be stopped (its C
code holds the interpreter). Five patterns over one cadre's 2,000 expense claims are 2,000^5
combinations: days of work and all the memory there is. So before a subject goes to an evaluator, the
work of each rule level on it is bounded from its facts, and a subject whose bound is over the budget
(``MAX_JOIN_TESTS``) is refused, with the rule, its patterns' candidates and the figure.

The bound, for a rule level whose positive patterns are p1..pk in the rule's order:

- the candidates of pj are the facts of its type that pass the conditions on that fact alone (the
  pattern's, and the level's), as the pre-filter computes them (``prefilter.gate_specs``);
- step j tests each partial match of p1..p(j-1) against each candidate of pj; or, when the rule equates a
  field of pj with a field of an earlier pattern (``f: ... where invoice_no == e.invoice_no``, which the
  engine looks up by value), against the largest group of candidates that share a value of that field;
  the partial matches after step j are at most the tests it made;
- an absence (``none``) pattern tests each complete match against each fact of its type.

The sum over steps is at least the number of tests the engine makes, whatever conditions between facts
remove on the way: a subject within the budget is never refused, and one over it is refused because its
cost cannot be shown small, not because it was measured. A subject with few facts passes on their count
alone, and only rule levels with enough patterns to pass it on that count are looked at: for a
cadre of 31 facts (the median of the synthetic province) those of 5 steps or more.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from risk_warning.facts.normalise import PlainFact
from risk_warning.plan.prefilter import Gate, Need, gates_of
from risk_warning.rules.program import Ruleset

MAX_JOIN_TESTS = 20_000_000  # two patterns joined by `<` over 4,400 claims: 6.2 s of the engine


@dataclass(frozen=True)
class Cost:
    """A rule level's bound on one subject: its tests, and each positive pattern's (fact type, candidates)."""

    rule_id: str
    tests: int
    candidates: tuple[tuple[str, str, int], ...]  # (alias, fact type, candidates)

    def describe(self, limit: int) -> str:
        facts = ", ".join(f"{alias}: {count:,} {fact_type}" for alias, fact_type, count in self.candidates)
        return (
            f"rule {self.rule_id} would test more than {limit:,} combinations of this subject's facts "
            f"(at most {self.tests:,}; candidates {facts}); the subject was not evaluated and its alerts are "
            "unknown: narrow the rule (a condition on each fact, a date window, an equality between facts) "
            "or check the subject's records"
        )


class JoinBudget:
    """The rule levels of some rulesets, as of a date (a day number), and the budget they must keep to."""

    def __init__(self, rulesets: Sequence[Ruleset], as_of: int, limit: int = MAX_JOIN_TESTS) -> None:
        self.limit = limit
        self.gates: list[Gate] = [
            gate
            for rs in rulesets
            for rule in rs.rules
            if rule.enabled
            for gate in gates_of(rule, as_of, rs.params, rs.calendar)
        ]
        steps = [len(g.needs) + len(g.absences) for g in self.gates]
        order = sorted(range(len(self.gates)), key=lambda i: -steps[i])
        self._longest = max(steps, default=0)
        self._by_steps = [(steps[i], self.gates[i]) for i in order]  # the longest first

    def over(self, facts: Sequence[PlainFact]) -> Cost | None:
        """The first rule level whose bound on these facts (a subject's partition) is over the budget."""
        n = len(facts)
        # a level of s steps tests at most n + n^2 + ... + n^s however the facts divide: only longer ones need a look
        steps, total = 0, 0
        while total <= self.limit and steps < self._longest:
            steps += 1
            total += n**steps
        if total <= self.limit:
            return None
        suspects = [gate for length, gate in itertools.takewhile(lambda sg: sg[0] >= steps, self._by_steps)]
        by_type: dict[str, list[PlainFact]] = {}
        for f in facts:
            by_type.setdefault(f.type, []).append(f)
        counts = {t: len(found) for t, found in by_type.items()}
        for gate in suspects:
            if _tests(gate, [counts.get(need.fact_type, 0) for need in gate.needs], counts) <= self.limit:
                continue  # within the budget on the counts of its types alone
            cost = self.cost(gate, by_type)
            if cost.tests > self.limit:
                return cost
        return None

    @staticmethod
    def cost(gate: Gate, by_type: Mapping[str, Sequence[PlainFact]]) -> Cost:
        """The bound of one rule level on these facts, from its candidates."""
        widths, found = [], []
        for need in gate.needs:
            pool = need.candidates(by_type)
            found.append((need.alias, need.fact_type, len(pool)))
            widths.append(_widest(need, pool))
        counts = {t: len(facts) for t, facts in by_type.items()}
        return Cost(gate.rule_id, _tests(gate, widths, counts), tuple(found))


def _widest(need: Need, pool: Sequence[Mapping[str, Any]]) -> int:
    """How many candidates one partial match is tested against: all, or the largest group of one value."""
    if need.key is None or not pool:
        return len(pool)
    groups = Counter(row.get(need.key) for row in pool)
    groups.pop(None, None)  # a null equals nothing
    return max(groups.values(), default=0)


def _tests(gate: Gate, widths: Sequence[int], counts: Mapping[str, int]) -> int:
    partial, tests = 1, 0
    for width in widths:
        tests += partial * width
        partial *= width
    for absence in gate.absences:
        tests += partial * counts.get(absence.fact_type, 0)
    return tests
