"""Check a validated ruleset spec, part by part, into the program: params, indicators, patterns, levels,
messages, and what a backend cannot express. Every problem goes to the file's ``Collector``, located."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from risk_warning.errors import Diagnostic, Reason, did_you_mean, listed
from risk_warning.facts.registry import FACT_SPECS, FactSpec
from risk_warning.grade import Grade
from risk_warning.rules.backends import CHECKS
from risk_warning.rules.date_ranges import out_of_range
from risk_warning.rules.diagnostics import Collector, checker_at, parse_at, shift
from risk_warning.rules.model import BeforeSpec, ParamSpec, RulesetSpec, RuleSpec
from risk_warning.rules.parser import DATE_RANGE, MAX_LIST_ITEMS, MAX_NUMBER
from risk_warning.rules.program import SIGNAL, Before, Indicator, Level, Pattern, Rule
from risk_warning.rules.template import check_template
from risk_warning.rules.typecheck import UNRESOLVED, CheckScope, Type
from risk_warning.rules.yamlsrc import Loc

MAX_BINDINGS = 15  # the engine holds at most 16 facts per frame; one slot stays spare
_PATTERN = re.compile(r"^(\s*)(none\s+)?([A-Za-z_][A-Za-z0-9_]*)(\s+where\s+(.*\S))?\s*$", re.S)
_ALIAS = re.compile(r"^[a-z][a-z0-9_]*$")
_RESERVED_ALIASES = {"as_of", "params", "subject", "none", "where"}


def param_values(spec: RulesetSpec, out: Collector) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, p in spec.params.items():
        loc: Loc = ("params", name)
        if isinstance(p, ParamSpec):
            loc = ("params", name, "default")
            if not _param_ok(p.type, p.default):
                out.at(
                    loc, Reason.TYPE_MISMATCH, f"default of {name} is not {'an' if p.type == 'int' else 'a'} {p.type}"
                )
            values[name] = p.default
        else:
            values[name] = p
        problem = param_limit(values[name])
        if problem is not None:
            out.at(loc, Reason.LIMIT, f"{name}: {problem}", "")
    return values


def param_limit(value: object) -> str | None:
    """What of a param's value passes a limit of the language (parser.py), if anything."""
    from datetime import date

    items = value if isinstance(value, list) else [value]
    if len(items) > MAX_LIST_ITEMS:
        return f"a list of {len(items):,} items; the limit is {MAX_LIST_ITEMS:,}"
    for item in items:
        if isinstance(item, int | float) and not isinstance(item, bool) and abs(item) > MAX_NUMBER:
            return f"{item:.4g} is over {MAX_NUMBER:,} in magnitude (the limit)"
        if isinstance(item, date) and not DATE_RANGE[0] <= item <= DATE_RANGE[1]:
            return f"{item} is outside {DATE_RANGE[0]} .. {DATE_RANGE[1]} (the limit)"
    return None


def _param_ok(kind: str, value: object) -> bool:
    from datetime import date

    if kind.startswith("list["):
        return isinstance(value, list) and all(_param_ok(kind[5:-1], item) for item in value)
    if kind == "bool":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == "int":
        return isinstance(value, int)
    if kind == "float":
        return isinstance(value, int | float)
    if kind == "date":
        return isinstance(value, date)
    return isinstance(value, str)


def _subject_problem(fact: FactSpec, kind: str, rule_types: Sequence[FactSpec] = ()) -> tuple[str, str] | None:
    """Why facts of this type never reach a ``kind`` partition, and what to do; None when they do. The advice
    weighs every pattern of the rule (``rule_types``), so following it never moves the error to another one."""
    if fact.model is None or not fact.model.visible_kinds() or kind in fact.model.visible_kinds():
        return None
    kinds = fact.model.visible_kinds()
    message = f"{fact.name} facts are not in {kind} partitions (they belong to: {', '.join(kinds)})"
    seen = {t.name: t.model.visible_kinds() for t in (*rule_types, fact) if t.model and t.model.visible_kinds()}
    common = [k for k in kinds if all(k in ks for ks in seen.values())]
    if common:
        return (
            message,
            f"every pattern of this rule is in {common[0]} partitions: put it in a ruleset with `subject: {common[0]}`",
        )
    parts = "; ".join(f"{name}: {', '.join(ks)}" for name, ks in seen.items())
    return (
        message,
        f"no subject kind sees every pattern of this rule ({parts}); split it into rules over one subject's facts, "
        "and let an escalation rule combine their alerts (docs/rule-language.md, What the language cannot express)",
    )


