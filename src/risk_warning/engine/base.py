"""What every evaluator takes and gives: one subject's facts in, matches out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from risk_warning.facts.normalise import PlainFact
from risk_warning.grade import Grade


@dataclass(frozen=True)
class Partition:
    """One subject (a cadre) and every fact that belongs to it, reference facts included."""

    subject: str
    facts: Sequence[PlainFact]


@dataclass(frozen=True, order=True)
class Match:
    """A rule level whose patterns all matched: which facts (by index into the partition) and for whom."""

    ruleset_id: str
    rule_id: str
    grade: Grade
    subject: str
    bindings: tuple[tuple[str, int], ...]


class Evaluator(Protocol):
    """Evaluates a fixed set of compiled rules, as of a fixed date, one partition at a time; ``close``
    frees what it holds (the durable engine's rulesets)."""

    def evaluate(self, partition: Partition) -> list[Match]: ...

    def close(self) -> None: ...
