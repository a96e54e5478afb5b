"""Which subjects an incremental scan must evaluate, and what it records for the next one.

A subject is skipped ("carried") when its facts hash the same as when it was last evaluated, the rules
are the same, and the scan date lies within the validity horizon recorded then (see ``horizon``).
Otherwise it is evaluated. The result is the same as a full scan's (``tests/plan/test_incremental.py``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Protocol

from risk_warning.alerts.model import Alert
from risk_warning.facts._base import Fact
from risk_warning.facts.history import Signal
from risk_warning.facts.normalise import day_number, from_day_number, normalise
from risk_warning.plan.horizon import Horizon


class SubjectState(Protocol):
    """What the store remembers of a subject's last evaluation (any object with these attributes)."""

    @property
    def fact_hash(self) -> str: ...
    @property
    def ruleset_hash(self) -> str: ...
    @property
    def evaluated_as_of(self) -> date: ...
    @property
    def valid_until(self) -> date: ...
    @property
    def seen_on(self) -> date: ...


Partition = tuple[str, list[Fact]]


def fact_hash(facts: Sequence[Fact], held_on: date | None = None) -> str:
    """A digest of a subject's facts.

    ``held_on`` is the date the subject was last evaluated or carried. An earlier alert (a signal) last
    seen that day still held then: it moves its ``last_seen`` every night it holds, and whenever the
    subject's other facts are unchanged it holds tonight too, when tonight's copy replaces it. So its
    ``last_seen`` is left out of the digest, or every subject with an alert would be re-evaluated nightly.
    """
    lines = sorted(f"{f.fact_type}\x1f{_stable_json(f, held_on)}" for f in facts)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _stable_json(fact: Fact, held_on: date | None) -> str:
    if isinstance(fact, Signal) and held_on is not None and fact.last_seen == held_on:
        return fact.model_dump_json(exclude={"last_seen"}) + "\x1fheld"
    return fact.model_dump_json()


def plan(
    partitions: Sequence[Partition],
    states: Mapping[str, SubjectState],
    ruleset_hash: str,
    as_of: date,
) -> tuple[list[Partition], list[str], dict[str, str]]:
    """(partitions to evaluate, subjects carried forward, the fact hash of every subject)."""
    hashes = {
        subject: fact_hash(facts, states[subject].seen_on if subject in states else None)
        for subject, facts in partitions
    }
    evaluate: list[Partition] = []
    carried: list[str] = []
    for subject, facts in partitions:
        state = states.get(subject)
        if (
            state is not None
            and state.fact_hash == hashes[subject]
            and state.ruleset_hash == ruleset_hash
            and state.evaluated_as_of <= as_of <= state.valid_until
        ):
            carried.append(subject)
        else:
            evaluate.append((subject, facts))
    return evaluate, carried, hashes


def new_states(
    evaluated: Sequence[Partition],
    alerts: Sequence[Alert],
    hashes: Mapping[str, str],
    horizon: Horizon,
) -> dict[str, tuple[str, date]]:
    """(fact hash, valid until) for every evaluated subject."""
    rules_by_subject: dict[str, list[str]] = {}
    for alert in alerts:
        rules_by_subject.setdefault(alert.subject_id, []).append(alert.rule_id)
    out: dict[str, tuple[str, date]] = {}
    for subject, facts in evaluated:
        plain = [normalise(f) for f in facts]
        until = horizon.valid_until(plain, rules_by_subject.get(subject, []))
        out[subject] = (hashes[subject], from_day_number(max(until, horizon.day)))
    return out


__all__ = ["day_number", "fact_hash", "new_states", "plan"]
