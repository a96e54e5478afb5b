"""The pre-filter: a subject goes to the engine only if some rule could fire on its facts.

For each enabled rule and each of its levels, a *gate* states a necessary condition: every positive
pattern has at least one fact of its type that passes the conditions on that fact alone (the
pattern's own ``where`` conjuncts, and the level's conjuncts, that mention only that alias, as_of and
params); and, when the candidates are few (at most ``MAX_COMBINATIONS`` ways to bind them), some
binding of candidates satisfies the conjuncts that join facts, and for that binding no fact (not
already bound) satisfies an absence (``none``) pattern's condition, as the engine reads absence. The
distinctness of two facts of one type is left out, and too many candidates pass without the joins
and absences, which only makes a gate easier to pass. A conjunct is kept whole (its ``not`` and ``or`` included)
and answered by ``rules.closures`` with the interpreter's semantics, so a gate is true whenever the
rule matches on either evaluator (the differential test holds them to the interpreter;
``tests/plan/test_prefilter.py`` checks the gates against full evaluation).

Indicator facts are among the facts, so an indicator pattern (``count >= 3``) filters too. A subject
no gate passes raises no alert in the alert phase, and the engine is not asked.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from risk_warning.facts.normalise import PlainFact
from risk_warning.rules import ast
from risk_warning.rules.closures import Predicate, bindings_predicate, row_predicate
from risk_warning.rules.normal_form import conjuncts, owner, qualify
from risk_warning.rules.program import Rule, Ruleset
from risk_warning.rules.workdays import BUILT_IN_CALENDAR, WorkCalendar

MAX_COMBINATIONS = 256  # bindings of candidates tried against the joins; more pass the gate untried


@dataclass(frozen=True)
class Need:
    """At least one fact of ``fact_type`` passing ``test`` (None: any fact of the type), bound to ``alias``.
    ``key``: a field of this fact the rule equates with a field of an earlier pattern (plan/budget.py)."""

    alias: str
    fact_type: str
    test: Predicate | None
    key: str | None = None

    def candidates(self, by_type: Mapping[str, Sequence[PlainFact]]) -> list[Mapping[str, Any]]:
        """The fields of the facts that pass the conditions on this fact alone."""
        facts = by_type.get(self.fact_type, ())
        test = self.test
        return [f.fields for f in facts] if test is None else [f.fields for f in facts if test(f.fields)]


Bindings = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class Absence:
    """``none fact_type where test``: no fact of the type, other than those bound, passes ``test``."""

    alias: str
    fact_type: str
    test: Callable[[Bindings], bool] | None


@dataclass(frozen=True)
class Gate:
    rule_id: str
    needs: tuple[Need, ...]
    joins: Callable[[Bindings], bool] | None = None
    absences: tuple[Absence, ...] = ()

    def passes(self, by_type: Mapping[str, Sequence[PlainFact]]) -> bool:
        pools: list[list[Mapping[str, Any]]] = []
        for need in self.needs:
            pool = need.candidates(by_type)
            if not pool:
                return False
            pools.append(pool)
        if (self.joins is None and not self.absences) or math.prod(len(p) for p in pools) > MAX_COMBINATIONS:
            return True
        aliases = [need.alias for need in self.needs]
        for combo in itertools.product(*pools):
            bindings = dict(zip(aliases, combo, strict=True))
            if self.joins is not None and not self.joins(bindings):
                continue
            if not any(self._blocks(absence, bindings, by_type) for absence in self.absences):
                return True
        return False

    @staticmethod
    def _blocks(absence: Absence, bindings: Bindings, by_type: Mapping[str, Sequence[PlainFact]]) -> bool:
        """Some fact of the absent type, not one already bound, satisfies the absence's condition."""
        bound = [id(fields) for fields in bindings.values()]
        for fact in by_type.get(absence.fact_type, ()):
            if id(fact.fields) in bound:
                continue  # the engine's absence patterns ignore facts already bound
            if absence.test is None or absence.test({**bindings, absence.alias: fact.fields}):
                return True
        return False


def _aliases(expr: ast.Expr) -> set[str]:
    """The facts a (qualified) condition reads."""
    return {a for p in ast.paths(expr) if (a := owner(p, "")) is not None}


def _whole(parts: Sequence[ast.Expr]) -> ast.Expr:
    return parts[0] if len(parts) == 1 else ast.And(tuple(parts))


