"""Escalation: tonight's alerts and the subject's remembered ones as signals, the escalation rules run
on them until their result settles, and the grades they raise applied with their reasons.

The second phase repeats because escalations are signals too: X1 orange tonight can feed X2 red
tonight. A rule set that never settles (an escalation counting signals of a grade it raises itself)
is an ``EngineError`` after ``MAX_ROUNDS``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from risk_warning.alerts.build import build_alerts
from risk_warning.alerts.lifecycle import signal_after
from risk_warning.alerts.model import Adjustment, Alert, Evidence
from risk_warning.engine.base import Evaluator, Match, Partition
from risk_warning.errors import EngineError
from risk_warning.facts._base import Fact
from risk_warning.facts.history import Signal, Watch
from risk_warning.facts.normalise import PlainFact, day_number, from_day_number, normalise
from risk_warning.facts.registry import specs_with
from risk_warning.grade import Grade
from risk_warning.plan.indicators import indicator_facts
from risk_warning.rules.interpret import Scope, truth
from risk_warning.rules.program import SIGNAL, Rule, Ruleset
from risk_warning.rules.template import render_template

MAX_ROUNDS = 6  # escalation rounds before the rules are declared not to settle
NOT_SIGNALS = frozenset({"false_positive"})  # alerts that never count as signals

RuleIndex = Mapping[str, tuple[Ruleset, Rule]]


@dataclass(frozen=True)
class Raise:
    """An adjustment made by an escalation rule: which signal, from and to which grade, and why."""

    rule_id: str
    ruleset_id: str
    subject: str
    signal_id: str
    from_grade: Grade
    to_grade: Grade
    message: str


@dataclass
class Evaluation:
    """One subject's result: its alerts (escalations applied) and every adjustment that was made."""

    alerts: list[Alert] = field(default_factory=list)
    raises: list[Raise] = field(default_factory=list)
    # the facts the escalation rules saw in the round that settled (tonight's and the store's signals among
    # them, with their indicators): what `explain` walks to say why an escalation rule fired or not
    escalation_facts: list[PlainFact] = field(default_factory=list)


def sort_alerts(alerts: Iterable[Alert]) -> list[Alert]:
    return sorted(alerts, key=Alert.sort_key)


def signal_of(alert: Alert, prior: Signal | None, as_of: date, watched_since: date | None = None) -> Signal:
    """Tonight's alert as a signal fact; its first and opening dates come from the store's record.

    Without a store (no ``watch`` fact) the subject is watched since today: no alert is known to be new.
    """
    after = signal_after(alert, prior, as_of)
    return after.model_copy(update={"last_seen": as_of, "tonight": True, "watched_since": watched_since or as_of})


def escalate(
    subject: str,
    facts: Sequence[Fact],
    plain: list[PlainFact],
    alerts: list[Alert],
    priors: Mapping[str, Signal],
    as_of: date,
    rulesets: Sequence[Ruleset],
    rules: RuleIndex,
    evaluator: Evaluator,
) -> Evaluation:
    """Run the escalation ``rulesets`` for one subject until their alerts and raises stop changing.

    ``plain`` is the subject's facts without signals; ``priors`` the signals the store remembers.
    """
    day = day_number(as_of)
    escalated: list[Alert] = []
    raises: list[Raise] = []
    since = next((f.since for f in facts if isinstance(f, Watch)), None)
    state: tuple[object, ...] = ((), ())
    for _ in range(MAX_ROUNDS):
        current = apply_raises([*alerts, *escalated], raises, rules)
        tonight = [signal_of(a, priors.get(a.fingerprint), as_of, since) for a in current]
        ids = {s.signal_id for s in tonight}
        remembered = [s for i, s in priors.items() if i not in ids]
        signals = [s for s in [*tonight, *remembered] if s.status not in NOT_SIGNALS]
        facts_now = [*plain, *(normalise(s) for s in signals)]
        facts_now += indicator_facts(rulesets, subject, facts_now, day)
        matches = evaluator.evaluate(Partition(subject, facts_now))
        own = [m for m in matches if not rules[m.rule_id][1].adjusts]
        new_escalated = build_alerts(own, facts_now, facts, rulesets, as_of)
        new_escalated = [_with_signal_evidence(a, facts_now, rules) for a in new_escalated]
        base = {a.fingerprint: a.grade for a in [*alerts, *new_escalated]}
        new_raises = _raises([m for m in matches if m not in own], facts_now, base, as_of, rules)
        new_state = (
            tuple(sorted((a.fingerprint, a.grade.value) for a in new_escalated)),
            tuple(sorted((r.rule_id, r.signal_id, r.to_grade.value) for r in new_raises)),
        )
        if new_state == state:
            return Evaluation(sort_alerts(apply_raises([*alerts, *escalated], raises, rules)), raises, facts_now)
        state, escalated, raises = new_state, new_escalated, new_raises
    raise EngineError(
        f"the escalation rules do not settle for subject {subject} after {MAX_ROUNDS} rounds; "
        "check escalation rules that count signals of a grade they themselves raise"
    )


