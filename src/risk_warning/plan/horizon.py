"""How long a subject's result stays valid when its facts do not change: the basis of incremental scans.

Rules compare fact fields with constants derived from ``as_of`` (``as_of - days(365)``,
``year(as_of) - 1``...). Folding every condition at each day of a window shows which constants move
with the date. Each moving constant is compared with a field (``start_date <= c``), and its truth for
a given field value flips at most once while the constant is monotone. So for one subject the result
can first change on the earliest day on which such a comparison flips for one of its field values.
That is found by bisection over the constant's values. Anything that does not fit this pattern is a
change point for every subject. This includes a constant in arithmetic with a field, a non-monotone
constant, a constant condition turning true or false, and a message template showing ``{as_of}``.
The education context (12-month windows) adds the dates on which a record enters or leaves it.

The result is conservative: it may re-evaluate a subject that would not have changed, never the
reverse. ``tests/plan/test_incremental.py`` runs nightly incremental scans against full scans.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from risk_warning.facts.normalise import PlainFact
from risk_warning.facts.registry import FACT_SPECS
from risk_warning.rules import ast
from risk_warning.rules.interpret import Scope, evaluate
from risk_warning.rules.program import Ruleset
from risk_warning.rules.typecheck import is_constant
from risk_warning.rules.workdays import BUILT_IN_CALENDAR, CalendarError, WorkCalendar

WINDOW = 366  # a subject is re-evaluated at least once a year
EDUCATION_WINDOW = 365
# dates on which the education context shown with an alert changes (entering, leaving a 12-month window;
# an assignment turning overdue the day after it is due)
_CONTEXT_DATES = {
    "education_record": ("date",),
    "intervention": ("date",),
    "education_assignment": ("assigned_on", "due", "completed_on"),
}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


@dataclass(frozen=True)
class Site:
    """A constant that moves with as_of, compared as ``field op constant``; values[i] is its value on day+i."""

    field: str
    op: str
    values: tuple[Any, ...]
    # the field's side when it is not the bare field: a non-decreasing function of it (``sent_on + months(6)``,
    # ``add_workdays(sent_on, 15)``), over the field as ``_.field``; and the calendar it may need
    transform: ast.Expr | None = None
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    calendar: WorkCalendar = BUILT_IN_CALENDAR

    def side(self, value: Any) -> Any:
        """The compared side for a field value (None where the calendar does not cover it)."""
        if self.transform is None:
            return value
        try:
            return evaluate(self.transform, Scope(0, self.params, {"_": {self.field: value}}, "_", self.calendar))
        except CalendarError:
            return None


@dataclass
class Horizon:
    """The moving thresholds of a set of rulesets, from one as-of day."""

    day: int
    sites: list[Site] = field(default_factory=list)
    global_change: int = 0  # the first day on which every subject must be re-evaluated
    daily_rules: frozenset[str] = frozenset()  # rules whose message shows {as_of}
    _flips: dict[tuple[int, Any], int | None] = field(default_factory=dict, repr=False)
    _fields_of: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _by_field: tuple[int, dict[str, list[tuple[int, Site]]]] | None = field(default=None, repr=False)

    def valid_until(self, facts: Sequence[PlainFact], alert_rules: Sequence[str] = ()) -> int:
        """The last day (a day number) on which this subject's result is known to be unchanged."""
        if any(r in self.daily_rules for r in alert_rules):
            return self.day
        first_change = self.global_change
        values: dict[str, set[Any]] = {}
        for fact in facts:
            fields = fact.fields
            for name in self._site_fields(fact.type):
                value = fields.get(name)
                if value is not None and not isinstance(value, bool):
                    values.setdefault(name, set()).add(value)
            for name in _CONTEXT_DATES.get(fact.type, ()):
                when = fields.get(name)
                if isinstance(when, int):
                    for edge in (when, when + 1, when + EDUCATION_WINDOW):
                        if edge > self.day:
                            first_change = min(first_change, edge)
        by_field = self._numeric_sites()
        for name, seen in values.items():
            for index, site in by_field.get(name, ()):
                for v in seen:
                    if isinstance(v, int | float):
                        key = (index, v)
                        if key not in self._flips:  # the same dates and amounts recur across subjects
                            compared = site.side(v)
                            self._flips[key] = 1 if compared is None else _first_flip(site, compared)
                        step = self._flips[key]
                        if step is not None:
                            first_change = min(first_change, self.day + step)
        return first_change - 1

    def _numeric_sites(self) -> dict[str, list[tuple[int, Site]]]:
        """The sites with numeric thresholds, by the field they compare."""
        if self._by_field is None or self._by_field[0] != len(self.sites):
            grouped: dict[str, list[tuple[int, Site]]] = {}
            for index, site in enumerate(self.sites):
                if not isinstance(site.values[0], str):
                    grouped.setdefault(site.field, []).append((index, site))
            self._by_field = (len(self.sites), grouped)
        return self._by_field[1]

    def _site_fields(self, fact_type: str) -> tuple[str, ...]:
        """The fields of a fact type that some moving threshold compares (all of them, for a type not known)."""
        found = self._fields_of.get(fact_type)
        if found is None:
            names = {site.field for site in self.sites}
            spec = FACT_SPECS.get(fact_type)
            found = tuple(sorted(names if spec is None else names & set(spec.fields)))
            self._fields_of[fact_type] = found
        return found


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


def _truth(op: str, v: float, c: float) -> bool:
    return bool(_OPS[op](v, c))


