"""Located diagnostics while loading YAML: a collector, pydantic errors read as the analyst wrote the file,
expressions parsed and checked with their offsets in the file."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import pydantic

from risk_warning.errors import Diagnostic, Reason, RulesetError, did_you_mean, listed
from risk_warning.grade import Grade
from risk_warning.rules import ast
from risk_warning.rules.model import Expectation, IndicatorSpec, ParamSpec, RulesetSpec, RuleSpec, RuleTest
from risk_warning.rules.parser import ExpressionSyntaxError, parse_expression
from risk_warning.rules.textfile import read_text
from risk_warning.rules.typecheck import Checker, CheckScope
from risk_warning.rules.yamlsrc import Loc, SourceMap, load_yaml

M = TypeVar("M", bound=pydantic.BaseModel)

_KEYS_BY_DEPTH: dict[tuple[str, ...], type[pydantic.BaseModel]] = {
    (): RulesetSpec,
    ("rules", "*"): RuleSpec,
    ("rules", "*", "tests", "*"): RuleTest,
    ("rules", "*", "tests", "*", "expect", "*"): Expectation,
    ("indicators", "*"): IndicatorSpec,
    ("params", "*"): ParamSpec,
}


class Collector:
    """Diagnostics of one file: all of them (``collect``), or raise at the first."""

    def __init__(self, smap: SourceMap, collect: bool) -> None:
        self.smap = smap
        self.collect = collect
        self.items: list[Diagnostic] = []

    def add(self, diag: Diagnostic) -> None:
        self.items.append(diag)
        if not self.collect:
            raise RulesetError(self.items)

    def at(self, loc: Loc, reason: Reason, message: str, hint: str = "", rule: str = "") -> None:
        self.add(Diagnostic(self.smap.at(loc), reason, message, hint, rule))


def _shape(loc: Loc) -> tuple[str, ...]:
    return tuple("*" if isinstance(p, int) or i % 2 == 1 else str(p) for i, p in enumerate(loc))


# pydantic's words for a wrong kind of value, in the words of a ruleset file
_PLAIN_MESSAGES = {
    "model_type": "expected a mapping (key: value) here",
    "dict_type": "expected a mapping (key: value) here",
    "list_type": "expected a list here",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected text",
    "date_type": "expected a date such as 2026-06-30",
    "date_parsing": "expected a date such as 2026-06-30",
    "date_from_datetime_parsing": "expected a date such as 2026-06-30",
}


def plain_message(err: Mapping[str, Any]) -> str:
    """A pydantic error's message without pydantic's words (``Value error,``, ``instance of RuleOverride``)."""
    if err["type"] in _PLAIN_MESSAGES:
        return _PLAIN_MESSAGES[err["type"]]
    message = str(err["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    return re.sub(r" or instance of \w+", "", message)


def pydantic_diagnostics(
    exc: pydantic.ValidationError,
    data: Any,
    out: Collector,
    prefix: Loc = (),
    models: Mapping[tuple[str, ...], type[pydantic.BaseModel]] = _KEYS_BY_DEPTH,
) -> None:
    """Each of pydantic's errors as a located diagnostic; ``models`` name the keys allowed at each depth."""
    for err in exc.errors():
        err = {**err, "loc": (*prefix, *err["loc"])}
        # keep only the loc parts that exist in the document (drop union member names, '[key]')
        loc: list[str | int] = []
        node = data
        for part in err["loc"]:
            if (isinstance(node, dict) and part in node) or (
                isinstance(node, list) and isinstance(part, int) and part < len(node)
            ):
                loc.append(part)
                node = node[part]  # type: ignore[index]
        rule = ""
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(data.get("rules"), list):
            rule_data = data["rules"][loc[1]] if isinstance(loc[1], int) else {}
            rule = str(rule_data.get("id", "")) if isinstance(rule_data, dict) else ""
        where = tuple(loc)
        on_key = "[key]" in err["loc"]
        if err["type"] == "extra_forbidden":
            key = str(err["loc"][-1])
            model = models.get(_shape(where[:-1]))
            allowed = [f.alias or name for name, f in model.model_fields.items()] if model else []
            close = did_you_mean(key, [a for a in allowed if a != key])
            hint = close or ("allowed: " + listed(allowed) if allowed else "")
            out.add(Diagnostic(out.smap.at(where, key=True), Reason.UNKNOWN_KEY, f"unknown key '{key}'", hint, rule))
            continue
        if err["type"] == "missing":
            name = str(err["loc"][-1])
            out.add(Diagnostic(out.smap.at(where), Reason.SCHEMA, f"missing required key '{name}'", "", rule))
            continue
        message = plain_message(err)
        hint = ""
        if err["type"] == "enum" and isinstance(err.get("input"), str):
            choices = [g.value for g in Grade]
            hint = did_you_mean(err["input"], choices) or "grades: " + ", ".join(choices)
            message = f"'{err['input']}' is not a grade"
        elif err["type"] == "literal_error" and isinstance(err.get("input"), str):
            expected = str(err.get("ctx", {}).get("expected", ""))
            options = re.findall(r"'([^']*)'", expected)
            hint = did_you_mean(err["input"], options) or f"expected {expected}"
            message = f"'{err['input']}' is not allowed here"
        out.add(Diagnostic(out.smap.at(where, key=on_key), Reason.SCHEMA, message, hint, rule))


def load_model_file(
    path: Path, model: type[M], models: Mapping[tuple[str, ...], type[pydantic.BaseModel]]
) -> tuple[M, SourceMap, Collector]:
    """A YAML file read into ``model`` (a site file, an expectation file): its value, where each value came
    from, and a collector for the checks that follow; a YAML or schema problem raises RulesetError with
    every diagnostic, located (``models`` name the keys allowed at each depth)."""
    loaded = load_yaml(read_text(path, "file"), str(path))
    if isinstance(loaded, Diagnostic):
        raise RulesetError([loaded])
    data, smap = loaded
    out = Collector(smap, True)
    try:
        return model.model_validate(data or {}), smap, out
    except pydantic.ValidationError as exc:
        pydantic_diagnostics(exc, data, out, models=models)
        raise RulesetError(sorted(out.items, key=lambda d: (d.location.line, d.location.col))) from None


def parse_at(text: str, loc: Loc, out: Collector, rule: str, base: int = 0) -> ast.Expr | None:
    try:
        return parse_expression(text)
    except ExpressionSyntaxError as exc:
        where = out.smap.in_text(loc, base + exc.offset)
        out.add(Diagnostic(where, Reason.EXPRESSION_SYNTAX, str(exc), exc.hint, rule))
        return None


def checker_at(scope: CheckScope, loc: Loc, out: Collector, rule: str, base: int = 0) -> Checker:
    def report(offset: int, reason: Reason, message: str, hint: str) -> None:
        out.add(Diagnostic(out.smap.in_text(loc, base + offset), reason, message, hint, rule))

    return Checker(scope, report)


def shift(expr: ast.Expr, by: int) -> ast.Expr:
    """Offsets of a sub-expression parsed on its own, moved to its place in the whole text."""
    moved = dataclasses.replace(expr, pos=expr.pos + by)
    return ast.map_children(moved, lambda child: shift(child, by))