@dataclass(frozen=True)
class NeedSpec:
    """A need before compiling: the conditions on that one fact (None: any fact of the type); ``key``, the
    field the rule equates with an earlier pattern's (``f: ... where invoice_no == e.invoice_no``), if any."""

    alias: str
    fact_type: str
    condition: ast.Expr | None
    key: str | None = None


@dataclass(frozen=True)
class GateSpec:
    """A gate before compiling: what ``Gate`` tests, as conditions (the screen of screen.py reads them)."""

    rule_id: str
    needs: tuple[NeedSpec, ...]
    joins: ast.Expr | None
    absences: tuple[tuple[str, str, ast.Expr | None], ...]  # (alias, fact type, qualified condition)


def gate_specs(rule: Rule) -> list[GateSpec]:
    """One gate per level of ``rule`` (a rule without level conditions has one)."""
    positive = [p for p in rule.patterns if not p.negated]
    bound = {p.alias for p in positive}
    own = [c for p in positive if p.where is not None for c in conjuncts(qualify(p.where, p.alias))]
    gates = []
    for level in rule.levels or ():
        parts = [*own, *conjuncts(level.condition)]
        joined = [c for c in parts if len(_aliases(c)) > 1 and _aliases(c) <= bound]
        needs = []
        for at, p in enumerate(positive):
            local = [c for c in parts if _aliases(c) == {p.alias} or (not _aliases(c) and p is positive[0])]
            key = _equated_field(joined, p.alias, {q.alias for q in positive[:at]})
            needs.append(NeedSpec(p.alias, p.fact_type, _whole(local) if local else None, key))
        absences = tuple(
            (p.alias, p.fact_type, qualify(p.where, p.alias) if p.where is not None else None)
            for p in rule.patterns
            if p.negated and (p.where is None or _aliases(qualify(p.where, p.alias)) <= bound | {p.alias})
        )
        gates.append(GateSpec(rule.id, tuple(needs), _whole(joined) if joined else None, absences))
    return gates


def _equated_field(joined: Sequence[ast.Expr], alias: str, earlier: set[str]) -> str | None:
    """The field of ``alias`` that a conjunct ``alias.f == e.g`` (``e`` an earlier pattern) equates, if any."""
    for c in joined:
        if isinstance(c, ast.Compare) and c.op == "==":
            sides = (c.left, c.right)
            if all(isinstance(s, ast.Path) and len(s.parts) == 2 for s in sides):
                owners = [s.parts[0] for s in sides if isinstance(s, ast.Path)]
                for mine, other in ((0, 1), (1, 0)):
                    side = sides[mine]
                    if owners[mine] == alias and owners[other] in earlier and isinstance(side, ast.Path):
                        return side.parts[1]
    return None


def gates_of(
    rule: Rule, as_of: int, params: Mapping[str, Any], calendar: WorkCalendar = BUILT_IN_CALENDAR
) -> list[Gate]:
    """``gate_specs`` compiled (``rules.closures``) as of a date, with the ruleset's params."""
    gates = []
    for spec in gate_specs(rule):
        needs = tuple(
            Need(
                n.alias,
                n.fact_type,
                row_predicate(n.condition, n.alias, as_of, params, calendar) if n.condition is not None else None,
                n.key,
            )
            for n in spec.needs
        )
        joins = bindings_predicate(spec.joins, as_of, params, calendar) if spec.joins is not None else None
        absences = tuple(
            Absence(alias, fact_type, bindings_predicate(cond, as_of, params, calendar) if cond is not None else None)
            for alias, fact_type, cond in spec.absences
        )
        gates.append(Gate(spec.rule_id, needs, joins, absences))
    return gates


class PreFilter:
    """The gates of every enabled rule of some rulesets, as of a date (a day number)."""

    def __init__(self, rulesets: Sequence[Ruleset], as_of: int) -> None:
        self.gates = [
            gate
            for rs in rulesets
            for rule in rs.rules
            if rule.enabled
            for gate in gates_of(rule, as_of, rs.params, rs.calendar)
        ]

    def may_fire(self, facts: Sequence[PlainFact]) -> bool:
        """False only when no rule can match these facts (the subject's partition, indicators included)."""
        by_type: dict[str, list[PlainFact]] = {}
        for f in facts:
            by_type.setdefault(f.type, []).append(f)
        return any(gate.passes(by_type) for gate in self.gates)
