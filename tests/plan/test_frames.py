"""Conditions as Polars expressions answer row by row as the interpreter does, empty values included."""

from __future__ import annotations

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
        expression(parse_expression("d + months(1) > as_of"), "a", 20600, {})
    with pytest.raises(NotVectorised):
        expression(parse_expression("x in [y, 2]"), "a", 20600, {})
