"""Load ruleset files: YAML -> typed spec -> parsed and type-checked program, with every error located.

``load_ruleset(path)`` returns a ``Ruleset`` or raises ``RulesetError`` carrying every diagnostic of
the file at once (``collect=True``, the default), or stops at the first (``collect=False``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pydantic

from risk_warning.errors import Diagnostic, Reason, RulesetError, SourceLocation, did_you_mean
from risk_warning.facts.registry import FACT_SPECS, FactSpec
from risk_warning.grade import Grade
from risk_warning.privacy import ephemeral_token_key
from risk_warning.rules import ast
from risk_warning.rules.backends import CHECKS
from risk_warning.rules.model import (
    Expectation,
    IndicatorSpec,
    ParamSpec,
    RuleOverride,
    RulesetSpec,
    RuleSpec,
    RuleTest,
    SiteOverrides,
)
from risk_warning.rules.parser import ExpressionSyntaxError, parse_expression
from risk_warning.rules.program import SIGNAL, Indicator, Level, Pattern, Rule, Ruleset
from risk_warning.rules.template import check_template
from risk_warning.rules.typecheck import Checker, CheckScope, Type, param_type
from risk_warning.rules.yamlsrc import Loc, SourceMap, load_yaml

MAX_BINDINGS = 15  # the engine holds at most 16 facts per frame; one slot stays spare
_PATTERN = re.compile(r"^(\s*)(none\s+)?([A-Za-z_][A-Za-z0-9_]*)(\s+where\s+(.*\S))?\s*$", re.S)
_ALIAS = re.compile(r"^[a-z][a-z0-9_]*$")
_RESERVED_ALIASES = {"as_of", "params", "subject", "none", "where"}

_KEYS_BY_DEPTH: dict[tuple[str, ...], type[pydantic.BaseModel]] = {
    (): RulesetSpec,
    ("rules", "*"): RuleSpec,
    ("rules", "*", "tests", "*"): RuleTest,
    ("rules", "*", "tests", "*", "expect", "*"): Expectation,
    ("indicators", "*"): IndicatorSpec,
    ("params", "*"): ParamSpec,
}


class _Collector:
    def __init__(self, smap: SourceMap, collect: bool) -> None:
        self.smap = smap
        self.collect = collect
        self.items: list[Diagnostic] = []

    def add(self, diag: Diagnostic) -> None:
        self.items.append(diag)
        if not self.collect:
            raise RulesetError(self.items)

    def at(self, loc: Loc, reason: Reason, message: str, hint: str = "", rule: str = "") -> None:
        self.add(Diagnostic(self.smap.at(loc), reason, message, hint, rule))


def _shape(loc: Loc) -> tuple[str, ...]:
    return tuple("*" if isinstance(p, int) or i % 2 == 1 else str(p) for i, p in enumerate(loc))


def _pydantic_diagnostics(exc: pydantic.ValidationError, data: Any, out: _Collector, prefix: Loc = ()) -> None:
    for err in exc.errors():
        err = {**err, "loc": (*prefix, *err["loc"])}
        # keep only the loc parts that exist in the document (drop union member names, '[key]')
        loc: list[str | int] = []
        node = data
        for part in err["loc"]:
            if (isinstance(node, dict) and part in node) or (
                isinstance(node, list) and isinstance(part, int) and part < len(node)
            ):
                loc.append(part)
                node = node[part]  # type: ignore[index]
        rule = ""
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(data.get("rules"), list):
            rule_data = data["rules"][loc[1]] if isinstance(loc[1], int) else {}
            rule = str(rule_data.get("id", "")) if isinstance(rule_data, dict) else ""
        where = tuple(loc)
        on_key = "[key]" in err["loc"]
        if err["type"] == "extra_forbidden":
            key = str(err["loc"][-1])
            model = _KEYS_BY_DEPTH.get(_shape(where[:-1]))
            allowed = list(model.model_fields) if model else []
            hint = did_you_mean(key, allowed) or ("allowed: " + ", ".join(allowed) if allowed else "")
            out.add(Diagnostic(out.smap.at(where, key=True), Reason.UNKNOWN_KEY, f"unknown key '{key}'", hint, rule))
            continue
        if err["type"] == "missing":
            name = str(err["loc"][-1])
            out.add(Diagnostic(out.smap.at(where), Reason.SCHEMA, f"missing required key '{name}'", "", rule))
            continue
        message = err["msg"]
        hint = ""
        if err["type"] == "enum" and isinstance(err.get("input"), str):
            choices = [g.value for g in Grade]
            hint = did_you_mean(err["input"], choices) or "grades: " + ", ".join(choices)
            message = f"'{err['input']}' is not a grade"
        elif err["type"] == "literal_error" and isinstance(err.get("input"), str):
            expected = str(err.get("ctx", {}).get("expected", ""))
            options = re.findall(r"'([^']*)'", expected)
            hint = did_you_mean(err["input"], options) or f"expected {expected}"
            message = f"'{err['input']}' is not allowed here"
        out.add(Diagnostic(out.smap.at(where, key=on_key), Reason.SCHEMA, message, hint, rule))


def _parse(text: str, loc: Loc, out: _Collector, rule: str, base: int = 0) -> ast.Expr | None:
    try:
        return parse_expression(text)
    except ExpressionSyntaxError as exc:
        where = out.smap.in_text(loc, base + exc.offset)
        out.add(Diagnostic(where, Reason.EXPRESSION_SYNTAX, str(exc), exc.hint, rule))
        return None


def _checker(scope: CheckScope, loc: Loc, out: _Collector, rule: str, base: int = 0) -> Checker:
    def report(offset: int, reason: Reason, message: str, hint: str) -> None:
        out.add(Diagnostic(out.smap.in_text(loc, base + offset), reason, message, hint, rule))

    return Checker(scope, report)


def _shift(expr: ast.Expr, by: int) -> ast.Expr:
    """Offsets of a sub-expression parsed on its own, moved to its place in the whole text."""
    import dataclasses

    moved = dataclasses.replace(expr, pos=expr.pos + by)
    return ast.map_children(moved, lambda child: _shift(child, by))


def _params(spec: RulesetSpec, out: _Collector) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, p in spec.params.items():
        if isinstance(p, ParamSpec):
            if not _param_ok(p.type, p.default):
                out.at(("params", name, "default"), Reason.TYPE_MISMATCH, f"default of {name} is not a {p.type}")
            values[name] = p.default
        else:
            values[name] = p
    return values


def _param_ok(kind: str, value: object) -> bool:
    from datetime import date

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


def _subject_problem(fact: FactSpec, kind: str) -> tuple[str, str] | None:
    """Why facts of this type never reach a ``kind`` partition, and what to do; None when they do."""
    if fact.model is None or not fact.model.subject_kinds() or kind in fact.model.subject_kinds():
        return None
    kinds = fact.model.subject_kinds()
    return (
        f"{fact.name} facts are not in {kind} partitions (they belong to: {', '.join(kinds)})",
        f"put this rule in a ruleset with `subject: {kinds[0]}`",
    )


def _indicators(spec: RulesetSpec, params: dict[str, Type], out: _Collector) -> dict[str, Indicator]:
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
            where = _parse(ind.where, (*loc, "where"), out, "")
            if where is not None:
                scope = CheckScope({fact_name: fact}, params, current=fact_name)
                _checker(scope, (*loc, "where"), out, "").condition(where)
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
        result[name] = Indicator(name, spec.ruleset, ind.kind, fact_name, field_name or None, where, value_kind, group)
    return result


def _rule(
    spec: RuleSpec,
    index: int,
    ruleset_id: str,
    types: dict[str, FactSpec],
    params: dict[str, Type],
    out: _Collector,
    kind: str = "cadre",
) -> Rule | None:
    loc: Loc = ("rules", index)
    before = len(out.items)
    bindings: dict[str, FactSpec] = {}
    patterns: list[Pattern] = []
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
            hint = did_you_mean(type_name, types) or "known types: " + ", ".join(sorted(types))
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
            continue
        wrong = _subject_problem(fact, kind)
        if wrong is not None:
            col = len(m.group(1)) + len(m.group(2) or "")
            out.add(Diagnostic(out.smap.in_text(ploc, col), Reason.WRONG_SUBJECT, *wrong, spec.id))
            continue
        where = None
        if m.group(5) is not None:
            start = m.start(5)
            where = _parse(m.group(5), ploc, out, spec.id, base=start)
            if where is not None:
                where = _shift(where, start)
                scope = CheckScope({**bindings, alias: fact}, params, current=alias)
                _checker(scope, ploc, out, spec.id).condition(where)
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
        cond = _parse(text, lloc, out, spec.id)
        if cond is not None:
            _checker(CheckScope(bindings, params), lloc, out, spec.id).condition(cond)
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


def _check_tests(spec: RuleSpec, index: int, rule_ids: set[str], types: dict[str, FactSpec], out: _Collector) -> None:
    with ephemeral_token_key():  # test facts' tokens never leave the check
        _check_test_facts(spec, index, rule_ids, types, out)


def _check_test_facts(
    spec: RuleSpec, index: int, rule_ids: set[str], types: dict[str, FactSpec], out: _Collector
) -> None:
    from risk_warning.facts.records import validate_record

    for t_index, test in enumerate(spec.tests):
        tloc: Loc = ("rules", index, "tests", t_index)
        for type_name, records in test.facts.items():
            if type_name not in FACT_SPECS:
                hint = did_you_mean(type_name, FACT_SPECS) or ""
                out.add(
                    Diagnostic(
                        out.smap.at((*tloc, "facts", type_name), key=True),
                        Reason.UNKNOWN_FACT_TYPE,
                        f"unknown fact type '{type_name}'",
                        hint,
                        spec.id,
                    )
                )
                continue
            for r_index, record in enumerate(records):
                for field_name, message in validate_record(type_name, record, fill_keys=True)[1]:
                    rloc: Loc = (*tloc, "facts", type_name, r_index)
                    if field_name in record:
                        rloc = (*rloc, field_name)
                    out.at(rloc, Reason.INVALID_VALUE, f"{type_name}.{field_name}: {message}", "", spec.id)
        for e_index, exp in enumerate(test.expect):
            if exp.rule is not None and exp.rule not in rule_ids:
                hint = did_you_mean(exp.rule, rule_ids)
                out.at(
                    (*tloc, "expect", e_index, "rule"),
                    Reason.UNKNOWN_NAME,
                    f"unknown rule '{exp.rule}'",
                    hint,
                    spec.id,
                )


def _trial_compile(
    rules: list[Rule], params: dict[str, Any], types: dict[str, FactSpec], positions: list[int], out: _Collector
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


def _partial_rule(raw: Any) -> RuleSpec | None:
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


def _rule_positions(raw_rules: list[Any], good: list[RuleSpec]) -> list[int]:
    """The index in the file of each rule that passed schema validation."""
    positions: list[int] = []
    start = 0
    for rule in good:
        for i in range(start, len(raw_rules)):
            raw = raw_rules[i]
            if isinstance(raw, dict) and raw.get("id") == rule.id:
                positions.append(i)
                start = i + 1
                break
    return positions


def parse_ruleset(text: str, path: str, *, collect: bool = True) -> Ruleset:
    """Load one ruleset from its text; ``path`` is only used in locations."""
    loaded = load_yaml(text, path)
    if isinstance(loaded, Diagnostic):
        raise RulesetError([loaded])
    data, smap = loaded
    out = _Collector(smap, collect)
    if not isinstance(data, dict):
        out.at((), Reason.SCHEMA, "a ruleset file is a mapping with ruleset:, title:, version:, rules:")
        raise RulesetError(out.items)
    # Validate the header and each rule separately, so one bad rule does not hide the others' problems.
    raw_rules = data.get("rules")
    good_rules: list[RuleSpec] = []
    partial: list[tuple[int, RuleSpec | None]] = []
    if isinstance(raw_rules, list):
        for index, raw in enumerate(raw_rules):
            try:
                good_rules.append(RuleSpec.model_validate(raw))
            except pydantic.ValidationError as exc:
                _pydantic_diagnostics(exc, data, out, ("rules", index))
                partial.append((index, _partial_rule(raw)))
    try:
        spec = RulesetSpec.model_validate({**data, "rules": []} if isinstance(raw_rules, list) else data)
    except pydantic.ValidationError as exc:
        _pydantic_diagnostics(exc, data, out)
        raise RulesetError(out.items) from None
    spec = spec.model_copy(update={"rules": good_rules})
    params = _params(spec, out)
    param_types: dict[str, Type] = {k: param_type(v) for k, v in params.items()}
    indicators = _indicators(spec, param_types, out)
    types: dict[str, FactSpec] = {**FACT_SPECS, **{n: i.spec() for n, i in indicators.items()}}
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    rule_ids = {r.id for r in spec.rules}
    positions = _rule_positions(raw_rules if isinstance(raw_rules, list) else [], good_rules)
    for rule_spec, index in zip(spec.rules, positions, strict=True):
        if rule_spec.id in seen:
            out.at(
                ("rules", index, "id"),
                Reason.DUPLICATE_ID,
                f"rule id '{rule_spec.id}' is used twice",
                "",
                rule_spec.id,
            )
        seen[rule_spec.id] = index
        rule = _rule(rule_spec, index, spec.ruleset, types, param_types, out, spec.subject)
        _check_tests(rule_spec, index, rule_ids, types, out)
        if rule is not None:
            rules.append(rule)
    if not out.items:
        _trial_compile(rules, params, types, positions, out)
    for index, maybe in partial:  # still check the expressions of rules whose shape was wrong
        if maybe is not None:
            _rule(maybe, index, spec.ruleset, types, param_types, out, spec.subject)
    if out.items:
        raise RulesetError(sorted(out.items, key=lambda d: (d.location.line, d.location.col)))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Ruleset(spec, path, params, indicators, tuple(rules), digest)


def load_ruleset(path: str | Path, *, collect: bool = True) -> Ruleset:
    p = Path(path)
    return parse_ruleset(p.read_text(encoding="utf-8"), str(p), collect=collect)


def ruleset_files(paths: Iterable[str | Path]) -> list[Path]:
    """Every *.yaml/*.yml file under the given files and directories, in a stable order."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(q for q in p.rglob("*") if q.suffix in (".yaml", ".yml")))
        else:
            files.append(p)
    return files


def _is_site_file(path: Path) -> bool:
    try:
        loaded = load_yaml(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError):
        return False  # load_ruleset reports it
    if isinstance(loaded, Diagnostic) or not isinstance(loaded[0], dict):
        return False
    data = loaded[0]
    return "ruleset" not in data and (isinstance(data.get("rules"), dict) or isinstance(data.get("params"), dict))


def load_rulesets(paths: Iterable[str | Path], *, overrides: str | Path | None = None) -> list[Ruleset]:
    """Load every ruleset under ``paths``; raise one RulesetError with the diagnostics of all files."""
    rulesets: list[Ruleset] = []
    problems: list[Diagnostic] = []
    for f in ruleset_files(paths):
        if _is_site_file(f):  # loaded or refused, never skipped in silence
            message = "this is a site override file (params: and rules: overrides, no ruleset:), not a ruleset"
            hint = "pass it with --site, and keep it out of the rules directories"
            problems.append(Diagnostic(SourceLocation(str(f), 1, 1), Reason.SCHEMA, message, hint))
            continue
        try:
            rulesets.append(load_ruleset(f))
        except RulesetError as exc:
            problems.extend(exc.diagnostics)
    ids: dict[str, str] = {}
    for rs in rulesets:
        if rs.id in ids:
            problems.append(
                Diagnostic(
                    SourceMap(rs.path).at(("ruleset",)),
                    Reason.DUPLICATE_ID,
                    f"ruleset id '{rs.id}' is also used by {ids[rs.id]}",
                    "rename one",
                )
            )
        ids[rs.id] = rs.path
    if problems:
        raise RulesetError(problems)
    if overrides is not None:
        rulesets = apply_overrides(rulesets, Path(overrides))
    return rulesets


def apply_overrides(rulesets: Sequence[Ruleset], path: Path) -> list[Ruleset]:
    """Apply a site file: ``params: {ruleset.param: value}``, ``rules: {rule_id: {status, grade}}``."""
    import dataclasses

    loaded = load_yaml(path.read_text(encoding="utf-8"), str(path))
    if isinstance(loaded, Diagnostic):
        raise RulesetError([loaded])
    data, smap = loaded
    out = _Collector(smap, True)
    try:
        site = SiteOverrides.model_validate(data or {})
    except pydantic.ValidationError as exc:
        _pydantic_diagnostics(exc, data, out)
        raise RulesetError(out.items) from None
    by_id = {rs.id: rs for rs in rulesets}
    new_params: dict[str, dict[str, Any]] = {rs.id: dict(rs.params) for rs in rulesets}
    for key, value in site.params.items():
        rs_id, _, name = key.rpartition(".")
        rs = by_id.get(rs_id)
        if rs is None or name not in rs.params:
            candidates = [f"{r.id}.{p}" for r in rulesets for p in r.params]
            out.add(
                Diagnostic(
                    smap.at(("params", key), key=True),
                    Reason.UNKNOWN_NAME,
                    f"unknown param '{key}'",
                    did_you_mean(key, candidates) or "write ruleset_id.param",
                    "",
                )
            )
            continue
        if param_type(value) != param_type(rs.params[name]):
            out.at(("params", key), Reason.TYPE_MISMATCH, f"{key} must be a {param_type(rs.params[name])}")
        new_params[rs_id][name] = value
    rule_overrides: dict[str, RuleOverride] = dict(site.rules)
    all_ids = {r.id for rs in rulesets for r in rs.rules}
    for rule_id in rule_overrides:
        if rule_id not in all_ids:
            out.add(
                Diagnostic(
                    smap.at(("rules", rule_id), key=True),
                    Reason.UNKNOWN_NAME,
                    f"unknown rule '{rule_id}'",
                    did_you_mean(rule_id, all_ids),
                    rule_id,
                )
            )
    if out.items:
        raise RulesetError(out.items)
    result = []
    for rs in rulesets:
        rules = []
        for r in rs.rules:
            o = rule_overrides.get(r.id)
            if o is not None and o.status is not None:
                r = dataclasses.replace(r, enabled=o.status != "disabled")
            if o is not None and o.grade is not None:
                r = dataclasses.replace(r, levels=tuple(Level(o.grade, lv.condition) for lv in r.levels))
            rules.append(r)
        digest = hashlib.sha256((rs.content_hash + path.read_text(encoding="utf-8")).encode()).hexdigest()
        result.append(dataclasses.replace(rs, params=new_params[rs.id], rules=tuple(rules), content_hash=digest))
    return result
