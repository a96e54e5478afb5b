"""Evaluate in the calling process: no isolation (an engine segfault ends the process), no start-up cost.

For embedding, tests and small scans (`--workers 0`). Engine errors follow the shared policy; spans and
progress are the shared ones too (executors/crash.py), though a span here never comes back crashed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date

from risk_warning.evaluate.subject import Engine, EvaluatorName
from risk_warning.executors.base import NothingAhead, Outcome, Partition, Span, evaluate_partitions
from risk_warning.executors.crash import with_crash_policy
from risk_warning.plan.horizon import Horizon
from risk_warning.rules.program import Ruleset


class InlineExecutor(NothingAhead):
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
        with Engine(rulesets, evaluator=evaluator) as engine:

            def attempt(tried: Sequence[Span], alone: bool) -> Iterator[tuple[Span, Outcome | None]]:
                for start, stop in tried:
                    yield (start, stop), evaluate_partitions(engine, partitions[start:stop], as_of, horizon)

            return with_crash_policy(partitions, max(1, len(partitions) // 50), attempt, on_progress)