def check_indicators(spec: RulesetSpec, params: dict[str, Type], out: Collector) -> dict[str, Indicator]:
    result: dict[str, Indicator] = {}
    for name, ind in spec.indicators.items():
        loc: Loc = ("indicators", name)
        if name in FACT_SPECS:
            out.at(loc, Reason.DUPLICATE_ID, f"indicator '{name}' has the name of a fact type", "rename it")
            continue
        fact_name, _, field_name = ind.target.partition(".")
        fact = FACT_SPECS.get(fact_name)
        if fact is None:
            hint = did_you_mean(fact_name, FACT_SPECS) or ""
            out.at((*loc, ind.kind), Reason.UNKNOWN_FACT_TYPE, f"unknown fact type '{fact_name}'", hint)
            continue
        wrong = _subject_problem(fact, spec.subject)
        if wrong is not None:
            out.at((*loc, ind.kind), Reason.WRONG_SUBJECT, *wrong)
            continue
        value_kind = "int"
        if ind.kind in ("sum", "min", "max", "distinct"):
            fld = fact.fields.get(field_name)
            if fld is None:
                hint = did_you_mean(field_name, fact.fields) or f"write {ind.kind}: {fact_name}.<field>"
                out.at((*loc, ind.kind), Reason.UNKNOWN_FIELD, f"{fact_name} has no field '{field_name}'", hint)
                continue
            if ind.kind == "sum" and fld.kind not in ("int", "float"):
                out.at((*loc, ind.kind), Reason.TYPE_MISMATCH, f"cannot sum {fld.kind} field '{field_name}'")
                continue
            value_kind = {"sum": "float", "distinct": "int"}.get(ind.kind, fld.kind)
        elif field_name:
            out.at((*loc, "count"), Reason.SCHEMA, "count takes a fact type, not a field", f"count: {fact_name}")
        where = None
        if ind.where is not None:
            where = parse_at(ind.where, (*loc, "where"), out, "")
            if where is not None:
                scope = CheckScope({fact_name: fact}, params, current=fact_name)
                checker_at(scope, (*loc, "where"), out, "").condition(where)
        group = None
        if ind.by is not None:
            group = fact.fields.get(ind.by)
            if group is None or group.kind == "list" or group.pii is not None:
                why = "is a list" if group and group.kind == "list" else "is personal data" if group else "is unknown"
                hint = (did_you_mean(ind.by, fact.fields) if group is None else None) or (
                    "group by a plain field of the counted facts"
                )
                out.at((*loc, "by"), Reason.BAD_VALUE, f"cannot group by '{ind.by}': the field {why}", hint)
                continue
        before = None
        if ind.before is not None:
            before = _check_before(ind.before, fact, spec, (*loc, "before"), out)
            if before is None:
                continue
        result[name] = Indicator(
            name, spec.ruleset, ind.kind, fact_name, field_name or None, where, value_kind, group, before
        )
    return result


def _check_before(before: BeforeSpec, counted: FactSpec, spec: RulesetSpec, loc: Loc, out: Collector) -> Before | None:
    """``before:``: a dated event type of the subject's partition, a date field of the counted facts, and a
    window in days (a number or an int param)."""
    event_name, _, date_name = before.event.partition(".")
    event = FACT_SPECS.get(event_name)
    if event is None or event.model is None:
        hint = did_you_mean(event_name, FACT_SPECS) or "write event: <fact type>.<date field>"
        out.at((*loc, "event"), Reason.UNKNOWN_FACT_TYPE, f"unknown fact type '{event_name}'", hint)
        return None
    wrong = _subject_problem(event, spec.subject)
    if wrong is not None:
        out.at((*loc, "event"), Reason.WRONG_SUBJECT, *wrong)
        return None
    for where, fact, name in (("event", event, date_name), ("field", counted, before.field)):
        fld = fact.fields.get(name)
        if fld is None or fld.kind != "date":
            why = f"{fact.name} has no field '{name}'" if fld is None else f"{fact.name}.{name} is not a date"
            hint = (did_you_mean(name, fact.fields) if fld is None else None) or f"name a date field of {fact.name}"
            out.at((*loc, where), Reason.UNKNOWN_FIELD if fld is None else Reason.TYPE_MISMATCH, why, hint)
            return None
    days = before.days
    if isinstance(days, str):
        name = days.removeprefix("params.")
        declared = spec.params.get(name)
        declared_int = isinstance(declared, int) and not isinstance(declared, bool)
        if not (declared_int or (isinstance(declared, ParamSpec) and declared.type == "int")):
            why = f"days: '{days}' is not an int param"
            out.at((*loc, "days"), Reason.TYPE_MISMATCH, why, "a number, or params.<int>")
            return None
        days = name
    elif days < 1:
        out.at((*loc, "days"), Reason.BAD_VALUE, "days: must be at least 1", "")
        return None
    return Before(event_name, event.model.key_field, date_name, before.field, days)


