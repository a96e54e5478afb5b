"""The screen: which subjects some rule could fire on, answered for every subject at once over frames.

The pre-filter's gates (prefilter.py) answer one subject at a time. The screen answers a weaker
question for all of them in a few column operations: for some level of some enabled rule, does every
positive pattern have at least one fact of its type, in the subject's partition, passing the
conditions on that fact alone? Joins and absences are left out, and a condition with no exact Polars
form (``plan/frames.NotVectorised``) passes every fact, so the screen only ever lets more subjects
through than the gates: a subject it stops, no gate passes, and the engine would raise nothing for it
in the alert phase. ``tests/plan/test_screen.py`` holds the screen to the gates.

Indicators are computed here too, as ``group_by`` aggregates, exactly as ``plan/indicators.py`` does
(a sum in the partition's order, as Python adds), so an indicator pattern (``count >= 3``) screens too.

The input is one frame per fact type of the subjects' partitions, a row per (subject, fact):
``__subject__``, ``__order__`` (the fact's place in the partition) and the fields as the evaluators
see them (``facts.schema.evaluation_schema``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

import polars as pl

from risk_warning.facts.normalise import PlainFact
from risk_warning.facts.registry import FACT_SPECS
from risk_warning.facts.schema import evaluation_schema
from risk_warning.plan.frames import NotVectorised, expression, joined_expression
from risk_warning.plan.prefilter import GateSpec, NeedSpec, gate_specs
from risk_warning.rules import ast
from risk_warning.rules.normal_form import conjuncts
from risk_warning.rules.program import Indicator, Ruleset
from risk_warning.rules.workdays import BUILT_IN_CALENDAR

SUBJECT = "__subject__"
ORDER = "__order__"
BINDING = "__binding__"
JOIN_LIMIT = 2_000_000  # rows of joined facts a gate's joins are tried on; beyond it the gate lets its candidates by

Members = Mapping[str, pl.DataFrame]


class Screen:
    """The gates of every enabled rule of some rulesets (one subject kind's alert phase), as of a day number."""

    def __init__(self, rulesets: Sequence[Ruleset], as_of: int) -> None:
        self.as_of = as_of
        self.calendar = rulesets[0].calendar if rulesets else BUILT_IN_CALENDAR
        self.gates: list[tuple[GateSpec, Mapping[str, Any]]] = [
            (spec, rs.params) for rs in rulesets for rule in rs.rules if rule.enabled for spec in gate_specs(rule)
        ]
        self.indicators: dict[str, tuple[Indicator, Mapping[str, Any]]] = {
            ind.fact_type: (ind, rs.params) for rs in rulesets for ind in rs.indicators.values()
        }
        self.reads = self._reads()
        self._compiled: dict[tuple[int, str, int], tuple[ast.Expr, pl.Expr | NotVectorised]] = {}

    def condition(self, expr: ast.Expr, aliases: str | Collection[str], params: Mapping[str, Any]) -> pl.Expr:
        """``plan.frames.expression`` of a condition on one fact (``aliases`` a str), or ``joined_expression``
        over joined facts; made once per screen, however many buckets of subjects it is asked about.
        Raises ``NotVectorised`` as they do."""
        named = aliases if isinstance(aliases, str) else "\x00".join(sorted(aliases))
        key = (id(expr), named, id(params))
        if key not in self._compiled:
            made: pl.Expr | NotVectorised
            try:
                if isinstance(aliases, str):
                    made = expression(expr, aliases, self.as_of, params, self.calendar)
                else:
                    made = joined_expression(expr, aliases, self.as_of, params, self.calendar)
            except NotVectorised as exc:
                made = exc
            self._compiled[key] = (expr, made)  # the condition kept, so its id is not reused
        made = self._compiled[key][1]
        if isinstance(made, NotVectorised):
            raise made
        return made

    def _reads(self) -> frozenset[str]:
        """Every name a gate or an indicator reads (as a field of any fact): the only columns a screen needs
        beside ``__subject__`` and ``__order__``, so a caller may leave the others out of its frames."""
        exprs = [need.condition for spec, _ in self.gates for need in spec.needs]
        exprs += [spec.joins for spec, _ in self.gates]
        exprs += [condition for spec, _ in self.gates for _, _, condition in spec.absences]
        exprs += [ind.where for ind, _ in self.indicators.values()]
        names = {part for expr in exprs if expr is not None for path in ast.paths(expr) for part in path.parts}
        for ind, _ in self.indicators.values():
            names |= {ind.source_field} if ind.source_field is not None else set()
            names |= {ind.group.name} if ind.group is not None else set()
            if ind.before is not None:
                names |= {ind.before.field, ind.before.event_key, ind.before.event_date}
        return frozenset(names)

    def passing(self, members: Members, subjects: Sequence[str] | pl.Series) -> set[str]:
        """The subjects (of ``subjects``) some gate could pass."""
        return set(self.passing_series(members, _series(subjects)).to_list())

    def passing_series(self, members: Members, subjects: pl.Series) -> pl.Series:
        """``passing`` as a column of subject ids, never a Python string per subject."""
        asking = _Asking(self, members, subjects)
        out: list[pl.Series] = []
        for spec, params in self.gates:
            candidates: pl.Series | None = None
            for need in spec.needs:
                answer = asking.need(need, params)
                candidates = answer if candidates is None else candidates.filter(candidates.is_in(answer.implode()))
                if candidates.is_empty():
                    break
            if candidates is None:
                return subjects
            if not candidates.is_empty() and (spec.joins is not None or spec.absences):
                candidates = asking.bound(spec, params, candidates)
            out.append(candidates)
        return pl.concat(out).unique() if out else subjects.clear()

    def indicator_frame(
        self, fact_type: str, members: Members, subjects: Sequence[str] | pl.Series
    ) -> pl.DataFrame | None:
        """One indicator's facts for every subject, as ``plan/indicators.py`` computes them; None when unknown."""
        return _Asking(self, members, _series(subjects)).indicator(fact_type)


def _series(subjects: Sequence[str] | pl.Series) -> pl.Series:
    if isinstance(subjects, pl.Series):
        return subjects.rename(SUBJECT)
    return pl.Series(SUBJECT, list(subjects), dtype=pl.String)


class _Asking:
    """One question to a screen: its gates over some subjects' frames, with what was answered so far."""

    def __init__(self, screen: Screen, members: Members, subjects: pl.Series) -> None:
        self.screen = screen
        self.as_of = screen.as_of
        self.indicators = screen.indicators
        self.members = members
        self.subjects = subjects
        self.answers: dict[tuple[str, str, int], pl.Series] = {}
        self.computed: dict[str, pl.DataFrame | None] = {}  # indicator frames, None where unknown

    def bound(
        self,
        spec: GateSpec,
        params: Mapping[str, Any],
        candidates: pl.Series,
    ) -> pl.Series:
        """The candidates with a binding of passing facts that meets the joins and that no absence blocks.

        Equalities between two facts are join keys. Where a join would exceed ``JOIN_LIMIT`` rows, the
        candidates are halved and each half answered on its own (a subject's facts only ever join its own),
        down to one subject, whose join is then left out: so the limit bounds memory, not the size of the
        export. A join condition or absence with no exact Polars form is left out.
        """
        frames = []
        for need in spec.needs:
            frame = self.need_frame(need, params)
            if frame is None:
                return candidates
            frames.append(frame)
        return self._bound(spec, params, frames, candidates)

    def _bound(
        self, spec: GateSpec, params: Mapping[str, Any], frames: Sequence[pl.DataFrame], candidates: pl.Series
    ) -> pl.Series:
        mine = [frame.filter(pl.col(SUBJECT).is_in(candidates.implode())) for frame in frames]
        bindings = self.bindings(spec, mine)
        if bindings is None:
            if candidates.len() <= 1:
                return candidates
            half = candidates.len() // 2
            return pl.concat(
                [
                    self._bound(spec, params, mine, candidates.head(half)),
                    self._bound(spec, params, mine, candidates.slice(half)),
                ]
            )
        aliases = {need.alias for need in spec.needs}
        if spec.joins is not None:
            with contextlib.suppress(NotVectorised):
                bindings = bindings.filter(self.screen.condition(spec.joins, aliases, params))
        for alias, fact_type, condition in spec.absences:
            if bindings.is_empty():
                break
            bindings = self.unblocked(spec, bindings, alias, fact_type, condition, params)
        return bindings.get_column(SUBJECT).unique()

    @staticmethod
    def bindings(spec: GateSpec, frames: Sequence[pl.DataFrame]) -> pl.DataFrame | None:
        """Every binding of the needs' passing facts (``frames``, one per need), a row each, columns
        ``alias.field``; None when a join would exceed ``JOIN_LIMIT`` rows."""
        keys = _equalities(spec.joins) if spec.joins is not None else []
        joined: pl.DataFrame | None = None
        bound: set[str] = set()
        for need, passing in zip(spec.needs, frames, strict=True):
            frame = _prefixed(passing, need.alias)
            if joined is None:
                joined, bound = frame, {need.alias}
                continue
            joined = _join(joined, frame, _keys(keys, need.alias, bound, joined, frame))
            if joined is None:
                return None
            bound.add(need.alias)
        return joined

    def unblocked(
        self,
        spec: GateSpec,
        bindings: pl.DataFrame,
        alias: str,
        fact_type: str,
        condition: ast.Expr | None,
        params: Mapping[str, Any],
    ) -> pl.DataFrame:
        """The bindings for which no fact of ``fact_type`` (other than one bound) meets the absence's condition."""
        if fact_type in self.indicators:
            return bindings  # left out
        absent = self.members.get(fact_type)
        if absent is None or absent.is_empty():
            return bindings
        bound = {need.alias for need in spec.needs}
        numbered = bindings.with_row_index(BINDING)
        keys = _equalities(condition) if condition is not None else []
        pairs = _join(numbered, _prefixed(absent, alias), _keys(keys, alias, bound, numbered, _prefixed(absent, alias)))
        if pairs is None:
            return bindings  # too many to try: left out
        for need in spec.needs:  # the engine's absence ignores facts already bound
            if need.fact_type == fact_type:
                pairs = pairs.filter(pl.col(f"{alias}.{ORDER}") != pl.col(f"{need.alias}.{ORDER}"))
        if condition is not None:
            try:
                pairs = pairs.filter(self.screen.condition(condition, bound | {alias}, params))
            except NotVectorised:
                return bindings
        blocked = pairs.get_column(BINDING).unique()
        return numbered.filter(~pl.col(BINDING).is_in(blocked.implode())).drop(BINDING)

    def need_frame(
        self,
        need: NeedSpec,
        params: Mapping[str, Any],
    ) -> pl.DataFrame | None:
        """The facts that pass a need's own conditions (every fact of the type where they have no exact form)."""
        if need.fact_type in self.indicators:
            frame = self.computed.get(need.fact_type)
            if frame is None:
                return None
        else:
            frame = self.members.get(need.fact_type)
            if frame is None:
                return None
        if need.condition is not None:
            with contextlib.suppress(NotVectorised):  # without an exact form, every fact of the type may pass
                frame = frame.filter(self.screen.condition(need.condition, need.alias, params))
        return frame

    def need(
        self,
        need: NeedSpec,
        params: Mapping[str, Any],
    ) -> pl.Series:
        """The subjects with a fact passing the need's own conditions."""
        key = (need.fact_type, repr(need.condition), id(params))
        if key not in self.answers:
            self.answers[key] = self._subjects_passing(need, params)
        return self.answers[key]

    def _subjects_passing(self, need: NeedSpec, params: Mapping[str, Any]) -> pl.Series:
        if need.fact_type in self.indicators:
            if need.fact_type not in self.computed:
                self.computed[need.fact_type] = self.indicator(need.fact_type)
            if self.computed[need.fact_type] is None:  # a filter with no exact Polars form: any value is possible
                return self.subjects
        frame = self.need_frame(need, params)
        if frame is None or frame.is_empty():
            return self.subjects.clear()
        return frame.get_column(SUBJECT).unique()

    def indicator(self, fact_type: str) -> pl.DataFrame | None:
        """The indicator facts of every subject, as ``plan/indicators.py`` computes them; None when unknown."""
        indicator, params = self.indicators[fact_type]
        spec = FACT_SPECS[indicator.source_type]
        source = self.members.get(indicator.source_type)
        if source is None:
            source = pl.DataFrame(schema={SUBJECT: pl.String, ORDER: pl.Int64, **evaluation_schema(spec)})
        if indicator.where is not None:
            try:
                source = source.filter(self.screen.condition(indicator.where, indicator.source_type, params))
            except NotVectorised:
                return None
        if indicator.before is not None:
            return self._per_event(indicator, source, params)
        keys = [SUBJECT] if indicator.group is None else [SUBJECT, indicator.group.name]
        if indicator.group is not None:
            source = source.filter(pl.col(indicator.group.name).is_not_null())
        if indicator.kind == "sum":  # added in the partition's order, as Python adds; the others ignore order
            source = source.sort(ORDER)
        values = source.group_by(keys, maintain_order=indicator.kind == "sum").agg(_aggregate(indicator).alias("value"))
        if indicator.group is not None:
            return values.rename({indicator.group.name: "key"}).with_columns(pl.col(SUBJECT).alias("subject_id"))
        everyone = self.subjects.to_frame()
        values = everyone.join(values, on=SUBJECT, how="left")
        if indicator.kind in ("count", "distinct"):
            values = values.with_columns(pl.col("value").fill_null(0))
        elif indicator.kind == "sum":
            values = values.with_columns(pl.col("value").fill_null(0.0))
        return values.with_columns(pl.col(SUBJECT).alias("subject_id"))

    def _per_event(self, indicator: Indicator, counted: pl.DataFrame, params: Mapping[str, Any]) -> pl.DataFrame:
        """``before:`` as ``plan/indicators.py`` counts it: per event, the counted facts in the days before."""
        before = indicator.before
        assert before is not None
        events = self.members.get(before.event_type)
        schema = {SUBJECT: pl.String, "key": pl.String, "value": pl.Int64, "subject_id": pl.String}
        if events is None:
            return pl.DataFrame(schema=schema)
        day = pl.col("__event_day__")
        key = pl.col(before.event_key).cast(pl.String).alias("key")
        events = events.filter(pl.col(before.event_date).is_not_null())
        events = events.select(SUBJECT, key, pl.col(before.event_date).alias("__event_day__"))
        dates = counted.filter(pl.col(before.field).is_not_null())
        dates = dates.select(SUBJECT, pl.col(before.field).alias("__day__"))
        days = before.window(params)
        inside = ((pl.col("__day__") > day - days) & (pl.col("__day__") <= day)).fill_null(False)
        joined = events.join(dates, on=SUBJECT, how="left")
        values = joined.group_by(SUBJECT, "key").agg(inside.sum().cast(pl.Int64).alias("value"))
        return values.with_columns(pl.col(SUBJECT).alias("subject_id")).select(list(schema))


def _prefixed(frame: pl.DataFrame, alias: str) -> pl.DataFrame:
    """A fact's columns named ``alias.field`` (its place in the partition too), beside the subject."""
    return frame.select(pl.col(SUBJECT), *(pl.col(c).alias(f"{alias}.{c}") for c in frame.columns if c != SUBJECT))


def _keys(
    equalities: Sequence[tuple[str, str]], alias: str, bound: set[str], left: pl.DataFrame, right: pl.DataFrame
) -> tuple[list[str], list[str]]:
    """Join keys: the subject, and each equality between a bound fact's field and ``alias``'s, of one dtype."""
    on_left, on_right = [SUBJECT], [SUBJECT]
    for a, b in equalities:
        for mine, theirs in ((a, b), (b, a)):
            ours = mine.startswith(f"{alias}.") and theirs.split(".")[0] in bound
            if (
                ours
                and right.schema.get(mine) == left.schema.get(theirs)
                and mine not in on_right
                and theirs not in on_left
            ):
                on_left.append(theirs)
                on_right.append(mine)
    return on_left, on_right


def _join(left: pl.DataFrame, right: pl.DataFrame, keys: tuple[list[str], list[str]]) -> pl.DataFrame | None:
    """The inner join on ``keys`` (nulls never equal), keeping both sides' columns; None beyond ``JOIN_LIMIT``."""
    on_left, on_right = keys
    counts = left.group_by(on_left).len("n").join(right.group_by(on_right).len("m"), left_on=on_left, right_on=on_right)
    if counts.select((pl.col("n") * pl.col("m")).sum()).item() > JOIN_LIMIT:
        return None
    joined = left.join(right, left_on=on_left, right_on=on_right, how="inner", coalesce=False, suffix="__r")
    return joined.drop(f"{SUBJECT}__r")


def _equalities(joins: ast.Expr) -> list[tuple[str, str]]:
    """``a.x == b.y`` conjuncts between two facts' fields, as ("a.x", "b.y"): the joins' keys."""
    out = []
    for part in conjuncts(joins):
        match part:
            case ast.Compare(op="==", left=ast.Path(parts=(a, x)), right=ast.Path(parts=(b, y))) if a != b:
                out.append((f"{a}.{x}", f"{b}.{y}"))
    return out


def _aggregate(indicator: Indicator) -> pl.Expr:
    if indicator.kind == "count":
        return pl.len().cast(pl.Int64)
    assert indicator.source_field is not None
    values = pl.col(indicator.source_field).drop_nulls()
    if indicator.kind == "sum":  # added left to right in the partition's order, as Python's sum adds
        return values.cast(pl.Float64).cum_sum().last().fill_null(0.0)
    if indicator.kind == "distinct":
        return values.n_unique().cast(pl.Int64)
    return values.min() if indicator.kind == "min" else values.max()


def member_frames(partitions: Iterable[tuple[str, Sequence[PlainFact]]]) -> dict[str, pl.DataFrame]:
    """Frames of plain facts already partitioned, a row per (subject, fact): the screen's input built the slow way."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for subject, facts in partitions:
        for order, fact in enumerate(facts):
            if fact.type in FACT_SPECS:
                rows.setdefault(fact.type, []).append({SUBJECT: subject, ORDER: order, **fact.fields})
    frames = {}
    for fact_type, found in rows.items():
        schema: dict[str, Any] = {SUBJECT: pl.String, ORDER: pl.Int64, **evaluation_schema(FACT_SPECS[fact_type])}
        frames[fact_type] = pl.DataFrame(
            [{name: row.get(name) for name in schema} for row in found], schema=schema, orient="row"
        )
    return frames
