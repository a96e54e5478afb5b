"""Planted scenarios: the firing tests written beside every shipped rule, re-keyed to fresh subjects.

A rule's test states facts and, by hand, the alerts they must raise. A test is a scenario when it is
dated on the generation day, expects alerts, and on its own raises exactly those alerts under every
shipped ruleset (no other rule fires on it). Each instance prefixes every id, so instances share
nothing with each other or with the background organisation.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from risk_warning.alerts.model import Alert
from risk_warning.evaluate.subject import Engine
from risk_warning.facts._base import subject_id, subject_kind
from risk_warning.facts.registry import FACT_MODELS
from risk_warning.rules.program import Ruleset
from risk_warning.sources.memory import MemorySource
from risk_warning.testing.synthetic import identity

HISTORY_TYPES = frozenset({"signal", "watch"})  # alert history lives in the store, not in input data
_ID_SUFFIXES = ("_id", "_ids", "_ref", "credit_code")


@dataclass(frozen=True)
class Expected:
    rule_id: str
    subject_id: str
    grade: str


@dataclass(frozen=True)
class Scenario:
    rule_id: str
    test: str
    facts: dict[str, list[dict[str, Any]]]
    expected: tuple[Expected, ...]


def is_id(fact_type: str, field: str) -> bool:
    return field == FACT_MODELS[fact_type].key_field or field.endswith(_ID_SUFFIXES)


def _prefixed(value: Any, prefix: str) -> Any:
    if isinstance(value, list):
        return [f"{prefix}{v}" for v in value]
    return None if value is None else f"{prefix}{value}"


def instantiate(
    scenario: Scenario, n: int, rng: random.Random
) -> tuple[dict[str, list[dict[str, Any]]], list[Expected]]:
    """Instance ``n`` of a scenario: every id prefixed, a named cadre record for each cadre it alerts on."""
    prefix = f"S{n:05d}-"
    facts: dict[str, list[dict[str, Any]]] = {}
    counter = 0
    for fact_type, records in scenario.facts.items():
        model = FACT_MODELS[fact_type]
        out = []
        for record in records:
            counter += 1
            row = {k: (_prefixed(v, prefix) if is_id(fact_type, k) else v) for k, v in record.items()}
            row.setdefault(model.key_field, f"{prefix}{fact_type}-{counter}")
            out.append(row)
        facts[fact_type] = out
    expected = [Expected(e.rule_id, _subject(e.subject_id, prefix), e.grade) for e in scenario.expected]
    cadres = {r["cadre_id"]: r for r in facts.get("cadre", [])}
    for e in expected:
        if subject_kind(e.subject_id) == "cadre" and e.subject_id not in cadres:
            cadres[e.subject_id] = {"cadre_id": e.subject_id}
            facts.setdefault("cadre", []).append(cadres[e.subject_id])
    for row in cadres.values():
        male = rng.random() < 0.6
        born = identity.birth_date(rng, date(2026, 6, 30))
        row.setdefault("name", identity.name(rng))
        row.setdefault("gender", "男" if male else "女")
        row.setdefault("id_card_no", identity.id_number(rng, born, male))
    return facts, expected


def _subject(subject: str, prefix: str) -> str:
    kind = subject_kind(subject)
    bare = subject if kind == "cadre" else subject.partition(":")[2]
    return subject_id(kind, prefix + bare)


def _candidates(rulesets: Sequence[Ruleset], as_of: date) -> list[Scenario]:
    out = []
    for rs in rulesets:
        for rule in rs.rules:
            for test in rule.spec.tests:
                if test.as_of != as_of or not test.expect or test.params or HISTORY_TYPES & set(test.facts):
                    continue
                expected = tuple(Expected(e.rule or rule.id, e.subject, e.grade.value) for e in test.expect)
                facts = {t: [dict(r) for r in rows] for t, rows in test.facts.items()}
                out.append(Scenario(rule.id, test.name, facts, expected))
    return out


def outcomes(alerts: Iterable[Alert]) -> set[tuple[str, str, str]]:
    """(rule, subject, grade) of each alert, and of each raise an escalation rule made to one (as rule
    tests read a raise: the raising rule at the grade it raised the alert to)."""
    out = {(a.rule_id, a.subject_id, a.grade.value) for a in alerts}
    out |= {(adj.rule_id, a.subject_id, adj.to_grade.value) for a in alerts for adj in a.adjustments}
    return out


def is_isolated(scenario: Scenario, engine: Engine, as_of: date, rng: random.Random) -> bool:
    """On its own, under every shipped ruleset, the scenario raises exactly the alerts it expects."""
    facts, expected = instantiate(scenario, 0, rng)
    loaded = MemorySource.from_records(facts).load()
    if loaded.quarantined:
        return False
    return outcomes(engine.evaluate(loaded.facts, as_of)) == {(e.rule_id, e.subject_id, e.grade) for e in expected}


def select_scenarios(rulesets: Sequence[Ruleset], engine: Engine, as_of: date) -> tuple[list[Scenario], dict[str, str]]:
    """One isolated scenario per base rule (its first test that qualifies), and why each other has none.

    Escalation rules are left to :mod:`risk_warning.testing.synthetic.composed`.
    """
    chosen: dict[str, Scenario] = {}
    rng = random.Random(0)
    for candidate in _candidates(rulesets, as_of):
        if candidate.rule_id not in chosen and is_isolated(candidate, engine, as_of, rng):
            chosen[candidate.rule_id] = candidate
    missing = {
        rule.id: f"no test dated {as_of} that raises only its own alerts"
        for rs in rulesets
        for rule in rs.rules
        if rule.id not in chosen and not rule.escalation
    }
    return [chosen[k] for k in sorted(chosen)], missing
