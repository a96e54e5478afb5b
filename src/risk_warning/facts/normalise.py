"""Facts as the evaluators see them: flat scalars, dates as day numbers, empty fields absent.

Both evaluators (the durable-rules adapter and the reference) consume exactly this form, so the
differential test compares their logic and nothing else. Fields marked ``Pii.HIGH`` and list
fields never leave the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from risk_warning.facts._base import Fact, Pii

Scalar = str | int | float | bool

_EPOCH = date(1970, 1, 1)


def day_number(d: date) -> int:
    """Days since 1970-01-01: how the engine sees a date."""
    return (d - _EPOCH).days


def from_day_number(n: int) -> date:
    return _EPOCH + timedelta(days=n)


@dataclass(frozen=True, slots=True)
class PlainFact:
    """A fact flattened for evaluation: its type, its natural key and its scalar fields."""

    type: str
    key: str
    fields: Mapping[str, Scalar]
    month_only: frozenset[str] = frozenset()  # dates given to the month only, read as the 1st


@cache
def _evaluated_fields(model: type[Fact]) -> tuple[str, ...]:
    """The fields of a model the evaluators may see: all but those marked ``Pii.HIGH``."""
    return tuple(name for name in model.model_fields if model.pii_level(name) is not Pii.HIGH)


def normalise(fact: Fact) -> PlainFact:
    model = type(fact)
    values = fact.__dict__  # a frozen model's fields (read directly: this runs for every fact of a scan)
    fields: dict[str, Scalar] = {}
    for name in _evaluated_fields(model):
        value = values[name]
        if value is None or type(value) is list:
            continue
        fields[name] = (value - _EPOCH).days if isinstance(value, date) else value
    key = f"{model.fact_type}:{values[model.key_field]}"  # Fact.key, inlined
    return PlainFact(model.fact_type, key, fields, fact.month_only)
