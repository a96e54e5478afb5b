"""The alert store: SQLite by default (a file), PostgreSQL by URL.

A scan's results are written in one transaction (``finish_scan``): a scan killed at any point leaves at
most a ``running`` scan row, which the next scan marks ``abandoned``; the alert set is never half-written.
Alerts are upserted by fingerprint: a re-run changes nothing, a persistent condition moves ``last_seen``,
a condition that no longer holds is ``cleared`` (never deleted), a grade change is recorded in history.
"""

from __future__ import annotations

import os
import socket
import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine as SqlEngine
from sqlalchemy import insert, or_, update
from sqlmodel import Session, col, create_engine, select

from risk_warning.alerts.model import Alert
from risk_warning.errors import RiskWarningError
from risk_warning.facts._base import Fact
from risk_warning.facts.history import EducationAssignment, Signal, Watch
from risk_warning.facts.integrity import EducationType, Intervention
from risk_warning.grade import Grade
from risk_warning.settings import settings
from risk_warning.sources.base import FileReport, QuarantinedRecord
from risk_warning.store import migrate
from risk_warning.store.tables import (
    WATCHED,
    AlertHistory,
    AlertRecord,
    AlertStatus,
    Disposition,
    EducationAssignmentRecord,
    QuarantineRecord,
    ScanLease,
    ScanRun,
    SubjectState,
    Suppression,
)

_CHANGES = (
    "grade",
    "score",
    "message",
    "evidence",
    "education",
    "params",
    "ruleset_hash",
    "ruleset_version",
    "base_grade",
    "adjustments",
)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class StoreError(RiskWarningError):
    """A lifecycle operation that is not allowed, or names an alert that does not exist."""


class ScanInProgressError(RiskWarningError):
    """Another scan holds the lease on this store."""

    def __init__(self, holder: str, expires_at: datetime) -> None:
        super().__init__(f"a scan is in progress (held by {holder} until {expires_at.isoformat()})")
        self.holder = holder
        self.expires_at = expires_at


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


