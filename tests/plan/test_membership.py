"""Membership by frames (plan/membership.py) equals ``partition_facts`` on a generated export: the same
subjects, and for each the same facts in the same order."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from risk_warning import DirectorySource, load_rulesets
from risk_warning.plan.membership import ORDER, ROLE, SEQ, SUBJECT, members
from risk_warning.plan.partition import partition_facts
from risk_warning.testing.synthetic import generate

ROOT = Path(__file__).resolve().parents[2]


def test_membership_by_frames_equals_partition_facts(tmp_path: Path) -> None:
    generate(load_rulesets([ROOT / "rulesets"]), tmp_path, cadres=200, seed=11)
    loaded = DirectorySource(tmp_path).load()
    found = members(loaded.frames())
    facts = loaded.facts  # made once, in the order accepted
    by_seq = dict(loaded.objects)
    every = pl.concat([f.select(SUBJECT, SEQ, ORDER, ROLE) for f in found.values()])
    partitions = {s for s in every.filter(pl.col(ROLE) != "attached").get_column(SUBJECT).unique().to_list()}
    expected = dict(partition_facts(facts))
    assert partitions == set(expected)
    by_subject = every.filter(pl.col(SUBJECT).is_in(list(partitions))).sort(SUBJECT, ORDER, SEQ)
    got: dict[str, list[str]] = {}
    for subject, seq in by_subject.select(SUBJECT, SEQ).iter_rows():
        got.setdefault(subject, []).append(by_seq[seq].key)
    for subject, partition in expected.items():
        assert got[subject] == [f.key for f in partition], subject
    assert any(len(p) > 20 for p in expected.values())
