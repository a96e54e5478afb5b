"""YAML to plain Python values, remembering where every value and key came from.

PyYAML's composer keeps node marks; we walk the node tree ourselves so that any later error (schema,
expression, type) can be reported at ``path:line:col`` of the exact value, and inside an expression
at the column of the offending token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from risk_warning.errors import Diagnostic, Reason, SourceLocation

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Anchor:
    """Where a value starts, and how many columns precede its text (1 for a quoted scalar)."""

    line: int
    col: int
    quote: int = 0
    multiline: bool = False


@dataclass
class SourceMap:
    """Marks of every value (by its path of keys and indexes) and of every key."""

    path: str
    values: dict[Loc, Anchor] = field(default_factory=dict)
    keys: dict[Loc, Anchor] = field(default_factory=dict)

    def at(self, loc: Loc, *, key: bool = False) -> SourceLocation:
        """The location of a value (or its key); falls back to the nearest enclosing value."""
        table = self.keys if key else self.values
        probe = tuple(loc)
        while probe:
            if probe in table:
                a = table[probe]
                return SourceLocation(self.path, a.line, a.col)
            if probe in self.values:
                a = self.values[probe]
                return SourceLocation(self.path, a.line, a.col)
            probe = probe[:-1]
        return SourceLocation(self.path, 1, 1)

    def in_text(self, loc: Loc, offset: int) -> SourceLocation:
        """The location of character ``offset`` inside the scalar at ``loc`` (an expression)."""
        a = self.values.get(tuple(loc))
        if a is None:
            return self.at(loc)
        if a.multiline:
            return SourceLocation(self.path, a.line, a.col)
        return SourceLocation(self.path, a.line, a.col + a.quote + offset)


class _Loader(yaml.SafeLoader):
    pass


def _scalar(loader: _Loader, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_object(node, deep=True)
    except ValueError:
        return node.value  # e.g. an impossible date 2026-13-01: left as text for validation to report


def _walk(loader: _Loader, node: yaml.Node, loc: Loc, smap: SourceMap) -> Any:
    mark = node.start_mark
    multiline = node.end_mark.line != node.start_mark.line
    quote = 1 if isinstance(node, yaml.ScalarNode) and node.style in ("'", '"') else 0
    smap.values[loc] = Anchor(mark.line + 1, mark.column + 1, quote, multiline)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, date | bool | int | float):
                key = str(key).lower() if isinstance(key, bool) else key
            kloc = (*loc, key)
            km = key_node.start_mark
            smap.keys[kloc] = Anchor(km.line + 1, km.column + 1)
            if key in out:
                raise _Duplicate(key, SourceLocation(smap.path, km.line + 1, km.column + 1))
            out[key] = _walk(loader, value_node, kloc, smap)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(loader, item, (*loc, i), smap) for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    return _scalar(loader, node)


class _Duplicate(Exception):
    def __init__(self, key: Any, where: SourceLocation) -> None:
        self.key = key
        self.where = where


def load_yaml(text: str, path: str) -> tuple[Any, SourceMap] | Diagnostic:
    """Parse YAML text; return the data and its source map, or one diagnostic for bad syntax."""
    smap = SourceMap(path)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, smap
        return _walk(loader, node, (), smap), smap
    except _Duplicate as dup:
        return Diagnostic(dup.where, Reason.DUPLICATE_ID, f"key '{dup.key}' appears twice", "keep one")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = SourceLocation(path, mark.line + 1, mark.column + 1) if mark else SourceLocation(path)
        hint = "check indentation and quote expressions that contain ': ' or start with a quote"
        return Diagnostic(where, Reason.YAML_SYNTAX, str(exc.problem or exc), hint)
    finally:
        loader.dispose()
