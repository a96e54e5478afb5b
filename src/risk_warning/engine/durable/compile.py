"""Compile checked rules, as of a date, into plain data in the durable-rules JSON condition language.

A pure function: ``compile_rules(rulesets, as_of)`` -> ``Program``. It folds every constant (as_of,
params, date helpers) so that the engine only compares fact fields with numbers, strings and other
bound facts; pushes ``not`` down with the null semantics of ``rules.interpret``; places each
condition on the pattern of the latest fact it mentions; and applies the engine workarounds that
are about the *shape* of conditions (see docs/design.md):

* each (rule, level) becomes one engine rule, so the engine decides the grade;
* absence (``none``) patterns match shadow copies of their type (tag ``type~``), which the adapter
  asserts before every other fact: the engine does not retract a frame when a negating fact arrives
  after it completed (measured here, not in upstream's tracker);
* facts bound to two aliases of one type must differ (``_n``); absence ignores facts already bound;
* every join ends with an always-true reference (``_one``) to avoid an out-of-bounds read (#381);
* joins never use the engine's ``id``/``sid`` (copyMessage does not copy them).

It never imports the C engine (``adapter.py`` does); it also checks each rule at load time for what
the engine cannot express (``check_rule``, registered with ``rules/backends.py``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from risk_warning.engine.durable.derived import PREFIX, Derived, NotOneFact, by_fact_type, lower
from risk_warning.facts.normalise import day_number
from risk_warning.grade import Grade
from risk_warning.rules import ast
from risk_warning.rules.backends import Unsupported
from risk_warning.rules.interpret import Scope
from risk_warning.rules.normal_form import (
    MAX_ALTERNATIVES,
    NotNegatable,
    conjuncts,
    dnf,
    flatten_or,
    fold,
    guard_nulls,
    negate,
    nullability,
    owner,
    push_not,
    qualify,
)
from risk_warning.rules.program import Pattern, Rule, Ruleset
from risk_warning.rules.workdays import BUILT_IN_CALENDAR, CalendarError, WorkCalendar

Json = dict[str, Any]
SHADOW = "~"
_OPS = {"==": "$eq", "!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
_ARITH = {"+": "$add", "-": "$sub", "*": "$mul", "/": "$div"}


class CompileError(ValueError):
    """A condition the engine cannot express; ``where`` names the pattern alias or level grade."""

    def __init__(self, rule_id: str, where: str, pos: int, message: str) -> None:
        super().__init__(message)
        self.rule_id = rule_id
        self.where = where
        self.pos = pos


@dataclass(frozen=True)
class CompiledRule:
    """One engine rule: a (rule, level) pair and its condition list."""

    name: str
    rule_id: str
    ruleset_id: str
    grade: Grade
    aliases: tuple[str, ...]
    definition: Json
    derived: tuple[Derived, ...] = ()  # calendar functions of fact fields, as fields (engine/durable/derived.py)


@dataclass(frozen=True)
class Program:
    rules: tuple[CompiledRule, ...]
    negated_types: frozenset[str]
    used_types: frozenset[str]
    derived: Mapping[str, tuple[Derived, ...]] = dataclasses.field(default_factory=dict)  # by fact type
    calendar: WorkCalendar = BUILT_IN_CALENDAR

    def by_name(self) -> dict[str, CompiledRule]:
        return {r.name: r for r in self.rules}


@dataclass
class _Ctx:
    rule: Rule
    where: str
    current: str
    earlier: tuple[str, ...]
    scope: Scope
    nullable: Mapping[tuple[str, str], bool]
    joined: bool = False  # set when a condition refers to an earlier binding
    negated: bool = False  # compiling an absence pattern

    def fail(self, node: ast.Expr, message: str) -> CompileError:
        return CompileError(self.rule.id, self.where, node.pos, message)

    def owner(self, path: ast.Path) -> str | None:
        """The alias a field path belongs to, or None for as_of/params."""
        return owner(path, self.current)

    def field(self, path: ast.Path) -> str:
        return path.parts[-1]


def _negate(expr: ast.Expr, ctx: _Ctx) -> ast.Expr:
    try:
        return negate(expr, ctx.nullable, ctx.current)
    except NotNegatable as exc:
        raise ctx.fail(exc.node, str(exc)) from None


def _push_not(expr: ast.Expr, ctx: _Ctx) -> ast.Expr:
    try:
        return push_not(expr, ctx.nullable, ctx.current)
    except NotNegatable as exc:
        raise ctx.fail(exc.node, str(exc)) from None


EXACT = 2**53  # integers a double holds exactly


def engine_number(value: Any) -> Any:
    """A number as the engine must see it: every number a double.

    The engine compares a field with a computed value (``b.amount == a.term_no - 1``) by JSON type: 0.0 never
    equals the integer 0, so a double field against an integer sum (or the reverse) never matched, and the
    alert was silently missed (found by the differential test). Posting every number and every constant as
    a double makes the types agree. An integer a double cannot hold exactly is posted as text, so it
    compares equal to nothing rather than to a neighbour: a missed match, never a wrong one.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value) if -EXACT <= value <= EXACT else str(value)
    return value


