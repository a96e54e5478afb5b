"""The typed syntax tree of ruleset expressions. Every node keeps its offset in the source text."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

Value = str | int | float | bool | date | None


@dataclass(frozen=True)
class Node:
    pos: int = field(default=0, compare=False, kw_only=True)


@dataclass(frozen=True)
class Literal(Node):
    value: Value


@dataclass(frozen=True)
class Path(Node):
    """``a.start_date`` (a binding's field), ``start_date`` (the current fact), ``params.x``, ``as_of``."""

    parts: tuple[str, ...]

    def __str__(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class ListExpr(Node):
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Call(Node):
    """Date helpers only: days(n), months(n), years(n), date(y, m, d), year(d)."""

    name: str
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Neg(Node):
    operand: Expr


@dataclass(frozen=True)
class Arith(Node):
    op: str  # + - * /
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Compare(Node):
    op: str  # == != < <= > >=
    left: Expr
    right: Expr


@dataclass(frozen=True)
class In(Node):
    operand: Expr
    items: ListExpr
    negated: bool = False


@dataclass(frozen=True)
class IsNull(Node):
    operand: Expr
    negated: bool = False


@dataclass(frozen=True)
class Not(Node):
    operand: Expr


@dataclass(frozen=True)
class And(Node):
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Or(Node):
    items: tuple[Expr, ...]


Expr = Literal | Path | ListExpr | Call | Neg | Arith | Compare | In | IsNull | Not | And | Or

NEGATED_OP = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
FLIPPED_OP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def map_children(expr: Expr, fn: Callable[[Expr], Expr]) -> Expr:
    """The same node with ``fn`` applied to each direct child expression."""
    changes: dict[str, object] = {}
    for f in dataclasses.fields(expr):
        value = getattr(expr, f.name)
        if isinstance(value, Node):
            changes[f.name] = fn(value)  # type: ignore[arg-type]
        elif isinstance(value, tuple) and value and isinstance(value[0], Node):
            changes[f.name] = tuple(fn(v) for v in value)
    return dataclasses.replace(expr, **changes) if changes else expr  # type: ignore[arg-type]


def children(expr: Expr) -> list[Expr]:
    """The direct child expressions of a node."""
    found: list[Expr] = []

    def keep(child: Expr) -> Expr:
        found.append(child)
        return child

    map_children(expr, keep)
    return found


def walk(expr: Expr) -> list[Expr]:
    """Every node of an expression, depth first."""
    out: list[Expr] = [expr]
    children: tuple[Expr, ...] = ()
    match expr:
        case ListExpr(items=items) | Call(args=items) | And(items=items) | Or(items=items):
            children = items
        case Neg(operand=o) | Not(operand=o) | IsNull(operand=o):
            children = (o,)
        case Arith(left=left, right=right) | Compare(left=left, right=right):
            children = (left, right)
        case In(operand=o, items=items):
            children = (o, items)
    for child in children:
        out.extend(walk(child))
    return out


def paths(expr: Expr) -> list[Path]:
    return [n for n in walk(expr) if isinstance(n, Path)]
