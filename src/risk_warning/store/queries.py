"""Reading the store: alerts by filter, one alert and its history, scans and their quarantine, and the
history a scan gives the rules (interventions, earlier alerts as signals, education, watches)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import Engine as SqlEngine
from sqlalchemy import or_
from sqlmodel import Session, col, select

from risk_warning.alerts.model import Alert
from risk_warning.facts._base import Fact
from risk_warning.facts.history import EducationAssignment, Signal, Watch
from risk_warning.facts.integrity import Intervention
from risk_warning.store.journal import chunked
from risk_warning.store.principal import NotPermittedError
from risk_warning.store.scope import Scoping
from risk_warning.store.stored import (
    StoredAlert,
    StoredAssignment,
    StoredChange,
    StoredDisposition,
    StoredQuarantine,
    StoredScan,
    StoredSuppression,
    detached,
)
from risk_warning.store.tables import (
    ENDED,
    AlertHistory,
    AlertRecord,
    Disposition,
    EducationAssignmentRecord,
    QuarantineRecord,
    ScanRun,
    SubjectState,
    Suppression,
)

R = TypeVar("R", StoredDisposition, StoredAssignment)


@dataclass(frozen=True)
class AlertFilter:
    grade: str | None = None
    family: str | None = None
    org_unit_id: str | None = None
    status: str | None = None
    subject_id: str | None = None
    since: date | None = None  # last_seen on or after
    until: date | None = None  # first_seen on or before
    include_suppressed: bool = False


class Queries(Scoping):
    """Every read of the store; what people read (alerts, their history, dispositions, education,
    suppressions, a scan's changes) is kept to the principal's scope (scope.py)."""

    engine: SqlEngine

    def alerts_holding(self, subjects: Iterable[str], as_of: date) -> list[Alert]:
        """The alerts of these subjects that hold as of a date (seen then and not cleared), as Alerts."""
        out: list[Alert] = []
        with Session(self.engine) as session:
            for chunk in chunked(sorted(set(subjects))):
                query = select(AlertRecord).where(col(AlertRecord.subject_id).in_(chunk))
                for row in session.exec(query.where(AlertRecord.last_seen == as_of)):
                    if row.status not in ENDED:
                        out.append(Alert.model_validate({**row.model_dump(), "adjustments": row.adjustments or []}))
        return out

    def subject_states(self) -> dict[str, SubjectState]:
        with Session(self.engine) as session:
            return {s.subject_id: s for s in session.exec(select(SubjectState))}

    def last_input_profile(self) -> dict[str, Any] | None:
        """What the last completed scan read (fact types and subjects), for the input check."""
        with Session(self.engine) as session:
            query = select(ScanRun).where(ScanRun.status == "completed").where(col(ScanRun.input_profile).is_not(None))
            run = session.exec(query.order_by(col(ScanRun.id).desc()).limit(1)).first()
            return dict(run.input_profile) if run is not None and run.input_profile is not None else None

    def alerts(self, where: AlertFilter | None = None) -> list[StoredAlert]:
        where = where or AlertFilter(include_suppressed=True)
        query = select(AlertRecord)
        for name in ("grade", "family", "org_unit_id", "status", "subject_id"):
            value = getattr(where, name)
            if value is not None:
                query = query.where(getattr(AlertRecord, name) == value)
        if where.since is not None:
            query = query.where(col(AlertRecord.last_seen) >= where.since)
        if where.until is not None:
            query = query.where(col(AlertRecord.first_seen) <= where.until)
        if not where.include_suppressed:
            query = query.where(
                or_(col(AlertRecord.suppressed_until).is_(None), col(AlertRecord.suppressed_until) < AlertRecord.as_of)
            )
        with Session(self.engine) as session:
            units = self.units_seen(session)
            rows = session.exec(self.scoped(query, units).order_by(col(AlertRecord.id)))
            return [StoredAlert.model_validate(r) for r in rows if self.principal.sees_kind(r.subject_id)]

    def alert(self, alert_id: int) -> StoredAlert:
        with Session(self.engine) as session:
            return StoredAlert.model_validate(self.alert_row(session, alert_id))

    def history(self, alert_id: int) -> list[StoredChange]:
        with Session(self.engine) as session:
            self.alert_row(session, alert_id)
            query = select(AlertHistory).where(AlertHistory.alert_id == alert_id).order_by(col(AlertHistory.id))
            return detached(StoredChange, session.exec(query))

    def histories(self, alert_ids: Iterable[int] | None = None) -> dict[int, list[StoredChange]]:
        """The history of each of these alerts (of every alert when None), in order: one statement per 500
        ids, not one per alert (a year's report reads the history of every alert of a province)."""
        if self.principal.scoped:  # only the alerts it sees, asked for or not
            seen = {a.id for a in self.alerts()}
            alert_ids = seen if alert_ids is None else seen & set(alert_ids)
        ids = None if alert_ids is None else sorted(set(alert_ids))
        query = select(AlertHistory).order_by(col(AlertHistory.id))
        out: dict[int, list[StoredChange]] = {i: [] for i in ids or ()}
        with Session(self.engine) as session:
            chunks: Iterable[list[int] | None] = [None] if ids is None else chunked(ids)
            for chunk in chunks:
                found = query if chunk is None else query.where(col(AlertHistory.alert_id).in_(chunk))
                for row in session.exec(found):
                    out.setdefault(row.alert_id, []).append(StoredChange.model_validate(row))
        return out

    def scan_changes(self, scan_id: int) -> list[tuple[StoredChange, StoredAlert]]:
        """Every change scan ``scan_id`` made to an alert (created, reopened, grade changed, cleared, retired,
        re-check outcomes), in the order it made them, each with the alert as it stands now."""
        query = (
            select(AlertHistory, AlertRecord)
            .join(AlertRecord, col(AlertRecord.id) == col(AlertHistory.alert_id))
            .where(AlertHistory.actor == f"scan #{scan_id}")
            .order_by(col(AlertHistory.id))
        )
        with Session(self.engine) as session:
            units = self.units_seen(session)
            return [
                (StoredChange.model_validate(change), StoredAlert.model_validate(alert))
                for change, alert in session.exec(query)
                if self.sees(alert, units)
            ]

    def scans(self) -> list[StoredScan]:
        with Session(self.engine) as session:
            return detached(StoredScan, session.exec(select(ScanRun).order_by(col(ScanRun.id))))

    def quarantine(self, scan_id: int | None = None) -> list[StoredQuarantine]:
        if self.principal.scoped:  # the records of every unit, as read: for an unscoped principal only
            raise NotPermittedError(f"{self.principal.identity} sees some units only, not the quarantined records")
        with Session(self.engine) as session:
            query = select(QuarantineRecord)
            if scan_id is not None:
                query = query.where(QuarantineRecord.scan_id == scan_id)
            return detached(StoredQuarantine, session.exec(query.order_by(col(QuarantineRecord.id))))

    def suppressions(self) -> list[StoredSuppression]:
        with Session(self.engine) as session:
            rows = detached(StoredSuppression, session.exec(select(Suppression).order_by(col(Suppression.id))))
        if self.principal.scoped:  # of the subjects whose alerts it sees
            subjects = {a.subject_id for a in self.alerts()}
            rows = [r for r in rows if r.subject_id in subjects]
        return rows

    def dispositions(self, alert_id: int | None = None) -> list[StoredDisposition]:
        with Session(self.engine) as session:
            query = select(Disposition)
            if alert_id is not None:
                query = query.where(Disposition.alert_id == alert_id)
            rows = detached(StoredDisposition, session.exec(query.order_by(col(Disposition.id))))
        return self._of_seen(rows)

    def _of_seen(self, rows: list[R]) -> list[R]:
        """The rows (dispositions, assignments) on alerts the principal sees."""
        if not self.principal.scoped:
            return rows
        seen = {a.id for a in self.alerts()}
        return [r for r in rows if r.alert_id in seen]

    def intervention_facts(self) -> list[Intervention]:
        """Every disposition as the cadre's intervention fact: the store is a source of history."""
        with Session(self.engine) as session:
            fingerprints = {
                a.id: (a.fingerprint, a.rule_id)
                for a in session.exec(
                    select(AlertRecord).where(col(AlertRecord.id).in_({d.alert_id for d in self.dispositions()}))
                )
            }
        return [
            Intervention(
                intervention_id=f"disposition-{d.id}",
                cadre_id=d.cadre_id,
                type=d.type,
                form=d.form,
                family=d.family,
                decided_by=d.decided_by,
                date=d.decided_on,
                reply_due=d.reply_due,
                replied_at=d.replied_at,
                truthful=d.truthful,
                followup_due=d.recheck_due,
                rechecked_on=d.rechecked_on,
                alert_id=fingerprints[d.alert_id][0],
                rule_id=fingerprints[d.alert_id][1],
            )
            for d in self.dispositions()
        ]

    def history_facts(self, as_of: date, lookback_days: int) -> list[Fact]:
        """What the store knows that rules may use: interventions, earlier alerts as signals, targeted
        education, and since when each subject is watched. Alerts last seen more than ``lookback_days``
        before ``as_of`` are left out (no escalation window is that long)."""
        facts: list[Fact] = [*self.intervention_facts()]
        since = as_of - timedelta(days=lookback_days)
        with Session(self.engine) as session:
            query = select(AlertRecord).where(col(AlertRecord.last_seen) >= since)
            for row in session.exec(query.where(col(AlertRecord.first_seen) <= as_of)):
                facts.append(
                    Signal.of(
                        fingerprint=row.fingerprint,
                        subject_id=row.subject_id,
                        rule_id=row.rule_id,
                        family=row.family,
                        grade=row.grade,
                        first_seen=row.first_seen,
                        opened_on=row.opened_on,
                        last_seen=min(row.last_seen, as_of),
                        status=row.status,
                    )
                )
            for state in session.exec(select(SubjectState)):
                facts.append(Watch(cadre_id=state.subject_id, since=state.first_seen or state.evaluated_as_of))
        facts += self.assignment_facts()
        return facts

    def assignment_facts(self) -> list[EducationAssignment]:
        """Every targeted-education assignment as the cadre's education_assignment fact."""
        with Session(self.engine) as session:
            fingerprints = {a.id: a.fingerprint for a in session.exec(select(AlertRecord))}
            return [
                EducationAssignment(
                    assignment_id=f"assignment-{e.id}",
                    cadre_id=e.cadre_id,
                    alert_id=fingerprints.get(e.alert_id),
                    type=e.type,
                    topic=e.topic,
                    assigned_on=e.assigned_on,
                    due=e.due,
                    completed_on=e.completed_on,
                    hours=e.hours,
                )
                for e in session.exec(select(EducationAssignmentRecord))
            ]

    def assignments(self, alert_id: int | None = None) -> list[StoredAssignment]:
        with Session(self.engine) as session:
            query = select(EducationAssignmentRecord)
            if alert_id is not None:
                query = query.where(EducationAssignmentRecord.alert_id == alert_id)
            rows = detached(StoredAssignment, session.exec(query.order_by(col(EducationAssignmentRecord.id))))
        return self._of_seen(rows)
