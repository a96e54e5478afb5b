"""An evaluator that keeps to the per-subject budget: it refuses a subject before the engine is asked."""

from __future__ import annotations

from risk_warning.engine.base import Evaluator, Match, Partition
from risk_warning.errors import OverBudgetError
from risk_warning.plan.budget import JoinBudget


class Budgeted:
    """``evaluator``, asked only about partitions ``budget`` lets through; ``OverBudgetError`` for the others."""

    def __init__(self, evaluator: Evaluator, budget: JoinBudget) -> None:
        self.evaluator = evaluator
        self.budget = budget

    def evaluate(self, partition: Partition) -> list[Match]:
        cost = self.budget.over(partition.facts)
        if cost is not None:
            raise OverBudgetError(partition.subject, cost.describe(self.budget.limit))
        return self.evaluator.evaluate(partition)

    def close(self) -> None:
        self.evaluator.close()