def _raises(
    matches: Sequence[Match], facts: Sequence[PlainFact], base: Mapping[str, Grade], as_of: date, rules: RuleIndex
) -> list[Raise]:
    out: dict[tuple[str, str], Raise] = {}
    for m in sorted(matches):
        rs, rule = rules[m.rule_id]
        assert rule.spec.adjust is not None
        bound = dict(m.bindings)
        target = facts[bound[rule.spec.adjust.signal]]
        if not target.fields.get("tonight"):
            continue  # only tonight's alerts are raised; the store's history is not rewritten
        signal_id = str(target.fields["signal_id"])
        from_grade = base.get(signal_id, Grade(str(target.fields["grade"])))
        to_grade = rule.spec.adjust.apply(from_grade)
        if to_grade == from_grade:
            continue
        specs = specs_with(i.spec() for i in rs.indicators.values())
        values = {alias: (specs[facts[i].type], facts[i].fields) for alias, i in m.bindings}
        message = render_template(rule.spec.message, values, rs.params, day_number(as_of), m.subject)
        key = (rule.id, signal_id)
        if key not in out or out[key].to_grade < to_grade:
            out[key] = Raise(rule.id, rs.id, m.subject, signal_id, from_grade, to_grade, message)
    return sorted(out.values(), key=lambda r: (r.signal_id, r.rule_id))


def apply_raises(alerts: Sequence[Alert], raises: Sequence[Raise], rules: RuleIndex) -> list[Alert]:
    """Tonight's alerts with the highest grade any adjustment gives them; the reasons go with them."""
    by_signal: dict[str, list[Raise]] = {}
    for r in raises:
        by_signal.setdefault(r.signal_id, []).append(r)
    out = []
    for alert in alerts:
        mine = by_signal.get(alert.fingerprint)
        if not mine:
            out.append(alert)
            continue
        top = max((r.to_grade for r in mine), key=lambda g: g.rank)
        notes = [
            Adjustment(
                rule_id=r.rule_id,
                title=rules[r.rule_id][1].spec.title,
                basis=rules[r.rule_id][1].spec.basis,
                from_grade=r.from_grade,
                to_grade=r.to_grade,
                message=r.message,
            )
            for r in mine
        ]
        out.append(
            alert.model_copy(update={"grade": top, "score": top.score, "base_grade": alert.grade, "adjustments": notes})
        )
    return out


def _with_signal_evidence(alert: Alert, facts: Sequence[PlainFact], rules: RuleIndex) -> Alert:
    """An escalation counted signals through indicators: name the signals it counted, as evidence."""
    rs = rules[alert.rule_id][0]
    extra: list[Evidence] = []
    indicators = {i.fact_type: i for i in rs.indicators.values() if i.source_type == SIGNAL}
    for ev in alert.evidence:
        indicator = indicators.get(ev.fact_type)
        if indicator is None:
            continue
        for fact in facts:
            if fact.type != SIGNAL or any(e.key == fact.key for e in extra):
                continue
            scope = Scope(day_number(alert.as_of), rs.params, {SIGNAL: fact.fields}, SIGNAL, rs.calendar)
            if indicator.where is None or truth(indicator.where, scope):
                shown = {
                    k: from_day_number(int(fact.fields[k])).isoformat() if k == "last_seen" else fact.fields[k]
                    for k in ("rule_id", "family", "grade", "last_seen")
                }
                extra.append(Evidence(alias=f"{ev.alias}:signal", fact_type=SIGNAL, key=fact.key, fields=shown))
    if not extra:
        return alert
    return alert.model_copy(update={"evidence": [*alert.evidence, *sorted(extra, key=lambda e: e.key)]})
