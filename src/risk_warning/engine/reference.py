"""The reference evaluator: nested loops over the facts, read straight from the rule text.

Obviously correct and slow. It interprets the checked rules (not the compiled engine program) with
``rules.interpret``, so the differential test compares two independent routes to the same answer.
Semantics: bound patterns take distinct facts; a ``none`` pattern holds when no fact other than
those already bound satisfies its condition; a level holds when its condition holds on the match.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from risk_warning.engine.base import Match, Partition
from risk_warning.facts.normalise import PlainFact, day_number
from risk_warning.rules.interpret import Scope, truth
from risk_warning.rules.program import Level, Pattern, Rule, Ruleset
from risk_warning.rules.workdays import BUILT_IN_CALENDAR


class ReferenceEvaluator:
    def __init__(self, rulesets: Sequence[Ruleset], as_of: date | int) -> None:
        self.rulesets = list(rulesets)
        self.as_of = as_of if isinstance(as_of, int) else day_number(as_of)
        self.calendar = self.rulesets[0].calendar if self.rulesets else BUILT_IN_CALENDAR

    def close(self) -> None:
        """Nothing to free: the reference evaluator holds plain Python objects."""

    def evaluate(self, partition: Partition) -> list[Match]:
        by_type: dict[str, list[tuple[int, PlainFact]]] = defaultdict(list)
        for index, fact in enumerate(partition.facts):
            by_type[fact.type].append((index, fact))
        found: set[Match] = set()
        for rs in self.rulesets:
            for rule in rs.rules:
                if rule.enabled:
                    found.update(self._rule(rule, rs.params, by_type, partition.subject))
        return sorted(found)

    def _rule(
        self,
        rule: Rule,
        params: Mapping[str, Any],
        by_type: Mapping[str, list[tuple[int, PlainFact]]],
        subject: str,
    ) -> Iterator[Match]:
        bound = [p for p in rule.patterns if not p.negated]
        negated = [p for p in rule.patterns if p.negated]
        for combo in self._bind(bound, 0, {}, {}, params, by_type):
            values, indexes = combo
            if not all(self._absent(p, values, indexes, params, by_type) for p in negated):
                continue
            for level in rule.levels:
                if self._holds(level, values, params):
                    pairs = tuple((p.alias, indexes[p.alias]) for p in bound)
                    yield Match(rule.ruleset_id, rule.id, level.grade, subject, pairs)

    def _bind(
        self,
        patterns: list[Pattern],
        at: int,
        values: dict[str, Mapping[str, Any]],
        indexes: dict[str, int],
        params: Mapping[str, Any],
        by_type: Mapping[str, list[tuple[int, PlainFact]]],
    ) -> Iterator[tuple[dict[str, Mapping[str, Any]], dict[str, int]]]:
        if at == len(patterns):
            yield dict(values), dict(indexes)
            return
        p = patterns[at]
        for index, fact in by_type.get(p.fact_type, []):
            if index in indexes.values():
                continue
            trial = {**values, p.alias: fact.fields}
            if p.where is None or truth(p.where, Scope(self.as_of, params, trial, p.alias, self.calendar)):
                yield from self._bind(patterns, at + 1, trial, {**indexes, p.alias: index}, params, by_type)

    def _absent(
        self,
        p: Pattern,
        values: Mapping[str, Mapping[str, Any]],
        indexes: Mapping[str, int],
        params: Mapping[str, Any],
        by_type: Mapping[str, list[tuple[int, PlainFact]]],
    ) -> bool:
        for index, fact in by_type.get(p.fact_type, []):
            if index in indexes.values():
                continue
            trial = {**values, p.alias: fact.fields}
            if p.where is None or truth(p.where, Scope(self.as_of, params, trial, p.alias, self.calendar)):
                return False
        return True

    def _holds(self, level: Level, values: Mapping[str, Mapping[str, Any]], params: Mapping[str, Any]) -> bool:
        return level.condition is None or truth(
            level.condition, Scope(self.as_of, params, values, calendar=self.calendar)
        )