def _first_flip(site: Site, v: Any) -> int | None:
    """The first index at which ``v op values[i]`` differs from index 0 (values are non-decreasing)."""
    c = site.values
    start = _truth(site.op, v, c[0])
    # the truth of a comparison with a non-decreasing constant changes where c reaches or passes v
    for index in (bisect.bisect_left(c, v), bisect.bisect_right(c, v)):
        if 0 < index < len(c) and _truth(site.op, v, c[index]) != start:
            return index
    return None


def _expressions(rulesets: Sequence[Ruleset]) -> Iterator[tuple[ast.Expr, Mapping[str, Any]]]:
    for rs in rulesets:
        for rule in rs.rules:
            if not rule.enabled:
                continue
            for p in rule.patterns:
                if p.where is not None:
                    yield p.where, rs.params
            for level in rule.levels:
                if level.condition is not None:
                    yield level.condition, rs.params
        for indicator in rs.indicators.values():
            if indicator.where is not None:
                yield indicator.where, rs.params


def _moving_constants(expr: ast.Expr) -> Iterator[tuple[ast.Expr, ast.Expr | None]]:
    """Each largest sub-expression that depends on as_of and on no fact, with its parent node."""

    def visit(node: ast.Expr, parent: ast.Expr | None) -> Iterator[tuple[ast.Expr, ast.Expr | None]]:
        if is_constant(node):
            if any(p.parts == ("as_of",) for p in ast.paths(node)):
                yield node, parent
            return
        for child in ast.children(node):
            yield from visit(child, node)

    yield from visit(expr, None)


def _site_context(constant: ast.Expr, parent: ast.Expr | None) -> tuple[str, str, ast.Expr | None] | None:
    """(field, op, transform) when the constant is one side of a comparison whose other side is a bare field
    (transform None) or a non-decreasing function of one field (``_field_side``)."""
    if isinstance(parent, ast.Compare):
        if parent.right is constant:
            side, op = parent.left, parent.op
        elif parent.left is constant:
            side, op = parent.right, _FLIP[parent.op]
        else:
            return None
        if isinstance(side, ast.Path):
            return side.parts[-1], op, None
        found = _field_side(side)
        if found is not None:
            return found[0], op, found[1]
    return None


def _field_side(side: ast.Expr) -> tuple[str, ast.Expr] | None:
    """(field, side over ``_.field``) when ``side`` grows with one field and mentions no other: the field
    plus or minus a constant (days, calendar months), or ``add_workdays(field, n)`` with a constant n."""
    paths = [p for p in ast.paths(side) if p.parts[0] != "params"]
    if len(paths) != 1 or paths[0].parts == ("as_of",):
        return None
    match side:
        case ast.Arith(op="+" | "-", left=ast.Path(), right=right) if is_constant(right):
            pass
        case ast.Arith(op="+", left=left, right=ast.Path()) if is_constant(left):
            pass
        case ast.Call(name="add_workdays", args=(ast.Path(), n)) if is_constant(n):
            pass
        case _:
            return None
    name = paths[0].parts[-1]
    return name, _rebound(side, name)


def _rebound(expr: ast.Expr, name: str) -> ast.Expr:
    if isinstance(expr, ast.Path) and expr.parts[-1] == name and expr.parts[0] not in ("as_of", "params"):
        return ast.Path(("_", name), pos=expr.pos)
    return ast.map_children(expr, lambda child: _rebound(child, name))


def compute_horizon(rulesets: Sequence[Ruleset], day: int) -> Horizon:
    """Evaluate each as-of-dependent constant on each day of the window; keep those that move."""
    horizon = Horizon(day, global_change=day + WINDOW + 1)
    horizon.daily_rules = frozenset(
        r.id for rs in rulesets for r in rs.rules if "{as_of}" in r.spec.message.replace(" ", "")
    )
    calendar = rulesets[0].calendar if rulesets else BUILT_IN_CALENDAR
    for expr, params in _expressions(rulesets):
        for constant, parent in _moving_constants(expr):
            values = _daily(constant, day, params, calendar)
            if len(values) <= WINDOW:  # a day no working-day calendar covers: everyone is evaluated by then
                horizon.global_change = min(horizon.global_change, day + max(1, len(values)))
            if len(values) < 2 or all(v == values[0] for v in values):
                continue
            first_move = next(i for i, v in enumerate(values) if v != values[0])
            context = _site_context(constant, parent)
            monotone = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values) and all(
                a <= b for a, b in itertools.pairwise(values)
            )
            if context is None or not monotone:
                # a constant condition turning, or a constant used in arithmetic: everyone may change then
                horizon.global_change = min(horizon.global_change, day + first_move)
                continue
            field_side = context[2]
            if field_side is not None and not all(isinstance(v, int) for v in values):
                horizon.global_change = min(horizon.global_change, day + first_move)  # e.g. months with numbers
                continue
            horizon.sites.append(Site(context[0], context[1], values, field_side, params, calendar))
    return horizon


def _daily(constant: ast.Expr, day: int, params: Mapping[str, Any], calendar: WorkCalendar) -> tuple[Any, ...]:
    """The constant's value on each day of the window, up to the first day the calendar does not cover."""
    values: list[Any] = []
    for i in range(WINDOW + 1):
        try:
            values.append(evaluate(constant, Scope(day + i, params, {}, calendar=calendar)))
        except CalendarError:
            break
    return tuple(values)
