"""The backend-neutral rewrites: alternatives from `or` and `in`, their limit, qualified fields, conjuncts."""

from __future__ import annotations

import pytest

from risk_warning.rules import ast
from risk_warning.rules.normal_form import conjuncts, dnf, qualify
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
