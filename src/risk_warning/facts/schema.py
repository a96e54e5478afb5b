"""A fact model as a Polars schema: the one place the columnar stages get their dtypes from.

The pydantic models stay the source of truth (``registry.spec_of`` reads their annotations); this maps
each field kind to a Polars dtype, for the view the evaluators see (``normalise``): dates as day
numbers, ``Pii.HIGH`` fields and lists left out, choices (``Literal``) as strings.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from risk_warning.facts._base import Pii
from risk_warning.facts.normalise import PlainFact
from risk_warning.facts.registry import FactSpec, ValueKind

_EVALUATED: dict[ValueKind, type[pl.DataType]] = {
    "str": pl.String,
    "int": pl.Int64,
    "float": pl.Float64,
    "bool": pl.Boolean,
    "date": pl.Int64,  # day numbers since 1970-01-01, as the engine compares them
}


_MODEL: dict[ValueKind, pl.DataType] = {
    "str": pl.String(),
    "int": pl.Int64(),
    "float": pl.Float64(),
    "bool": pl.Boolean(),
    "date": pl.Date(),
    "list": pl.List(pl.String()),
}


def model_schema(spec: FactSpec) -> dict[str, pl.DataType]:
    """The columns of ``spec``'s facts as the model holds them (every field, dates as dates), in field order."""
    return {name: _MODEL[field.kind] for name, field in spec.fields.items()}


def evaluation_columns(spec: FactSpec) -> list[pl.Expr]:
    """From a frame with ``model_schema``, the columns of ``evaluation_schema`` (dates as day numbers)."""
    return [
        pl.col(name).cast(pl.Int64) if kind is pl.Int64 and spec.fields[name].kind == "date" else pl.col(name)
        for name, kind in evaluation_schema(spec).items()
    ]


def evaluation_schema(spec: FactSpec) -> dict[str, type[pl.DataType]]:
    """The columns of ``spec``'s facts as the evaluators see them, in field order."""
    return {
        name: _EVALUATED[field.kind]
        for name, field in spec.fields.items()
        if field.kind != "list" and field.pii is not Pii.HIGH
    }


def frame_of(spec: FactSpec, facts: Iterable[PlainFact]) -> pl.DataFrame:
    """Plain facts of one type as a frame with ``evaluation_schema`` (an empty field is null)."""
    schema = evaluation_schema(spec)
    rows = [{name: fact.fields.get(name) for name in schema} for fact in facts if fact.type == spec.name]
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
