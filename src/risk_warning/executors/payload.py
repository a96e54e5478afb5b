"""Partitions as plain data, for work that crosses to another process or machine: Arrow IPC, no objects.

A task that leaves the scanning process (a Dask task) carries its span of partitions as bytes: one
Arrow IPC table per fact type, with the model's columns (``facts.schema.model_schema``) and the dates a
record gave to the month only; each fact once, however many partitions hold it (a post or a unit
travels with every subject that points at it); and a table of (partition, fact type, row) in partition
order, beside the subjects. The receiver makes the facts again without validating them anew
(``facts.records.whole``): they were validated where they were read, and ``unpack(pack(p))`` gives
facts equal to ``p``'s, in the same order (tests/executors/test_payload.py).

Fields marked ``Pii.HIGH`` never cross the wire: sources drop them once tokens are made, and ``pack``
empties any a caller's own source left in (no rule reads them; their tokens travel). Such a subject's
state is then computed without them, so the next night re-evaluates it rather than carrying it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from typing import Any

import polars as pl

from risk_warning.facts._base import Fact, Pii
from risk_warning.facts.records import whole
from risk_warning.facts.registry import FACT_MODELS, FACT_SPECS
from risk_warning.facts.schema import model_schema

Partition = tuple[str, list[Fact]]
Packed = dict[str, bytes]  # fact type -> its rows; and the two tables below

_SUBJECTS = "__subjects__"
_MEMBERS = "__members__"
_MONTH_ONLY = "__month_only__"


def pack(partitions: Sequence[Partition]) -> Packed:
    """``partitions`` as Arrow IPC tables, each fact once."""
    facts: dict[str, list[Fact]] = {}
    placed: dict[int, tuple[str, int]] = {}  # id(fact) -> (type, row): facts are shared between partitions
    members: list[tuple[int, str, int]] = []
    for number, (_, found) in enumerate(partitions):
        for fact in found:
            where = placed.get(id(fact))
            if where is None:
                table = facts.setdefault(fact.fact_type, [])
                where = placed[id(fact)] = (fact.fact_type, len(table))
                table.append(fact)
            members.append((number, *where))
    packed = {fact_type: _ipc(_frame(fact_type, found)) for fact_type, found in facts.items()}
    packed[_SUBJECTS] = _ipc(pl.DataFrame({"subject": [s for s, _ in partitions]}, schema={"subject": pl.String}))
    packed[_MEMBERS] = _ipc(
        pl.DataFrame(members, schema={"part": pl.Int64, "type": pl.String, "row": pl.Int64}, orient="row")
    )
    return packed


def _frame(fact_type: str, facts: list[Fact]) -> pl.DataFrame:
    """Facts of one type as columns (built a column at a time: a row at a time was most of ``pack``)."""
    schema = model_schema(FACT_SPECS[fact_type])
    hidden = set(_identifiers(fact_type))
    columns: dict[str, list[Any]] = {
        name: [None] * len(facts) if name in hidden else [f.__dict__[name] for f in facts] for name in schema
    }
    columns[_MONTH_ONLY] = [sorted(f.month_only) or None for f in facts]
    return pl.DataFrame(columns, schema={**schema, _MONTH_ONLY: pl.List(pl.String())})


def unpack(packed: Packed) -> list[Partition]:
    """The partitions ``pack`` was given: equal facts (month-only marks included), in the same order."""
    facts: dict[str, list[Fact]] = {}
    for fact_type, blob in packed.items():
        if fact_type in (_SUBJECTS, _MEMBERS):
            continue
        frame = _read(blob)
        make = whole(FACT_MODELS[fact_type])
        names = [c for c in frame.columns if c != _MONTH_ONLY]
        made = facts[fact_type] = []
        columns = [frame.get_column(name).to_list() for name in names]
        for values, months in zip(zip(*columns, strict=True), frame.get_column(_MONTH_ONLY).to_list(), strict=True):
            fact = make(dict(zip(names, values, strict=True)))
            if months:
                fact.mark_month_only(frozenset(months))
            made.append(fact)
    partitions: list[Partition] = [(subject, []) for subject in _read(packed[_SUBJECTS]).get_column("subject")]
    for number, fact_type, row in _read(packed[_MEMBERS]).iter_rows():
        partitions[number][1].append(facts[fact_type][row])
    return partitions


@cache
def _identifiers(fact_type: str) -> tuple[str, ...]:
    model = FACT_MODELS[fact_type]
    return tuple(name for name in model.model_fields if model.pii_level(name) is Pii.HIGH)


def _ipc(frame: pl.DataFrame) -> bytes:
    sink = io.BytesIO()
    frame.write_ipc(sink)
    return sink.getvalue()


def _read(blob: bytes) -> pl.DataFrame:
    return pl.read_ipc(io.BytesIO(blob))
