"""run/selection.py: the columnar choices a scan makes before any fact is made."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from risk_warning.facts._base import SUBJECT_KINDS, subject_kind
from risk_warning.run.selection import _kind

prefixes = st.sampled_from(["", *SUBJECT_KINDS, "Unit", "units", "x"])
ids = st.builds(lambda p, sep, rest: f"{p}{sep}{rest}", prefixes, st.sampled_from(["", ":", "::"]), st.text(max_size=6))


@given(st.lists(ids, max_size=30))
def test_the_kind_column_is_subject_kind(subjects: list[str]) -> None:
    frame = pl.DataFrame({"s": subjects}, schema={"s": pl.String})
    assert frame.select(_kind(pl.col("s"))).to_series().to_list() == [subject_kind(s) for s in subjects]
