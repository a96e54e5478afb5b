"""Every fact model has a Polars schema, and plain facts become frames with exactly their fields."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from risk_warning.facts._base import Pii
from risk_warning.facts.normalise import normalise
from risk_warning.facts.registry import FACT_SPECS
from risk_warning.facts.schema import evaluation_schema, frame_of
from risk_warning.sources.directory import DirectorySource

ROOT = Path(__file__).resolve().parents[2]


def test_every_fact_type_has_a_schema_without_high_pii_or_lists() -> None:
    for name, spec in FACT_SPECS.items():
        schema = evaluation_schema(spec)
        assert schema, name
        for field, dtype in schema.items():
            fs = spec.fields[field]
            assert fs.pii is not Pii.HIGH and fs.kind != "list"
            expected = {"date": pl.Int64, "int": pl.Int64, "float": pl.Float64, "str": pl.String, "bool": pl.Boolean}
            assert dtype == expected[fs.kind], (name, field)


def test_plain_facts_become_frames_with_their_values() -> None:
    facts = [normalise(f) for f in DirectorySource(ROOT / "fixtures" / "demo").load().facts]
    types = {f.type for f in facts}
    assert len(types) >= 10
    for fact_type in types:
        spec = FACT_SPECS[fact_type]
        frame = frame_of(spec, facts)
        mine = [f for f in facts if f.type == fact_type]
        assert frame.height == len(mine) and frame.schema == pl.Schema(evaluation_schema(spec))
        for row, fact in zip(frame.iter_rows(named=True), mine, strict=True):
            assert {k: v for k, v in row.items() if v is not None} == dict(fact.fields)
