"""Conditions compiled to Python closures: the interpreter's semantics, without its tree walk.

``row_predicate(expr, alias, as_of, params)`` folds the constants (as_of, params, date helpers) and
returns a function of one fact's fields (a mapping, dates as day numbers) that answers exactly as
``rules.interpret.truth`` does on the same scope: the same primitives (``compare``, ``arith``,
``call``) are used, only the walk over the tree happens once instead of once per fact. Indicator
filters and the pre-filter run it on every fact of a scan. ``bindings_predicate`` is the same for a
condition over several bound facts (``alias.field`` paths), given as ``{alias: fields}``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from risk_warning.facts.normalise import day_number
from risk_warning.rules import ast
from risk_warning.rules.interpret import Months, Scope, arith, call, compare, spliced
from risk_warning.rules.normal_form import fold
from risk_warning.rules.workdays import BUILT_IN_CALENDAR, WorkCalendar

Row = Mapping[str, Any]
Value = Callable[[Row], Any]
Predicate = Callable[[Row], bool]

_cache: dict[tuple[ast.Expr, str, int, int, str], tuple[Mapping[str, Any], Predicate]] = {}


def row_predicate(
    expr: ast.Expr, alias: str, as_of: int, params: Mapping[str, Any], calendar: WorkCalendar = BUILT_IN_CALENDAR
) -> Predicate:
    """``truth(expr)`` for one fact bound to ``alias`` (bare fields are its fields), as a closure."""
    key = (expr, alias, as_of, id(params), calendar.digest)
    cached = _cache.get(key)
    if cached is not None and cached[0] is params:
        return cached[1]
    value = _compile(fold(expr, Scope(as_of, params, {}, calendar=calendar)), _field_of(alias), calendar)

    def predicate(row: Row) -> bool:
        return value(row) is True

    if len(_cache) > 4096:
        _cache.clear()
    _cache[key] = (params, predicate)
    return predicate


def bindings_predicate(
    expr: ast.Expr, as_of: int, params: Mapping[str, Any], calendar: WorkCalendar = BUILT_IN_CALENDAR
) -> Callable[[Mapping[str, Row]], bool]:
    """``truth(expr)`` with facts bound to aliases (every path qualified), as a closure of ``{alias: fields}``."""
    value = _compile(fold(expr, Scope(as_of, params, {}, calendar=calendar)), _bound_field, calendar)
    return lambda bindings: value(bindings) is True


Lookup = Callable[[ast.Path], Value]


def _field_of(alias: str) -> Lookup:
    def lookup(path: ast.Path) -> Value:
        parts = path.parts
        if len(parts) == 1 or (len(parts) == 2 and parts[0] == alias):
            name = parts[-1]
            return lambda row: row.get(name)
        raise ValueError(f"'{path}' is not a field of '{alias}'")

    return lookup


def _bound_field(path: ast.Path) -> Value:
    if len(path.parts) != 2:
        raise ValueError(f"'{path}' is not a bound fact's field")
    alias, name = path.parts
    return lambda bindings: bindings[alias].get(name)


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _field_against_constant(op: str, left: ast.Expr, right: ast.Expr, lookup: Lookup) -> Value | None:
    """``field op constant`` (the commonest condition) as one closure, with ``compare``'s rules inlined:
    an empty field is false, a boolean never equals a number."""
    if isinstance(left, ast.Literal) and isinstance(right, ast.Path):
        left, right, op = right, left, ast.FLIPPED_OP[op]
    if not (isinstance(left, ast.Path) and isinstance(right, ast.Literal)):
        return None
    constant = right.value
    if constant is None or isinstance(constant, Months):
        return None
    if isinstance(constant, date):
        constant = day_number(constant)
    field, test, is_bool = lookup(left), _OPERATORS[op], isinstance(constant, bool)

    def fast(row: Any) -> bool:
        v = field(row)
        return v is not None and isinstance(v, bool) is is_bool and bool(test(v, constant))

    return fast


def _compile(expr: ast.Expr, lookup: Lookup, calendar: WorkCalendar) -> Value:
    match expr:
        case ast.Literal(value=v):
            constant = day_number(v) if isinstance(v, date) else v
            return lambda row: constant
        case ast.Path():
            return lookup(expr)
        case ast.ListExpr(items=items):
            parts_ = [_compile(i, lookup, calendar) for i in items]
            return lambda row: [p(row) for p in parts_]
        case ast.Call(name=name, args=args):
            compiled = [_compile(a, lookup, calendar) for a in args]
            return lambda row: call(name, [a(row) for a in compiled], calendar)
        case ast.Neg(operand=o):
            inner = _compile(o, lookup, calendar)
            return lambda row: None if (v := inner(row)) is None else -v
        case ast.Arith(op=op, left=left, right=right):
            lv, rv = _compile(left, lookup, calendar), _compile(right, lookup, calendar)
            return lambda row: arith(op, lv(row), rv(row))
        case ast.Compare(op=op, left=left, right=right):
            fast = _field_against_constant(op, left, right, lookup)
            if fast is not None:
                return fast
            lv, rv = _compile(left, lookup, calendar), _compile(right, lookup, calendar)
            return lambda row: compare(op, lv(row), rv(row))
        case ast.In(operand=o, items=items, negated=negated):
            operand, listed = _compile(o, lookup, calendar), _compile(items, lookup, calendar)

            def within(row: Row) -> bool:
                v = operand(row)
                if v is None:
                    return False
                hit = any(compare("==", v, item) for item in spliced(listed(row)))
                return not hit if negated else hit

            return within
        case ast.IsNull(operand=o, negated=negated):
            inner = _compile(o, lookup, calendar)
            if negated:
                return lambda row: inner(row) is not None
            return lambda row: inner(row) is None
        case ast.Not(operand=o):
            inner = _compile(o, lookup, calendar)
            return lambda row: inner(row) is not True
        case ast.And(items=items):
            conds = [_compile(i, lookup, calendar) for i in items]

            def every(row: Any) -> bool:
                for c in conds:  # noqa: SIM110 (a loop: no generator per fact on the hot path)
                    if c(row) is not True:
                        return False
                return True

            return every
        case ast.Or(items=items):
            conds = [_compile(i, lookup, calendar) for i in items]

            def some(row: Any) -> bool:
                for c in conds:  # noqa: SIM110 (a loop: no generator per fact on the hot path)
                    if c(row) is True:
                        return True
                return False

            return some
    raise TypeError(f"not an expression: {expr!r}")
