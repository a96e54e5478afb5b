"""One contract over every executor: the same alerts, evaluated subjects and quarantine, in the same order,
an engine error quarantining only its subject, and progress reported to the end."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from risk_warning import DirectorySource, load_rulesets
from risk_warning.errors import EngineError, Reason
from risk_warning.evaluate.subject import Engine
from risk_warning.executors.base import Executor, Outcome
from risk_warning.executors.inline import InlineExecutor
from risk_warning.executors.processes import ProcessExecutor
from risk_warning.plan.partition import partition_facts

ROOT = Path(__file__).resolve().parents[2]
RULESETS = load_rulesets([ROOT / "rulesets"])
AS_OF = date(2026, 6, 30)
PARTITIONS = list(partition_facts(DirectorySource(ROOT / "fixtures" / "demo").load().facts))
EXECUTORS = {"inline": InlineExecutor, "processes": lambda: ProcessExecutor(2)}


def run(executor: Executor) -> tuple[Outcome, list[tuple[int, int]]]:
    progress: list[tuple[int, int]] = []
    outcome = executor.run(RULESETS, PARTITIONS, AS_OF, on_progress=lambda done, total: progress.append((done, total)))
    return outcome, progress


def shape(outcome: Outcome) -> tuple[list[tuple[str, str, str]], list[str], list[str]]:
    alerts = [(a.subject_id, a.rule_id, a.fingerprint) for a in outcome.alerts]
    return alerts, outcome.evaluated, [q.location.path for q in outcome.quarantined]


@pytest.fixture(scope="module")
def reference() -> Outcome:
    with Engine(RULESETS) as engine:
        alerts = [a for subject, facts in PARTITIONS for a in engine.evaluate_subject(subject, facts, AS_OF)]
    return Outcome(alerts, [s for s, _ in PARTITIONS]).sorted()


@pytest.mark.parametrize("name", EXECUTORS)
def test_every_executor_gives_the_same_sorted_result(name: str, reference: Outcome) -> None:
    outcome, progress = run(EXECUTORS[name]())
    assert shape(outcome) == shape(reference) and len(outcome.alerts) > 10
    assert progress and progress[-1][0] == progress[-1][1]  # done / total, ending at total


@pytest.mark.parametrize("name", EXECUTORS)
def test_an_engine_error_quarantines_only_its_subject(
    name: str, reference: Outcome, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Engine.evaluate_subject

    def failing(self: Engine, subject: str, facts: list[object], as_of: date, plain: object = None) -> object:
        if subject == "C007":
            raise EngineError("the engine returned a result the adapter refuses to trust")
        return real(self, subject, facts, as_of, plain)  # type: ignore[arg-type]

    monkeypatch.setattr(Engine, "evaluate_subject", failing)  # inherited by forked workers
    outcome, _ = run(EXECUTORS[name]())
    (q,) = outcome.quarantined
    assert (q.location.path, q.reason) == ("subject:C007", Reason.ENGINE_CRASH) and "refuses to trust" in q.message
    alerts, evaluated, _ = shape(reference)
    assert shape(outcome) == (
        [a for a in alerts if a[0] != "C007"],
        [s for s in evaluated if s != "C007"],
        ["subject:C007"],
    )


@pytest.mark.parametrize("name", EXECUTORS)
def test_with_a_horizon_every_executor_gives_each_evaluated_subject_its_state(name: str) -> None:
    """States for the next incremental scan are computed where subjects are evaluated, identically."""
    from risk_warning.facts.normalise import day_number
    from risk_warning.plan.horizon import compute_horizon
    from risk_warning.plan.incremental import state_of

    horizon = compute_horizon(RULESETS, day_number(AS_OF))
    outcome = EXECUTORS[name]().run(RULESETS, PARTITIONS, AS_OF, horizon=horizon)
    assert sorted(outcome.states) == outcome.evaluated
    with Engine(RULESETS) as engine:
        for subject, facts in PARTITIONS:
            alerts = engine.evaluate_subject(subject, facts, AS_OF)
            assert outcome.states[subject] == state_of(facts, alerts, horizon, AS_OF), subject
