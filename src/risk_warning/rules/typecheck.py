"""Type-check expressions against the fact models when a ruleset loads, not when it runs.

Each problem is reported through ``report(offset, reason, message, suggestion)`` so the caller can
turn the offset inside the expression into ``file:line:col``. Checking goes on after a problem, so
one pass reports every problem of an expression.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from risk_warning.errors import Reason, did_you_mean, listed
from risk_warning.facts.registry import FactSpec as FactSpec
from risk_warning.facts.registry import FieldSpec
from risk_warning.rules import ast

# The type of a pattern whose fact type could not be resolved (already reported): its alias stays bound so
# the rest of the rule is checked, and nothing is said about its fields.
UNRESOLVED = FactSpec("<unresolved>", {})

Type = Literal[
    "number",
    "str",
    "bool",
    "date",
    "days",
    "months",
    "null",
    "list",
    "unknown",
    "list[number]",
    "list[str]",
    "list[date]",
    "list[bool]",
]
Report = Callable[[int, Reason, str, str], None]

_KIND_TYPE: dict[str, Type] = {
    "str": "str",
    "int": "number",
    "float": "number",
    "bool": "bool",
    "date": "date",
    "list": "list",
}
FUNCTIONS = {
    "days": 1,
    "months": 1,
    "years": 1,
    "date": 3,
    "year": 1,
    "weekday": 1,
    "is_workday": 1,
    "workdays_between": 2,
    "add_workdays": 2,
}
# each function's argument types and result
_SIGNATURES: dict[str, tuple[tuple[Type, ...], Type]] = {
    "days": (("number",), "days"),
    "months": (("number",), "months"),
    "years": (("number",), "months"),
    "date": (("number", "number", "number"), "date"),
    "year": (("date",), "number"),
    "weekday": (("date",), "number"),
    "is_workday": (("date",), "bool"),
    "workdays_between": (("date", "date"), "number"),
    "add_workdays": (("date", "number"), "date"),
}
# arguments that must not mention a fact (the engine works them out once per scan, not per fact)
_CONSTANT_ARGS = {"days": (0,), "months": (0,), "years": (0,), "date": (0, 1, 2), "year": (0,), "add_workdays": (1,)}


@dataclass(frozen=True)
class CheckScope:
    """Names visible to an expression: bound facts (alias -> spec), the current alias, params."""

    bindings: Mapping[str, FactSpec]
    params: Mapping[str, Type]
    current: str | None = None


def param_type(value: object) -> Type:
    """A param's type in expressions; a list param is ``list[...]`` of its items' type (``list`` when empty)."""
    from datetime import date

    if isinstance(value, list):
        kinds = {param_type(item) for item in value}
        return f"list[{kinds.pop()}]" if len(kinds) == 1 else "list"  # type: ignore[return-value]
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, date):
        return "date"
    return "str"


def is_constant(expr: ast.Expr) -> bool:
    """True when the expression mentions no fact: only literals, as_of and params."""
    return all(p.parts == ("as_of",) or p.parts[0] == "params" for p in ast.paths(expr))


class Checker:
    def __init__(self, scope: CheckScope, report: Report) -> None:
        self.scope = scope
        self.report = report

    # -- names -------------------------------------------------------------------------------
    def field_of(self, path: ast.Path) -> FieldSpec | None:
        """The FieldSpec a path names, or None after reporting why it names none."""
        parts = path.parts
        scope = self.scope
        if len(parts) == 1:
            spec = scope.bindings.get(scope.current) if scope.current else None
            if spec is None:
                names = [f"{a}.{f}" for a, s in scope.bindings.items() for f in s.fields]
                hint = did_you_mean(parts[0], [*names, "as_of"]) or "name a field as alias.field"
                self.report(path.pos, Reason.UNKNOWN_NAME, f"unknown name '{parts[0]}'", hint)
                return None
            alias, name = scope.current, parts[0]
        elif len(parts) == 2:
            alias, name = parts
        else:
            self.report(path.pos, Reason.UNKNOWN_NAME, f"'{path}' has too many parts", "use alias.field")
            return None
        assert alias is not None
        spec = scope.bindings.get(alias)
        if spec is None:
            hint = did_you_mean(alias, list(scope.bindings)) or (
                f"bind it first under match:, or use one of {sorted(scope.bindings)}"
            )
            self.report(path.pos, Reason.UNKNOWN_NAME, f"'{alias}' is not bound here", hint)
            return None
        if spec is UNRESOLVED:  # its pattern's type is already reported: nothing more to say about its fields
            return None
        fld = spec.fields.get(name)
        if fld is None:
            hint = did_you_mean(name, list(spec.fields)) or f"{spec.name} has: {listed(spec.fields, 'docs/facts.md')}"
            self.report(path.pos, Reason.UNKNOWN_FIELD, f"{spec.name} has no field '{name}'", hint)
            return None
        if fld.pii is not None and fld.pii.value == "high":
            self.report(
                path.pos,
                Reason.PERSONAL_DATA,
                f"{spec.name}.{name} is sensitive personal data and is never given to rules",
                "match on the pseudonymous ids instead",
            )
            return None
        if fld.kind == "list":
            self.report(path.pos, Reason.UNSUPPORTED, f"{spec.name}.{name} is a list and cannot be compared", "")
            return None
        return fld

    def path_type(self, path: ast.Path) -> Type:
        if path.parts == ("as_of",):
            return "date"
        if path.parts[0] == "params":
            if len(path.parts) != 2 or path.parts[1] not in self.scope.params:
                name = path.parts[1] if len(path.parts) > 1 else ""
                hint = did_you_mean(name, list(self.scope.params)) or "declare it under params:"
                self.report(path.pos, Reason.UNKNOWN_NAME, f"unknown param '{name}'", hint)
                return "unknown"
            return self.scope.params[path.parts[1]]
        fld = self.field_of(path)
        return _KIND_TYPE[fld.kind] if fld else "unknown"

    # -- expressions -------------------------------------------------------------------------
    def condition(self, expr: ast.Expr) -> None:
        """Check an expression used as a condition: it must be boolean."""
        t = self.value(expr)
        if t not in ("bool", "unknown"):
            self.report(expr.pos, Reason.TYPE_MISMATCH, f"a condition must be true or false, not {t}", "")

    def value(self, expr: ast.Expr) -> Type:
        match expr:
            case ast.Literal(value=v):
                return "null" if v is None else _literal_type(v)
            case ast.Path():
                return self.path_type(expr)
            case ast.ListExpr():
                for item in expr.items:
                    self.value(item)
                return "list"
            case ast.Call():
                return self.call(expr)
            case ast.Neg(operand=o):
                t = self.value(o)
                if t not in ("number", "days", "unknown"):
                    self.report(expr.pos, Reason.TYPE_MISMATCH, f"cannot negate {t}", "")
                return t
            case ast.Arith():
                return self.arith(expr)
            case ast.Compare():
                self.compare(expr)
                return "bool"
            case ast.In():
                self.membership(expr)
                return "bool"
            case ast.IsNull(operand=o):
                self.value(o)
                return "bool"
            case ast.Not(operand=o):
                self.condition(o)
                return "bool"
            case ast.And(items=items) | ast.Or(items=items):
                for item in items:
                    self.condition(item)
                return "bool"
        raise TypeError(expr)

    def call(self, expr: ast.Call) -> Type:
        arity = FUNCTIONS.get(expr.name)
        if arity is None:
            hint = did_you_mean(expr.name, FUNCTIONS) or f"functions: {', '.join(FUNCTIONS)}"
            self.report(expr.pos, Reason.UNKNOWN_NAME, f"unknown function '{expr.name}'", hint)
            return "unknown"
        if len(expr.args) != arity:
            self.report(expr.pos, Reason.TYPE_MISMATCH, f"{expr.name}() takes {arity} argument(s)", "")
            return "unknown"
        wanted, result = _SIGNATURES[expr.name]
        for arg, want in zip(expr.args, wanted, strict=True):
            t = self.value(arg)
            if t not in (want, "unknown"):
                self.report(arg.pos, Reason.TYPE_MISMATCH, f"{expr.name}() needs a {want}, not {t}", "")
        for index in _CONSTANT_ARGS.get(expr.name, ()):
            arg = expr.args[index]
            if not is_constant(arg):
                self.report(
                    arg.pos,
                    Reason.UNSUPPORTED,
                    f"this argument of {expr.name}() works on as_of, params and literals only",
                    "apply the function to a constant, e.g. add_workdays(sent_on, params.reply_workdays)",
                )
        return result

    def arith(self, expr: ast.Arith) -> Type:
        lt, rt = self.value(expr.left), self.value(expr.right)
        if "unknown" in (lt, rt):
            return "unknown"
        result = _ARITH.get((lt, expr.op, rt))
        if result is None:
            hint = "add or subtract days(n) to move a date" if "date" in (lt, rt) else ""
            self.report(expr.pos, Reason.TYPE_MISMATCH, f"cannot compute {lt} {expr.op} {rt}", hint)
            return "unknown"
        return result

    def compare(self, expr: ast.Compare) -> None:
        lt, rt = self.value(expr.left), self.value(expr.right)
        if "null" in (lt, rt):
            self.report(expr.pos, Reason.TYPE_MISMATCH, "compare with null using `is null`", "")
            return
        if "unknown" in (lt, rt):
            return
        if lt != rt:
            hint = "write dates as 2026-01-31 and durations as days(n)" if "date" in (lt, rt) else ""
            self.report(expr.pos, Reason.TYPE_MISMATCH, f"cannot compare {lt} with {rt}", hint)
            return
        if lt == "bool" and expr.op not in ("==", "!="):
            self.report(expr.pos, Reason.TYPE_MISMATCH, "true/false only compare with == or !=", "")
        self.choices(expr.left, expr.right)
        self.choices(expr.right, expr.left)

    def membership(self, expr: ast.In) -> None:
        t = self.value(expr.operand)
        if not expr.items.items:
            self.report(expr.items.pos, Reason.BAD_VALUE, "an empty list never matches", "")
        for item in expr.items.items:
            it = self.value(item)
            if it.startswith("list"):  # a list param, spliced into the list
                if not (isinstance(item, ast.Path) and item.parts[0] == "params"):
                    self.report(item.pos, Reason.TYPE_MISMATCH, "only a list param can be spliced into a list", "")
                elif it != "list" and t != "unknown" and it != f"list[{t}]":
                    self.report(item.pos, Reason.TYPE_MISMATCH, f"{item} is a {it}, the value is {t}", "")
                continue
            if "unknown" not in (t, it) and it != t:
                self.report(item.pos, Reason.TYPE_MISMATCH, f"list item is {it}, the value is {t}", "")
            self.choices(expr.operand, item)

    def choices(self, field_expr: ast.Expr, literal: ast.Expr) -> None:
        """A string literal compared with an enumerated field must be one of its values."""
        if not (isinstance(field_expr, ast.Path) and isinstance(literal, ast.Literal)):
            return
        if not isinstance(literal.value, str) or field_expr.parts[0] in ("params", "as_of"):
            return
        fld = self.field_of(field_expr)
        if fld and fld.choices and literal.value not in fld.choices:
            hint = did_you_mean(literal.value, fld.choices) or "one of: " + listed(fld.choices, "docs/facts.md")
            self.report(literal.pos, Reason.BAD_VALUE, f"'{literal.value}' is not a value of {fld.name}", hint)


def _literal_type(value: object) -> Type:
    return param_type(value)


_ARITH: dict[tuple[str, str, str], Type] = {
    ("number", "+", "number"): "number",
    ("number", "-", "number"): "number",
    ("number", "*", "number"): "number",
    ("number", "/", "number"): "number",
    ("date", "+", "days"): "date",
    ("date", "-", "days"): "date",
    ("days", "+", "date"): "date",
    ("date", "-", "date"): "days",
    ("days", "+", "days"): "days",
    ("days", "-", "days"): "days",
    ("date", "+", "months"): "date",
    ("date", "-", "months"): "date",
}
