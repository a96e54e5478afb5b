"""Escalation scenarios: base scenarios composed on one cadre so that tonight's alerts escalate.

An escalation rule reads signals (alerts). A generated directory holds no alert history, so what it can
plant is a cadre whose own facts raise, on the generation night, the alerts the rule counts or raises:

- X1 (escalate.weak-signals): ``weak_count`` blue or yellow alerts from ``weak_families`` families;
- X2 (escalate.orange-repeat): ``orange_count`` orange alerts;
- X3 (escalate.high-risk-post): a yellow alert of a raised family while the cadre holds a high-risk post.

X6 (conflict.linked-collusion) is no escalation, but its facts raise another ruleset's alert by nature
(``ACROSS_RULESETS``): it is planted from its own test with that alert stated by hand.

Each recipe states by hand, from the rule's params, what the composition must raise: every base alert,
and the escalation (an alert of its own, or the base alert raised). The engine, as for base scenarios,
only decides whether a composition is isolated; it never writes the expected alerts.

Rules that need the store's memory are not composable: a repeat after a talk or an admonition
(escalate.repeat-after-*) counts only an alert first seen after the store began watching the cadre, and
a failed re-check joins an intervention to a stored alert. tests/store/test_closed_loop.py covers them.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from risk_warning.evaluate.subject import Engine
from risk_warning.facts._base import subject_kind
from risk_warning.grade import Grade
from risk_warning.rules.program import Rule, Ruleset
from risk_warning.testing.synthetic.planted import Expected, Scenario, is_id, is_isolated

MAX_TRIES = 200  # compositions tried per escalation rule before it is reported as not planted
HIGH_RISK_FAMILIES = ("procurement", "conflict", "finance")  # the families X3 raises (its match: clause)
NEEDS_STORE = "needs the store's memory of earlier alerts; covered by tests/store/test_closed_loop.py"


@dataclass(frozen=True)
class Base:
    """A planted base scenario that raises exactly one alert, on one cadre."""

    scenario: Scenario
    family: str
    grade: Grade

    @property
    def subject(self) -> str:
        return self.scenario.expected[0].subject_id


def single_alert_bases(scenarios: Sequence[Scenario], rulesets: Sequence[Ruleset]) -> list[Base]:
    family = {r.id: r.spec.family for rs in rulesets for r in rs.rules}
    out = []
    for s in scenarios:
        if len(s.expected) == 1 and subject_kind(s.expected[0].subject_id) == "cadre":
            out.append(Base(s, family[s.rule_id], Grade(s.expected[0].grade)))
    return out


def merge(parts: Sequence[Base], rule_id: str, extra: dict[str, list[dict[str, Any]]] | None = None) -> Scenario | None:
    """The parts' facts on the first part's cadre (every other id kept apart); None if their cadre
    records disagree on a field."""
    subject = parts[0].subject
    facts: dict[str, list[dict[str, Any]]] = {}
    expected: list[Expected] = []
    cadre: dict[str, Any] = {}
    for n, part in enumerate(parts):
        tag = f"{chr(ord('a') + n)}-"

        def rename(value: Any, own: str = part.subject, tag: str = tag) -> Any:
            if isinstance(value, list):
                return [subject if v == own else f"{tag}{v}" for v in value]
            return None if value is None else (subject if value == own else f"{tag}{value}")

        for fact_type, records in part.scenario.facts.items():
            for record in records:
                row = {k: (rename(v) if is_id(fact_type, k) else v) for k, v in record.items()}
                if fact_type == "cadre" and row.get("cadre_id") == subject:
                    if any(k in cadre and cadre[k] != v for k, v in row.items()):
                        return None
                    cadre.update(row)
                    continue
                facts.setdefault(fact_type, []).append(row)
        expected += [Expected(e.rule_id, subject, e.grade) for e in part.scenario.expected]
    if cadre:
        facts.setdefault("cadre", []).insert(0, cadre)
    for fact_type, rows in (extra or {}).items():
        facts.setdefault(fact_type, []).extend(rows)
    test = " + ".join(f"{p.scenario.rule_id} ({p.scenario.test})" for p in parts)
    return Scenario(rule_id, f"composed of {test}", facts, tuple(expected))


def _weak_signals(rule: Rule, rs: Ruleset, bases: Sequence[Base], as_of: date) -> Iterator[Scenario]:
    count, families = int(rs.params["weak_count"]), int(rs.params["weak_families"])
    weak = [b for b in bases if b.grade <= Grade.YELLOW]
    for parts in itertools.combinations(weak, count):
        if len({p.family for p in parts}) >= families and (s := merge(parts, rule.id)):
            yield _with(s, Expected(rule.id, s.expected[0].subject_id, Grade.ORANGE.value))


def _orange_repeat(rule: Rule, rs: Ruleset, bases: Sequence[Base], as_of: date) -> Iterator[Scenario]:
    oranges = [b for b in bases if b.grade == Grade.ORANGE]
    for parts in itertools.combinations(oranges, int(rs.params["orange_count"])):
        if s := merge(parts, rule.id):
            yield _with(s, Expected(rule.id, s.expected[0].subject_id, Grade.RED.value))


def _high_risk_post(rule: Rule, rs: Ruleset, bases: Sequence[Base], as_of: date) -> Iterator[Scenario]:
    assert rule.spec.adjust is not None
    raised = rule.spec.adjust.apply(Grade.YELLOW)
    post = {"position_id": "x3-post", "title": "财务科科长", "category": "财务", "risk_level": "high"}
    for base in bases:
        if base.grade != Grade.YELLOW or base.family not in HIGH_RISK_FAMILIES:
            continue
        held = {"cadre_id": base.subject, "position_id": "x3-post", "start_date": as_of - timedelta(days=400)}
        # a high-risk post holder is owed warning education within the year (J1): give it
        taught = {"cadre_id": base.subject, "type": "警示教育", "date": as_of - timedelta(days=30), "hours": 2}
        s = merge([base], rule.id, {"position": [post], "appointment": [held], "education_record": [taught]})
        if s is None:
            continue
        subject = s.expected[0].subject_id
        # the base alert is raised, and the raise reads as this rule raising it (as in rule tests)
        expected = (Expected(base.scenario.rule_id, subject, raised.value), Expected(rule.id, subject, raised.value))
        yield Scenario(s.rule_id, s.test + " + a high-risk post held", s.facts, expected)


def _linked_collusion(rule: Rule, rs: Ruleset, bases: Sequence[Base], as_of: date) -> Iterator[Scenario]:
    """X6 (conflict.linked-collusion) is a cadre's rule over collusion traces in a tender the cadre is
    responsible for: the same facts raise, by nature, the project's procurement.bid-collusion (E2, orange),
    which its rule tests cannot state (they run one ruleset). Its firing tests, with that alert added here."""
    for test in rule.spec.tests:
        if test.as_of != as_of or not test.expect:
            continue
        facts = {t: [dict(r) for r in rows] for t, rows in test.facts.items()}
        projects = sorted({r["project_id"] for r in facts.get("procurement_event", [])})
        expected = [Expected(e.rule or rule.id, e.subject, e.grade.value) for e in test.expect]
        expected += [Expected("procurement.bid-collusion", f"project:{p}", Grade.ORANGE.value) for p in projects]
        yield Scenario(rule.id, test.name, facts, tuple(expected))


def _with(s: Scenario, escalation: Expected) -> Scenario:
    return Scenario(s.rule_id, s.test, s.facts, (*s.expected, escalation))


Recipe = Callable[[Rule, Ruleset, Sequence[Base], date], Iterator[Scenario]]
RECIPES: dict[str, Recipe] = {
    "escalate.weak-signals": _weak_signals,
    "escalate.orange-repeat": _orange_repeat,
    "escalate.high-risk-post": _high_risk_post,
}
# Base rules whose facts raise another ruleset's alert by nature: planted with that alert stated by hand.
ACROSS_RULESETS: dict[str, Recipe] = {"conflict.linked-collusion": _linked_collusion}


def compose_escalations(
    rulesets: Sequence[Ruleset], bases: Sequence[Scenario], engine: Engine, as_of: date
) -> tuple[list[Scenario], dict[str, str]]:
    """One isolated composition per escalation rule with a recipe, and per rule of ``ACROSS_RULESETS``; why
    each other escalation has none."""
    singles = single_alert_bases(bases, rulesets)
    chosen: list[Scenario] = []
    missing: dict[str, str] = {}
    rng = random.Random(0)
    for rs in rulesets:
        for rule in rs.rules:
            if not rule.escalation and rule.id not in ACROSS_RULESETS:
                continue
            recipe = RECIPES.get(rule.id) or ACROSS_RULESETS.get(rule.id)
            if recipe is None:
                missing[rule.id] = f"escalation: {NEEDS_STORE}"
                continue
            found = next(
                (
                    s
                    for s in itertools.islice(recipe(rule, rs, singles, as_of), MAX_TRIES)
                    if is_isolated(s, engine, as_of, rng)
                ),
                None,
            )
            if found is None:
                missing[rule.id] = f"escalation: no composition of base scenarios isolated in {MAX_TRIES} tries"
            else:
                chosen.append(found)
    return chosen, missing
