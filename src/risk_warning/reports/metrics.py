"""Is the early warning working? Effectiveness measures over a period, overall and per org unit.

    report = effectiveness(store, date(2026, 1, 1), date(2026, 12, 31), facts=facts)

Each alert's status and grade on a day are replayed from its history (the business date of each change),
so a period in the past reads as it stood then, not as the alert stands today.

* 抓早抓小 (early resolution): of the alerts resolved in the period (cleared, or closed at re-check, and
  still so at its end), the share resolved while blue or yellow.
* Repeat rate: of the dispositions decided in the period, the share whose cadre had an alert of the same
  risk family open within 6 months after it (up to the end of the period).
* Education coverage: of the cadres holding a high-risk post at the end of the period, the share with
  integrity education (or completed targeted education) in the 12 months before it. Needs the HR facts.
* Time to triage: days from an alert's creation to the first action a person took on it (triage, false
  positive, disposition, education), for the alerts created in the period.
* Overdue at the end of the period: alerts open for more than ``overdue_days`` with nobody acting on them,
  函询 replies past due, and re-checks past due.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import BaseModel

from risk_warning.alerts.education import INTEGRITY_EDUCATION
from risk_warning.facts._base import Fact
from risk_warning.facts.history import EducationAssignment
from risk_warning.facts.integrity import EducationRecord
from risk_warning.facts.personnel import Appointment, Position
from risk_warning.grade import Grade
from risk_warning.store.repository import AlertStore
from risk_warning.store.stored import AlertStatus, StoredAlert, StoredChange, StoredDisposition

REPEAT_DAYS = 183
EDUCATION_DAYS = 365
PERSON_ACTIONS = frozenset({"triaged", "false_positive", "disposition", "education_assigned"})
RESOLVED = frozenset({AlertStatus.CLEARED.value, AlertStatus.CLOSED.value, AlertStatus.RETIRED.value})
AWAITING = frozenset({AlertStatus.NEW.value, AlertStatus.TRIAGED.value})


class Effectiveness(BaseModel):
    """The measures for one unit (or all, ``unit`` None) over ``start``..``end`` inclusive."""

    start: date
    end: date
    unit: str | None = None
    alerts_raised: int = 0
    alerts_resolved: int = 0
    resolved_early: int = 0
    early_resolution_share: float | None = None
    dispositions: int = 0
    repeats: int = 0
    repeat_rate: float | None = None
    high_risk_holders: int | None = None
    high_risk_covered: int | None = None
    education_coverage: float | None = None
    triaged: int = 0
    untriaged: int = 0
    median_days_to_triage: float | None = None
    mean_days_to_triage: float | None = None
    overdue_dispositions: int = 0
    overdue_replies: int = 0
    overdue_rechecks: int = 0


@dataclass(frozen=True)
class Replay:
    """An alert as it stood on a day (the end of the period)."""

    status: str | None
    grade: str | None
    created: date | None
    opened: date | None  # created, or last reopened
    resolved: date | None  # the day it entered its current cleared/closed status
    first_action: date | None


def _day(entry: StoredChange) -> date:
    return entry.effective_on or entry.at.date()


def replay(history: Sequence[StoredChange], end: date) -> Replay:
    status = grade = None
    created = opened = resolved = action = None
    for entry in history:
        day = _day(entry)
        if day > end:
            break
        if entry.action in ("created", "reopened"):
            created = created or day
            opened = day
        if entry.to_grade:
            grade = entry.to_grade
        if entry.to_status and entry.to_status != status:
            status = entry.to_status
            resolved = day if status in RESOLVED else None
        if entry.action in PERSON_ACTIONS and not entry.actor.startswith("scan #") and action is None:
            action = day
    return Replay(status, grade, created, opened, resolved, action)


def raised_in(state: Replay, start: date, end: date) -> bool:
    """Whether an alert counts as raised in the period: created in it, and not found a false positive."""
    return state.created is not None and state.status != AlertStatus.FALSE_POSITIVE and start <= state.created <= end


def unit_alerts(store: AlertStore, unit: str | None) -> tuple[list[StoredAlert], dict[int, list[StoredChange]]]:
    """The alerts of one org unit (all when ``unit`` is None) and their histories, by alert id."""
    alerts = [a for a in store.alerts() if unit is None or a.org_unit_id == unit]
    return alerts, store.histories([a.id for a in alerts if a.id is not None])


def effectiveness(
    store: AlertStore,
    start: date,
    end: date,
    *,
    unit: str | None = None,
    facts: Iterable[Fact] | None = None,
    overdue_days: int = 30,
) -> Effectiveness:
    """The measures over ``start``..``end`` for one org unit, or for all when ``unit`` is None."""
    if end < start:
        raise ValueError(f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    alerts, histories = unit_alerts(store, unit)
    ids = {a.id for a in alerts}
    out = Effectiveness(start=start, end=end, unit=unit)
    days_to_triage: list[int] = []
    for alert in alerts:
        state = replay(histories.get(alert.id or 0, []), end)
        if state.created is None:
            continue
        if state.status == AlertStatus.FALSE_POSITIVE:
            continue
        if raised_in(state, start, end):
            out.alerts_raised += 1
            if state.first_action is not None:
                days_to_triage.append((state.first_action - state.created).days)
            else:
                out.untriaged += 1
        if state.status in RESOLVED and state.resolved is not None and start <= state.resolved <= end:
            out.alerts_resolved += 1
            out.resolved_early += Grade(state.grade or "red") <= Grade.YELLOW
        if state.status in AWAITING and state.opened is not None and state.opened <= end - timedelta(overdue_days):
            out.overdue_dispositions += 1
    out.early_resolution_share = _share(out.resolved_early, out.alerts_resolved)
    out.triaged = len(days_to_triage)
    if days_to_triage:
        out.median_days_to_triage = float(statistics.median(days_to_triage))
        out.mean_days_to_triage = round(statistics.fmean(days_to_triage), 2)
    by_id = {a.id: a for a in alerts}
    dispositions = [d for d in store.dispositions() if d.alert_id in ids]
    for d in dispositions:
        if start <= d.decided_on <= end:
            out.dispositions += 1
            out.repeats += _repeated(d, by_id[d.alert_id], alerts, histories, end)
        if d.decided_on <= end and d.reply_due is not None and d.reply_due < end:
            out.overdue_replies += d.replied_at is None or d.replied_at > end
        out.overdue_rechecks += recheck_overdue(d, end)
    out.repeat_rate = _share(out.repeats, out.dispositions)
    if facts is not None:
        units = {a.subject_id: a.org_unit_id for a in store.alerts()}
        holders, covered = _coverage([*facts, *store.assignment_facts()], end, unit, units)
        out.high_risk_holders, out.high_risk_covered = holders, covered
        out.education_coverage = _share(covered, holders)
    return out


def effectiveness_by_unit(
    store: AlertStore, start: date, end: date, *, facts: Iterable[Fact] | None = None, overdue_days: int = 30
) -> list[Effectiveness]:
    """The measures for every org unit with alerts, then overall (unit None) last."""
    fact_list = list(facts) if facts is not None else None
    units = sorted({a.org_unit_id for a in store.alerts() if a.org_unit_id})
    return [
        effectiveness(store, start, end, unit=u, facts=fact_list, overdue_days=overdue_days) for u in [*units, None]
    ]


def recheck_open(disposition: StoredDisposition, end: date) -> bool:
    """Decided by ``end`` and not re-checked by then: a disposition still running."""
    return disposition.decided_on <= end and (disposition.rechecked_on is None or disposition.rechecked_on > end)


def recheck_overdue(disposition: StoredDisposition, end: date) -> bool:
    """Still running at ``end`` though its re-check was due before it."""
    return recheck_open(disposition, end) and disposition.recheck_due < end


def _share(part: int, whole: int | None) -> float | None:
    return round(part / whole, 4) if whole else None


def _repeated(
    disposition: StoredDisposition,
    alert: StoredAlert,
    alerts: Sequence[StoredAlert],
    histories: dict[int, list[StoredChange]],
    end: date,
) -> bool:
    """An alert of the cadre in the same family opened (created or reopened) within 6 months after it."""
    until = min(disposition.decided_on + timedelta(days=REPEAT_DAYS), end)
    for other in alerts:
        if other.subject_id != alert.subject_id or other.family != alert.family:
            continue
        for entry in histories.get(other.id or 0, []):
            if entry.action in ("created", "reopened") and disposition.decided_on < _day(entry) <= until:
                return True
    return False


def _coverage(facts: Sequence[Fact], end: date, unit: str | None, units: dict[str, str | None]) -> tuple[int, int]:
    """(high-risk post holders at ``end``, of whom educated in the 12 months before it)."""
    from risk_warning.facts.personnel import Cadre

    high = {f.position_id for f in facts if isinstance(f, Position) and f.risk_level == "high"}
    cadre_units = {f.cadre_id: f.org_unit_id for f in facts if isinstance(f, Cadre)}
    holders = {
        f.cadre_id
        for f in facts
        if isinstance(f, Appointment)
        and f.position_id in high
        and f.start_date <= end
        and (f.end_date is None or f.end_date > end)
        and (unit is None or cadre_units.get(f.cadre_id, units.get(f.cadre_id)) == unit)
    }
    since = end - timedelta(days=EDUCATION_DAYS)
    educated = {
        f.cadre_id
        for f in facts
        if isinstance(f, EducationRecord) and f.type in INTEGRITY_EDUCATION and since < f.date <= end
    }
    educated |= {
        f.cadre_id
        for f in facts
        if isinstance(f, EducationAssignment) and f.completed_on is not None and since < f.completed_on <= end
    }
    return len(holders), len(holders & educated)
