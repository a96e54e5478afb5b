"""The pre-filter never keeps from the engine a subject that full evaluation alerts on.

On generated rulesets and facts (the differential test's generators: joins, absence, `or`, `not`,
empty fields), on both evaluators; and on the shipped rulesets over a generated organisation, where
the alerts with and without it are the same and most subjects never reach the engine.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from risk_warning import Engine, load_rulesets
from risk_warning.engine.durable.adapter import DurableEvaluator
from risk_warning.engine.durable.compile import compile_rules
from risk_warning.engine.reference import ReferenceEvaluator
from risk_warning.facts.normalise import day_number
from risk_warning.plan.partition import partition_facts
from risk_warning.plan.prefilter import PreFilter
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
SEEN = {"kept": 0, "dropped": 0}


@settings(
    max_examples=max(200, EXAMPLES // 4),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=ruleset_text(), data=st.data())
def test_no_subject_that_alerts_is_dropped(text: str, data: st.DataObject) -> None:
    ruleset = load_generated(text)
    gate = PreFilter([ruleset], day_number(AS_OF))
    reference = ReferenceEvaluator([ruleset], AS_OF)
    with DurableEvaluator(compile_rules([ruleset], AS_OF)) as durable:
        for subject in ("c1", "c2"):
            partition = partition_of(subject, data.draw(partition_records(subject), label=subject))
            may = gate.may_fire(partition.facts)
            SEEN["kept" if may else "dropped"] += 1
            if reference.evaluate(partition) or durable.evaluate(partition):
                assert may, text


def test_the_generated_cases_drop_some_subjects() -> None:
    """Not vacuous: over the examples above, the gates kept some subjects from the engine."""
    if SEEN["kept"] + SEEN["dropped"] == 0:
        test_no_subject_that_alerts_is_dropped()
    assert SEEN["dropped"] > 0 and SEEN["kept"] > 0, SEEN


def test_shipped_rules_give_the_same_alerts_with_most_subjects_kept_from_the_engine(tmp_path: Path) -> None:
    from risk_warning.testing.synthetic import generate

    rulesets = load_rulesets([ROOT / "rulesets"])
    generate(rulesets, tmp_path / "org", cadres=400, seed=5)
    facts = DirectorySource(tmp_path / "org").load().facts
    as_of = date(2026, 6, 30)
    with Engine(rulesets) as gated, Engine(rulesets, prefilter=False) as everyone:
        subjects = 0
        for subject, members in partition_facts(facts):
            subjects += 1
            expected = everyone.evaluate_subject(subject, members, as_of)
            assert gated.evaluate_subject(subject, members, as_of) == expected, subject
        assert everyone.engine_subjects == subjects
        assert gated.engine_subjects < subjects / 4, (gated.engine_subjects, subjects)
