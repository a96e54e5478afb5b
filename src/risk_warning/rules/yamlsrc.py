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

# Limits on one YAML file (docs/rule-language.md, "Limits"): a ruleset is a few levels deep and uses few
# anchors; these stop a file nested to break the parser's recursion or an alias bomb that expands without end.
MAX_DEPTH = 32  # mappings and lists inside one another
MAX_ALIASES = 100  # *alias references in one file
MAX_VALUES = 100_000  # values after aliases are expanded (the 46 shipped rules are about 4,000)


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
    except (ValueError, AttributeError, TypeError, OverflowError):
        # an impossible date 2026-13-01, or an explicit tag on a value it cannot make (`!!timestamp x`, on
        # which PyYAML raises AttributeError): left as text, for validation to report where it is used
        return node.value


class _Limit(Exception):
    def __init__(self, mark: Any, message: str, hint: str) -> None:
        self.line: int = mark.line + 1 if mark is not None else 1
        self.col: int = mark.column + 1 if mark is not None else 1
        self.message, self.hint = message, hint


def _check_events(text: str) -> None:
    """Depth and aliases from the parser's events (iterative), before the composer (recursive) runs."""
    depth = aliases = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _Limit(event.start_mark, f"nested more than {MAX_DEPTH} levels deep (the limit)",
                             "a ruleset needs a few levels; check the indentation")  # fmt: skip
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise _Limit(event.start_mark, f"more than {MAX_ALIASES} aliases (*name) in one file (the limit)",
                             "write the values out, or use params")  # fmt: skip


@dataclass
class _Budget:
    values: int = 0
    open: list[int] = field(default_factory=list)  # ids of the mappings and lists being walked


def _walk(loader: _Loader, node: yaml.Node, loc: Loc, smap: SourceMap, budget: _Budget) -> Any:
    mark = node.start_mark
    budget.values += 1
    if budget.values > MAX_VALUES:
        raise _Limit(mark, f"the file expands to more than {MAX_VALUES:,} values (the limit)",
                     "aliases (*name) repeated inside one another multiply; write the values out")  # fmt: skip
    if id(node) in budget.open:
        raise _Limit(mark, "an alias refers to the value that contains it (a loop)", "remove the alias")
    if len(budget.open) >= MAX_DEPTH:  # reached through aliases, which the event check counts once
        raise _Limit(mark, f"nested more than {MAX_DEPTH} levels deep (the limit)", "check the aliases")
    multiline = node.end_mark.line != node.start_mark.line
    quote = 1 if isinstance(node, yaml.ScalarNode) and node.style in ("'", '"') else 0
    smap.values[loc] = Anchor(mark.line + 1, mark.column + 1, quote, multiline)
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        budget.open.append(id(node))
        try:
            return _walk_collection(loader, node, loc, smap, budget)
        finally:
            budget.open.pop()
    assert isinstance(node, yaml.ScalarNode)
    return _scalar(loader, node)


def _walk_collection(loader: _Loader, node: yaml.Node, loc: Loc, smap: SourceMap, budget: _Budget) -> Any:
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
            out[key] = _walk(loader, value_node, kloc, smap, budget)
        return out
    return [_walk(loader, item, (*loc, i), smap, budget) for i, item in enumerate(node.value)]


class _Duplicate(Exception):
    def __init__(self, key: Any, where: SourceLocation) -> None:
        self.key = key
        self.where = where


def load_yaml(text: str, path: str) -> tuple[Any, SourceMap] | Diagnostic:
    """Parse YAML text; return the data and its source map, or one diagnostic for bad syntax."""
    smap = SourceMap(path)
    loader: _Loader | None = None
    try:
        loader = _Loader(text)  # its reader refuses a control character at once
        _check_events(text)
        node = loader.get_single_node()
        if node is None:
            return {}, smap
        return _walk(loader, node, (), smap, _Budget()), smap
    except _Limit as limit:
        where = SourceLocation(path, limit.line, limit.col)
        return Diagnostic(where, Reason.LIMIT, limit.message, limit.hint)
    except _Duplicate as dup:
        return Diagnostic(dup.where, Reason.DUPLICATE_ID, f"key '{dup.key}' appears twice", "keep one")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = SourceLocation(path, mark.line + 1, mark.column + 1) if mark else SourceLocation(path, 1, 1)
        hint = "check indentation and quote expressions that contain ': ' or start with a quote"
        return Diagnostic(where, Reason.YAML_SYNTAX, str(exc.problem or exc), hint)
    except yaml.reader.ReaderError as exc:  # a control character YAML does not allow, at a character offset
        before = text[: exc.position]
        where = SourceLocation(path, before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1)
        said = f"character U+{exc.character:04X} is not allowed in YAML" if isinstance(exc.character, int) else str(exc)
        return Diagnostic(where, Reason.YAML_SYNTAX, said, "delete it (a control character pasted from elsewhere)")
    except yaml.YAMLError as exc:  # any other complaint of the YAML library: the file, at its start
        return Diagnostic(SourceLocation(path, 1, 1), Reason.YAML_SYNTAX, str(exc).splitlines()[0], "")
    finally:
        if loader is not None:
            loader.dispose()
