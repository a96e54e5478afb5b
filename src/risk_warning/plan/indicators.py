"""Per-subject aggregates computed before the rules run, posted to the engine as indicator facts.

``count``, ``sum``, ``min``, ``max`` and ``distinct`` over one fact type, filtered by a ``where``
condition that may use ``as_of`` and params (windows such as ``date > as_of - days(365)``).
Every subject gets every indicator, so ``count == 0`` is matchable without absence patterns.
An indicator with ``by: field`` is one fact per value of that field among the counted facts (the value
as ``key``), so there is none for a value that does not occur. A count with ``before:`` is one fact per
dated event of the partition (its key as ``key``): the counted facts in the days before the event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from risk_warning.facts.normalise import PlainFact
from risk_warning.rules.closures import row_predicate
from risk_warning.rules.program import Indicator, Ruleset
from risk_warning.rules.workdays import BUILT_IN_CALENDAR, WorkCalendar


def _rows(
    indicator: Indicator,
    facts: Sequence[PlainFact],
    as_of: int,
    params: Mapping[str, Any],
    calendar: WorkCalendar = BUILT_IN_CALENDAR,
) -> list[Any]:
    source = indicator.source_type
    if indicator.where is None:
        return [fact.fields for fact in facts if fact.type == source]
    keep = row_predicate(indicator.where, source, as_of, params, calendar)
    return [fact.fields for fact in facts if fact.type == source and keep(fact.fields)]


def indicator_value(
    indicator: Indicator,
    facts: Sequence[PlainFact],
    as_of: int,
    params: Mapping[str, Any],
    calendar: WorkCalendar = BUILT_IN_CALENDAR,
) -> Any:
    return _aggregate(indicator, _rows(indicator, facts, as_of, params, calendar))


def _aggregate(indicator: Indicator, rows: Sequence[Mapping[str, Any]]) -> Any:
    if indicator.kind == "count":
        return len(rows)
    assert indicator.source_field is not None
    values = [r[indicator.source_field] for r in rows if r.get(indicator.source_field) is not None]
    if indicator.kind == "sum":
        return float(sum(float(v) for v in values))
    if indicator.kind == "distinct":
        return len(set(values))
    if not values:
        return None
    return min(values) if indicator.kind == "min" else max(values)


def indicator_facts(
    rulesets: Sequence[Ruleset], subject: str, facts: Sequence[PlainFact], as_of: int
) -> list[PlainFact]:
    """One fact per indicator of every ruleset, for one subject."""
    out: list[PlainFact] = []
    for rs in rulesets:
        for indicator in rs.indicators.values():
            if indicator.group is not None:
                out += _grouped(indicator, subject, _rows(indicator, facts, as_of, rs.params, rs.calendar))
                continue
            if indicator.before is not None:
                rows = _rows(indicator, facts, as_of, rs.params, rs.calendar)
                out += _per_event(indicator, subject, facts, rows, rs.params)
                continue
            value = indicator_value(indicator, facts, as_of, rs.params, rs.calendar)
            fields: dict[str, Any] = {"subject_id": subject}
            if value is not None:
                fields["value"] = value
            out.append(PlainFact(indicator.fact_type, f"indicator:{indicator.fact_type}", fields))
    return out


def _grouped(indicator: Indicator, subject: str, rows: Sequence[Mapping[str, Any]]) -> list[PlainFact]:
    assert indicator.group is not None
    groups: dict[Any, list[Mapping[str, Any]]] = {}
    for row in rows:
        key = row.get(indicator.group.name)
        if key is not None:
            groups.setdefault(key, []).append(row)
    out = []
    for key in sorted(groups, key=str):
        fields: dict[str, Any] = {"subject_id": subject, "key": key}
        value = _aggregate(indicator, groups[key])
        if value is not None:
            fields["value"] = value
        out.append(PlainFact(indicator.fact_type, f"indicator:{indicator.fact_type}:{key}", fields))
    return out


def _per_event(
    indicator: Indicator,
    subject: str,
    facts: Sequence[PlainFact],
    rows: Sequence[Mapping[str, Any]],
    params: Mapping[str, Any],
) -> list[PlainFact]:
    """``before:``: for each dated event of the partition, the counted rows in the days before it (its day
    included), as a fact keyed by the event's key. An event without a date has none."""
    before = indicator.before
    assert before is not None
    days = before.window(params)
    dates = [int(r[before.field]) for r in rows if r.get(before.field) is not None]  # day numbers
    found: dict[str, int] = {}
    for fact in facts:
        if fact.type != before.event_type or fact.fields.get(before.event_date) is None:
            continue
        day = int(fact.fields[before.event_date])
        found[str(fact.fields[before.event_key])] = sum(1 for d in dates if day - days < d <= day)
    return [
        PlainFact(
            indicator.fact_type,
            f"indicator:{indicator.fact_type}:{key}",
            {"subject_id": subject, "key": key, "value": found[key]},
        )
        for key in sorted(found)
    ]
