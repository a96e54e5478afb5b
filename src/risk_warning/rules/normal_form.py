"""Backend-neutral rewrites of checked conditions: what any evaluator or pre-filter may build on.

Constants folded (``as_of``, params, date helpers become values), conjunctions listed, bare fields
qualified by their alias, disjunctions spread into alternatives (at most ``MAX_ALTERNATIVES``), and
comparisons between facts guarded against empty fields. Pure functions over ``rules.ast``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from risk_warning.rules import ast
from risk_warning.rules.interpret import Scope, evaluate
from risk_warning.rules.typecheck import is_constant

MAX_ALTERNATIVES = 32


def fold(expr: ast.Expr, scope: Scope) -> ast.Expr:
    """Replace every constant sub-expression by its value (dates become day numbers)."""
    if is_constant(expr) and not isinstance(expr, ast.ListExpr):
        return ast.Literal(evaluate(expr, scope), pos=expr.pos)
    return ast.map_children(expr, lambda child: fold(child, scope))


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
