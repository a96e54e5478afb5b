"""Load-time evaluation of every part of a rule that depends only on ``as_of``, params and literals, at both
ends of the documented ``as_of`` range: a date computed outside the dates a rule may use, or a computation
that fails (``date(2026, 2, 30)``, ``as_of - years(params.n)`` with a huge n), is an error at load time,
never an exception in the middle of a scan.

A scan's ``as_of`` lies in ``AS_OF_RANGE`` (2000 .. 2100); the dates a rule computes from it must lie in
``parser.DATE_RANGE`` (1900 .. 2200), a century either side.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from risk_warning.errors import ConfigError
from risk_warning.facts.normalise import day_number, from_day_number
from risk_warning.rules import ast
from risk_warning.rules.interpret import CALENDAR_FUNCTIONS, Months, Scope, evaluate
from risk_warning.rules.parser import DATE_RANGE
from risk_warning.rules.program import Rule
from risk_warning.rules.render import render
from risk_warning.rules.typecheck import Checker, CheckScope, is_constant, param_type

AS_OF_RANGE = (date(2000, 1, 1), date(2100, 12, 31))


def check_as_of(as_of: date) -> None:
    """A scan or an evaluation is as of a day in AS_OF_RANGE; otherwise a ConfigError says so (never an
    OverflowError from date arithmetic in the middle of a scan: `--as-of 9999-12-31`)."""
    if not AS_OF_RANGE[0] <= as_of <= AS_OF_RANGE[1]:
        raise ConfigError(
            f"as of {as_of.isoformat()}: outside {AS_OF_RANGE[0]} .. {AS_OF_RANGE[1]}, the days a scan or an "
            "evaluation may be as of"
        )


@dataclass(frozen=True)
class OutOfRange:
    where: str  # "alias" of a pattern, or "level:<grade>"
    message: str


def constant_parts(expr: ast.Expr) -> Iterator[ast.Expr]:
    """Every computed sub-expression that mentions no fact, innermost first (so the part that fails is the
    one named); literals, paths and lists are not computations."""
    for child in ast.children(expr):
        yield from constant_parts(child)
    if is_constant(expr) and isinstance(expr, ast.Call | ast.Arith | ast.Neg) and not _working_days(expr):
        yield expr


def _working_days(expr: ast.Expr) -> bool:
    """A part that counts working days depends on the calendar's years (2004 on, and a site's file): its
    range is the calendar's business, which says so with its own error when a year is not covered."""
    return any(isinstance(e, ast.Call) and e.name in CALENDAR_FUNCTIONS for e in ast.walk(expr))


def out_of_range(rule: Rule, params: Mapping[str, Any]) -> list[OutOfRange]:
    types = CheckScope({}, {name: param_type(value) for name, value in params.items()})
    found: list[OutOfRange] = []
    places = [(p.alias, p.where) for p in rule.patterns]
    places += [(f"level:{lv.grade.value}", lv.condition) for lv in rule.levels]
    for where, expr in places:
        if expr is None:
            continue
        for part in constant_parts(expr):
            problem = _problem(part, params, types)
            if problem is not None:
                found.append(OutOfRange(where, f"`{render(part)}` {problem}"))
                break  # one per place: the first is enough to fix
    return found


def _problem(part: ast.Expr, params: Mapping[str, Any], types: CheckScope) -> str | None:
    kind = Checker(types, lambda *_: None).value(part)
    low, high = day_number(DATE_RANGE[0]), day_number(DATE_RANGE[1])
    for as_of in AS_OF_RANGE:
        try:
            value = evaluate(part, Scope(day_number(as_of), params, {}))
        except (ValueError, OverflowError, ArithmeticError) as exc:
            return f"cannot be computed for as_of {as_of}: {exc}"
        if kind == "date" and isinstance(value, int) and not low <= value <= high:
            try:
                shown = str(from_day_number(value))
            except (ValueError, OverflowError):
                shown = "a day out of any calendar"
            return (f"is {shown} for as_of {as_of}: outside {DATE_RANGE[0]} .. {DATE_RANGE[1]}, the dates a rule "
                    f"may use (as_of lies in {AS_OF_RANGE[0]} .. {AS_OF_RANGE[1]})")  # fmt: skip
        too_long = _too_long(kind, value)
        if too_long:
            return too_long
    return None


def _too_long(kind: str, value: Any) -> str | None:
    """A duration longer than the whole range of dates: added to a fact's date it could only leave the
    calendar (an OverflowError in a scan), so it is refused here, with the span."""
    span_days = day_number(DATE_RANGE[1]) - day_number(DATE_RANGE[0])
    span_months = (DATE_RANGE[1].year - DATE_RANGE[0].year + 1) * 12
    if kind == "days" and isinstance(value, int | float) and abs(value) > span_days:
        return f"is {value:,} days: longer than {DATE_RANGE[0]} .. {DATE_RANGE[1]}, the dates a rule may use"
    if kind == "months" and isinstance(value, Months) and abs(value.n) > span_months:
        return f"is {value.n:,} months: longer than {DATE_RANGE[0]} .. {DATE_RANGE[1]}, the dates a rule may use"
    return None
