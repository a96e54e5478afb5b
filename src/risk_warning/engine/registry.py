"""Evaluators by name: the one place that turns "durable" or "reference" into an evaluator."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from risk_warning.engine.base import Evaluator
from risk_warning.engine.durable import compile_rules  # importing the backend registers its load-time check
from risk_warning.engine.reference import ReferenceEvaluator
from risk_warning.rules.program import Ruleset


def _durable(rulesets: Sequence[Ruleset], as_of: date) -> Evaluator:
    from risk_warning.engine.durable.adapter import DurableEvaluator  # loads the C engine only when used

    return DurableEvaluator(compile_rules(rulesets, as_of))


def _reference(rulesets: Sequence[Ruleset], as_of: date) -> Evaluator:
    return ReferenceEvaluator(rulesets, as_of)


EVALUATORS: dict[str, Callable[[Sequence[Ruleset], date], Evaluator]] = {
    "durable": _durable,
    "reference": _reference,
}


def make_evaluator(name: str, rulesets: Sequence[Ruleset], as_of: date) -> Evaluator:
    """The evaluator called ``name`` for these rulesets as of a date; close it when done."""
    try:
        factory = EVALUATORS[name]
    except KeyError:
        raise ValueError(f"unknown evaluator '{name}': one of {', '.join(sorted(EVALUATORS))}") from None
    return factory(rulesets, as_of)