def engine_numbers(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A fact's fields with every number a double (``engine_number``)."""
    return {k: engine_number(v) for k, v in fields.items()}


def _operand(expr: ast.Expr, ctx: _Ctx) -> Any:
    """A right-hand side value: a constant, another fact's field, this fact's field, or arithmetic."""
    match expr:
        case ast.Literal(value=v):
            return engine_number(v)
        case ast.Path():
            owner = ctx.owner(expr)
            if owner == ctx.current:
                ctx.joined = True  # treated like a join: unverified inside $or, so kept out of it
                return {"$m": ctx.field(expr)}
            if owner in ctx.earlier:
                ctx.joined = True
                return {owner: ctx.field(expr)}
            raise ctx.fail(expr, f"'{expr}' is not bound before this pattern")
        case ast.Arith(op=op, left=left, right=right):
            lv, rv = _operand(left, ctx), _operand(right, ctx)
            if op in ("+", "*") and not isinstance(lv, dict) and isinstance(rv, dict):
                lv, rv = rv, lv  # the engine wants a reference on the left
            if op == "-" and not isinstance(lv, dict) and isinstance(rv, dict) and isinstance(lv, int | float):
                # c - x as x * -1 + c: a sum of two facts' fields compared with a constant (x + y >= c) solves to it
                return {"$add": {"$l": {"$mul": {"$l": rv, "$r": -1}}, "$r": lv}}
            if not isinstance(lv, dict):
                raise ctx.fail(expr, "put the field first in this arithmetic, e.g. a.x - 3")
            return {_ARITH[op]: {"$l": lv, "$r": rv}}
    raise ctx.fail(expr, "only fields, constants and + - * / can be compared here")


def _is_here(expr: ast.Expr, ctx: _Ctx) -> bool:
    return isinstance(expr, ast.Path) and ctx.owner(expr) == ctx.current


def _solve(op: str, left: ast.Expr, right: ast.Expr, ctx: _Ctx) -> tuple[str, ast.Path, ast.Expr]:
    """Rewrite ``left op right`` as ``field op rhs`` where field belongs to the current fact."""
    if _is_here(left, ctx):
        return op, left, right  # type: ignore[return-value]
    if _is_here(right, ctx):
        return ast.FLIPPED_OP[op], right, left  # type: ignore[return-value]
    for side, other, o in ((left, right, op), (right, left, ast.FLIPPED_OP[op])):
        if isinstance(side, ast.Arith) and side.op in ("+", "-"):
            a, b = side.left, side.right
            if _is_here(a, ctx):  # a +- b  o  other   =>  a  o  other -+ b
                inverse = "-" if side.op == "+" else "+"
                return o, a, ast.Arith(inverse, other, b, pos=side.pos)  # type: ignore[return-value]
            if _is_here(b, ctx) and side.op == "+":  # a + b  o  other  =>  b  o  other - a
                return o, b, ast.Arith("-", other, a, pos=side.pos)  # type: ignore[return-value]
            if _is_here(b, ctx):  # a - b  o  other  =>  b  flip(o)  a - other
                return ast.FLIPPED_OP[o], b, ast.Arith("-", a, other, pos=side.pos)  # type: ignore[return-value]
    raise ctx.fail(left, f"one side of this comparison must be a field of '{ctx.current}' on its own")


def _unique(parts: list[Json]) -> list[Json]:
    """Conditions in order, each once (expansions repeat them)."""
    seen: set[str] = set()
    out: list[Json] = []
    for p in parts:
        key = json.dumps(p, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _flat(op: str, parts: list[Any]) -> list[Any]:
    """Nested $and in $and (or $or in $or) spliced into one list: a nested $and inside an absence
    pattern with a join makes the engine block frames it should not (measured)."""
    out: list[Any] = []
    for p in parts:
        out.extend(p[op] if isinstance(p, dict) and list(p) == [op] else [p])
    return out


def condition(expr: ast.Expr, ctx: _Ctx) -> Json | bool:
    """The engine form of a folded condition, or a constant True/False."""
    match expr:
        case ast.Literal(value=v):
            return v is True
        case ast.And(items=items):
            parts = [condition(i, ctx) for i in items]
            if any(p is False for p in parts):
                return False
            kept = _flat("$and", [p for p in parts if p is not True])
            return True if not kept else kept[0] if len(kept) == 1 else {"$and": kept}
        case ast.Or(items=items):
            before = ctx.joined
            ctx.joined = False
            parts = [condition(i, ctx) for i in items]
            if any(p is True for p in parts):
                ctx.joined = before
                return True
            kept = _flat("$or", [p for p in parts if p is not False])
            if len(kept) > 1 and (ctx.joined or ctx.negated):
                # the engine drops matches of an $or that holds a join, and mis-evaluates any $or in
                # an absence pattern: such disjunctions become alternative rules or patterns instead
                raise ctx.fail(expr, "this `or` must be split")
            ctx.joined = ctx.joined or before
            return False if not kept else kept[0] if len(kept) == 1 else {"$or": kept}
        case ast.Not(operand=o):
            return condition(_negate(o, ctx), ctx)
        case ast.IsNull(operand=o, negated=n):
            if not _is_here(o, ctx):
                raise ctx.fail(expr, f"test '{o}' for null in its own pattern")
            assert isinstance(o, ast.Path)
            return {"$ex" if n else "$nex": {ctx.field(o): 1}}
        case ast.Path():
            return condition(ast.Compare("==", expr, ast.Literal(True), pos=expr.pos), ctx)
        case ast.In(operand=o, items=items, negated=n):
            op = "!=" if n else "=="
            tests = tuple(ast.Compare(op, o, item, pos=expr.pos) for item in items.items)
            return condition(ast.And(tests) if n else ast.Or(tests), ctx)
        case ast.Compare(op=op, left=left, right=right):
            op, fld, rhs = _solve(op, left, right, ctx)
            return {_OPS[op]: {ctx.field(fld): _operand(rhs, ctx)}}
    raise ctx.fail(expr, "not a condition")


def _latest(expr: ast.Expr, order: Sequence[str], current: str | None) -> str | None:
    owners = {current if len(p.parts) == 1 else p.parts[0] for p in ast.paths(expr)}
    owners -= {"as_of", "params", None}
    positions = [order.index(o) for o in owners if o in order]
    return order[max(positions)] if positions else None


def _pattern_json(
    p: Pattern,
    extra: list[ast.Expr],
    rule: Rule,
    earlier: tuple[str, ...],
    same_type: list[str],
    scope: Scope,
    nullable: Mapping[tuple[str, str], bool],
    where: str,
    *,
    negated: bool = False,
) -> Json | None:
    """The engine pattern for ``p``, or None when its conditions are constantly false."""
    ctx = _Ctx(rule, where, p.alias, earlier, scope, nullable, negated=negated)
    tag = p.fact_type + (SHADOW if p.negated else "")
    joins: list[Json] = [{"$neq": {"_n": {other: "_n"}}} for other in same_type]
    local: list[Json] = []
    for c in extra:
        ctx.joined = False
        compiled = condition(fold(c, scope), ctx)
        if compiled is False:
            return None
        if compiled is not True:
            (joins if ctx.joined else local).extend(_flat("$and", [compiled]))
    joins, local = _unique(joins), _unique(local)
    exists = {next(iter(c["$ex"])) for c in local if "$ex" in c}
    if any("$nex" in c and next(iter(c["$nex"])) in exists for c in local):
        return None  # `f is null and f is not null`: this alternative never matches
    # joins first: the engine mis-evaluates a join that follows an $or or $and in the same pattern
    parts: list[Json] = [{"_t": tag}, *joins, *local]
    if joins and earlier:
        parts.append({"_one": {earlier[0]: "_one"}})  # always true; keeps #381 away
    return {"$and": parts} if len(parts) > 1 else parts[0]


def _split(pool: list[ast.Expr], order: Sequence[str], ctx: _Ctx) -> list[list[ast.Expr]]:
    """Split conditions the engine cannot hold in one pattern into alternative conjunct lists.

    A disjunction whose parts belong to different facts, or hold a join, cannot be one engine
    condition; its parts (grouped by the fact they belong to) become alternatives, one engine
    rule each. Their matches are unioned, which is the disjunction.
    """
    alternatives: list[list[ast.Expr]] = [[]]
    for c in pool:
        target = _latest(c, order, None)
        if target is None or _compiles_at(c, target, order, ctx) or not isinstance(c, ast.Or):
            alternatives = [[*alt, c] for alt in alternatives]
        else:
            groups: dict[str | None, list[ast.Expr]] = {}
            for d in flatten_or(c):
                groups.setdefault(_latest(d, order, None), []).append(d)
            options: list[list[ast.Expr]] = []
            for where, parts in groups.items():
                grouped = parts[0] if len(parts) == 1 else ast.Or(tuple(parts), pos=c.pos)
                if where is not None and len(parts) > 1 and _compiles_at(grouped, where, order, ctx):
                    options.append([grouped])
                else:
                    for d in parts:
                        options.extend(_split(conjuncts(d), order, ctx))
            alternatives = [[*alt, *opt] for alt in alternatives for opt in options]
        if len(alternatives) > MAX_ALTERNATIVES:
            raise ctx.fail(c, "too many conditions combine facts with `or`; split the rule")
    return alternatives


def _compiles_at(c: ast.Expr, target: str, order: Sequence[str], ctx: _Ctx) -> bool:
    trial = _Ctx(ctx.rule, ctx.where, target, tuple(order[: order.index(target)]), ctx.scope, ctx.nullable)
    try:
        condition(c, trial)
        return True
    except CompileError:
        return False


def compile_rule(
    rule: Rule,
    params: Mapping[str, Any],
    as_of: int,
    specs: Mapping[str, Any],
    calendar: WorkCalendar = BUILT_IN_CALENDAR,
) -> list[CompiledRule]:
    scope = Scope(as_of, params, {}, calendar=calendar)
    bound = [p.alias for p in rule.bound]
    nullable = nullability(rule, specs)
    found: dict[str, Derived] = {}
    lowered = _lowering(rule, nullable, found)
    out: list[CompiledRule] = []
    for level in rule.levels:
        ctx = _Ctx(rule, level.grade.value, "", (), scope, nullable)
        pool: list[ast.Expr] = []
        for p in rule.bound:
            pool.extend(conjuncts(qualify(p.where, p.alias)) if p.where is not None else [])
        pool.extend(conjuncts(level.condition))
        normal = [n for c in pool for n in conjuncts(guard_nulls(_push_not(lowered(fold(c, scope)), ctx), nullable))]
        if any(isinstance(c, ast.Literal) and c.value is not True for c in normal):
            continue  # a constant condition is false: this level never holds
        normal = [c for c in normal if not isinstance(c, ast.Literal)]
        seen: set[str] = set()
        for alternative in _split(normal, bound, ctx):
            placed: dict[str, list[ast.Expr]] = {a: [] for a in bound}
            for c in alternative:
                placed[_latest(c, bound, None) or bound[0]].append(c)
            patterns = _patterns(rule, placed, scope, nullable, level.grade.value, lowered)
            key = json.dumps(patterns, sort_keys=True)
            if patterns is None or key in seen:
                continue  # never matches, or the same as an earlier alternative
            seen.add(key)
            name = f"{rule.ruleset_id}/{rule.id}@{level.grade.value}#{len(seen) - 1}"
            used = tuple(d for n, d in sorted(found.items()) if n in key)
            out.append(CompiledRule(name, rule.id, rule.ruleset_id, level.grade, tuple(bound), {"all": patterns}, used))
    return out


def _lowering(
    rule: Rule, nullable: dict[tuple[str, str], bool], found: dict[str, Derived]
) -> Callable[[ast.Expr], ast.Expr]:
    """Calendar functions of fact fields as derived fields (engine/durable/derived.py); a derived field may
    be empty where a field it reads may be."""
    fact_types = {p.alias: p.fact_type for p in rule.patterns}

    def lowered(expr: ast.Expr) -> ast.Expr:
        try:
            result = lower(expr, fact_types, found)
        except NotOneFact as exc:
            raise CompileError(rule.id, "", exc.pos, str(exc)) from None
        for path in ast.paths(result):
            alias, name = path.parts[0], path.parts[-1]
            if name.startswith(PREFIX) and (alias, name) not in nullable:
                nullable[(alias, name)] = any(nullable.get((alias, f), True) for f in found[name].sources)
        return result

    return lowered


def _patterns(
    rule: Rule,
    placed: Mapping[str, list[ast.Expr]],
    scope: Scope,
    nullable: Mapping[tuple[str, str], bool],
    level: str,
    lowered: Callable[[ast.Expr], ast.Expr],
) -> list[Json] | None:
    patterns: list[Json] = []
    earlier: list[str] = []
    types_seen: list[tuple[str, str]] = []
    for p in _ordered(rule.patterns):
        same = [a for a, t in types_seen if t == p.fact_type]
        if p.negated:
            patterns.extend(_absence(p, rule, tuple(earlier), same, scope, nullable, level, lowered))
            continue
        body = _pattern_json(
            p, placed.get(p.alias, []), rule, tuple(earlier), same, scope, nullable, f"{level}/{p.alias}"
        )
        if body is None:
            return None
        patterns.append({p.alias: body})
        earlier.append(p.alias)
        types_seen.append((p.alias, p.fact_type))
    return patterns


def _absence(
    p: Pattern,
    rule: Rule,
    earlier: tuple[str, ...],
    same: list[str],
    scope: Scope,
    nullable: Mapping[tuple[str, str], bool],
    level: str,
    lowered: Callable[[ast.Expr], ast.Expr],
) -> list[Json]:
    """``none T where A or B`` as ``none T where A`` and ``none T where B``: no `or` in absence patterns."""
    where = f"{level}/none {p.alias}"
    ctx = _Ctx(rule, where, p.alias, earlier, scope, nullable, negated=True)
    if p.where is None:
        disjuncts: list[list[ast.Expr]] = [[]]
    else:
        folded = guard_nulls(_push_not(lowered(fold(qualify(p.where, p.alias), scope)), ctx), nullable)
        for path in ast.paths(folded):
            if path.parts[0] != p.alias and nullable.get((path.parts[0], path.parts[-1]), False):
                raise ctx.fail(
                    path,
                    f"a `none` pattern cannot compare with '{path}', which may be empty; "
                    f"add `{path.parts[-1]} is not null` to the pattern of '{path.parts[0]}'",
                )
        try:
            disjuncts = dnf([folded])
        except ValueError:
            raise ctx.fail(p.where, "this `none` condition has too many `or` alternatives") from None
    out: list[Json] = []
    seen: set[str] = set()
    for conds in disjuncts:
        body = _pattern_json(p, conds, rule, earlier, same, scope, nullable, where, negated=True)
        key = json.dumps(body, sort_keys=True)
        if body is not None and key not in seen:  # an alternative that never matches never blocks
            seen.add(key)
            out.append({f"{p.alias}~{len(out)}$not": body})
    return out


def _ordered(patterns: Sequence[Pattern]) -> list[Pattern]:
    """User order, except that no negated pattern comes first (the engine needs a fact to start from)."""
    items = list(patterns)
    while items and items[0].negated:
        first_bound = next(i for i, p in enumerate(items) if not p.negated)
        items.insert(first_bound, items.pop(0))
    return items


def compile_rules(rulesets: Sequence[Ruleset], as_of: int | Any) -> Program:
    """Compile every enabled rule of ``rulesets`` as of a date (a ``date`` or a day number)."""
    from risk_warning.facts.registry import specs_with

    day = as_of if isinstance(as_of, int) else day_number(as_of)
    compiled: list[CompiledRule] = []
    negated: set[str] = set()
    used: set[str] = set()
    calendars = {rs.calendar.digest: rs.calendar for rs in rulesets}
    if len(calendars) > 1:
        raise ValueError("the rulesets of one evaluation must share one working-day calendar")
    calendar = next(iter(calendars.values()), BUILT_IN_CALENDAR)
    for rs in rulesets:
        specs = specs_with(i.spec() for i in rs.indicators.values())
        for rule in rs.rules:
            if not rule.enabled:
                continue
            compiled.extend(compile_rule(rule, rs.params, day, specs, calendar))
            used.update(p.fact_type for p in rule.patterns)
            negated.update(p.fact_type for p in rule.patterns if p.negated)
    derived = by_fact_type(d for r in compiled for d in r.derived)
    return Program(tuple(compiled), frozenset(negated), frozenset(used), derived, calendar)


def check_rule(rule: Rule, params: Mapping[str, Any], specs: Mapping[str, Any]) -> list[Unsupported]:
    """What of ``rule`` the engine cannot express, found by compiling it on three far-apart dates (so that
    levels that are constant on one date are compiled on another); registered with rules/backends.py."""
    years = BUILT_IN_CALENDAR.years
    covered = (day_number(date(min(years), 2, 1)), day_number(date(max(years), 11, 30)))
    for day in (-25000, 20000, 80000):
        # a working-day constant on a day no calendar covers: compiled on the covered day nearest it
        for trial in (day, min(max(day, covered[0]), covered[1])):
            try:
                compile_rule(rule, params, trial, specs)
                break
            except CompileError as exc:
                return [Unsupported(exc.where, str(exc))]
            except CalendarError:
                continue
    return []