# who may move an alert where (scans move alerts to cleared and back; see finish_scan)
TRANSITIONS: dict[str, set[str]] = {
    AlertStatus.NEW: {AlertStatus.TRIAGED, AlertStatus.FALSE_POSITIVE, AlertStatus.IN_DISPOSITION},
    AlertStatus.TRIAGED: {AlertStatus.IN_DISPOSITION, AlertStatus.FALSE_POSITIVE},
    AlertStatus.IN_DISPOSITION: {AlertStatus.RECHECK},
    AlertStatus.RECHECK: {AlertStatus.CLOSED, AlertStatus.ESCALATED},
    AlertStatus.ESCALATED: {AlertStatus.IN_DISPOSITION},
}


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class AlertStore:
    def __init__(self, url: str | None = None, *, recheck_days: Mapping[str, int] | None = None) -> None:
        """Open (and migrate) a store (default: ``RW_DB_URL``). ``recheck_days`` sets the re-check period by
        intervention type; ``"*"`` is the default for the others (90 days; 183 after 诫勉 unless given)."""
        url = url or settings().db_url
        self.url = url
        self.recheck_days: dict[str, int] = {**RECHECK_DAYS, **(recheck_days or {})}
        self.engine: SqlEngine = create_engine(url)
        migrate.upgrade(self.engine)

    # -- the scan lease -------------------------------------------------------------------------
    def acquire_lease(self, holder: str, ttl: timedelta = timedelta(minutes=10), name: str = "scan") -> None:
        """Take the lease, or raise ScanInProgressError naming who holds it. Also renews our own lease."""
        with Session(self.engine) as session:
            t = now()
            taken = session.exec(
                update(ScanLease)
                .where(col(ScanLease.name) == name)
                .where(or_(col(ScanLease.holder) == holder, col(ScanLease.expires_at) < t))
                .values(holder=holder, acquired_at=t, expires_at=t + ttl)
            ).rowcount
            if taken == 0:
                existing = session.get(ScanLease, name)
                if existing is None:
                    session.add(ScanLease(name=name, holder=holder, acquired_at=t, expires_at=t + ttl))
                elif (
                    _holder_is_dead(existing.holder)
                    and session.exec(
                        # killed on this machine (SIGKILL, OOM): its lease would otherwise block until it expires;
                        # compare-and-set, so two scans cannot both take it over
                        update(ScanLease)
                        .where(col(ScanLease.name) == name)
                        .where(col(ScanLease.holder) == existing.holder)
                        .values(holder=holder, acquired_at=t, expires_at=t + ttl)
                    ).rowcount
                ):
                    pass
                else:
                    raise ScanInProgressError(existing.holder, _aware(existing.expires_at))
            try:
                session.commit()
            except Exception as exc:  # a concurrent insert of the first lease row
                session.rollback()
                current = session.get(ScanLease, name)
                if current is not None and current.holder != holder:
                    raise ScanInProgressError(current.holder, _aware(current.expires_at)) from exc
                raise

    def release_lease(self, holder: str, name: str = "scan") -> None:
        with Session(self.engine) as session:
            lease = session.get(ScanLease, name)
            if lease is not None and lease.holder == holder:
                lease.expires_at = now() - timedelta(seconds=1)
                session.add(lease)
                session.commit()

    # -- scans --------------------------------------------------------------------------------
    def start_scan(self, as_of: date, ruleset_hash: str) -> int:
        with Session(self.engine) as session:
            # a scan still 'running' here was killed: we hold the lease, so it is not running
            for stale in session.exec(select(ScanRun).where(ScanRun.status == "running")):
                stale.status = "abandoned"
                session.add(stale)
            run = ScanRun(started_at=now(), as_of=as_of, ruleset_hash=ruleset_hash)
            session.add(run)
            session.commit()
            assert run.id is not None
            return run.id

    def finish_scan(
        self,
        scan_id: int,
        alerts: Sequence[Alert],
        quarantined: Sequence[QuarantinedRecord],
        evaluated_subjects: Iterable[str],
        org_units: dict[str, str] | None = None,
        *,
        carried: Iterable[str] = (),
        states: Mapping[str, tuple[str, date]] | None = None,
        ruleset_hash: str = "",
        profile: Mapping[str, Any] | None = None,
        files: Sequence[FileReport] = (),
        held: Sequence[str] = (),
        accepted: tuple[str, Sequence[str]] | None = None,
        problems: Sequence[str] = (),
    ) -> tuple[int, int]:
        """Record a scan's results in one transaction. Returns (new alerts, cleared alerts).

        ``carried`` subjects were skipped by an incremental scan because their result still holds:
        their watched alerts are seen again (last_seen moves), nothing else changes. ``states`` maps
        each evaluated subject to (fact hash, valid until) for the next incremental scan. ``profile`` (what
        was read) is what the next scan's input check compares with; ``files`` is the data-quality account;
        ``held`` subjects were left alone because a record of theirs was quarantined; ``accepted`` records
        who accepted which input problems; ``problems`` are the files quarantined beyond the limit.
        """
        org_units = org_units or {}
        subjects = set(evaluated_subjects)
        carried_set = set(carried)
        actor = f"scan #{scan_id}"
        new = cleared = 0
        with Session(self.engine) as session:
            run = session.get(ScanRun, scan_id)
            assert run is not None
            as_of = run.as_of
            suppressions = list(session.exec(select(Suppression).where(col(Suppression.until) >= as_of)))
            existing = (
                {
                    r.fingerprint: r
                    for r in session.exec(select(AlertRecord).where(col(AlertRecord.subject_id).in_(subjects)))
                }
                if subjects
                else {}
            )
            seen: set[str] = set()
            for alert in alerts:
                seen.add(alert.fingerprint)
                data = {**alert.model_dump(mode="json"), "as_of": alert.as_of}
                row = existing.get(alert.fingerprint)
                until = _suppressed_until(suppressions, alert.subject_id, alert.rule_id)
                if row is None:
                    new += 1
                    row = AlertRecord(
                        **{k: v for k, v in data.items() if k in AlertRecord.model_fields},
                        org_unit_id=org_units.get(alert.subject_id),
                        first_seen=alert.as_of,
                        last_seen=alert.as_of,
                        first_scan_id=scan_id,
                        last_scan_id=scan_id,
                        suppressed_until=until,
                        opened_on=alert.as_of,
                    )
                    session.add(row)
                    session.flush()
                    _history(session, row, actor, "created", created=True, to_grade=row.grade, on=as_of)
                    continue
                if row.grade != alert.grade.value:
                    why = "; ".join(a.message for a in alert.adjustments)
                    _history(
                        session,
                        row,
                        actor,
                        "grade_changed",
                        from_grade=row.grade,
                        to_grade=alert.grade.value,
                        reason=why,
                        on=as_of,
                    )
                if row.status in (AlertStatus.CLEARED, AlertStatus.CLOSED):  # closed (销号), and back: a repeat
                    _history(
                        session,
                        row,
                        actor,
                        "reopened",
                        to_status=AlertStatus.NEW,
                        reason="the condition holds again",
                        on=as_of,
                    )
                    row.status = AlertStatus.NEW.value
                    row.cleared_at = None
                    row.opened_on = alert.as_of
                for key in _CHANGES:
                    setattr(row, key, data[key])
                row.org_unit_id = org_units.get(alert.subject_id, row.org_unit_id)
                row.last_seen = max(row.last_seen, alert.as_of)
                row.as_of = alert.as_of
                row.last_scan_id = scan_id
                row.suppressed_until = until
                session.add(row)
            for fingerprint, row in existing.items():
                if fingerprint not in seen and row.status in WATCHED:
                    cleared += 1
                    _history(
                        session,
                        row,
                        actor,
                        "cleared",
                        to_status=AlertStatus.CLEARED,
                        reason="the condition no longer holds",
                        on=as_of,
                    )
                    row.status = AlertStatus.CLEARED.value
                    row.cleared_at = as_of
                    row.last_scan_id = scan_id
                    session.add(row)
            for chunk in _chunked(sorted(carried_set)):
                seen_on = {
                    s.subject_id: s.seen_on
                    for s in session.exec(select(SubjectState).where(col(SubjectState.subject_id).in_(chunk)))
                }
                for row in session.exec(select(AlertRecord).where(col(AlertRecord.subject_id).in_(chunk))):
                    # exactly the alerts that held when the subject was last seen still hold
                    if row.status != AlertStatus.CLEARED and row.last_seen == seen_on.get(row.subject_id):
                        row.last_seen = max(row.last_seen, as_of)  # a scan dated earlier never moves it back
                        row.as_of = as_of
                        row.last_scan_id = scan_id
                        session.add(row)
                for subject in chunk:
                    state = session.get(SubjectState, subject)
                    if state is not None:
                        state.seen_on = max(state.seen_on, as_of)
                        session.add(state)
            for subject, (fact_hash, valid_until) in (states or {}).items():
                state = session.get(SubjectState, subject) or SubjectState(
                    subject_id=subject,
                    fact_hash=fact_hash,
                    ruleset_hash=ruleset_hash,
                    evaluated_as_of=as_of,
                    seen_on=as_of,
                    valid_until=valid_until,
                    scan_id=scan_id,
                    first_seen=as_of,
                )
                state.fact_hash, state.ruleset_hash = fact_hash, ruleset_hash
                state.evaluated_as_of, state.valid_until, state.scan_id = as_of, valid_until, scan_id
                state.seen_on = as_of
                state.first_seen = min(state.first_seen or as_of, as_of)
                session.add(state)
            session.flush()
            _recheck(session, as_of, subjects | carried_set, actor)
            _add_quarantine(session, scan_id, quarantined)
            run.input_profile = dict(profile) if profile is not None else None
            run.data_quality = [f.as_dict() for f in files]
            run.held_subjects = len(held)
            run.input_problems = [*(accepted[1] if accepted else ()), *problems] or None
            run.accepted_by = accepted[0] if accepted else None
            run.finished_at = now()
            run.status = "completed"
            run.subjects = len(subjects)
            run.alerts = len(alerts)
            run.new_alerts = new
            run.cleared_alerts = cleared
            run.carried_subjects = len(carried_set)
            run.quarantined = len(quarantined)
            session.add(run)
            session.commit()
        return new, cleared

    def alerts_holding(self, subjects: Iterable[str], as_of: date) -> list[Alert]:
        """The alerts of these subjects that hold as of a date (seen then and not cleared), as Alerts."""
        out: list[Alert] = []
        with Session(self.engine) as session:
            for chunk in _chunked(sorted(set(subjects))):
                query = select(AlertRecord).where(col(AlertRecord.subject_id).in_(chunk))
                for row in session.exec(query.where(AlertRecord.last_seen == as_of)):
                    if row.status != AlertStatus.CLEARED:
                        out.append(Alert.model_validate({**row.model_dump(), "adjustments": row.adjustments or []}))
        return out

    def subject_states(self) -> dict[str, SubjectState]:
        with Session(self.engine) as session:
            return {s.subject_id: s for s in session.exec(select(SubjectState))}

    def refuse_scan(
        self,
        scan_id: int,
        reasons: Sequence[str],
        profile: Mapping[str, Any],
        files: Sequence[FileReport],
        quarantined: Sequence[QuarantinedRecord],
    ) -> None:
        """Record a scan the input check refused: why, what it read, its data quality; no alert is touched."""
        with Session(self.engine) as session:
            run = session.get(ScanRun, scan_id)
            assert run is not None
            run.status, run.input_problems, run.input_profile = "refused", list(reasons), dict(profile)
            run.data_quality = [f.as_dict() for f in files]
            run.quarantined = len(quarantined)
            run.finished_at = now()
            _add_quarantine(session, scan_id, quarantined)
            session.add(run)
            session.commit()

    def last_input_profile(self) -> dict[str, Any] | None:
        """What the last completed scan read (fact types and subjects), for the input check."""
        with Session(self.engine) as session:
            query = select(ScanRun).where(ScanRun.status == "completed").where(col(ScanRun.input_profile).is_not(None))
            run = session.exec(query.order_by(col(ScanRun.id).desc()).limit(1)).first()
            return dict(run.input_profile) if run is not None and run.input_profile is not None else None

    def fail_scan(self, scan_id: int, error: str) -> None:
        with Session(self.engine) as session:
            run = session.get(ScanRun, scan_id)
            if run is not None:
                run.status = "failed"
                run.error = error[:2000]
                run.finished_at = now()
                session.add(run)
                session.commit()

    # -- reading ------------------------------------------------------------------------------
    def alerts(self, where: AlertFilter | None = None) -> list[AlertRecord]:
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
            return list(session.exec(query.order_by(col(AlertRecord.id))))

    def alert(self, alert_id: int) -> AlertRecord:
        with Session(self.engine) as session:
            row = session.get(AlertRecord, alert_id)
            if row is None:
                raise StoreError(f"no alert #{alert_id}")
            return row

    def history(self, alert_id: int) -> list[AlertHistory]:
        with Session(self.engine) as session:
            query = select(AlertHistory).where(AlertHistory.alert_id == alert_id).order_by(col(AlertHistory.id))
            return list(session.exec(query))

    def scans(self) -> list[ScanRun]:
        with Session(self.engine) as session:
            return list(session.exec(select(ScanRun).order_by(col(ScanRun.id))))

    def quarantine(self, scan_id: int | None = None) -> list[QuarantineRecord]:
        with Session(self.engine) as session:
            query = select(QuarantineRecord)
            if scan_id is not None:
                query = query.where(QuarantineRecord.scan_id == scan_id)
            return list(session.exec(query.order_by(col(QuarantineRecord.id))))

    def suppressions(self) -> list[Suppression]:
        with Session(self.engine) as session:
            return list(session.exec(select(Suppression).order_by(col(Suppression.id))))

    # -- lifecycle ----------------------------------------------------------------------------
    def transition(
        self, alert_id: int, to: AlertStatus, actor: str, reason: str = "", *, on: date | None = None
    ) -> AlertRecord:
        """Move an alert along its lifecycle; every move is recorded with who, why and when (``on``)."""
        if not actor.strip():
            raise StoreError("say who is doing this (--by)")
        with Session(self.engine) as session:
            row = session.get(AlertRecord, alert_id)
            if row is None:
                raise StoreError(f"no alert #{alert_id}")
            allowed = TRANSITIONS.get(row.status, set())
            if to not in allowed:
                options = ", ".join(sorted(allowed)) or "none"
                raise StoreError(f"alert #{alert_id} is {row.status}; it can move to: {options}")
            if to == AlertStatus.FALSE_POSITIVE and not reason.strip():
                raise StoreError("a false positive needs a reason")
            _history(session, row, actor, to.value, to_status=to.value, reason=reason, on=on)
            row.status = to.value
            session.add(row)
            session.commit()
            session.refresh(row)
            return row

    def suppress(self, subject_id: str, until: date, reason: str, actor: str, rule_id: str | None = None) -> int:
        """Exempt a subject (optionally one rule) until a date; matching alerts are marked now."""
        if not reason.strip() or not actor.strip():
            raise StoreError("a suppression needs a reason and who decided it (--reason, --by)")
        with Session(self.engine) as session:
            entry = Suppression(
                subject_id=subject_id, rule_id=rule_id, reason=reason, until=until, created_at=now(), created_by=actor
            )
            session.add(entry)
            query = select(AlertRecord).where(AlertRecord.subject_id == subject_id)
            if rule_id is not None:
                query = query.where(AlertRecord.rule_id == rule_id)
            for row in session.exec(query):
                row.suppressed_until = max(until, row.suppressed_until or until)
                _history(session, row, actor, "suppressed", reason=f"until {until.isoformat()}: {reason}")
                session.add(row)
            session.commit()
            assert entry.id is not None
            return entry.id

    def dispose(
        self,
        alert_id: int,
        intervention: str,
        on: date,
        decided_by: str,
        actor: str,
        *,
        reply_due: date | None = None,
        recheck_due: date | None = None,
    ) -> Disposition:
        """Record an intervention decided on an alert; the alert moves to in_disposition.

        The re-check date defaults to 6 months after a 诫勉 and 90 days after anything else. From the
        next scan on, the disposition is an ``intervention`` fact of the cadre, so rules see it.
        """
        if intervention not in FORM_OF:
            raise StoreError(f"unknown intervention '{intervention}': one of {', '.join(FORM_OF)}")
        if intervention == "函询" and reply_due is None:
            raise StoreError("a 函询 needs --reply-due (a written reply is due within 15 working days)")
        if not decided_by.strip():
            raise StoreError("say which body decided it (--decided-by)")
        days = self.recheck_days.get(intervention, self.recheck_days["*"])
        due = recheck_due or on + timedelta(days=days)
        with Session(self.engine) as session:
            row = session.get(AlertRecord, alert_id)
            if row is None:
                raise StoreError(f"no alert #{alert_id}")
            if AlertStatus.IN_DISPOSITION not in TRANSITIONS.get(row.status, set()):
                raise StoreError(f"alert #{alert_id} is {row.status}; a disposition needs it new, triaged or escalated")
            entry = Disposition(
                alert_id=alert_id,
                cadre_id=row.subject_id,
                type=intervention,
                form=FORM_OF[intervention],
                family=row.family,
                decided_by=decided_by,
                decided_on=on,
                reply_due=reply_due,
                recheck_due=due,
                created_at=now(),
                created_by=actor,
            )
            session.add(entry)
            _history(
                session,
                row,
                actor,
                "disposition",
                to_status=AlertStatus.IN_DISPOSITION,
                reason=f"{intervention} by {decided_by} on {on.isoformat()}, re-check {due.isoformat()}",
                on=on,
            )
            row.status = AlertStatus.IN_DISPOSITION.value
            session.add(row)
            session.commit()
            session.refresh(entry)
            return entry

    def record_reply(self, disposition_id: int, received: date, truthful: bool, actor: str) -> Disposition:
        """The cadre's reply to a 函询 (or self-analysis after a talk): when, and whether it was truthful."""
        with Session(self.engine) as session:
            entry = session.get(Disposition, disposition_id)
            if entry is None:
                raise StoreError(f"no disposition #{disposition_id}")
            entry.replied_at, entry.truthful = received, truthful
            row = session.get(AlertRecord, entry.alert_id)
            assert row is not None
            _history(
                session,
                row,
                actor,
                "reply",
                reason=f"reply received {received.isoformat()}, {'truthful' if truthful else 'NOT truthful'}",
                on=received,
            )
            session.add(entry)
            session.commit()
            session.refresh(entry)
            return entry

    def dispositions(self, alert_id: int | None = None) -> list[Disposition]:
        with Session(self.engine) as session:
            query = select(Disposition)
            if alert_id is not None:
                query = query.where(Disposition.alert_id == alert_id)
            return list(session.exec(query.order_by(col(Disposition.id))))

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

    def history_facts(self, as_of: date, lookback_days: int = 730) -> list[Fact]:
        """What the store knows that rules may use: interventions, earlier alerts as signals, targeted
        education, and since when each subject is watched. Alerts last seen more than ``lookback_days``
        before ``as_of`` are left out (no escalation window is that long)."""
        facts: list[Fact] = [*self.intervention_facts()]
        since = as_of - timedelta(days=lookback_days)
        with Session(self.engine) as session:
            query = select(AlertRecord).where(col(AlertRecord.last_seen) >= since)
            for row in session.exec(query.where(col(AlertRecord.first_seen) <= as_of)):
                facts.append(
                    Signal(
                        signal_id=row.fingerprint,
                        cadre_id=row.subject_id,
                        rule_id=row.rule_id,
                        family=row.family,
                        grade=row.grade,
                        rank=Grade(row.grade).rank,
                        first_seen=row.first_seen,
                        opened_on=row.opened_on or row.first_seen,
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

    # -- targeted education ---------------------------------------------------------------------
    def assign_education(
        self,
        alert_id: int,
        on: date,
        due: date,
        actor: str,
        *,
        topic: str | None = None,
        kind: str = "警示教育",
    ) -> EducationAssignmentRecord:
        """Assign targeted education on an alert (by default the topic the alert recommends)."""
        if not actor.strip():
            raise StoreError("say who is assigning it (--by)")
        if due < on:
            raise StoreError(f"the due date {due.isoformat()} is before the assignment date {on.isoformat()}")
        if kind not in EDUCATION_TYPES:
            raise StoreError(f"unknown education type '{kind}': one of {', '.join(EDUCATION_TYPES)}")
        with Session(self.engine) as session:
            row = session.get(AlertRecord, alert_id)
            if row is None:
                raise StoreError(f"no alert #{alert_id}")
            entry = EducationAssignmentRecord(
                alert_id=alert_id,
                cadre_id=row.subject_id,
                type=kind,
                topic=topic or row.recommended_education,
                assigned_on=on,
                due=due,
                created_at=now(),
                created_by=actor,
            )
            session.add(entry)
            _history(session, row, actor, "education_assigned", reason=f"{entry.topic}, due {due.isoformat()}", on=on)
            session.commit()
            session.refresh(entry)
            return entry

    def complete_education(self, assignment_id: int, on: date, hours: float, actor: str) -> EducationAssignmentRecord:
        """Record that the cadre completed an assigned education, on a date, for so many hours."""
        with Session(self.engine) as session:
            entry = session.get(EducationAssignmentRecord, assignment_id)
            if entry is None:
                raise StoreError(f"no education assignment #{assignment_id}")
            if on < entry.assigned_on:
                raise StoreError(
                    f"completed {on.isoformat()}, before it was assigned ({entry.assigned_on.isoformat()})"
                )
            entry.completed_on, entry.hours = on, hours
            row = session.get(AlertRecord, entry.alert_id)
            assert row is not None
            _history(session, row, actor, "education_completed", reason=f"{entry.topic}, {hours:g} h", on=on)
            session.add(entry)
            session.commit()
            session.refresh(entry)
            return entry

    def assignments(self, alert_id: int | None = None) -> list[EducationAssignmentRecord]:
        with Session(self.engine) as session:
            query = select(EducationAssignmentRecord)
            if alert_id is not None:
                query = query.where(EducationAssignmentRecord.alert_id == alert_id)
            return list(session.exec(query.order_by(col(EducationAssignmentRecord.id))))

    def close(self) -> None:
        self.engine.dispose()


# 四种形态: talks, inquiries, criticism and admonition are the first form; adjustment is the second
FORM_OF = {
    "提醒谈话": 1,
    "谈话提醒": 1,
    "批评教育": 1,
    "函询": 1,
    "诫勉": 1,
    "责令检查": 1,
    "通报批评": 1,
    "组织调整": 2,
}
RECHECK_DAYS = {"诫勉": 183, "*": 90}  # 6 months after 诫勉 (南昌); 90 days otherwise
EDUCATION_TYPES = tuple(typing.get_args(EducationType))


def _recheck(session: Session, as_of: date, scanned: set[str], actor: str) -> None:
    """Re-check every disposition due by ``as_of`` whose subject this scan evaluated or carried.

    The condition is gone and every education assigned on the alert was completed: the alert is closed
    (销号). The condition still holds: it is escalated (the ``escalate.recheck-failed`` rule has raised its
    grade). The condition is gone but education is missing or outstanding: escalated one level here.
    """
    due = session.exec(
        select(Disposition)
        .where(col(Disposition.recheck_due) <= as_of)
        .where(col(Disposition.rechecked_on).is_(None))
        .order_by(col(Disposition.id))
    )
    for disposition in due:
        if disposition.cadre_id not in scanned:
            continue  # not evaluated tonight (quarantined, missing): re-checked by a later scan
        row = session.get(AlertRecord, disposition.alert_id)
        assert row is not None
        holds = row.status != AlertStatus.CLEARED and row.last_seen == as_of
        education = list(
            session.exec(select(EducationAssignmentRecord).where(EducationAssignmentRecord.alert_id == row.id))
        )
        done = bool(education) and all(e.completed_on is not None and e.completed_on <= as_of for e in education)
        check = f"re-check of the {disposition.type} of {disposition.decided_on.isoformat()}"
        if holds:
            result = "escalated: the condition still holds"
            to = AlertStatus.ESCALATED
        elif done:
            result = "closed: the condition is gone and the targeted education was completed"
            to = AlertStatus.CLOSED
        else:
            result = "escalated: the condition is gone but the targeted education was not completed"
            to = AlertStatus.ESCALATED
            raised = Grade(row.grade).raised(1)
            if raised != row.grade:
                _history(
                    session, row, actor, "grade_changed", from_grade=row.grade, to_grade=raised, reason=check, on=as_of
                )
                row.grade, row.score = raised.value, raised.score
        if row.status not in (AlertStatus.CLOSED, AlertStatus.FALSE_POSITIVE):
            _history(session, row, actor, "recheck", to_status=to, reason=f"{check}: {result}", on=as_of)
            row.status = to.value
        disposition.rechecked_on, disposition.recheck_result = as_of, result
        session.add(row)
        session.add(disposition)


def _add_quarantine(session: Session, scan_id: int, quarantined: Sequence[QuarantinedRecord]) -> None:
    if quarantined:
        session.execute(insert(QuarantineRecord), [{"scan_id": scan_id, **q.as_dict()} for q in quarantined])


def _chunked(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _holder_is_dead(holder: str) -> bool:
    """True for a holder ``host:pid:token`` on this host whose process no longer exists."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _suppressed_until(suppressions: Sequence[Suppression], subject: str, rule: str) -> date | None:
    dates = [s.until for s in suppressions if s.subject_id == subject and s.rule_id in (None, rule)]
    return max(dates) if dates else None


def _history(
    session: Session,
    row: AlertRecord,
    actor: str,
    action: str,
    *,
    to_status: str | None = None,
    from_grade: str | None = None,
    to_grade: str | None = None,
    reason: str = "",
    created: bool = False,
    on: date | None = None,
) -> None:
    """One history entry; the status moves from the row's current one (none when just created) to ``to_status``.

    ``on`` is the business date of the change (a scan's as-of date, the date a decision was taken);
    it defaults to today.
    """
    assert row.id is not None
    session.add(
        AlertHistory(
            alert_id=row.id,
            at=now(),
            actor=actor,
            action=action,
            from_status=None if created else row.status,
            to_status=to_status or row.status,
            from_grade=from_grade,
            to_grade=to_grade,
            reason=reason,
            effective_on=on or now().date(),
        )
    )
