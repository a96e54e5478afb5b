"""Writing a scan: start it, record its results in one transaction, or record it refused or failed.

A scan's results are written in one transaction (``finish_scan``): a scan killed at any point leaves at
most a ``running`` scan row, which the next scan marks ``abandoned``; the alert set is never half-written.
Alerts are upserted by fingerprint: a re-run changes nothing, a persistent condition moves ``last_seen``,
a condition that no longer holds is ``cleared`` (never deleted), a grade change is recorded in history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Engine as SqlEngine
from sqlalchemy import insert
from sqlmodel import Session, col, select

from risk_warning.alerts.model import Alert
from risk_warning.errors import QuarantinedRecord
from risk_warning.sources.base import FileReport
from risk_warning.store.actions import recheck_due
from risk_warning.store.journal import chunked, now, record
from risk_warning.store.tables import (
    WATCHED,
    AlertRecord,
    AlertStatus,
    QuarantineRecord,
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


class ScanWriter:
    """The scan's side of the store."""

    engine: SqlEngine

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
        subjects, carried_set = set(evaluated_subjects), set(carried)
        actor = f"scan #{scan_id}"
        with Session(self.engine) as session:
            run = session.get(ScanRun, scan_id)
            assert run is not None
            existing = _existing(session, subjects)
            new = _upsert(session, alerts, existing, org_units or {}, run, actor)
            cleared = _clear_unseen(session, existing, {a.fingerprint for a in alerts}, run, actor)
            _carry(session, carried_set, run)
            _record_states(session, states or {}, ruleset_hash, run)
            session.flush()
            recheck_due(session, run.as_of, subjects | carried_set, actor)
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

    def fail_scan(self, scan_id: int, error: str) -> None:
        with Session(self.engine) as session:
            run = session.get(ScanRun, scan_id)
            if run is not None:
                run.status = "failed"
                run.error = error[:2000]
                run.finished_at = now()
                session.add(run)
                session.commit()


def _add_quarantine(session: Session, scan_id: int, quarantined: Sequence[QuarantinedRecord]) -> None:
    if quarantined:
        session.execute(insert(QuarantineRecord), [{"scan_id": scan_id, **q.as_dict()} for q in quarantined])


def _suppressed_until(suppressions: Sequence[Suppression], subject: str, rule: str) -> date | None:
    dates = [s.until for s in suppressions if s.subject_id == subject and s.rule_id in (None, rule)]
    return max(dates) if dates else None


def _existing(session: Session, subjects: set[str]) -> dict[str, AlertRecord]:
    """The stored alerts of the evaluated subjects, by fingerprint (IN lists of 500: PostgreSQL takes 65,535
    parameters per statement at most)."""
    return {
        r.fingerprint: r
        for chunk in chunked(sorted(subjects))
        for r in session.exec(select(AlertRecord).where(col(AlertRecord.subject_id).in_(chunk)))
    }


def _upsert(
    session: Session,
    alerts: Sequence[Alert],
    existing: dict[str, AlertRecord],
    org_units: Mapping[str, str],
    run: ScanRun,
    actor: str,
) -> int:
    """Insert tonight's new alerts, update the ones seen before (grade changes and reopenings journalled)."""
    assert run.id is not None
    scan_id, as_of, new = run.id, run.as_of, 0
    suppressions = list(session.exec(select(Suppression).where(col(Suppression.until) >= as_of)))
    for alert in alerts:
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
            record(session, row, actor, "created", created=True, to_grade=row.grade, on=as_of)
            continue
        if row.grade != alert.grade.value:
            why = "; ".join(a.message for a in alert.adjustments)
            record(
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
            reason = "the condition holds again"
            record(session, row, actor, "reopened", to_status=AlertStatus.NEW, reason=reason, on=as_of)
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
    return new


def _clear_unseen(session: Session, existing: dict[str, AlertRecord], seen: set[str], run: ScanRun, actor: str) -> int:
    """An evaluated subject's watched alert that did not hold tonight is cleared (kept, never deleted)."""
    cleared = 0
    for fingerprint, row in existing.items():
        if fingerprint not in seen and row.status in WATCHED:
            cleared += 1
            reason = "the condition no longer holds"
            record(session, row, actor, "cleared", to_status=AlertStatus.CLEARED, reason=reason, on=run.as_of)
            row.status = AlertStatus.CLEARED.value
            row.cleared_at = run.as_of
            row.last_scan_id = run.id
            session.add(row)
    return cleared


def _carry(session: Session, carried: set[str], run: ScanRun) -> None:
    """Subjects an incremental scan skipped: exactly the alerts that held when last seen still hold."""
    as_of = run.as_of
    for chunk in chunked(sorted(carried)):
        seen_on = {
            s.subject_id: s.seen_on
            for s in session.exec(select(SubjectState).where(col(SubjectState.subject_id).in_(chunk)))
        }
        for row in session.exec(select(AlertRecord).where(col(AlertRecord.subject_id).in_(chunk))):
            if row.status != AlertStatus.CLEARED and row.last_seen == seen_on.get(row.subject_id):
                row.last_seen = max(row.last_seen, as_of)  # a scan dated earlier never moves it back
                row.as_of = as_of
                row.last_scan_id = run.id
                session.add(row)
        for subject in chunk:
            state = session.get(SubjectState, subject)
            if state is not None:
                state.seen_on = max(state.seen_on, as_of)
                session.add(state)


def _record_states(session: Session, states: Mapping[str, tuple[str, date]], ruleset_hash: str, run: ScanRun) -> None:
    """Each evaluated subject's fact hash and validity horizon, for the next incremental scan."""
    as_of = run.as_of
    assert run.id is not None
    for subject, (fact_hash, valid_until) in states.items():
        state = session.get(SubjectState, subject) or SubjectState(
            subject_id=subject,
            fact_hash=fact_hash,
            ruleset_hash=ruleset_hash,
            evaluated_as_of=as_of,
            seen_on=as_of,
            valid_until=valid_until,
            scan_id=run.id,
            first_seen=as_of,
        )
        state.fact_hash, state.ruleset_hash = fact_hash, ruleset_hash
        state.evaluated_as_of, state.valid_until, state.scan_id = as_of, valid_until, run.id
        state.seen_on = as_of
        state.first_seen = min(state.first_seen or as_of, as_of)
        session.add(state)