def check_rule_spec(
    spec: RuleSpec,
    index: int,
    ruleset_id: str,
    types: dict[str, FactSpec],
    params: dict[str, Type],
    out: Collector,
    kind: str = "cadre",
) -> Rule | None:
    loc: Loc = ("rules", index)
    before = len(out.items)
    bindings: dict[str, FactSpec] = {}
    patterns: list[Pattern] = []
    named = [m.group(3) for m in map(_PATTERN.match, spec.match.values()) if m is not None]
    rule_types = [types[name] for name in named if name in types]
    if len([t for t in spec.match.values() if not t.lstrip().startswith("none ")]) > MAX_BINDINGS:
        out.at(
            (*loc, "match"),
            Reason.ENGINE_LIMIT,
            f"more than {MAX_BINDINGS} bound facts",
            "split the rule",
            spec.id,
        )
    for alias, text in spec.match.items():
        ploc: Loc = (*loc, "match", alias)
        if not _ALIAS.match(alias) or alias in _RESERVED_ALIASES:
            out.add(
                Diagnostic(
                    out.smap.at(ploc, key=True),
                    Reason.SCHEMA,
                    f"'{alias}' cannot be an alias",
                    "use a short lower-case name such as a, cadre, edu",
                    spec.id,
                )
            )
            continue
        m = _PATTERN.match(text)
        if m is None:
            out.at(
                ploc,
                Reason.EXPRESSION_SYNTAX,
                "a pattern reads `type where condition`",
                "e.g. appointment where end_date is null",
                spec.id,
            )
            continue
        negated = bool(m.group(2))
        type_name = m.group(3)
        fact = types.get(type_name)
        if fact is None:
            hint = did_you_mean(type_name, types) or "known types: " + listed(sorted(types), "docs/facts.md")
            col = len(m.group(1)) + len(m.group(2) or "")
            out.add(
                Diagnostic(
                    out.smap.in_text(ploc, col),
                    Reason.UNKNOWN_FACT_TYPE,
                    f"unknown fact type or indicator '{type_name}'",
                    hint,
                    spec.id,
                )
            )
            if not negated:  # still bound: the patterns after it are checked without a false "not bound"
                bindings[alias] = UNRESOLVED
            continue
        wrong = _subject_problem(fact, kind, rule_types)
        if wrong is not None:
            col = len(m.group(1)) + len(m.group(2) or "")
            out.add(Diagnostic(out.smap.in_text(ploc, col), Reason.WRONG_SUBJECT, *wrong, spec.id))
            if not negated:
                bindings[alias] = UNRESOLVED
            continue
        where = None
        if m.group(5) is not None:
            start = m.start(5)
            where = parse_at(m.group(5), ploc, out, spec.id, base=start)
            if where is not None:
                where = shift(where, start)
                scope = CheckScope({**bindings, alias: fact}, params, current=alias)
                checker_at(scope, ploc, out, spec.id).condition(where)
        patterns.append(Pattern(alias, fact.name, negated, where))
        if not negated:
            bindings[alias] = fact
    if not any(not p.negated for p in patterns) and patterns:
        out.at(
            (*loc, "match"),
            Reason.SCHEMA,
            "a rule needs at least one pattern that is not `none`",
            "",
            spec.id,
        )
    levels: list[Level] = []
    if spec.grade is not None:
        levels.append(Level(spec.grade))
    if spec.adjust is not None:
        levels.append(Level(Grade.BLUE))  # an adjustment has one outcome; its grade comes from the signal
        target = bindings.get(spec.adjust.signal)
        if target is None or target.name != SIGNAL:
            signals = [a for a, f in bindings.items() if f.name == SIGNAL]
            out.at(
                (*loc, "adjust", "signal"),
                Reason.UNKNOWN_NAME,
                f"'{spec.adjust.signal}' is not a bound signal pattern",
                did_you_mean(spec.adjust.signal, signals) or "bind one in match:, e.g. s: signal where tonight",
                spec.id,
            )
    for grade, text in (spec.levels or {}).items():
        lloc: Loc = (*loc, "levels", grade.value)
        cond = parse_at(text, lloc, out, spec.id)
        if cond is not None:
            checker_at(CheckScope(bindings, params), lloc, out, spec.id).condition(cond)
        levels.append(Level(grade, cond))
    for problem, offset in check_template(spec.message, bindings, params):
        out.add(Diagnostic(out.smap.in_text((*loc, "message"), offset), Reason.TEMPLATE, problem, "", spec.id))
    if len(out.items) > before:
        return None
    levels.sort(key=lambda lv: lv.grade.rank)
    escalation = spec.adjust is not None or any(
        p.fact_type == SIGNAL or ((spec_ := _type_named(types, p.fact_type)) is not None and spec_.source == SIGNAL)
        for p in patterns
    )
    return Rule(
        spec, ruleset_id, tuple(patterns), tuple(levels), enabled=spec.status != "disabled", escalation=escalation
    )


