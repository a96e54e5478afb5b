"""Turn one raw record (a CSV row, a JSON object, a test fact) into a typed fact, or say what is wrong.

Error messages never echo the rejected value: it may be personal data.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import pydantic

from risk_warning.errors import did_you_mean
from risk_warning.facts._base import Fact
from risk_warning.facts.registry import FACT_MODELS, FACT_SPECS

_auto_keys = itertools.count(1)

YES_NO = {"是": "true", "否": "false", "Y": "true", "N": "false", "y": "true", "n": "false", "1": "true", "0": "false"}


@cache
def field_names(type_name: str) -> frozenset[str]:
    return frozenset(FACT_MODELS[type_name].model_fields)


def _clean(type_name: str, record: Mapping[str, Any]) -> dict[str, Any]:
    spec = FACT_SPECS[type_name]
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, str) and value.strip() == "":
            continue  # an empty cell is an empty field
        fld = spec.fields.get(str(key))
        if fld is not None and fld.kind == "list" and isinstance(value, str):
            value = [v.strip() for v in value.replace("|", ";").split(";") if v.strip()]
        if fld is not None and fld.kind == "bool" and isinstance(value, str):
            value = YES_NO.get(value.strip(), value)
        out[str(key)] = value
    return out


_FIELDS_SETS: dict[type[Fact], list[set[str]]] = {}  # per model, the few distinct sets of given fields


def compact(fact: Fact) -> Fact:
    """The same fact, sharing its set of given field names with every fact of its type given the same.

    pydantic keeps that set per instance (about 700 of a fact's 1,200 bytes, measured); a scan holds
    millions of facts. Facts are frozen, so the set is never changed in place; a copy gets its own set.
    """
    given = fact.__pydantic_fields_set__
    known = _FIELDS_SETS.setdefault(type(fact), [])
    for shared in known:
        if shared == given:
            break
    else:
        if len(known) >= 64:
            return fact  # an export with very many shapes of record: not worth searching
        shared = set(given)
        known.append(shared)
    object.__setattr__(fact, "__pydantic_fields_set__", shared)
    return fact


def validate_record(
    type_name: str, record: Mapping[str, Any], *, fill_keys: bool = False, clean: bool = True
) -> tuple[Fact | None, list[tuple[str, str]]]:
    """The typed fact, or None and a list of (field, problem).

    ``clean=False`` for records the columns stage already normalised (empty cells dropped, lists split,
    yes/no mapped, headers checked).
    """
    model = FACT_MODELS[type_name]
    data = _clean(type_name, record) if clean else record
    if fill_keys and model.key_field not in data:
        data = {**data, model.key_field: f"{type_name}-{next(_auto_keys)}"}
    try:
        return compact(model.model_validate(data)), []
    except pydantic.ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "(record)"
            missing = err["type"] == "missing" or (err.get("input", "") is None and len(err["loc"]) == 1)
            message = "required field is missing" if missing else err["msg"]
            if err["type"] == "extra_forbidden":  # a misspelt field would otherwise vanish: a false alert
                hint = did_you_mean(field, sorted(field_names(type_name)))
                message = f"unknown field{f' ({hint})' if hint else ''}"
            if err["type"] == "literal_error":
                message = f"not one of the allowed values: {err.get('ctx', {}).get('expected', '')}"
            problems.append((field, message))
        return None, problems


def trusted(model: type[Fact], optional: frozenset[str] = frozenset()) -> Callable[[dict[str, Any]], Fact]:
    """A maker of facts from values the columnar checks (``sources/typed.py``) are sure of, skipping pydantic.

    The fact is the one ``model_validate`` gives for the same values: the same fields (defaults where
    not given), the same set of given fields, shared as ``compact`` shares it. ``optional`` are the fields
    of a row that count as not given when empty (a field with a default that cannot be empty). The
    differential test in tests/sources/test_typed.py holds the two equal.
    """
    fields = tuple(model.model_fields.items())
    shapes: dict[frozenset[str], set[str]] = {}

    def make(row: dict[str, Any]) -> Fact:
        for name in optional:
            if row[name] is None:
                del row[name]
        values: dict[str, Any] = {}
        for name, info in fields:
            if name in row:
                values[name] = row[name]
            else:
                values[name] = info.get_default(call_default_factory=True)
        shape = frozenset(row)
        fields_set = shapes.get(shape)
        if fields_set is None:
            fields_set = shapes[shape] = set(row)
        return _made(model, values, fields_set)

    return make


def whole(model: type[Fact]) -> Callable[[dict[str, Any]], Fact]:
    """A maker of facts from rows holding every field of the model, in the model's order, with the values of
    facts made and validated before (a Dask task's facts, executors/payload.py): taken as they are."""
    every = set(model.model_fields)

    def make(values: dict[str, Any]) -> Fact:
        return _made(model, values, every)

    return make


def _made(model: type[Fact], values: dict[str, Any], fields_set: set[str]) -> Fact:
    """The fact of these values, as pydantic would hold it, without validating them again."""
    fact = model.__new__(model)
    object.__setattr__(fact, "__dict__", values)
    object.__setattr__(fact, "__pydantic_fields_set__", fields_set)
    object.__setattr__(fact, "__pydantic_extra__", None)
    object.__setattr__(fact, "__pydantic_private__", None)
    return fact
