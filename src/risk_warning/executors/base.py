"""Where partitions are evaluated: one protocol, one crash policy shared by every executor.

An executor evaluates subject partitions for one as-of date and ruleset set, and returns the alerts,
the subjects it evaluated and the subjects it had to quarantine. The policy is the same everywhere:
an error the engine reports for one subject quarantines that subject, with a reason, and nothing
else; results come back sorted, so they never depend on the order in which work finished. Executors
that isolate the engine (processes) add the crash half of the policy: retry, bisect to the subject,
quarantine it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from risk_warning.alerts.model import Alert
from risk_warning.errors import OverBudgetError, QuarantinedRecord, Reason, RiskWarningError, SourceLocation
from risk_warning.evaluate.subject import Engine, EvaluatorName
from risk_warning.executors.faults import Faults
from risk_warning.facts._base import Fact
from risk_warning.facts.normalise import normalise
from risk_warning.plan.horizon import Horizon
from risk_warning.plan.incremental import state_of
from risk_warning.rules.program import Ruleset
from risk_warning.rules.workdays import CalendarError

Partition = tuple[str, list[Fact]]


@dataclass
class Outcome:
    alerts: list[Alert] = field(default_factory=list)
    evaluated: list[str] = field(default_factory=list)
    quarantined: list[QuarantinedRecord] = field(default_factory=list)
    crashes: int = 0
    engine_subjects: int = 0  # evaluated subjects the pre-filter sent to the engine
    states: dict[str, tuple[str, date]] = field(default_factory=dict)  # for incremental scans (with a horizon)

    def merge(self, part: Outcome) -> None:
        self.alerts.extend(part.alerts)
        self.evaluated.extend(part.evaluated)
        self.quarantined.extend(part.quarantined)
        self.crashes += part.crashes
        self.engine_subjects += part.engine_subjects
        self.states.update(part.states)

    def sorted(self) -> Outcome:
        self.alerts.sort(key=Alert.sort_key)
        self.evaluated.sort()
        return self


class Executor(Protocol):
    """Evaluate every partition; ``on_progress(done, total)`` after each piece of work (lease renewal, progress)."""

    def run(
        self,
        rulesets: Sequence[Ruleset],
        partitions: Sequence[Partition],
        as_of: date,
        *,
        evaluator: EvaluatorName = "durable",
        on_progress: Callable[[int, int], None] = lambda done, total: None,
        horizon: Horizon | None = None,
    ) -> Outcome:
        """With a ``horizon``, also each evaluated subject's state for the next incremental scan."""
        ...

    def prepare(
        self,
        rulesets: Sequence[Ruleset],
        as_of: date,
        *,
        evaluator: EvaluatorName = "durable",
        horizon: Horizon | None = None,
    ) -> None:
        """Get ready, without waiting, for runs with these arguments (start workers, compile their engines)
        while the scan reads its input; a run works whether or not this was called."""
        ...

    def close(self) -> None:
        """Let go of what the executor holds between runs (a cluster's connection); it may run no more."""
        ...


class NothingAhead:
    """For executors with nothing to start ahead of a run or keep between runs (inline, local processes)."""

    def prepare(
        self,
        rulesets: Sequence[Ruleset],
        as_of: date,
        *,
        evaluator: EvaluatorName = "durable",
        horizon: Horizon | None = None,
    ) -> None:
        pass  # the engine is compiled where it runs, when the run starts

    def close(self) -> None:
        pass


def subject_quarantine(subject: str, reason: Reason, message: str) -> QuarantinedRecord:
    return QuarantinedRecord(SourceLocation(f"subject:{subject}"), "", reason, message)


def evaluate_partitions(
    engine: Engine,
    partitions: Sequence[Partition],
    as_of: date,
    horizon: Horizon | None = None,
    faults: Faults | None = None,
) -> Outcome:
    """The shared per-subject policy: an engine error quarantines only its subject. With a ``horizon``,
    each evaluated subject's state is computed where it was evaluated (in the worker, in parallel).
    ``faults``: the tests' hooks (executors/faults.py), read from this process's environment if not given."""
    outcome = Outcome()
    before = engine.engine_subjects
    faults = faults or Faults()
    for subject, facts in partitions:
        try:
            faults.meet(subject)
            plain = [normalise(f) for f in facts]  # once, for the evaluation and the state
            alerts = engine.evaluate_subject(subject, facts, as_of, plain)
            outcome.alerts.extend(alerts)
            outcome.evaluated.append(subject)
            if horizon is not None:
                outcome.states[subject] = state_of(facts, alerts, horizon, as_of, plain)
        except CalendarError:
            raise  # not this subject's fault: the calendar lacks a year the data need; the scan stops
        except OverBudgetError as exc:
            outcome.quarantined.append(subject_quarantine(subject, Reason.OVER_BUDGET, exc.detail))
        except RiskWarningError as exc:
            outcome.quarantined.append(subject_quarantine(subject, Reason.ENGINE_CRASH, f"engine error: {exc}"))
    outcome.engine_subjects = engine.engine_subjects - before
    return outcome


Span = tuple[int, int]  # partitions[start:stop]


def spans(count: int, pieces: int) -> list[Span]:
    """About ``pieces`` spans of positions (at most 200 subjects each), in order."""
    size = max(1, min(200, -(-count // max(1, pieces))))
    return [(i, min(i + size, count)) for i in range(0, count, size)]
