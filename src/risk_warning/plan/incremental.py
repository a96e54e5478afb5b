"""Which subjects an incremental scan must evaluate, and what it records for the next one.

A subject is skipped ("carried") when its facts hash the same as when it was last evaluated, the rules
are the same, and the scan date lies within the validity horizon recorded then (see ``horizon``).
Otherwise it is evaluated. The result is the same as a full scan's (``tests/plan/test_incremental.py``).

The hash recorded after an evaluation is the one the subject's facts will have at the next scan if
nothing changes: the history the store adds because of tonight (tonight's alerts as signals, the ones
that no longer hold as cleared) is predicted, and the ``watch`` fact (since when the store watches the
subject, fixed at its first evaluation) is left out. So the store's own bookkeeping never makes an
unchanged subject look changed; any other difference, a person's triage included, re-evaluates it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Protocol

from risk_warning.alerts.lifecycle import WATCHED, AlertStatus, signal_after
from risk_warning.alerts.model import Alert
from risk_warning.facts._base import Fact
from risk_warning.facts.history import Signal, Watch
from risk_warning.facts.normalise import PlainFact, day_number, from_day_number, normalise
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
    lines = sorted(f"{f.fact_type}\x1f{_stable_json(f, held_on)}" for f in facts if not isinstance(f, Watch))
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
) -> tuple[list[Partition], list[str]]:
    """(partitions to evaluate, subjects carried forward); a subject is hashed only when it has a state."""
    evaluate: list[Partition] = []
    carried: list[str] = []
    for subject, facts in partitions:
        state = states.get(subject)
        if (
            state is not None
            and state.ruleset_hash == ruleset_hash
            and state.evaluated_as_of <= as_of <= state.valid_until
            and state.fact_hash == fact_hash(facts, state.seen_on)
        ):
            carried.append(subject)
        else:
            evaluate.append((subject, facts))
    return evaluate, carried


def settled(facts: Sequence[Fact], alerts: Sequence[Alert], as_of: date) -> list[Fact]:
    """A subject's facts as the next scan will read them if nothing changes: its signals as the store will
    hold them once tonight's ``alerts`` are written (the writer's rules, stated for one subject)."""
    priors = {f.signal_id: f for f in facts if isinstance(f, Signal)}
    out: list[Fact] = [f for f in facts if not isinstance(f, Signal)]
    for alert in alerts:
        out.append(signal_after(alert, priors.pop(alert.fingerprint, None), as_of))
    for prior in priors.values():  # no longer holds: a watched one is cleared, the others stay as they are
        out.append(prior.model_copy(update={"status": AlertStatus.CLEARED.value}) if prior.status in WATCHED else prior)
    return out


def state_of(
    facts: Sequence[Fact],
    alerts: Sequence[Alert],
    horizon: Horizon,
    as_of: date,
    plain: Sequence[PlainFact] | None = None,
) -> tuple[str, date]:
    """(fact hash as the next scan will see it, valid until) for one evaluated subject and its alerts;
    ``plain`` is the facts normalised, when the caller has them."""
    plain = [normalise(f) for f in facts] if plain is None else plain
    until = horizon.valid_until(plain, [a.rule_id for a in alerts])
    return fact_hash(settled(facts, alerts, as_of), as_of), from_day_number(max(until, horizon.day))


__all__ = ["day_number", "fact_hash", "plan", "settled", "state_of"]
