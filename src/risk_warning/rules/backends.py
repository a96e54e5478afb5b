"""What an evaluation backend can refuse at load time, without ``rules/`` importing any backend.

A backend (engine/durable) registers a check when it is imported; the loader runs every registered
check on each rule and reports what a backend cannot express at file:line:col, with the rule's id,
before any scan. ``risk_warning`` imports its engines on import, so the checks are always in place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from risk_warning.facts.registry import FactSpec
from risk_warning.rules.program import Rule


@dataclass(frozen=True)
class Unsupported:
    """A condition a backend cannot express: ``where`` is a level's grade, or ``grade/alias`` of a pattern."""

    where: str
    message: str


RuleCheck = Callable[[Rule, Mapping[str, Any], Mapping[str, FactSpec]], list[Unsupported]]
CHECKS: dict[str, RuleCheck] = {}


def register(name: str, check: RuleCheck) -> None:
    CHECKS[name] = check