def _type_named(types: dict[str, FactSpec], name: str) -> FactSpec | None:
    return next((t for t in types.values() if t.name == name), None)


def trial_compile(
    rules: list[Rule], params: dict[str, Any], types: dict[str, FactSpec], positions: list[int], out: Collector
) -> None:
    """Ask every registered backend (rules/backends.py) what it cannot express, so it is reported at load."""
    index_of = {spec_id: i for spec_id, i in zip((r.id for r in rules), positions, strict=False)}
    specs = {t.name: t for t in types.values()}
    for rule in rules:
        for check in CHECKS.values():
            for problem in check(rule, params, specs):
                level, _, alias = problem.where.partition("/")
                index = index_of.get(rule.id, 0)
                alias = alias.removeprefix("none ")
                loc: Loc = ("rules", index, "match", alias) if alias else ("rules", index, "levels", level)
                if alias and rule.spec.match.get(alias) is None:
                    loc = ("rules", index, "levels", level)
                out.add(Diagnostic(out.smap.at(loc), Reason.UNSUPPORTED, problem.message, "", rule.id))


def check_date_ranges(rules: list[Rule], params: dict[str, Any], positions: list[int], out: Collector) -> None:
    """What a rule computes from as_of and params alone, evaluated now at both ends of the as_of range
    (rules/date_ranges.py): a date out of range, or a computation that fails, is reported at its pattern or
    level, not met in a scan."""
    index_of = {spec_id: i for spec_id, i in zip((r.id for r in rules), positions, strict=False)}
    for rule in rules:
        for problem in out_of_range(rule, params):
            index = index_of.get(rule.id, 0)
            place, _, grade = problem.where.partition(":")
            loc: Loc = ("rules", index, "levels", grade) if place == "level" else ("rules", index, "match", place)
            out.add(Diagnostic(out.smap.at(loc), Reason.LIMIT, problem.message, "", rule.id))


def partial_rule(raw: Any) -> RuleSpec | None:
    """What can be checked of a rule that failed schema validation: its patterns, levels, message."""
    if not isinstance(raw, dict) or not isinstance(raw.get("match"), dict):
        return None
    match = {str(k): v for k, v in raw["match"].items() if isinstance(v, str)}
    grades = {g.value: g for g in Grade}
    levels_raw = raw.get("levels")
    if not isinstance(levels_raw, dict):
        levels_raw = {}
    levels = {grades[k]: v for k, v in levels_raw.items() if k in grades and isinstance(v, str)}
    return RuleSpec.model_construct(
        id=str(raw.get("id", "")),
        title="",
        family="",
        basis="",
        disposition="",
        match=match,
        grade=None if levels else Grade.BLUE,
        levels=levels or None,
        message=str(raw.get("message", "")),
        tests=[],
        status="stable",
    )
