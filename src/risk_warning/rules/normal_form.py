"""Backend-neutral rewrites of checked conditions: what any evaluator or pre-filter may build on.

Constants folded (``as_of``, params, date helpers become values), conjunctions listed, bare fields
qualified by their alias, disjunctions spread into alternatives (at most ``MAX_ALTERNATIVES``), and
comparisons between facts guarded against empty fields, ``not`` pushed down to comparisons with the
null semantics of ``rules.interpret``. Pure functions over ``rules.ast``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from risk_warning.rules import ast
from risk_warning.rules.interpret import Scope, evaluate
from risk_warning.rules.program import Rule
from risk_warning.rules.typecheck import is_constant

MAX_ALTERNATIVES = 32

Nullability = Mapping[tuple[str, str], bool]
"""Whether ``(alias, field)`` may be empty; a field not in the map may be."""


class NotNegatable(ValueError):
    """``negate`` met a node that is not a condition; ``node`` locates it."""

    def __init__(self, node: ast.Expr) -> None:
        super().__init__("this condition cannot be negated")
        self.node = node


def fold(expr: ast.Expr, scope: Scope) -> ast.Expr:
    """Replace every constant sub-expression by its value (dates become day numbers)."""
    if is_constant(expr) and not isinstance(expr, ast.ListExpr):
        return ast.Literal(evaluate(expr, scope), pos=expr.pos)
    folded = ast.map_children(expr, lambda child: fold(child, scope))
    if isinstance(folded, ast.ListExpr):  # a list param's items spliced in: `x in params.venues`
        items = tuple(
            spliced
            for item in folded.items
            for spliced in (
                [ast.Literal(v, pos=item.pos) for v in item.value]
                if isinstance(item, ast.Literal) and isinstance(item.value, list)
                else [item]
            )
        )
        return ast.ListExpr(items, pos=folded.pos)
    return folded


def conjuncts(expr: ast.Expr | None) -> list[ast.Expr]:
    if expr is None:
        return []
    if isinstance(expr, ast.And):
        return [c for item in expr.items for c in conjuncts(item)]
    return [expr]


def qualify(expr: ast.Expr, alias: str) -> ast.Expr:
    """Write bare field names of a pattern condition as ``alias.field``."""
    if isinstance(expr, ast.Path):
        if len(expr.parts) == 1 and expr.parts[0] != "as_of":
            return ast.Path((alias, expr.parts[0]), pos=expr.pos)
        return expr
    return ast.map_children(expr, lambda child: qualify(child, alias))


def flatten_or(expr: ast.Expr) -> list[ast.Expr]:
    if isinstance(expr, ast.Or):
        return [d for item in expr.items for d in flatten_or(item)]
    return [expr]


def dnf(exprs: Sequence[ast.Expr], limit: int = MAX_ALTERNATIVES) -> list[list[ast.Expr]]:
    """A conjunction of conditions as a list of conjunctions whose union it is (no `or` left)."""
    result: list[list[ast.Expr]] = [[]]
    for c in exprs:
        if isinstance(c, ast.In) and len(c.items.items) > 1:
            op = "!=" if c.negated else "=="
            tests = tuple(ast.Compare(op, c.operand, i, pos=c.pos) for i in c.items.items)
            c = ast.And(tests, pos=c.pos) if c.negated else ast.Or(tests, pos=c.pos)
        if isinstance(c, ast.And):
            result = [alt + d for alt in result for d in dnf(c.items, limit)]
        elif isinstance(c, ast.Or):
            result = [alt + d for alt in result for item in flatten_or(c) for d in dnf([item], limit)]
        else:
            result = [[*alt, c] for alt in result]
        if len(result) > limit:
            raise ValueError("too many alternatives")
    return result


def guard_nulls(expr: ast.Expr, nullable: Mapping[tuple[str, str], bool]) -> ast.Expr:
    """Add ``f is not null`` to each comparison between facts for every nullable field it uses.

    The engine fails a whole session (error 311) when a join reads a field the other fact lacks;
    with the guard, a fact whose field is empty never reaches the join, which is the same answer.
    """
    match expr:
        case ast.And(items=items):
            return ast.And(tuple(guard_nulls(i, nullable) for i in items), pos=expr.pos)
        case ast.Or(items=items):
            return ast.Or(tuple(guard_nulls(i, nullable) for i in items), pos=expr.pos)
        case ast.Compare() | ast.In():
            found = ast.paths(expr)
            if len(found) < 2:
                return expr
            guards = [
                ast.IsNull(p, negated=True, pos=p.pos)
                for p in found
                if len(p.parts) == 2 and nullable.get((p.parts[0], p.parts[1]), False)
            ]
            return ast.And((expr, *guards), pos=expr.pos) if guards else expr
    return expr


def owner(path: ast.Path, current: str) -> str | None:
    """The alias a field path belongs to (``current`` for a bare field), or None for as_of and params."""
    if path.parts == ("as_of",) or path.parts[0] == "params":
        return None
    return current if len(path.parts) == 1 else path.parts[0]


def nullability(rule: Rule, specs: Mapping[str, Any]) -> dict[tuple[str, str], bool]:
    """Which fields of each alias may be empty: the fact spec says, unless the alias's own pattern
    requires ``field is not null``."""
    out: dict[tuple[str, str], bool] = {}
    for p in rule.patterns:
        spec = specs.get(p.fact_type)
        if spec is not None:
            for name, fld in spec.fields.items():
                out[(p.alias, name)] = fld.nullable
        if p.negated or p.where is None:
            continue
        for c in conjuncts(qualify(p.where, p.alias)):
            operand = c.operand if isinstance(c, ast.IsNull) and c.negated else None
            if isinstance(operand, ast.Path) and operand.parts[0] == p.alias:
                out[(p.alias, operand.parts[-1])] = False
    return out


def _null_checks(expr: ast.Expr, nullable: Nullability, current: str) -> list[ast.Expr]:
    """``x is null`` for each nullable field in ``expr``: what makes a comparison false regardless."""
    checks: list[ast.Expr] = []
    for p in ast.paths(expr):
        alias = owner(p, current)
        if alias is not None and nullable.get((alias, p.parts[-1]), True):
            checks.append(ast.IsNull(p, pos=p.pos))
    return checks


def negate(expr: ast.Expr, nullable: Nullability, current: str = "") -> ast.Expr:
    """``not expr`` without ``not``, keeping the null semantics of ``rules.interpret``: a comparison
    with an empty field is false, so its negation also holds when the field is empty."""
    match expr:
        case ast.Literal(value=v):
            return ast.Literal(v is not True, pos=expr.pos)
        case ast.Not(operand=o):
            return o
        case ast.And(items=items):
            return ast.Or(tuple(negate(i, nullable, current) for i in items), pos=expr.pos)
        case ast.Or(items=items):
            return ast.And(tuple(negate(i, nullable, current) for i in items), pos=expr.pos)
        case ast.IsNull(operand=o, negated=n):
            return ast.IsNull(o, negated=not n, pos=expr.pos)
        case ast.Compare(op=op, left=left, right=right):
            flipped = ast.Compare(ast.NEGATED_OP[op], left, right, pos=expr.pos)
            return ast.Or((flipped, *_null_checks(expr, nullable, current)), pos=expr.pos)
        case ast.In(operand=o, items=items, negated=n):
            within = ast.In(o, items, negated=not n, pos=expr.pos)
            return ast.Or((within, *_null_checks(o, nullable, current)), pos=expr.pos)
        case ast.Path():
            is_false = ast.Compare("!=", expr, ast.Literal(True), pos=expr.pos)
            return ast.Or((is_false, *_null_checks(expr, nullable, current)), pos=expr.pos)
    raise NotNegatable(expr)


def push_not(expr: ast.Expr, nullable: Nullability, current: str = "") -> ast.Expr:
    """The same condition with every ``not`` pushed down to comparisons (see ``negate``)."""
    match expr:
        case ast.Not(operand=o):
            return push_not(negate(push_not(o, nullable, current), nullable, current), nullable, current)
        case ast.And(items=items):
            return ast.And(tuple(push_not(i, nullable, current) for i in items), pos=expr.pos)
        case ast.Or(items=items):
            return ast.Or(tuple(push_not(i, nullable, current) for i in items), pos=expr.pos)
    return expr
