"""Conditions as Polars expressions over a frame of facts: the vectorised stage's view of the rules.

``expression(expr, alias, as_of, params)`` folds the constants and translates a condition on one fact
(bare fields or ``alias.field``) into a Polars boolean expression over a frame whose columns are the
fact's fields as the evaluators see them (dates as day numbers, empty as null). It answers row by row
exactly as ``rules.interpret.truth`` does (``tests/plan/test_frames.py`` checks it on random
conditions and rows): a comparison with an empty value is false, ``not`` and ``and``/``or`` read an
empty answer as false, ``x / 0`` is empty. Calendar months and the working-day functions on a field
have exact forms (plan/workday_columns.py). What it cannot state exactly (lists holding fields,
``date()`` on a field) raises ``NotVectorised``, and the caller lets every fact through instead.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import date
from typing import Any

import polars as pl

from risk_warning.facts.normalise import day_number
from risk_warning.plan.workday_columns import working_days
from risk_warning.rules import ast
from risk_warning.rules.interpret import Months, Scope
from risk_warning.rules.normal_form import fold
from risk_warning.rules.workdays import BUILT_IN_CALENDAR, WorkCalendar

_EPOCH = pl.lit(date(1970, 1, 1))


class NotVectorised(ValueError):
    """The condition has a part with no exact Polars form; evaluate it row by row."""


Column = Callable[[ast.Path], pl.Expr]


def expression(
    expr: ast.Expr, alias: str, as_of: int, params: Mapping[str, Any], calendar: WorkCalendar = BUILT_IN_CALENDAR
) -> pl.Expr:
    """``truth(expr)`` for each row, as a non-null boolean Polars expression."""

    def column(path: ast.Path) -> pl.Expr:
        parts = path.parts
        if len(parts) == 1 or (len(parts) == 2 and parts[0] == alias):
            return pl.col(parts[-1])
        raise NotVectorised(f"'{path}' is not a field of '{alias}'")

    return _per_row(fold(expr, Scope(as_of, params, {}, calendar=calendar)), column, calendar)


def joined_expression(
    expr: ast.Expr,
    aliases: Collection[str],
    as_of: int,
    params: Mapping[str, Any],
    calendar: WorkCalendar = BUILT_IN_CALENDAR,
) -> pl.Expr:
    """``expression`` over a frame of joined facts, whose columns are named ``alias.field``."""

    def column(path: ast.Path) -> pl.Expr:
        parts = path.parts
        if len(parts) == 2 and parts[0] in aliases:
            return pl.col(f"{parts[0]}.{parts[1]}")
        raise NotVectorised(f"'{path}' is not a field of a joined fact")

    return _per_row(fold(expr, Scope(as_of, params, {}, calendar=calendar)), column, calendar)


def _per_row(folded: ast.Expr, column: Column, calendar: WorkCalendar) -> pl.Expr:
    """``_truth`` as a column with a row per row even where the condition folded to a constant.

    A scalar predicate is what Polars should broadcast, but Polars 2.1 fails on some frames made by a join
    ("filter predicate length of 2 doesn't match"; met on a 1,000,000-cadre export, where a level's
    condition folded to ``true``). ``tests/plan/test_frames.py`` keeps the frame that shows it.
    """
    truth = _truth(folded, column, calendar)
    return truth if ast.paths(folded) else pl.repeat(truth, pl.len())


def _truth(expr: ast.Expr, column: Column, calendar: WorkCalendar) -> pl.Expr:
    """True only where the value is True (null and False read as false)."""
    return (_value(expr, column, calendar) == pl.lit(True)).fill_null(False)


def _constant(value: Any) -> pl.Expr:
    if isinstance(value, Months):
        raise NotVectorised("calendar months on a field")
    if isinstance(value, date):
        value = day_number(value)
    return pl.lit(value)


def _value(expr: ast.Expr, column: Column, calendar: WorkCalendar) -> pl.Expr:
    match expr:
        case ast.Literal(value=v):
            return _constant(v)
        case ast.Path():
            return column(expr)
        case ast.Neg(operand=o):
            return -_value(o, column, calendar)
        case ast.Arith(op="+" | "-" as op, left=left, right=ast.Literal(value=Months() as months)):
            # calendar months on a date field: Polars clamps to the month's last day, as rules.interpret does
            shift = months.n if op == "+" else -months.n
            moved = (_EPOCH + pl.duration(days=_value(left, column, calendar))).dt.offset_by(f"{shift}mo")
            return (moved - _EPOCH).dt.total_days().cast(pl.Int64)
        case ast.Arith(op=op, left=left, right=right):
            lv, rv = _value(left, column, calendar), _value(right, column, calendar)
            if op == "+":
                return lv + rv
            if op == "-":
                return lv - rv
            if op == "*":
                return lv * rv
            return pl.when(rv == 0).then(None).otherwise(lv / rv)
        case ast.Call(name="year", args=(arg,)):
            return (_EPOCH + pl.duration(days=_value(arg, column, calendar))).dt.year().cast(pl.Int64)
        case ast.Call(name="days", args=(arg,)):
            return _value(arg, column, calendar)
        case ast.Call(name="weekday", args=(arg,)):
            return (_EPOCH + pl.duration(days=_value(arg, column, calendar))).dt.weekday().cast(pl.Int64)
        case ast.Call(name="is_workday", args=(arg,)):
            return working_days(calendar).works(_value(arg, column, calendar)).cast(pl.Boolean)
        case ast.Call(name="workdays_between", args=(a, b)):
            days = working_days(calendar)
            first, last = _value(a, column, calendar), _value(b, column, calendar)
            return days.running_count(last) - days.running_count(first) + days.works(first)
        case ast.Call(name="add_workdays", args=(d, ast.Literal(value=int() as n))):
            return working_days(calendar).add(_value(d, column, calendar), n)
        case ast.Compare(op=op, left=left, right=right):
            lv, rv = _value(left, column, calendar), _value(right, column, calendar)
            compared = {
                "==": lv == rv,
                "!=": lv != rv,
                "<": lv < rv,
                "<=": lv <= rv,
                ">": lv > rv,
                ">=": lv >= rv,
            }[op]
            return compared.fill_null(False)
        case ast.In(operand=o, items=items, negated=negated):
            if not all(isinstance(i, ast.Literal) for i in items.items):
                raise NotVectorised("a list that holds fields")
            literals = [i for i in items.items if isinstance(i, ast.Literal)]
            values = [day_number(i.value) if isinstance(i.value, date) else i.value for i in literals]
            operand = _value(o, column, calendar)
            hit = operand.is_in(values) if values else pl.lit(False)
            return pl.when(operand.is_null()).then(False).otherwise(~hit if negated else hit)
        case ast.IsNull(operand=o, negated=negated):
            inner = _value(o, column, calendar)
            return inner.is_not_null() if negated else inner.is_null()
        case ast.Not(operand=o):
            return ~_truth(o, column, calendar)
        case ast.And(items=items):
            return pl.all_horizontal([_truth(i, column, calendar) for i in items])
        case ast.Or(items=items):
            return pl.any_horizontal([_truth(i, column, calendar) for i in items])
    raise NotVectorised(f"no Polars form for {type(expr).__name__}")
