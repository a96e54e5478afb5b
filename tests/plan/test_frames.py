"""Conditions as Polars expressions answer row by row as the interpreter does, empty values included."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from risk_warning.plan.frames import NotVectorised, expression
from risk_warning.rules.interpret import Scope, truth
from risk_warning.rules.parser import parse_expression
from tests.rules.test_closures import ROWS, conditions

SCHEMA = {"x": pl.Int64, "y": pl.Int64, "d": pl.Int64, "flag": pl.Boolean, "s": pl.String}


@settings(max_examples=400, deadline=None)
@given(
    source=conditions(),
    rows=st.lists(ROWS, min_size=1, max_size=8),
    as_of=st.integers(20500, 20650),
    k=st.integers(-2, 6),
    m=st.integers(0, 3),
)
def test_a_polars_expression_answers_as_the_interpreter(
    source: str, rows: list[dict[str, Any]], as_of: int, k: int, m: int
) -> None:
    expr = parse_expression(source)
    params = {"k": k, "m": m}
    try:
        vectorised = expression(expr, "a", as_of, params)
    except NotVectorised:
        assume(False)
    frame = pl.DataFrame([{name: row.get(name) for name in SCHEMA} for row in rows], schema=SCHEMA)
    got = frame.select(vectorised.alias("keep"))["keep"].to_list()
    expected = [truth(expr, Scope(as_of, params, {"a": row}, "a")) for row in rows]
    assert got == expected, source


def test_what_has_no_exact_form_says_so() -> None:
    with pytest.raises(NotVectorised):
        expression(parse_expression("x in [y, 2]"), "a", 20600, {})


@pytest.mark.parametrize("text, kept", [("true", True), ("1 > 2", False), ("params.on", True)])
def test_a_condition_that_folds_to_a_constant_filters_a_joined_frame(text: str, kept: bool) -> None:
    """Polars 2.1 cannot filter some joined frames by a scalar (met on a 1,000,000-cadre export): the
    constant is given a row per row."""
    parts = [
        pl.DataFrame({"o": list(range(n)), "v": [None if i % 3 else 1.0 for i in range(n)]})
        for n in (10_000, 20_000, 82, 15_000, 5_000)
    ]
    frame = pl.concat(parts, rechunk=False)
    joined = frame.join(frame.select("o", pl.col("v").alias("w")), on="o")
    with pytest.raises(pl.exceptions.ShapeError):  # the defect, while Polars has it: drop this line when fixed
        joined.filter((pl.lit(True) == pl.lit(True)).fill_null(False))
    got = joined.filter(expression(parse_expression(text), "c", 0, {"on": True}))
    assert got.height == (joined.height if kept else 0)


CALENDAR_CONDITIONS = [
    "weekday(d) == 6",
    "is_workday(d)",
    "not is_workday(d)",
    "workdays_between(d, e) > 3",
    "workdays_between(d, e) == 0",
    "add_workdays(d, 15) < e",
    "add_workdays(d, -3) >= e - days(10)",
    "add_workdays(d, 0) == d",
    "d + months(6) > e",
    "d - years(1) < e - days(300)",
]


@pytest.mark.parametrize("text", CALENDAR_CONDITIONS)
def test_calendar_functions_on_fields_answer_as_the_interpreter_does(text: str) -> None:
    """The working-day functions and calendar months on fields have exact Polars forms (plan/workday_columns.py):
    the screen that uses them lets through exactly the rows the interpreter would, on 3,000 days from 2004 to
    2026 (holidays, 调休 and month ends among them), empty fields included."""
    import random

    from risk_warning.facts.normalise import day_number
    from risk_warning.rules.interpret import Scope, evaluate
    from risk_warning.rules.parser import parse_expression

    rng = random.Random(text)
    first = [day_number(date(2004, 3, 1)) + rng.randrange(0, 8200) for _ in range(3000)]
    second = [None if rng.random() < 0.05 else d + rng.randrange(-40, 40) for d in first]
    frame = pl.DataFrame({"d": first, "e": second}, schema={"d": pl.Int64, "e": pl.Int64})
    expr = parse_expression(text)
    got = frame.with_row_index().filter(expression(expr, "x", 20000, {})).get_column("index").to_list()
    want = [
        i
        for i, (a, b) in enumerate(zip(first, second, strict=True))
        if evaluate(expr, Scope(20000, {}, {"x": {"d": a, "e": b}}, "x")) is True
    ]
    assert got == want


def test_a_day_no_calendar_covers_stops_the_screen_as_it_stops_the_engine() -> None:
    from risk_warning.facts.normalise import day_number
    from risk_warning.rules.parser import parse_expression
    from risk_warning.rules.workdays import CalendarError

    frame = pl.DataFrame({"d": [day_number(date(2026, 6, 1)), day_number(date(2027, 1, 4))]})
    with pytest.raises(CalendarError, match="no working-day calendar covers 2027") as info:
        frame.filter(expression(parse_expression("is_workday(d)"), "x", 20000, {}))
    assert "\n" not in str(info.value)  # the message alone, without the Polars expression it was raised in
    near_the_end = pl.DataFrame({"d": [day_number(date(2026, 12, 28))]})
    with pytest.raises(CalendarError, match="covers 2027"):
        near_the_end.filter(expression(parse_expression("add_workdays(d, 15) > d"), "x", 20000, {}))
