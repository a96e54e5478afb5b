"""An expression back as rule text, for explanations (``evaluate/explain.py``) and messages."""

from __future__ import annotations

from datetime import date

from risk_warning.rules import ast

_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "cmp": 4, "+": 5, "-": 5, "*": 6, "/": 6, "neg": 7, "atom": 8}


def render(expr: ast.Expr) -> str:
    """The expression as a rule would write it (parenthesised only where the grammar needs it)."""
    return _render(expr, 0)


def _literal(value: ast.Value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, date):
        return f"date({value.year}, {value.month}, {value.day})"
    return repr(value)


def _level(expr: ast.Expr) -> int:
    match expr:
        case ast.Or():
            return _PRECEDENCE["or"]
        case ast.And():
            return _PRECEDENCE["and"]
        case ast.Not():
            return _PRECEDENCE["not"]
        case ast.Compare() | ast.In() | ast.IsNull():
            return _PRECEDENCE["cmp"]
        case ast.Arith(op=op):
            return _PRECEDENCE[op]
        case ast.Neg():
            return _PRECEDENCE["neg"]
    return _PRECEDENCE["atom"]


def _render(expr: ast.Expr, outer: int) -> str:
    level = _level(expr)
    text = _bare(expr, level)
    return f"({text})" if level < outer else text


def _bare(expr: ast.Expr, level: int) -> str:
    match expr:
        case ast.Literal(value=value):
            return _literal(value)
        case ast.Path():
            return str(expr)
        case ast.ListExpr(items=items):
            return "[" + ", ".join(_render(i, 0) for i in items) + "]"
        case ast.Call(name=name, args=args):
            return f"{name}(" + ", ".join(_render(a, 0) for a in args) + ")"
        case ast.Neg(operand=o):
            return "-" + _render(o, level)
        case ast.Arith(op=op, left=left, right=right):
            return f"{_render(left, level)} {op} {_render(right, level + 1)}"
        case ast.Compare(op=op, left=left, right=right):
            return f"{_render(left, level + 1)} {op} {_render(right, level + 1)}"
        case ast.In(operand=o, items=items, negated=negated):
            return f"{_render(o, level + 1)} {'not in' if negated else 'in'} {_render(items, 0)}"
        case ast.IsNull(operand=o, negated=negated):
            return f"{_render(o, level + 1)} is {'not null' if negated else 'null'}"
        case ast.Not(operand=o):
            return "not " + _render(o, level + 1)
        case ast.And(items=items):
            return " and ".join(_render(i, level + 1) for i in items)
        case ast.Or(items=items):  # an `and` inside an `or` is bracketed, though it binds tighter: easier to read
            return " or ".join(_render(i, level + 2) for i in items)
    raise TypeError(f"not an expression: {expr!r}")
