"""run/selection.py: the columnar choices a scan makes before any fact is made."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from risk_warning import load_rulesets
from risk_warning.facts._base import SUBJECT_KINDS, subject_kind
from risk_warning.facts.normalise import day_number, normalise
from risk_warning.plan.membership import members
from risk_warning.plan.partition import partition_facts
from risk_warning.plan.screen import SUBJECT, Screen, member_frames
from risk_warning.rules.program import phase_rulesets
from risk_warning.run.selection import _kind, present_subjects, screened
from risk_warning.sources.directory import DirectorySource
from risk_warning.testing.synthetic import generate

ROOT = Path(__file__).resolve().parents[2]

prefixes = st.sampled_from(["", *SUBJECT_KINDS, "Unit", "units", "x"])
ids = st.builds(lambda p, sep, rest: f"{p}{sep}{rest}", prefixes, st.sampled_from(["", ":", "::"]), st.text(max_size=6))


@given(st.lists(ids, max_size=30))
def test_the_kind_column_is_subject_kind(subjects: list[str]) -> None:
    frame = pl.DataFrame({"s": subjects}, schema={"s": pl.String})
    assert frame.select(_kind(pl.col("s"))).to_series().to_list() == [subject_kind(s) for s in subjects]


def test_the_scan_screens_its_frames_as_the_screen_screens_every_column(tmp_path: Path) -> None:
    """selection.screened gives each screen only the columns it reads, from the load's own frames; the
    subjects let through are those of the screen over whole plain facts, partitioned the slow way."""
    rulesets = load_rulesets([ROOT / "rulesets"])
    generate(rulesets, tmp_path, cadres=200, seed=11)
    loaded = DirectorySource(tmp_path).load()
    frames = loaded.frames()
    membership = members(frames)
    present, _ = present_subjects(membership, loaded.quarantined)
    as_of = date(2026, 6, 30)
    got = screened(rulesets, frames, membership, present, as_of)

    plain = [(s, [normalise(f) for f in facts]) for s, facts in partition_facts(loaded.facts) if s in present]
    every_column = member_frames(plain)
    expected: set[str] = set()
    for kind in SUBJECT_KINDS:
        own = phase_rulesets([rs for rs in rulesets if rs.spec.subject == kind], escalation=False)
        subjects = [s for s, _ in plain if subject_kind(s) == kind]
        if own and subjects:
            of_kind = {t: f.filter(pl.col(SUBJECT).is_in(subjects)) for t, f in every_column.items()}
            expected |= Screen(own, day_number(as_of)).passing(of_kind, subjects)
    assert got == expected
    assert 0 < len(got) < len(present)
