"""Evaluate in the calling process: no isolation (an engine segfault ends the process), no start-up cost.

For embedding, tests and small scans (`--workers 0`). Engine errors follow the shared policy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from risk_warning.evaluate.subject import Engine, EvaluatorName
from risk_warning.executors.base import Outcome, Partition, chunks, evaluate_partitions
from risk_warning.plan.horizon import Horizon
from risk_warning.rules.program import Ruleset


class InlineExecutor:
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
        total = Outcome()
        work = chunks(partitions, max(1, len(partitions) // 50))
        with Engine(rulesets, evaluator=evaluator) as engine:
            for done, chunk in enumerate(work, start=1):
                total.merge(evaluate_partitions(engine, chunk, as_of, horizon))
                on_progress(done, len(work))
        return total.sorted()
