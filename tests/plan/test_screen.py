"""The screen lets through every subject that alerts, on generated rulesets and facts (both evaluators) and on
the shipped rulesets over a generated organisation, and stops most others; its indicators equal plan/indicators.py's.

It may stop a subject the pre-filter's gates let by: a gate with more than ``MAX_COMBINATIONS`` bindings
passes untried, where the screen tries the joins as frames."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from risk_warning import Engine, load_rulesets
from risk_warning.engine.durable.adapter import DurableEvaluator
from risk_warning.engine.durable.compile import compile_rules
from risk_warning.engine.reference import ReferenceEvaluator
from risk_warning.facts._base import SUBJECT_KINDS, subject_kind
from risk_warning.facts.normalise import PlainFact, day_number, normalise
from risk_warning.plan.indicators import indicator_facts
from risk_warning.plan.partition import partition_facts
from risk_warning.plan.screen import SUBJECT, Screen, member_frames
from risk_warning.rules.program import phase_rulesets
from risk_warning.sources.directory import DirectorySource
from tests.engine.test_differential import (
    AS_OF,
    EXAMPLES,
    load_generated,
    partition_of,
    partition_records,
    ruleset_text,
)

ROOT = Path(__file__).resolve().parents[2]
SEEN = {"through": 0, "stopped": 0}


@settings(
    max_examples=max(200, EXAMPLES // 4),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=ruleset_text(), data=st.data())
def test_every_subject_that_alerts_is_let_through(text: str, data: st.DataObject) -> None:
    ruleset = load_generated(text)
    day = day_number(AS_OF)
    partitions = [partition_of(s, data.draw(partition_records(s), label=s)) for s in ("c1", "c2")]
    through = Screen([ruleset], day).passing(member_frames((p.subject, p.facts) for p in partitions), ["c1", "c2"])
    reference = ReferenceEvaluator([ruleset], AS_OF)
    with DurableEvaluator(compile_rules([ruleset], AS_OF)) as durable:
        for partition in partitions:
            SEEN["through" if partition.subject in through else "stopped"] += 1
            if reference.evaluate(partition) or durable.evaluate(partition):
                assert partition.subject in through, text


def test_the_generated_cases_stop_some_subjects() -> None:
    """Not vacuous: over the examples above, the screen stopped some subjects and let others through."""
    if SEEN["through"] + SEEN["stopped"] == 0:
        test_every_subject_that_alerts_is_let_through()
    assert SEEN["stopped"] > 0 and SEEN["through"] > 0, SEEN


@pytest.fixture(scope="module")
def organisation(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, list[tuple[str, list[Any]]]]:
    from risk_warning.testing.synthetic import generate

    rulesets = load_rulesets([ROOT / "rulesets"])
    out = tmp_path_factory.mktemp("org")
    generate(rulesets, out, cadres=400, seed=5)
    return rulesets, list(partition_facts(DirectorySource(out).load().facts))


def _screened(rulesets: Any, partitions: list[tuple[str, list[Any]]], as_of: date) -> set[str]:
    day = day_number(as_of)
    plain = [(s, [normalise(f) for f in members]) for s, members in partitions]
    frames = member_frames(plain)
    through: set[str] = set()
    for kind in SUBJECT_KINDS:
        own = phase_rulesets([rs for rs in rulesets if rs.spec.subject == kind], escalation=False)
        subjects = [s for s, _ in plain if subject_kind(s) == kind]
        kind_frames = {t: f.filter(f[SUBJECT].is_in(subjects)) for t, f in frames.items()}
        through |= Screen(own, day).passing(kind_frames, subjects)
    return through


def test_shipped_rules_screen_out_most_subjects_and_none_that_alerts(organisation: Any) -> None:
    rulesets, partitions = organisation
    as_of = date(2026, 6, 30)
    through = _screened(rulesets, partitions, as_of)
    with Engine(rulesets, prefilter=False) as engine:
        alerting = {s for s, members in partitions if engine.explain_subject(s, members, as_of).alerts}
    assert alerting and alerting <= through, sorted(alerting - through)
    assert 0 < len(through) < len(partitions) / 3, (len(through), len(partitions))


def test_indicators_by_column_equal_those_by_subject(organisation: Any) -> None:
    rulesets, partitions = organisation
    day = day_number(date(2026, 6, 30))
    for kind in SUBJECT_KINDS:
        own = phase_rulesets([rs for rs in rulesets if rs.spec.subject == kind], escalation=False)
        plain = [(s, [normalise(f) for f in m]) for s, m in partitions if subject_kind(s) == kind]
        subjects = [s for s, _ in plain]
        screen = Screen(own, day)
        frames = member_frames(plain)
        expected: dict[str, set[tuple[Any, ...]]] = {}
        for subject, facts in plain:
            for fact in indicator_facts(own, subject, facts, day):
                expected.setdefault(fact.type, set()).add(_row(fact))
        for fact_type in screen.indicators:
            frame = screen.indicator_frame(fact_type, frames, subjects)
            assert frame is not None, fact_type
            got = {
                _row(PlainFact(fact_type, "", {k: v for k, v in row.items() if v is not None and k != SUBJECT}))
                for row in frame.to_dicts()
            }
            assert got == expected.get(fact_type, set()), fact_type


def _row(fact: PlainFact) -> tuple[Any, ...]:
    return (fact.fields.get("subject_id"), fact.fields.get("key"), repr(fact.fields.get("value")))


def test_a_join_over_the_limit_is_answered_half_the_subjects_at_a_time(
    organisation: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The join limit bounds memory, not the export: over it, the candidates are halved until each part
    fits, so the answer is the one without a limit (only a single subject over the limit is let by)."""
    from risk_warning.plan import screen

    rulesets, partitions = organisation
    as_of = date(2026, 6, 30)
    unlimited = _screened(rulesets, partitions, as_of)
    over: list[int] = []
    join = screen._join

    def counted(left: Any, right: Any, keys: Any) -> Any:
        joined = join(left, right, keys)
        over.append(joined is None)
        return joined

    monkeypatch.setattr(screen, "JOIN_LIMIT", 1_000)
    monkeypatch.setattr(screen, "_join", counted)
    assert _screened(rulesets, partitions, as_of) == unlimited
    assert sum(over) > 0  # some joins were over the limit and answered in parts
