"""A direct interpreter of expressions over plain facts: the semantics, stated once in Python.

Used to fold constants (as_of and params arithmetic) at compile time, to filter indicator inputs,
and by the reference evaluator. Runtime values: dates are day numbers (int), ``days(n)`` is an int,
``months(n)``/``years(n)`` are ``Months`` (calendar arithmetic). The working-day functions ask the
scope's calendar (rules/workdays.py), which raises ``CalendarError`` for a year it does not cover.

Null semantics: an empty field is ``None``; any comparison (``== != < <= > >=``, ``in``, ``not in``)
with ``None`` on either side is false; arithmetic with ``None`` gives ``None``; ``not`` is plain
boolean negation; a bare boolean field is true only when it is ``True``.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from risk_warning.facts.normalise import day_number, from_day_number
from risk_warning.rules import ast
from risk_warning.rules.workdays import BUILT_IN_CALENDAR, WorkCalendar, weekday


@dataclass(frozen=True)
class Months:
    """A calendar duration; ``years(n)`` is ``Months(12 * n)``."""

    n: int


def shift_months(day: int, months: int) -> int:
    """Move a day number by whole calendar months, clamping to the month's last day (2月29日 -> 28日)."""
    d = from_day_number(day)
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    last = monthrange(year, month + 1)[1]
    return day_number(date(year, month + 1, min(d.day, last)))


@dataclass(frozen=True)
class Scope:
    """What names mean while evaluating: as_of, params, bound facts, and the current fact."""

    as_of: int
    params: Mapping[str, Any]
    bindings: Mapping[str, Mapping[str, Any]]
    current: str | None = None
    calendar: WorkCalendar = BUILT_IN_CALENDAR


class Unbound(Exception):
    """A path refers to a binding that is not in scope (used when folding constants)."""


def lookup(path: ast.Path, scope: Scope) -> Any:
    parts = path.parts
    if parts == ("as_of",):
        return scope.as_of
    if parts[0] == "params":
        return scope.params[parts[1]]
    if len(parts) == 1:
        if scope.current is None or scope.current not in scope.bindings:
            raise Unbound(parts[0])
        return scope.bindings[scope.current].get(parts[0])
    if parts[0] not in scope.bindings:
        raise Unbound(parts[0])
    return scope.bindings[parts[0]].get(parts[1])


def arith(op: str, left: Any, right: Any) -> Any:
    if left is None or right is None:
        return None
    if isinstance(right, Months):
        return shift_months(left, right.n if op == "+" else -right.n)
    if isinstance(left, Months):
        return shift_months(right, left.n) if op == "+" else None
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    return None if right == 0 else left / right


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: bool(a == b),
    "!=": lambda a, b: bool(a != b),
    "<": lambda a, b: bool(a < b),
    "<=": lambda a, b: bool(a <= b),
    ">": lambda a, b: bool(a > b),
    ">=": lambda a, b: bool(a >= b),
}


def compare(op: str, left: Any, right: Any) -> bool:
    if left is None or right is None:
        return False
    if isinstance(left, bool) != isinstance(right, bool):
        return False
    return _COMPARE[op](left, right)


def call(name: str, args: list[Any], calendar: WorkCalendar = BUILT_IN_CALENDAR) -> Any:
    if any(a is None for a in args):
        return None
    if name in CALENDAR_FUNCTIONS:
        return CALENDAR_FUNCTIONS[name](calendar, *args)
    if name == "days":
        return args[0]
    if name == "months":
        return Months(int(args[0]))
    if name == "years":
        return Months(12 * int(args[0]))
    if name == "date":
        return day_number(date(int(args[0]), int(args[1]), int(args[2])))
    if name == "year":
        return from_day_number(int(args[0])).year
    raise ValueError(f"unknown function {name}")


CALENDAR_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "weekday": lambda calendar, d: weekday(int(d)),
    "is_workday": lambda calendar, d: calendar.is_workday(int(d)),
    "workdays_between": lambda calendar, a, b: calendar.workdays_between(int(a), int(b)),
    "add_workdays": lambda calendar, d, n: calendar.add_workdays(int(d), int(n)),
}


def evaluate(expr: ast.Expr, scope: Scope) -> Any:
    """The value of ``expr`` in ``scope``; conditions evaluate to bool."""
    match expr:
        case ast.Literal(value=v):
            return day_number(v) if isinstance(v, date) else v
        case ast.Path():
            return lookup(expr, scope)
        case ast.ListExpr(items=items):
            return [evaluate(i, scope) for i in items]
        case ast.Call(name=name, args=args):
            return call(name, [evaluate(a, scope) for a in args], scope.calendar)
        case ast.Neg(operand=o):
            v = evaluate(o, scope)
            return None if v is None else -v
        case ast.Arith(op=op, left=left, right=right):
            return arith(op, evaluate(left, scope), evaluate(right, scope))
        case ast.Compare(op=op, left=left, right=right):
            return compare(op, evaluate(left, scope), evaluate(right, scope))
        case ast.In(operand=o, items=items, negated=negated):
            v = evaluate(o, scope)
            if v is None:
                return False
            hits = [compare("==", v, item) for item in spliced(evaluate(items, scope))]
            return not any(hits) if negated else any(hits)
        case ast.IsNull(operand=o, negated=negated):
            return (evaluate(o, scope) is not None) if negated else (evaluate(o, scope) is None)
        case ast.Not(operand=o):
            return not truth(o, scope)
        case ast.And(items=items):
            return all(truth(i, scope) for i in items)
        case ast.Or(items=items):
            return any(truth(i, scope) for i in items)
    raise TypeError(f"not an expression: {expr!r}")


def spliced(items: list[Any]) -> list[Any]:
    """A list's items with the items of a list param in it in their place (dates as day numbers)."""
    out: list[Any] = []
    for item in items:
        if isinstance(item, list):
            out.extend(day_number(v) if isinstance(v, date) else v for v in item)
        else:
            out.append(item)
    return out


def truth(expr: ast.Expr, scope: Scope) -> bool:
    """A condition's truth: a bare boolean field counts only when it is True."""
    return evaluate(expr, scope) is True
