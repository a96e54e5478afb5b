"""The leaders' report (领导阅读的预警工作报告): what a period's early warning found and what was done about it,
as numbers a renderer lays out (``reports.html``, ``reports.xlsx``).

    report = leaders_report(store, date(2026, 1, 1), date(2026, 6, 30), unit="U01")

Every count is taken the way the effectiveness measures take it (``reports.metrics``), from the alerts'
histories replayed to the end of the period, so the report and ``risk-warning metrics`` never disagree:

* the period's alerts are those raised in it (created in it, not found false positives), counted by their
  grade at the end of the period, by risk family and by unit;
* the trend is one point per completed scan in the period: alerts open after it, raised and cleared by it;
* open dispositions are those decided by the end and not re-checked by then; overdue re-checks are those of
  them whose re-check was due before the end.

Names are what the store keeps: masked (张**). Texts are scrubbed of ID and phone numbers once more.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime

from pydantic import BaseModel

from risk_warning.alerts.labels import evidence_line, family_label, status_label
from risk_warning.alerts.lifecycle import WATCHED
from risk_warning.facts._base import Fact
from risk_warning.grade import Grade
from risk_warning.privacy import scrub
from risk_warning.reports.metrics import (
    Effectiveness,
    effectiveness,
    raised_in,
    recheck_open,
    recheck_overdue,
    replay,
    unit_alerts,
)
from risk_warning.store.journal import now
from risk_warning.store.repository import AlertStore
from risk_warning.store.stored import StoredAlert, StoredChange

GRADES = (Grade.RED, Grade.ORANGE, Grade.YELLOW, Grade.BLUE)  # as a leader reads them: the worst first
OPENED = frozenset({"created", "reopened"})


class Count(BaseModel):
    """Alerts of one family or unit, by grade."""

    key: str
    label: str
    by_grade: dict[Grade, int]

    @property
    def total(self) -> int:
        return sum(self.by_grade.values())


class TrendPoint(BaseModel):
    scan_id: int
    as_of: date
    open: int  # alerts open (watched) after the scan
    raised: int  # created or reopened by it
    cleared: int


class ReportAlert(BaseModel):
    id: int
    grade: Grade
    status: str  # in Chinese
    subject_id: str
    subject: str  # id and masked name
    unit: str
    rule_id: str
    family: str  # in Chinese
    title: str
    message: str
    evidence: list[str]
    basis: str
    disposition: str
    first_seen: date


class ReportDisposition(BaseModel):
    alert_id: int
    subject_id: str
    subject: str
    unit: str
    type: str
    decided_by: str
    decided_on: date
    recheck_due: date
    overdue: bool


class LeadersReport(BaseModel):
    start: date
    end: date
    unit: str | None
    unit_name: str
    generated_at: datetime
    measures: Effectiveness
    by_grade: dict[Grade, int]
    by_family: list[Count]
    by_unit: list[Count]
    trend: list[TrendPoint]
    dispositions: list[ReportDisposition]  # open at the end of the period, overdue re-checks first
    alerts: list[ReportAlert]  # the period's, the worst first

    @property
    def raised(self) -> int:
        return sum(self.by_grade.values())

    @property
    def overdue_rechecks(self) -> list[ReportDisposition]:
        return [d for d in self.dispositions if d.overdue]

    @property
    def title(self) -> str:
        where = f"{self.unit_name} " if self.unit_name else ""
        return f"{where}廉政风险预警工作报告 ({self.start.isoformat()} 至 {self.end.isoformat()})"


def leaders_report(
    store: AlertStore,
    start: date,
    end: date,
    *,
    unit: str | None = None,
    facts: Iterable[Fact] | None = None,
    overdue_days: int = 30,
) -> LeadersReport:
    """The report over ``start``..``end`` for one org unit, or for all when ``unit`` is None; ``facts`` (the
    HR export) add the education coverage of high-risk posts."""
    measures = effectiveness(store, start, end, unit=unit, facts=facts, overdue_days=overdue_days)
    alerts, histories = unit_alerts(store, unit)
    period: list[tuple[StoredAlert, Grade]] = []
    for alert in alerts:
        state = replay(histories.get(alert.id or 0, []), end)
        if raised_in(state, start, end):
            period.append((alert, Grade(state.grade or alert.grade)))
    by_id = {a.id: a for a in alerts}
    dispositions = [
        _disposition(d.alert_id, by_id[d.alert_id], d.type, d.decided_by, d.decided_on, d.recheck_due, overdue)
        for d in store.dispositions()
        if d.alert_id in by_id and recheck_open(d, end)
        for overdue in [recheck_overdue(d, end)]
    ]
    names = {a.org_unit_id: a.org_unit_name for a in alerts if a.org_unit_id and a.org_unit_name}
    return LeadersReport(
        start=start,
        end=end,
        unit=unit,
        unit_name=names.get(unit, unit or "") if unit else "",
        generated_at=now(),
        measures=measures,
        by_grade={g: sum(1 for _, grade in period if grade == g) for g in GRADES},
        by_family=_counts(period, lambda a: a.family, family_label),
        by_unit=_counts(period, lambda a: a.org_unit_id or "", lambda u: names.get(u, u) or "未知单位"),
        trend=_trend(store, alerts, histories, start, end),
        dispositions=sorted(dispositions, key=lambda d: (not d.overdue, d.recheck_due, d.alert_id)),
        alerts=[_alert(a, g) for a, g in sorted(period, key=lambda p: (-p[1].rank, p[0].subject_id, p[0].rule_id))],
    )


def _counts(
    period: Sequence[tuple[StoredAlert, Grade]], key: Callable[[StoredAlert], str], label: Callable[[str], str]
) -> list[Count]:
    grades: dict[str, Counter[Grade]] = {}
    for alert, grade in period:
        grades.setdefault(key(alert), Counter())[grade] += 1
    counts = [Count(key=k, label=label(k), by_grade={g: c[g] for g in GRADES}) for k, c in grades.items()]
    return sorted(counts, key=lambda c: (-c.total, c.key))


def _trend(
    store: AlertStore,
    alerts: Sequence[StoredAlert],
    histories: dict[int, list[StoredChange]],
    start: date,
    end: date,
) -> list[TrendPoint]:
    by_actor: dict[str, list[StoredChange]] = {}
    for a in alerts:
        for h in histories.get(a.id or 0, []):
            by_actor.setdefault(h.actor, []).append(h)
    points = []
    for run in store.scans():
        if run.status != "completed" or not start <= run.as_of <= end or run.id is None:
            continue
        changes = by_actor.get(f"scan #{run.id}", [])
        open_after = sum(
            1 for a in alerts if replay(histories.get(a.id or 0, []), run.as_of).status in WATCHED
        )  # fmt: skip
        points.append(
            TrendPoint(
                scan_id=run.id,
                as_of=run.as_of,
                open=open_after,
                raised=sum(1 for h in changes if h.action in OPENED),
                cleared=sum(1 for h in changes if h.action == "cleared"),
            )
        )
    return points


def _who(alert: StoredAlert) -> tuple[str, str]:
    return f"{alert.subject_id} {alert.subject_name}".strip(), alert.org_unit_name or alert.org_unit_id or ""


def _alert(alert: StoredAlert, grade: Grade) -> ReportAlert:
    subject, unit = _who(alert)
    return ReportAlert(
        id=alert.id or 0,
        grade=grade,
        status=status_label(alert.status),
        subject_id=alert.subject_id,
        subject=subject,
        unit=unit,
        rule_id=alert.rule_id,
        family=family_label(alert.family),
        title=alert.title,
        message=scrub(alert.message),
        evidence=[scrub(evidence_line(e)) for e in alert.evidence],
        basis=alert.basis,
        disposition=alert.disposition,
        first_seen=alert.first_seen,
    )


def _disposition(
    alert_id: int, alert: StoredAlert, kind: str, by: str, on: date, due: date, overdue: bool
) -> ReportDisposition:
    subject, unit = _who(alert)
    return ReportDisposition(
        alert_id=alert_id,
        subject_id=alert.subject_id,
        subject=subject,
        unit=unit,
        type=kind,
        decided_by=by,
        decided_on=on,
        recheck_due=due,
        overdue=overdue,
    )
