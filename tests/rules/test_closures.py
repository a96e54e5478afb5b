"""Compiled closures answer exactly as the interpreter does, on random conditions and facts with gaps."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from risk_warning.rules.closures import bindings_predicate, row_predicate
from risk_warning.rules.interpret import Scope, truth
from risk_warning.rules.parser import parse_expression

ATOMS = [
    "x > 3",
    "x <= y",
    "y == x + 1",
    "x in [1, 2, 5]",
    "x not in [2]",
    "d > as_of - days(30)",
    "d >= date(2026, 1, 1)",
    "d + days(10) < as_of",
    "flag",
    "flag == false",
    's == "a"',
    's in ["a", "b"]',
    "x * 2 - y >= params.k",
    "x / y > 1",
    "x is null",
    "y is not null",
    "-x < 0",
    "year(d) == 2026",
    "d < as_of - months(params.m)",
    "a.x > 1",
]


def conditions() -> st.SearchStrategy[str]:
    return st.recursive(
        st.sampled_from(ATOMS),
        lambda inner: st.one_of(
            inner.map(lambda c: f"not ({c})"),
            st.tuples(inner, inner).map(lambda p: f"({p[0]}) and ({p[1]})"),
            st.tuples(inner, inner).map(lambda p: f"({p[0]}) or ({p[1]})"),
        ),
        max_leaves=6,
    )


ROWS = st.fixed_dictionaries(
    {},
    optional={
        "x": st.one_of(st.integers(-3, 6), st.just(0)),
        "y": st.integers(-3, 6),
        "d": st.integers(20400, 20700),  # day numbers around 2026
        "flag": st.booleans(),
        "s": st.sampled_from(["a", "b", "c"]),
    },
)


@settings(max_examples=400, deadline=None)
@given(source=conditions(), row=ROWS, as_of=st.integers(20500, 20650), k=st.integers(-2, 6), m=st.integers(0, 3))
def test_a_closure_answers_as_the_interpreter(source: str, row: dict[str, Any], as_of: int, k: int, m: int) -> None:
    expr = parse_expression(source)
    params = {"k": k, "m": m}
    expected = truth(expr, Scope(as_of, params, {"a": row}, "a"))
    assert row_predicate(expr, "a", as_of, params)(row) is expected, source


JOINS = [
    "a.x > b.y",
    "a.x == b.x",
    "a.d < b.d + days(3)",
    'b.s in ["a", "b"]',
    "a.flag or b.x is null",
    "not (a.y != b.y)",
    "a.x + b.x >= params.k",
]


@settings(max_examples=300, deadline=None)
@given(
    source=st.recursive(
        st.sampled_from(JOINS),
        lambda inner: st.tuples(inner, inner, st.sampled_from(["and", "or"])).map(
            lambda p: f"({p[0]}) {p[2]} ({p[1]})"
        ),
        max_leaves=4,
    ),
    a=ROWS,
    b=ROWS,
    as_of=st.integers(20500, 20650),
    k=st.integers(-2, 6),
)
def test_a_closure_over_bound_facts_answers_as_the_interpreter(
    source: str, a: dict[str, Any], b: dict[str, Any], as_of: int, k: int
) -> None:
    expr = parse_expression(source)
    params = {"k": k, "m": 1}
    expected = truth(expr, Scope(as_of, params, {"a": a, "b": b}))
    assert bindings_predicate(expr, as_of, params)({"a": a, "b": b}) is expected, source
