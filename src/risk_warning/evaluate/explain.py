"""Why a rule fired, or did not, for one subject: the analyst's first question.

For each rule of the subject's kind: per pattern, the facts that matched it with the facts bound before
(as the reference evaluator binds them, in the rule's order) and, for each fact of the pattern's type that
did not, the first condition that failed with the values it compared; the ``none`` patterns' facts that
stood in the way; the level conditions and whether they held; the indicators' values. It interprets the
rule text (``rules.interpret``), the route the differential test holds equal to the engine's, so the
outcome shown is the alerts' own. Personal fields are masked; sensitive ones never reach the facts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from risk_warning.facts._base import Pii
from risk_warning.facts.normalise import PlainFact, from_day_number
from risk_warning.facts.registry import FACT_SPECS
from risk_warning.grade import Grade
from risk_warning.privacy import mask_name
from risk_warning.rules import ast
from risk_warning.rules.interpret import Scope, evaluate, truth
from risk_warning.rules.normal_form import conjuncts
from risk_warning.rules.program import Pattern, Rule, Ruleset
from risk_warning.rules.render import render

MAX_SHOWN = 20  # facts listed per pattern; the rest are counted
MAX_BINDINGS = 200  # partial matches carried from one pattern to the next


@dataclass(frozen=True)
class Failed:
    """The first condition a fact failed, as written, and the values it compared (as shown)."""

    condition: str
    values: dict[str, str]


@dataclass
class PatternReport:
    alias: str
    fact_type: str
    negated: bool
    condition: str
    candidates: int  # facts of the type in the partition
    matched: list[str] = field(default_factory=list)  # fact keys (for `none`: the facts that stood in the way)
    near_misses: list[tuple[str, Failed]] = field(default_factory=list)


@dataclass
class LevelReport:
    grade: str
    condition: str
    holds: bool


@dataclass
class RuleReport:
    rule_id: str
    title: str
    fired: bool
    grade: str | None
    why: str
    patterns: list[PatternReport] = field(default_factory=list)
    levels: list[LevelReport] = field(default_factory=list)


@dataclass
class Explanation:
    subject: str
    as_of: date
    rules: list[RuleReport] = field(default_factory=list)
    indicators: dict[str, Any] = field(default_factory=dict)
    alerts: list[str] = field(default_factory=list)  # the engine's alerts for the subject, escalations applied
    raises: list[str] = field(default_factory=list)  # tonight's escalation raises

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["as_of"] = self.as_of.isoformat()
        for rule in out["rules"]:
            for p in rule["patterns"]:
                p["near_misses"] = [{"fact": k, **f} for k, f in p["near_misses"]]
        return out


def explain_rules(
    rulesets: Sequence[Ruleset],
    subject: str,
    facts: Sequence[PlainFact],
    as_of: int,
    only: str | None = None,
) -> Explanation:
    """An explanation of every enabled rule (or of ``only``) of ``rulesets`` over one subject's facts, the
    indicator facts among them."""
    by_type: dict[str, list[PlainFact]] = {}
    for fact in facts:
        by_type.setdefault(fact.type, []).append(fact)
    out = Explanation(subject, from_day_number(as_of))
    for rs in rulesets:
        for indicator in rs.indicators.values():
            for fact in by_type.get(indicator.fact_type, ()):
                key = indicator.name + (f"[{fact.fields['key']}]" if "key" in fact.fields else "")
                out.indicators[key] = _shown(fact.type, "value", fact.fields.get("value"))
        for rule in rs.rules:
            if rule.enabled and (only is None or rule.id == only):
                out.rules.append(_Explainer(rule, rs, by_type, as_of).report())
    return out


class _Explainer:
    def __init__(self, rule: Rule, rs: Ruleset, by_type: Mapping[str, list[PlainFact]], as_of: int) -> None:
        self.rule, self.params, self.by_type, self.as_of, self.calendar = rule, rs.params, by_type, as_of, rs.calendar

    def scope(self, values: Mapping[str, Mapping[str, Any]], current: str | None = None) -> Scope:
        return Scope(self.as_of, self.params, values, current, self.calendar)

    def report(self) -> RuleReport:
        rule = self.rule
        out = RuleReport(rule.id, rule.spec.title, False, None, "")
        combos: list[tuple[dict[str, Mapping[str, Any]], set[str]]] = [({}, set())]
        stopped: str | None = None
        for p in rule.patterns:
            report = PatternReport(
                p.alias,
                p.fact_type,
                p.negated,
                render(p.where) if p.where else "",
                len(self.by_type.get(p.fact_type, ())),
            )
            out.patterns.append(report)
            if stopped is not None:
                continue
            combos = self._absent(p, combos, report) if p.negated else self._bind(p, combos, report)
            if not combos:
                stopped = p.alias
        if stopped is not None:
            out.why = _why_stopped(next(r for r in out.patterns if r.alias == stopped))
            return out
        if rule.spec.adjust is not None:  # no levels: it raises a bound signal's grade (see `with_raises`)
            out.why = "every pattern matched, but it raised no alert of tonight's"
            return out
        for level in rule.levels:
            holds = any(level.condition is None or truth(level.condition, self.scope(values)) for values, _ in combos)
            out.levels.append(LevelReport(level.grade.value, render(level.condition) if level.condition else "", holds))
        held = [lv for lv in out.levels if lv.holds]
        out.fired = bool(held)
        out.grade = held[-1].grade if held else None
        out.why = f"fired at {out.grade}" if held else "every pattern matched, but no level condition held"
        return out

    def _bind(
        self, p: Pattern, combos: list[tuple[dict[str, Mapping[str, Any]], set[str]]], report: PatternReport
    ) -> list[tuple[dict[str, Mapping[str, Any]], set[str]]]:
        found: list[tuple[dict[str, Mapping[str, Any]], set[str]]] = []
        for fact in self.by_type.get(p.fact_type, ()):
            best: Failed | None = None
            matched = False
            for values, used in combos:
                if fact.key in used:
                    continue
                trial = {**values, p.alias: fact.fields}
                failed = self._first_failed(p, trial)
                if failed is None:
                    matched = True
                    if len(found) < MAX_BINDINGS:
                        found.append((trial, used | {fact.key}))
                elif best is None:
                    best = failed
            if matched:
                report.matched.append(fact.key)
            elif best is not None:
                report.near_misses.append((fact.key, best))
        _trim(report)
        return found

    def _absent(
        self, p: Pattern, combos: list[tuple[dict[str, Mapping[str, Any]], set[str]]], report: PatternReport
    ) -> list[tuple[dict[str, Mapping[str, Any]], set[str]]]:
        kept = []
        for values, used in combos:
            blocking = [
                f.key
                for f in self.by_type.get(p.fact_type, ())
                if f.key not in used and self._first_failed(p, {**values, p.alias: f.fields}) is None
            ]
            if blocking:
                report.matched.extend(k for k in blocking if k not in report.matched)
            else:
                kept.append((values, used))
        _trim(report)
        return kept

    def _first_failed(self, p: Pattern, values: Mapping[str, Mapping[str, Any]]) -> Failed | None:
        if p.where is None:
            return None
        scope = self.scope(values, p.alias)
        for part in conjuncts(p.where):
            if not truth(part, scope):
                return Failed(render(part), self._values(part, scope, values, p))
        return None

    def _values(
        self, expr: ast.Expr, scope: Scope, values: Mapping[str, Mapping[str, Any]], p: Pattern
    ) -> dict[str, str]:
        shown: dict[str, str] = {}
        aliases = {q.alias: q.fact_type for q in self.rule.patterns}
        for path in ast.paths(expr):
            name = str(path)
            if name in shown or (path.parts[0] == "params" and len(path.parts) == 1):
                continue
            if len(path.parts) == 1 and path.parts[0] != "as_of":
                fact_type, fld = p.fact_type, path.parts[0]
            elif len(path.parts) == 2 and path.parts[0] in aliases:
                fact_type, fld = aliases[path.parts[0]], path.parts[1]
            else:
                fact_type, fld = "", ""
            try:
                value = evaluate(path, scope)
            except Exception:  # an unbound name in a rule the checker let by: shown as such, never raised
                shown[name] = "?"
                continue
            shown[name] = _shown(fact_type, fld, value, date_like=name == "as_of")
        return shown


def _trim(report: PatternReport) -> None:
    if len(report.near_misses) > MAX_SHOWN:
        report.near_misses = report.near_misses[:MAX_SHOWN]


def _why_stopped(report: PatternReport) -> str:
    if report.negated:
        return f"{report.alias}: none {report.fact_type} was wanted, and {len(report.matched)} stood in the way"
    if not report.candidates:
        return f"{report.alias}: no {report.fact_type} fact in the partition"
    if report.near_misses:
        first = report.near_misses[0][1]
        return f"{report.alias}: no {report.fact_type} passed; the first to fail failed `{first.condition}`"
    return f"{report.alias}: no {report.fact_type} could be bound with the facts before it"


def _shown(fact_type: str, fld: str, value: Any, date_like: bool = False) -> str:
    """A value as an analyst reads it: dates as dates, personal fields masked."""
    spec = FACT_SPECS.get(fact_type)
    fspec = spec.fields.get(fld) if spec is not None else None
    if value is None:
        return "null"
    if fspec is not None and fspec.pii is Pii.HIGH:
        return "***"
    if fspec is not None and fspec.pii is Pii.MASK:
        return mask_name(value) if isinstance(value, str) else "***"
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and (date_like or (fspec is not None and fspec.kind == "date"))
    ):
        return from_day_number(value).isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def with_raises(explanation: Explanation, raises: Sequence[tuple[str, str, str, str]]) -> None:
    """Mark the adjusting rules that raised a grade tonight as fired, at the highest grade they gave, from the
    engine's own raises ``(rule, alert's rule, from grade, to grade)``: whether a match raises depends on the
    alert's grade before every raise, which only the escalation's rounds know. A rule whose patterns matched
    and raised nothing matched a signal remembered from an earlier night, a blue alert (never raised), or
    one already at that grade."""
    for report in explanation.rules:
        mine = [r for r in raises if r[0] == report.rule_id]
        if mine:
            top = max(mine, key=lambda r: Grade(r[3]).rank)
            report.fired, report.grade = True, top[3]
            report.why = "; ".join(f"raised {alert} from {a} to {b}" for _, alert, a, b in mine)
