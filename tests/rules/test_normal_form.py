"""The backend-neutral rewrites: alternatives from `or` and `in`, their limit, qualified fields, conjuncts,
`not` pushed down with the interpreter's null semantics."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from risk_warning.rules import ast
from risk_warning.rules.interpret import Scope, evaluate
from risk_warning.rules.normal_form import NotNegatable, conjuncts, dnf, negate, push_not, qualify
from risk_warning.rules.parser import parse_expression


def shown(alternatives: list[list[ast.Expr]]) -> list[list[str]]:
    return [[type(c).__name__ for c in alt] for alt in alternatives]


def test_or_and_in_lists_become_alternatives() -> None:
    expr = parse_expression('kind in ["a", "b", "c"] and (x > 1 or y < 2)')
    alternatives = dnf(conjuncts(expr))
    assert len(alternatives) == 6 and all(len(alt) == 2 for alt in alternatives)
    assert shown(alternatives)[0] == ["Compare", "Compare"]


def test_too_many_alternatives_is_refused() -> None:
    expr = parse_expression(" and ".join(f"(a{i} == 1 or b{i} == 1)" for i in range(6)))  # 2**6 = 64
    with pytest.raises(ValueError, match="too many alternatives"):
        dnf(conjuncts(expr), limit=32)


def test_bare_fields_are_qualified_by_their_alias() -> None:
    expr = qualify(parse_expression("end_date is null and as_of > start_date"), "a")
    assert sorted(p.parts for p in ast.paths(expr)) == [("a", "end_date"), ("a", "start_date"), ("as_of",)]


EXPRESSIONS = [
    "not (x > 1 and y == 2)",
    "not (x in [1, 2] or y is null)",
    "not (not flag or x + y >= 3)",
    "not (a.x != a.y)",
    "not flag and not (x not in [0])",
]


@pytest.mark.parametrize("source", EXPRESSIONS)
@settings(max_examples=60, deadline=None)
@given(
    x=st.sampled_from([None, 0, 1, 2, 3]),
    y=st.sampled_from([None, 0, 2]),
    flag=st.sampled_from([None, True, False]),
    nullable=st.booleans(),
)
def test_push_not_keeps_the_interpreters_answer_with_empty_fields(
    source: str, x: int | None, y: int | None, flag: bool | None, nullable: bool
) -> None:
    """Pushed-down `not` answers as the interpreter does, empty fields included; a field declared
    never empty (and indeed set) needs no `is null` alternative."""
    expr = parse_expression(source)
    if not nullable and None in (x, y, flag):
        return
    known = {("a", f): nullable for f in ("x", "y", "flag")}
    pushed = push_not(expr, known, current="a")
    assert not any(isinstance(n, ast.Not) for n in ast.walk(pushed))
    scope = Scope(0, {}, {"a": {"x": x, "y": y, "flag": flag}}, current="a")
    assert evaluate(pushed, scope) == evaluate(expr, scope)


def test_what_is_not_a_condition_cannot_be_negated_and_says_where() -> None:
    arith = parse_expression("x + 1")
    with pytest.raises(NotNegatable) as caught:
        negate(arith, {}, current="a")
    assert caught.value.node is arith
