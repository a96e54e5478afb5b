"""Typed values from normalised text columns, checked by column: the scan path's validation.

``columns.py`` leaves each field as text (dates already read as dates, lists split). Here every field is cast to
its kind and checked as a column: the text a cast accepts (``-12``, ``3.5``, ``true``), required values
present, choices, bounds (``ge``/``gt``/``le``), list lengths. A row every check passes becomes its
fact directly (``facts.records.trusted``), with no pydantic model validated for it; a row any check
doubts is validated by its pydantic model as before, which accepts it or says exactly what is wrong.
So the checks here only need to be sure of what they pass: anything unusual (``+5``, ``1e3``,
``True``, a type with a validator of its own) is doubted, never decided. ``tests/sources/test_typed.py``
holds both paths to the same facts and the same quarantine.

Token fields (keyed hashes of sensitive values, ``Fact.tokens``) are computed once per distinct value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import annotated_types
import polars as pl

from risk_warning.facts._base import Fact
from risk_warning.facts.records import trusted
from risk_warning.facts.registry import FACT_MODELS, FACT_SPECS
from risk_warning.facts.schema import model_schema
from risk_warning.privacy import tokens

_INT = r"^-?(?:0|[1-9]\d{0,17})$"
_FLOAT = r"^-?(?:0|[1-9]\d{0,14})(?:\.\d{1,12})?$"
_KNOWN_VALIDATORS = frozenset({"_tokenise"})  # Fact._tokenise, done here per distinct value
DOUBT = "__doubt__"


@dataclass(frozen=True)
class TypedColumns:
    """How one fact type's normalised text becomes typed columns, and which rows are doubted."""

    fact_type: str
    exprs: tuple[pl.Expr, ...]  # one typed column per given field
    doubt: pl.Expr  # true where a row must be validated by its pydantic model
    make: Callable[[dict[str, Any]], Fact]


@cache
def columnar(fact_type: str) -> bool:
    """Whether the type's rules can all be checked by column (no validator of its own, known constraints)."""
    model = FACT_MODELS[fact_type]
    decorators = model.__pydantic_decorators__
    own = set(decorators.model_validators) | set(decorators.field_validators) | set(decorators.validators)
    known = (annotated_types.Ge, annotated_types.Gt, annotated_types.Le, annotated_types.Lt, annotated_types.MinLen)
    constraints_known = all(isinstance(m, known) for info in model.model_fields.values() for m in info.metadata)
    return own <= _KNOWN_VALIDATORS and constraints_known


@cache
def typed_columns(fact_type: str, given: tuple[str, ...], dates: frozenset[str]) -> TypedColumns:
    """For the fields a file gives (``dates`` among them already read, as dates, in ``__date__<name>``)."""
    model = FACT_MODELS[fact_type]
    spec = FACT_SPECS[fact_type]
    exprs: list[pl.Expr] = []
    doubts: list[pl.Expr] = [pl.lit(not columnar(fact_type))]
    for name in given:
        info = model.model_fields[name]
        field = spec.fields[name]
        text = pl.col(f"__date__{name}" if name in dates else name)
        value, unsure = _cast(field.kind, text, field.choices)
        doubts.append(unsure)
        if info.is_required():
            doubts.append(value.is_null())
        for bound in info.metadata:
            doubts.append(_violates(bound, value, field.kind).fill_null(False))
        exprs.append(value.alias(name))
    doubt = pl.any_horizontal(doubts).alias(DOUBT)
    defaulted = {n for n in given if not model.model_fields[n].is_required() and not spec.fields[n].nullable}
    tokens = {tok for raw, tok in model.tokens.items() if raw in given and tok not in given}
    return TypedColumns(fact_type, tuple(exprs), doubt, trusted(model, frozenset(defaulted | tokens)))


def _cast(kind: str, text: pl.Expr, choices: Sequence[str]) -> tuple[pl.Expr, pl.Expr]:
    """(the typed value, where the text is not one this cast is sure of) for one column of text."""
    given = text.is_not_null()
    if kind == "int":
        sure = text.str.contains(_INT)
        value = pl.when(sure).then(text).cast(pl.Int64, strict=False)
        # a whole number too large for 64 bits casts to null: pydantic refuses it (facts._base.Int64)
        return value, given & ~(sure & value.is_not_null()).fill_null(False)
    if kind == "float":
        sure = text.str.contains(_FLOAT)
        return pl.when(sure).then(text).cast(pl.Float64, strict=False), given & ~sure.fill_null(False)
    if kind == "bool":
        sure = text.is_in(["true", "false"])
        return text == "true", given & ~sure.fill_null(False)
    if kind == "date":
        return text.cast(pl.Date), pl.lit(False)  # columns.py has read the date, and flags a bad one
    if kind == "list":
        return text, pl.lit(False)
    unsure = text != text.str.strip_chars()
    if choices:
        unsure = unsure | ~text.is_in(list(choices))
    return text, given & unsure.fill_null(False)


def _violates(bound: Any, value: pl.Expr, kind: str) -> pl.Expr:
    if isinstance(bound, annotated_types.MinLen):
        return value.list.len() < bound.min_length if kind == "list" else value.str.len_chars() < bound.min_length
    if isinstance(bound, annotated_types.Ge):
        return value < pl.lit(bound.ge)
    if isinstance(bound, annotated_types.Gt):
        return value <= pl.lit(bound.gt)
    if isinstance(bound, annotated_types.Le):
        return value > pl.lit(bound.le)
    assert isinstance(bound, annotated_types.Lt)
    return value >= pl.lit(bound.lt)


def with_tokens(frame: pl.DataFrame, fact_type: str) -> pl.DataFrame:
    """Each token field filled from its sensitive field, where not given: one ``token`` per distinct value."""
    model = FACT_MODELS[fact_type]
    for raw, tok in model.tokens.items():
        if raw not in frame.columns:
            continue
        distinct = frame.get_column(raw).drop_nulls().unique().cast(pl.String)
        made = pl.Series(tokens(distinct.to_list()), dtype=pl.String)
        tokenised = pl.col(raw).cast(pl.String).replace_strict(distinct, made, default=None, return_dtype=pl.String)
        given = pl.col(tok) if tok in frame.columns else pl.lit(None, dtype=pl.String)
        frame = frame.with_columns(pl.coalesce(given, tokenised).alias(tok))
    return frame


def completed(frame: pl.DataFrame, fact_type: str) -> pl.DataFrame:
    """Every field of the model, in its order and dtype: a field not given holds its default.

    What a fact made from the row holds, so a frame of accepted rows reads like the facts would.
    """
    model = FACT_MODELS[fact_type]
    schema = model_schema(FACT_SPECS[fact_type])
    columns: list[pl.Expr] = []
    for name, dtype in schema.items():
        info = model.model_fields[name]
        default = None if info.is_required() else info.get_default(call_default_factory=True)
        fill = pl.lit(pl.Series(name, [default], dtype=dtype)).first()
        if name not in frame.columns:
            columns.append(fill.alias(name))
        elif default is not None and not FACT_SPECS[fact_type].fields[name].nullable:
            columns.append(pl.col(name).cast(dtype).fill_null(fill))  # an empty cell: not given, the default
        else:
            columns.append(pl.col(name).cast(dtype))
    return frame.select(*columns, *(c for c in frame.columns if c not in schema))
