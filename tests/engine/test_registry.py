"""Evaluators by name: both known names give an evaluator that evaluates and closes; others are refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from risk_warning import load_rulesets
from risk_warning.engine.base import Partition
from risk_warning.engine.registry import EVALUATORS, make_evaluator

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(EVALUATORS))
def test_each_evaluator_evaluates_and_closes(name: str) -> None:
    evaluator = make_evaluator(name, load_rulesets([ROOT / "rulesets" / "core" / "rotation.yaml"]), date(2026, 6, 30))
    assert evaluator.evaluate(Partition("c1", [])) == []
    evaluator.close()


def test_an_unknown_evaluator_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown evaluator 'drools': one of durable, reference"):
        make_evaluator("drools", [], date(2026, 6, 30))
