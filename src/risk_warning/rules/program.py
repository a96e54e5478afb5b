"""A loaded, checked ruleset: parsed patterns and levels, effective params, indicators.

This is what the compiler and both evaluators take. It holds no engine-specific data.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from risk_warning.facts.registry import FactSpec, FieldSpec
from risk_warning.grade import Grade
from risk_warning.rules import ast
from risk_warning.rules.model import IndicatorKind, RulesetSpec, RuleSpec
from risk_warning.rules.workdays import BUILT_IN_CALENDAR, WorkCalendar


@dataclass(frozen=True)
class Pattern:
    """``alias: [none] type where condition``. A negated pattern binds nothing."""

    alias: str
    fact_type: str
    negated: bool = False
    where: ast.Expr | None = None


@dataclass(frozen=True)
class Level:
    grade: Grade
    condition: ast.Expr | None = None


@dataclass(frozen=True)
class Rule:
    spec: RuleSpec
    ruleset_id: str
    patterns: tuple[Pattern, ...]
    levels: tuple[Level, ...]  # ascending by grade
    enabled: bool = True
    escalation: bool = False  # reads signals (alerts): runs after the rules that raise them

    @property
    def adjusts(self) -> bool:
        """True when the rule raises a bound signal's grade instead of raising an alert of its own."""
        return self.spec.adjust is not None

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def bound(self) -> tuple[Pattern, ...]:
        return tuple(p for p in self.patterns if not p.negated)


@dataclass(frozen=True)
class Before:
    """``before:`` of a count indicator (``model.BeforeSpec``), resolved: one count per event fact."""

    event_type: str
    event_key: str  # the event type's key field: the indicator fact's ``key``
    event_date: str
    field: str
    days: int | str  # days, or the name of an int param

    def window(self, params: Mapping[str, Any]) -> int:
        return int(params[self.days]) if isinstance(self.days, str) else self.days


@dataclass(frozen=True)
class Indicator:
    """A per-subject aggregate. ``fact_type`` is the qualified type name its facts carry."""

    name: str
    ruleset_id: str
    kind: IndicatorKind
    source_type: str
    source_field: str | None
    where: ast.Expr | None
    value_kind: str
    group: FieldSpec | None = None  # `by:` one indicator fact per value of this field, carried as `key`
    before: Before | None = None  # `before:` one indicator fact per event, its key carried as `key`

    @property
    def fact_type(self) -> str:
        return indicator_type(self.ruleset_id, self.name)

    def spec(self) -> FactSpec:
        value = FieldSpec("value", self.value_kind, self.kind in ("min", "max"))  # type: ignore[arg-type]
        subject = FieldSpec("subject_id", "str", False)
        fields = {"value": value, "subject_id": subject}
        if self.group is not None:
            fields["key"] = FieldSpec("key", self.group.kind, False, self.group.choices)
        if self.before is not None:
            fields["key"] = FieldSpec("key", "str", False)
        return FactSpec(self.fact_type, fields, source=self.source_type)


SIGNAL = "signal"


def phase_rulesets(rulesets: Sequence[Ruleset], escalation: bool) -> list[Ruleset]:
    """The rulesets cut to one phase: the rules that raise alerts, or the escalations that read them.

    The first phase leaves out indicators over signals (there are none yet); rulesets with no rule
    in the phase are left out.
    """
    out = []
    for rs in rulesets:
        rules = tuple(r for r in rs.rules if r.escalation == escalation)
        if not rules:
            continue
        indicators = {n: i for n, i in rs.indicators.items() if escalation or i.source_type != SIGNAL}
        out.append(dataclasses.replace(rs, rules=rules, indicators=indicators))
    return out


def indicator_type(ruleset_id: str, name: str) -> str:
    return f"{ruleset_id}#{name}"


@dataclass(frozen=True)
class Ruleset:
    spec: RulesetSpec
    path: str
    params: Mapping[str, Any]
    indicators: Mapping[str, Indicator]
    rules: tuple[Rule, ...]
    content_hash: str
    tests_loc: Mapping[str, Any] = field(default_factory=dict)
    calendar: WorkCalendar = BUILT_IN_CALENDAR  # working days for the language's calendar functions
    site_changed: frozenset[str] = frozenset()  # the params a site file set to another value
    site: str | None = None  # the site file applied, if any
    site_grades: Mapping[str, Grade] = field(default_factory=dict)  # rule id -> the grade a site file gave it

    @property
    def id(self) -> str:
        return self.spec.ruleset

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def with_params(self, overrides: Mapping[str, Any]) -> Ruleset:
        """The same ruleset with some params replaced (rule tests use this)."""
        return dataclasses.replace(self, params={**self.params, **overrides})

    def params_read(self, rule: Rule) -> set[str]:
        """The params a rule reads: in its patterns and levels, its message, and the indicators it matches."""
        exprs = [p.where for p in rule.patterns if p.where is not None]
        exprs += [lv.condition for lv in rule.levels if lv.condition is not None]
        for p in rule.patterns:
            for ind in self.indicators.values():
                if ind.fact_type == p.fact_type:
                    exprs += [ind.where] if ind.where is not None else []
                    if ind.before is not None and isinstance(ind.before.days, str):
                        exprs.append(ast.Path(("params", ind.before.days)))
        names = {
            path.parts[1] for e in exprs for path in ast.paths(e) if path.parts[0] == "params" and len(path.parts) > 1
        }
        return names | set(re.findall(r"\{params\.([a-z_0-9]+)\}", rule.spec.message))


def disabled_rules(rulesets: Sequence[Ruleset]) -> dict[str, str]:
    """rule id -> where it was disabled (the site file, else the ruleset file, and the version of the rules
    that disabled it: the first 12 hex digits of their content hash): their alerts are retired."""
    return {
        r.id: f"status: disabled in {rs.site or rs.path} (rules version {rs.content_hash[:12]})"
        for rs in rulesets
        for r in rs.rules
        if not r.enabled
    }
