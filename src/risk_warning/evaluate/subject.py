"""The evaluation pipeline for embedding: facts -> indicators -> engine -> alerts -> escalation.

    engine = Engine(load_rulesets(["rulesets/"]))
    alerts = engine.evaluate(facts, as_of=date(2026, 6, 30))

Evaluation is deterministic as of the given date: rules never read the wall clock.

A pre-filter (``plan/prefilter.py``) sends a subject's alert phase to the engine only when some rule
could match its facts.

It runs in two phases. The rules that raise alerts run first. Their alerts become ``signal`` facts,
together with the subject's earlier alerts (signals the store passes in with the facts). The
escalation rules (those that read signals) then run on everything, until their result settles
(``escalation.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Literal

from risk_warning.alerts.build import build_alerts
from risk_warning.alerts.model import Alert
from risk_warning.engine.base import Evaluator, Partition
from risk_warning.engine.registry import make_evaluator
from risk_warning.evaluate.budgeted import Budgeted
from risk_warning.evaluate.escalation import NOT_SIGNALS, Evaluation, Raise, escalate, signal_of, sort_alerts
from risk_warning.evaluate.explain import Explanation, explain_rules, with_raises
from risk_warning.facts._base import SUBJECT_KINDS, Fact, subject_kind
from risk_warning.facts.history import Signal
from risk_warning.facts.normalise import PlainFact, day_number, normalise
from risk_warning.plan.budget import MAX_JOIN_TESTS, JoinBudget
from risk_warning.plan.indicators import indicator_facts
from risk_warning.plan.partition import partition_facts
from risk_warning.plan.prefilter import PreFilter
from risk_warning.rules.date_ranges import check_as_of
from risk_warning.rules.program import SIGNAL, Rule, Ruleset, phase_rulesets

EvaluatorName = Literal["durable", "reference"]
Phase = Literal["alerts", "escalation"]


class Engine:
    """Evaluates rulesets on typed facts. One instance can serve many as-of dates."""

    def __init__(
        self,
        rulesets: Ruleset | Sequence[Ruleset],
        *,
        evaluator: EvaluatorName = "durable",
        prefilter: bool = True,
        join_budget: int = MAX_JOIN_TESTS,
    ) -> None:
        """``prefilter=False`` asks the engine about every subject (the pre-filter's tests compare the two).
        ``join_budget``: the most combinations of one subject's facts a rule may test (plan/budget.py); a
        subject over it raises ``OverBudgetError`` (a scan quarantines it and goes on)."""
        self.rulesets: list[Ruleset] = [rulesets] if isinstance(rulesets, Ruleset) else list(rulesets)
        self.evaluator_name = evaluator
        self.use_prefilter = prefilter
        self.join_budget = join_budget
        # each kind of subject (cadre, unit, project, contract) is evaluated by its own rulesets only
        self.phases: dict[tuple[Phase, str], list[Ruleset]] = {}
        for kind in SUBJECT_KINDS:
            mine = [rs for rs in self.rulesets if rs.spec.subject == kind]
            self.phases[("alerts", kind)] = phase_rulesets(mine, escalation=False)
            self.phases[("escalation", kind)] = phase_rulesets(mine, escalation=True)
        self._rules: dict[str, tuple[Ruleset, Rule]] = {r.id: (rs, r) for rs in self.rulesets for r in rs.rules}
        self._evaluators: dict[tuple[date, Phase, str], Evaluator] = {}
        self._prefilters: dict[tuple[date, str], PreFilter] = {}
        self.engine_subjects = 0  # subjects whose alert phase reached the engine (the pre-filter let them by)

    def _prefilter(self, as_of: date, kind: str) -> PreFilter:
        if (as_of, kind) not in self._prefilters:
            self._prefilters = {k: v for k, v in self._prefilters.items() if k[0] == as_of}
            self._prefilters[(as_of, kind)] = PreFilter(self.phases[("alerts", kind)], day_number(as_of))
        return self._prefilters[(as_of, kind)]

    def _evaluator(self, as_of: date, phase: Phase, kind: str) -> Evaluator:
        if (as_of, phase, kind) not in self._evaluators:
            if any(day != as_of for day, _, _ in self._evaluators):
                self.close()  # one as-of date at a time: programs differ only by as_of
            rulesets = self.phases[(phase, kind)]
            self._evaluators[(as_of, phase, kind)] = Budgeted(
                make_evaluator(self.evaluator_name, rulesets, as_of),
                JoinBudget(rulesets, day_number(as_of), self.join_budget),
            )
        return self._evaluators[(as_of, phase, kind)]

    def evaluate_subject(
        self, subject: str, facts: Sequence[Fact], as_of: date, plain: Sequence[PlainFact] | None = None
    ) -> list[Alert]:
        """Alerts for one subject whose facts (reference and history facts included) are already gathered;
        ``plain`` is ``[normalise(f) for f in facts]`` when the caller has it already."""
        return self.explain_subject(subject, facts, as_of, plain).alerts

    def explain_subject(
        self, subject: str, facts: Sequence[Fact], as_of: date, plain: Sequence[PlainFact] | None = None
    ) -> Evaluation:
        """Alerts for one subject and the adjustments escalation rules made to them."""
        day = day_number(as_of)
        kind = subject_kind(subject)
        own = self.phases[("alerts", kind)]
        if not own and not self.phases[("escalation", kind)]:
            return Evaluation()
        plain = [normalise(f) for f in facts] if plain is None else list(plain)
        first = plain + indicator_facts(own, subject, plain, day)
        matches = []
        if own and (not self.use_prefilter or self._prefilter(as_of, kind).may_fire(first)):
            self.engine_subjects += 1
            matches = self._evaluator(as_of, "alerts", kind).evaluate(Partition(subject, first))
        alerts = build_alerts(matches, first, facts, own, as_of)
        priors = {f.signal_id: f for f in facts if isinstance(f, Signal)}
        counted = [p for p in priors.values() if p.status not in NOT_SIGNALS]
        if not self.phases[("escalation", kind)] or not (alerts or counted):
            return Evaluation(sort_alerts(alerts))
        history = [p for p in plain if p.type != SIGNAL]
        rulesets = self.phases[("escalation", kind)]
        evaluator = self._evaluator(as_of, "escalation", kind)
        return escalate(subject, facts, history, alerts, priors, as_of, rulesets, self._rules, evaluator)

    def evaluate(self, facts: Iterable[Fact], as_of: date) -> list[Alert]:
        """Alerts for every subject in ``facts``, highest grade first."""
        return self.evaluation(facts, as_of).alerts

    def evaluation(self, facts: Iterable[Fact], as_of: date) -> Evaluation:
        """The alerts for every subject in ``facts`` and the raises escalation rules made to them."""
        check_as_of(as_of)
        result = Evaluation()
        for subject, members in partition_facts(facts):
            one = self.explain_subject(subject, members, as_of)
            result.alerts.extend(one.alerts)
            result.raises.extend(one.raises)
        result.alerts = sort_alerts(result.alerts)
        return result

    def explain(self, facts: Iterable[Fact], as_of: date, subject: str, rule: str | None = None) -> Explanation:
        """Why each rule of the subject's kind (or ``rule``) fired or did not for ``subject``, tonight's escalation
        raises among them (``evaluate/explain.py``). Raises ``KeyError`` when no fact belongs to the subject."""
        partitions = dict(partition_facts(facts))
        if subject not in partitions:
            raise KeyError(subject)
        members = partitions[subject]
        day = day_number(as_of)
        kind = subject_kind(subject)
        plain = [normalise(f) for f in members]
        rulesets = self.phases[("alerts", kind)]
        out = explain_rules(rulesets, subject, plain + indicator_facts(rulesets, subject, plain, day), day, rule)
        evaluated = self.explain_subject(subject, members, as_of, plain)
        escalation = self.phases[("escalation", kind)]
        if escalation:  # over the signals they saw; with no alert and no remembered signal, over none
            seen = evaluated.escalation_facts
            if not seen:
                history = [p for p in plain if p.type != SIGNAL]
                seen = history + indicator_facts(escalation, subject, history, day)
            more = explain_rules(escalation, subject, seen, day, rule)
            rule_of = {a.fingerprint: a.rule_id for a in evaluated.alerts}
            raised = [
                (r.rule_id, rule_of.get(r.signal_id, r.signal_id), r.from_grade.value, r.to_grade.value)
                for r in evaluated.raises
            ]
            with_raises(more, raised)
            out.rules += more.rules
            out.indicators.update(more.indicators)
        out.alerts = [f"{a.rule_id} {a.grade.value}: {a.message}" for a in evaluated.alerts]
        out.raises = [f"{r.rule_id}: {r.from_grade.value} -> {r.to_grade.value}, {r.message}" for r in evaluated.raises]
        return out

    def prepare(self, as_of: date) -> None:
        """Compile now what evaluating as of ``as_of`` needs (each kind's programs and pre-filter), rather than
        at the first subject: a Dask worker does it while the scan is still reading its input."""
        for (phase, kind), rulesets in self.phases.items():
            if rulesets:
                self._evaluator(as_of, phase, kind)
                if phase == "alerts":
                    self._prefilter(as_of, kind)

    def close(self) -> None:
        for ev in self._evaluators.values():
            ev.close()
        self._evaluators.clear()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["Engine", "Evaluation", "EvaluatorName", "Raise", "signal_of", "sort_alerts"]
