"""Calendar functions on fact fields, for an engine that only compares fields: derived fields.

The durable-rules condition language compares a fact's fields with constants, other fields and their
sums; it cannot call a function. So before compiling, each calendar function applied to a fact's
fields (``add_workdays(sent_on, 15)``, ``weekday(date)``, ``date + months(6)``) becomes a field of
its own (``_cal_<digest>``), which the adapter computes on every fact of that type it asserts, with the
interpreter's own functions (rules/interpret.py) and the rulesets' calendar. ``workdays_between(a, b)``
over two facts becomes the difference of two derived fields, ``running(b) - before(a)``, where ``running``
counts working days up to a day, that day included, and ``before`` those before it: each side one field
of one fact, which the compiler can move to either side of a comparison.

The reference evaluator calls the functions directly, so the differential test compares the two
routes. A derived field is absent when a field it reads is empty, as the function's value is null.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from risk_warning.rules import ast
from risk_warning.rules.interpret import Months, Scope, evaluate
from risk_warning.rules.workdays import WorkCalendar

PREFIX = "_cal_"
_FUNCTIONS = ("weekday", "is_workday", "add_workdays", "workdays_between")
_SELF = "_"


@dataclass(frozen=True)
class Derived:
    """A field computed on every fact of ``fact_type``: ``kind`` of ``expr`` (bare fields of that fact)."""

    name: str
    fact_type: str
    kind: str  # "value": expr's value; "running": working days up to expr's day, with it; "before": without it
    expr: ast.Expr
    sources: tuple[str, ...]  # the fields it reads

    def compute(self, fields: Mapping[str, Any], calendar: WorkCalendar) -> Any:
        value = evaluate(self.expr, Scope(0, {}, {_SELF: fields}, _SELF, calendar))
        if value is None or self.kind == "value":
            return value
        if self.kind == "before":
            return calendar.running(value) - calendar.is_workday(value)
        return calendar.running(value)


def lower(expr: ast.Expr, fact_types: Mapping[str, str], found: dict[str, Derived]) -> ast.Expr:
    """``expr`` (folded, every field qualified) with each calendar function of fact fields replaced by a
    derived field of that fact; each one made is added to ``found`` by name."""
    if isinstance(expr, ast.Call) and expr.name in _FUNCTIONS and not _constant(expr):
        if expr.name == "workdays_between" and len(_owners(expr)) > 1:
            a, b = expr.args
            running_b = _field(b, "running", fact_types, found, expr.pos)
            before_a = _field(a, "before", fact_types, found, expr.pos)
            return ast.Arith("-", running_b, before_a, pos=expr.pos)
        return _field(expr, "value", fact_types, found, expr.pos)
    if isinstance(expr, ast.Arith) and _months(expr) and not _constant(expr):
        return _field(expr, "value", fact_types, found, expr.pos)
    return ast.map_children(expr, lambda child: lower(child, fact_types, found))


class NotOneFact(ValueError):
    """A calendar function whose argument reads fields of two facts: the engine cannot compute it."""

    def __init__(self, pos: int) -> None:
        super().__init__("a calendar function here reads fields of two facts; apply it to one fact's fields")
        self.pos = pos


def _field(expr: ast.Expr, kind: str, fact_types: Mapping[str, str], found: dict[str, Derived], pos: int) -> ast.Path:
    owners = _owners(expr)
    if len(owners) != 1:
        raise NotOneFact(pos)
    (alias,) = owners
    bare = _rebind(expr, _SELF)
    digest = hashlib.sha256(f"{kind}:{fact_types[alias]}:{_text(bare)}".encode()).hexdigest()[:16]
    name = PREFIX + digest
    sources = tuple(sorted({p.parts[-1] for p in ast.paths(bare) if p.parts[0] == _SELF}))
    found[name] = Derived(name, fact_types[alias], kind, bare, sources)
    return ast.Path((alias, name), pos=pos)


def _owners(expr: ast.Expr) -> set[str]:
    return {p.parts[0] for p in ast.paths(expr) if p.parts != ("as_of",) and p.parts[0] != "params"}


def _constant(expr: ast.Expr) -> bool:
    return not _owners(expr)


def _months(expr: ast.Arith) -> bool:
    return any(isinstance(side, ast.Literal) and isinstance(side.value, Months) for side in (expr.left, expr.right))


def _rebind(expr: ast.Expr, alias: str) -> ast.Expr:
    if isinstance(expr, ast.Path) and len(expr.parts) == 2:
        return ast.Path((alias, expr.parts[1]), pos=0)
    return ast.map_children(expr, lambda child: _rebind(child, alias))


def _text(expr: ast.Expr) -> str:
    """A canonical text of a folded expression (positions left out): the derived field's identity."""
    match expr:
        case ast.Literal(value=v):
            return repr(v)
        case ast.Path(parts=parts):
            return ".".join(parts)
        case ast.Call(name=name, args=args):
            return f"{name}({','.join(_text(a) for a in args)})"
        case ast.Arith(op=op, left=left, right=right):
            return f"({_text(left)}{op}{_text(right)})"
        case ast.Neg(operand=o):
            return f"-({_text(o)})"
    raise NotOneFact(expr.pos)


def by_fact_type(derived: Iterable[Derived]) -> dict[str, tuple[Derived, ...]]:
    grouped: dict[str, dict[str, Derived]] = {}
    for d in derived:
        grouped.setdefault(d.fact_type, {})[d.name] = d
    return {t: tuple(sorted(ds.values(), key=lambda d: d.name)) for t, ds in grouped.items()}


def with_derived(fields: Mapping[str, Any], derived: Sequence[Derived], calendar: WorkCalendar) -> dict[str, Any]:
    """A fact's fields and its derived fields (absent where a field they read is empty)."""
    out = dict(fields)
    for d in derived:
        value = d.compute(fields, calendar)
        if value is not None:
            out[d.name] = value
    return out
