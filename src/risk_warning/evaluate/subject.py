"""The evaluation pipeline for embedding: facts -> indicators -> engine -> alerts -> escalation.

    engine = Engine(load_rulesets(["rulesets/"]))
    alerts = engine.evaluate(facts, as_of=date(2026, 6, 30))

Evaluation is deterministic as of the given date: rules never read the wall clock.

It runs in two phases. The rules that raise alerts run first. Their alerts become ``signal`` facts,
together with the subject's earlier alerts (signals the store passes in with the facts). The
escalation rules (those that read signals) then run on everything. Their own alerts are signals too,
and their adjustments raise the grade of tonight's alerts, so the second phase repeats until its result
no longer changes (X1 orange feeding X2 red on the same night).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from risk_warning.alerts.build import build_alerts
from risk_warning.alerts.model import Adjustment, Alert, Evidence
from risk_warning.engine.base import Evaluator, Match, Partition
from risk_warning.engine.registry import make_evaluator
from risk_warning.errors import EngineError
from risk_warning.facts._base import SUBJECT_KINDS, Fact, subject_kind
from risk_warning.facts.history import Signal, Watch
from risk_warning.facts.normalise import PlainFact, day_number, from_day_number, normalise
from risk_warning.facts.registry import specs_with
from risk_warning.grade import Grade
from risk_warning.plan.indicators import indicator_facts
from risk_warning.plan.partition import partition_facts
from risk_warning.rules.interpret import Scope, truth
from risk_warning.rules.program import SIGNAL, Rule, Ruleset, phase_rulesets
from risk_warning.rules.template import render_template

EvaluatorName = Literal["durable", "reference"]
Phase = Literal["alerts", "escalation"]
MAX_ROUNDS = 6  # escalation rounds before the rules are declared not to settle
NOT_SIGNALS = frozenset({"false_positive"})  # alerts that never count as signals
REOPENS = frozenset({"cleared", "closed"})  # an alert in these states that holds again opens anew


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


def sort_alerts(alerts: Iterable[Alert]) -> list[Alert]:
    return sorted(alerts, key=Alert.sort_key)


def signal_of(alert: Alert, prior: Signal | None, as_of: date, watched_since: date | None = None) -> Signal:
    """Tonight's alert as a signal fact; its first and opening dates come from the store's record.

    Without a store (no ``watch`` fact) the subject is watched since today: no alert is known to be new.
    """
    reopened = prior is None or prior.status in REOPENS
    return Signal(
        signal_id=alert.fingerprint,
        cadre_id=alert.subject_id,
        rule_id=alert.rule_id,
        family=alert.family,
        grade=alert.grade.value,
        rank=alert.grade.rank,
        first_seen=prior.first_seen if prior else as_of,
        opened_on=as_of if reopened or prior is None else prior.opened_on,
        last_seen=as_of,
        status="new" if reopened or prior is None else prior.status,
        tonight=True,
        watched_since=watched_since or as_of,
    )


class Engine:
    """Evaluates rulesets on typed facts. One instance can serve many as-of dates."""

    def __init__(self, rulesets: Ruleset | Sequence[Ruleset], *, evaluator: EvaluatorName = "durable") -> None:
        self.rulesets: list[Ruleset] = [rulesets] if isinstance(rulesets, Ruleset) else list(rulesets)
        self.evaluator_name = evaluator
        # each kind of subject (cadre, unit, project, contract) is evaluated by its own rulesets only
        self.phases: dict[tuple[Phase, str], list[Ruleset]] = {}
        for kind in SUBJECT_KINDS:
            mine = [rs for rs in self.rulesets if rs.spec.subject == kind]
            self.phases[("alerts", kind)] = phase_rulesets(mine, escalation=False)
            self.phases[("escalation", kind)] = phase_rulesets(mine, escalation=True)
        self._rules: dict[str, tuple[Ruleset, Rule]] = {r.id: (rs, r) for rs in self.rulesets for r in rs.rules}
        self._evaluators: dict[tuple[date, Phase, str], Evaluator] = {}

    def _evaluator(self, as_of: date, phase: Phase, kind: str) -> Evaluator:
        if (as_of, phase, kind) not in self._evaluators:
            if any(day != as_of for day, _, _ in self._evaluators):
                self.close()  # one as-of date at a time: programs differ only by as_of
            self._evaluators[(as_of, phase, kind)] = make_evaluator(
                self.evaluator_name, self.phases[(phase, kind)], as_of
            )
        return self._evaluators[(as_of, phase, kind)]

    def evaluate_subject(self, subject: str, facts: Sequence[Fact], as_of: date) -> list[Alert]:
        """Alerts for one subject whose facts (reference and history facts included) are already gathered."""
        return self.explain_subject(subject, facts, as_of).alerts

    def explain_subject(self, subject: str, facts: Sequence[Fact], as_of: date) -> Evaluation:
        """Alerts for one subject and the adjustments escalation rules made to them."""
        day = day_number(as_of)
        kind = subject_kind(subject)
        own = self.phases[("alerts", kind)]
        if not own and not self.phases[("escalation", kind)]:
            return Evaluation()
        plain = [normalise(f) for f in facts]
        first = plain + indicator_facts(own, subject, plain, day)
        matches = self._evaluator(as_of, "alerts", kind).evaluate(Partition(subject, first)) if own else []
        alerts = build_alerts(matches, first, facts, own, as_of)
        priors = {f.signal_id: f for f in facts if isinstance(f, Signal)}
        counted = [p for p in priors.values() if p.status not in NOT_SIGNALS]
        if not self.phases[("escalation", kind)] or not (alerts or counted):
            return Evaluation(sort_alerts(alerts))
        return self._escalate(subject, facts, [p for p in plain if p.type != SIGNAL], alerts, priors, as_of)

    def _escalate(
        self,
        subject: str,
        facts: Sequence[Fact],
        plain: list[PlainFact],
        alerts: list[Alert],
        priors: Mapping[str, Signal],
        as_of: date,
    ) -> Evaluation:
        kind = subject_kind(subject)
        rulesets = self.phases[("escalation", kind)]
        day = day_number(as_of)
        escalated: list[Alert] = []
        raises: list[Raise] = []
        since = next((f.since for f in facts if isinstance(f, Watch)), None)
        state: tuple[object, ...] = ((), ())
        for _ in range(MAX_ROUNDS):
            current = _apply([*alerts, *escalated], raises, self._rules)
            tonight = [signal_of(a, priors.get(a.fingerprint), as_of, since) for a in current]
            ids = {s.signal_id for s in tonight}
            remembered = [s for i, s in priors.items() if i not in ids]
            signals = [s for s in [*tonight, *remembered] if s.status not in NOT_SIGNALS]
            facts_now = [*plain, *(normalise(s) for s in signals)]
            facts_now += indicator_facts(rulesets, subject, facts_now, day)
            matches = self._evaluator(as_of, "escalation", kind).evaluate(Partition(subject, facts_now))
            own = [m for m in matches if not self._rules[m.rule_id][1].adjusts]
            new_escalated = build_alerts(own, facts_now, facts, rulesets, as_of)
            new_escalated = [_with_signal_evidence(a, facts_now, self._rules) for a in new_escalated]
            base = {a.fingerprint: a.grade for a in [*alerts, *new_escalated]}
            new_raises = self._raises([m for m in matches if m not in own], facts_now, base, as_of)
            new_state = (
                tuple(sorted((a.fingerprint, a.grade.value) for a in new_escalated)),
                tuple(sorted((r.rule_id, r.signal_id, r.to_grade.value) for r in new_raises)),
            )
            if new_state == state:
                return Evaluation(sort_alerts(_apply([*alerts, *escalated], raises, self._rules)), raises)
            state, escalated, raises = new_state, new_escalated, new_raises
        raise EngineError(
            f"the escalation rules do not settle for subject {subject} after {MAX_ROUNDS} rounds; "
            "check escalation rules that count signals of a grade they themselves raise"
        )

    def _raises(
        self, matches: Sequence[Match], facts: Sequence[PlainFact], base: Mapping[str, Grade], as_of: date
    ) -> list[Raise]:
        out: dict[tuple[str, str], Raise] = {}
        for m in sorted(matches):
            rs, rule = self._rules[m.rule_id]
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

    def evaluate(self, facts: Iterable[Fact], as_of: date) -> list[Alert]:
        """Alerts for every subject in ``facts``, highest grade first."""
        return self.explain(facts, as_of).alerts

    def explain(self, facts: Iterable[Fact], as_of: date) -> Evaluation:
        result = Evaluation()
        for subject, members in partition_facts(facts):
            one = self.explain_subject(subject, members, as_of)
            result.alerts.extend(one.alerts)
            result.raises.extend(one.raises)
        result.alerts = sort_alerts(result.alerts)
        return result

    def close(self) -> None:
        for ev in self._evaluators.values():
            ev.close()
        self._evaluators.clear()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _apply(alerts: Sequence[Alert], raises: Sequence[Raise], rules: Mapping[str, tuple[Ruleset, Rule]]) -> list[Alert]:
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


def _with_signal_evidence(alert: Alert, facts: Sequence[PlainFact], rules: Mapping[str, tuple[Ruleset, Rule]]) -> Alert:
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
            scope = Scope(day_number(alert.as_of), rs.params, {SIGNAL: fact.fields}, SIGNAL)
            if indicator.where is None or truth(indicator.where, scope):
                shown = {
                    k: from_day_number(int(fact.fields[k])).isoformat() if k == "last_seen" else fact.fields[k]
                    for k in ("rule_id", "family", "grade", "last_seen")
                }
                extra.append(Evidence(alias=f"{ev.alias}:signal", fact_type=SIGNAL, key=fact.key, fields=shown))
    if not extra:
        return alert
    return alert.model_copy(update={"evidence": [*alert.evidence, *sorted(extra, key=lambda e: e.key)]})


__all__ = ["Engine", "Evaluation", "EvaluatorName", "Raise", "signal_of"]
