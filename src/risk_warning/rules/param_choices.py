"""List params compared with enumerated fields: every value must be one of the field's values.

``relation in params.kin_relations`` never matches a value that ``relation`` cannot hold, so a site file
that writes 配遇 for 配偶 would silently narrow the rule. A literal is checked by the type-checker where
it is written; a param's values are checked here, against every enumerated field the param is compared
with, when the ruleset is loaded (its default) and when a site file sets it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from risk_warning.errors import did_you_mean
from risk_warning.facts.registry import FACT_SPECS
from risk_warning.rules import ast
from risk_warning.rules.program import Indicator, Rule


@dataclass(frozen=True)
class Enumerated:
    """A list param compared with an enumerated field (``type.field``) and the values it may hold."""

    param: str
    field: str
    choices: tuple[str, ...]


def enumerated_params(rules: Sequence[Rule], indicators: Mapping[str, Indicator]) -> list[Enumerated]:
    """Each (list param, enumerated field) pair an ``in`` of these rules and indicators compares."""
    found: dict[tuple[str, str], Enumerated] = {}
    for expr, aliases, current in _expressions(rules, indicators):
        for node in ast.walk(expr):
            if not isinstance(node, ast.In) or not isinstance(node.operand, ast.Path):
                continue
            field = _field(node.operand, aliases, current)
            if field is None:
                continue
            for item in node.items.items:
                if isinstance(item, ast.Path) and item.parts[0] == "params" and len(item.parts) == 2:
                    spec = FACT_SPECS[field[0]].fields[field[1]]
                    found.setdefault(
                        (item.parts[1], ".".join(field)), Enumerated(item.parts[1], ".".join(field), spec.choices)
                    )
    return list(found.values())


def _expressions(
    rules: Sequence[Rule], indicators: Mapping[str, Indicator]
) -> Iterator[tuple[ast.Expr, Mapping[str, str], str | None]]:
    for rule in rules:
        aliases = {p.alias: p.fact_type for p in rule.patterns}
        for pattern in rule.patterns:
            if pattern.where is not None:
                yield pattern.where, aliases, pattern.fact_type
        for level in rule.levels:
            if level.condition is not None:
                yield level.condition, aliases, None
    for indicator in indicators.values():
        if indicator.where is not None:
            yield indicator.where, {}, indicator.source_type


def _field(path: ast.Path, aliases: Mapping[str, str], current: str | None) -> tuple[str, str] | None:
    """(fact type, field) of an enumerated field a path names, or None."""
    if len(path.parts) == 1 and current is not None:
        fact_type, name = current, path.parts[0]
    elif len(path.parts) == 2 and path.parts[0] in aliases:
        fact_type, name = aliases[path.parts[0]], path.parts[1]
    else:
        return None
    spec = FACT_SPECS.get(fact_type)
    fld = spec.fields.get(name) if spec is not None else None
    return (fact_type, name) if fld is not None and fld.choices else None


@dataclass(frozen=True)
class Outside:
    """A list param's value (at ``position`` in the list) that an enumerated field it is compared with never holds."""

    param: str
    position: int
    message: str
    hint: str


def outside_choices(enumerated: Sequence[Enumerated], params: Mapping[str, Any]) -> Iterator[Outside]:
    """Each value of a list param that an enumerated field it is compared with can never hold."""
    for e in enumerated:
        values = params.get(e.param)
        if not isinstance(values, list):
            continue
        for position, value in enumerate(values):
            if str(value) not in e.choices:
                message = f"'{value}' in params.{e.param} is not a value of {e.field}: the rule would never match it"
                hint = did_you_mean(str(value), e.choices) or "one of: " + ", ".join(e.choices)
                yield Outside(e.param, position, message, hint)
