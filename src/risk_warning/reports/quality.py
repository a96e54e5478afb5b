"""Rule quality from the analysts' verdicts: which rules earn their alerts, which need tuning, which to retire.

    report = rule_quality(store, rulesets, date(2026, 1, 1), date(2026, 12, 31), cadres_by_unit=counts)

For the alerts created (or reopened) in the period, each alert's history up to the period's end says what
people decided (``reports.metrics.replay``): a *false positive* (with its reason), *confirmed* (put in
disposition, escalated, re-checked or closed after action), or no verdict yet. Precision is confirmed over
verdicts, with a Wilson 95% interval; the verdict is

* ``keep`` when the interval's lower bound reaches ``keep_at``,
* ``retire`` when its upper bound stays below ``retire_below``,
* ``tune`` otherwise, and none at all below ``min_verdicts`` verdicts: a rule is not judged on three alerts.

Rules that raised nothing in the period are listed. Per org unit, alerts per 100 cadres against the whole
organisation's rate; a unit is flagged when its count is improbably high for its size at the
organisation's rate (Poisson upper tail below ``flag_p``), the check that one unit is not watched much
harder than others without cause.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from risk_warning.reports.metrics import _day
from risk_warning.rules.program import Ruleset
from risk_warning.store.repository import AlertStore
from risk_warning.store.stored import AlertStatus, StoredChange

CONFIRMING = frozenset(
    {AlertStatus.IN_DISPOSITION.value, AlertStatus.ESCALATED.value, AlertStatus.RECHECK.value, AlertStatus.CLOSED.value}
)
Z95 = 1.959964  # the normal quantile of a two-sided 95% interval


class QualityThresholds(BaseModel):
    keep_at: float = Field(0.5, ge=0, le=1)
    retire_below: float = Field(0.2, ge=0, le=1)
    min_verdicts: int = Field(10, ge=1)
    flag_p: float = Field(0.01, gt=0, lt=1)


class RuleQuality(BaseModel):
    rule_id: str
    alerts: int = 0
    triaged: int = 0  # a person acted on it by the period's end
    false_positives: int = 0
    false_positive_reasons: dict[str, int] = Field(default_factory=dict)
    confirmed: int = 0
    precision: float | None = None
    precision_low: float | None = None
    precision_high: float | None = None
    verdict: Literal["keep", "tune", "retire"] | None = None


class UnitRate(BaseModel):
    org_unit_id: str
    alerts: int
    cadres: int
    per_100: float
    flagged: bool


class Quality(BaseModel):
    start: date
    end: date
    rules: list[RuleQuality]
    never_fired: list[str]
    units: list[UnitRate]
    alerts_per_100: float | None  # the organisation's


def wilson(successes: int, trials: int) -> tuple[float, float]:
    """The Wilson score 95% interval of a proportion."""
    p = successes / trials
    centre = (p + Z95**2 / (2 * trials)) / (1 + Z95**2 / trials)
    half = Z95 * math.sqrt(p * (1 - p) / trials + Z95**2 / (4 * trials**2)) / (1 + Z95**2 / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


def poisson_upper_tail(observed: int, expected: float) -> float:
    """P(X >= observed) for X ~ Poisson(expected)."""
    if observed <= 0:
        return 1.0
    below = sum(math.exp(-expected + k * math.log(expected) - math.lgamma(k + 1)) for k in range(observed))
    return max(0.0, 1.0 - below) if expected > 0 else 0.0


def rule_quality(
    store: AlertStore,
    rulesets: Sequence[Ruleset],
    start: date,
    end: date,
    *,
    cadres_by_unit: Mapping[str, int] | None = None,
    thresholds: QualityThresholds | None = None,
) -> Quality:
    """Per rule figures and verdicts over ``start``..``end``, the rules that never fired, and unit rates."""
    if end < start:
        raise ValueError(f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    limits = thresholds or QualityThresholds()
    alerts = store.alerts()
    histories = store.histories([a.id for a in alerts if a.id is not None])
    by_rule: dict[str, RuleQuality] = {}
    per_unit: Counter[str] = Counter()
    for alert in alerts:
        history = [h for h in histories.get(alert.id or 0, []) if _day(h) <= end]
        if not any(h.action in ("created", "reopened") and start <= _day(h) <= end for h in history):
            continue
        q = by_rule.setdefault(alert.rule_id, RuleQuality(rule_id=alert.rule_id))
        q.alerts += 1
        if alert.org_unit_id:
            per_unit[alert.org_unit_id] += 1
        _judge(q, history)
    for q in by_rule.values():
        verdicts = q.false_positives + q.confirmed
        if verdicts:
            q.precision = round(q.confirmed / verdicts, 4)
            low, high = wilson(q.confirmed, verdicts)
            q.precision_low, q.precision_high = round(low, 4), round(high, 4)
        if verdicts >= limits.min_verdicts and q.precision_low is not None and q.precision_high is not None:
            q.verdict = (
                "keep"
                if q.precision_low >= limits.keep_at
                else "retire"
                if q.precision_high < limits.retire_below
                else "tune"
            )
    shipped = [r.id for rs in rulesets for r in rs.rules if r.enabled]
    units, rate = _unit_rates(per_unit, cadres_by_unit or {}, limits.flag_p)
    return Quality(
        start=start,
        end=end,
        rules=sorted(by_rule.values(), key=lambda q: q.rule_id),
        never_fired=sorted(r for r in shipped if r not in by_rule),
        units=units,
        alerts_per_100=rate,
    )


def _judge(q: RuleQuality, history: Sequence[StoredChange]) -> None:
    """What people decided about one alert, as its history up to the period's end says."""
    people = [h for h in history if not h.actor.startswith("scan #")]
    if people:
        q.triaged += 1
    marked = [h for h in people if h.to_status == AlertStatus.FALSE_POSITIVE.value]
    if marked:
        q.false_positives += 1
        reason = marked[-1].reason.strip() or "(no reason given)"
        q.false_positive_reasons[reason] = q.false_positive_reasons.get(reason, 0) + 1
    elif any(h.to_status in CONFIRMING for h in history):
        q.confirmed += 1


def _unit_rates(
    per_unit: Counter[str], cadres: Mapping[str, int], flag_p: float
) -> tuple[list[UnitRate], float | None]:
    total_cadres = sum(cadres.values())
    if not total_cadres:
        return [], None
    total = sum(per_unit[u] for u in cadres)
    rate = total / total_cadres
    out = []
    for unit in sorted(cadres):
        n, size = per_unit[unit], cadres[unit]
        if not size:
            continue
        flagged = n > 0 and poisson_upper_tail(n, rate * size) < flag_p
        out.append(UnitRate(org_unit_id=unit, alerts=n, cadres=size, per_100=round(100 * n / size, 2), flagged=flagged))
    return out, round(100 * rate, 2)
