"""Writing a scan: start it, record its results in one transaction, or record it refused or failed.

A scan's results are written in one transaction (``finish_scan``), in set-based statements (one INSERT
of new alerts, executemany UPDATEs, one INSERT of history, IN lists of 500, upserts of subject states),
never a query per row: a scan killed at any point leaves at
most a ``running`` scan row, which the next scan marks ``abandoned``; the alert set is never half-written.
Alerts are upserted by fingerprint: a re-run changes nothing, a persistent condition moves ``last_seen``,
a condition that no longer holds is ``cleared`` (never deleted), a grade change is recorded in history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Engine as SqlEngine
from sqlalchemy import bindparam, case, func, insert, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col, select

from risk_warning.errors import QuarantinedRecord
from risk_warning.privacy import scrub
from risk_warning.store.actions import recheck_due
from risk_warning.store.audit import write_audit
from risk_warning.store.journal import chunked, now
from risk_warning.store.locks import scan_write_lock
from risk_warning.store.principal import Principal
from risk_warning.store.tables import (
    ENDED,
    REOPENS,
    WATCHED,
    AlertHistory,
    AlertRecord,
    AlertStatus,
    OrgUnitRecord,
    QuarantineRecord,
    ScanRun,
    SubjectState,
    Suppression,
)

if TYPE_CHECKING:  # annotations only: the store is opened by commands that never read an export (Polars)
    from risk_warning.alerts.model import Alert
    from risk_warning.sources.base import FileReport

# set-based statements go to the tables, not through the ORM
ALERT = SQLModel.metadata.tables[AlertRecord.__tablename__]
HISTORY = SQLModel.metadata.tables[AlertHistory.__tablename__]
STATE = SQLModel.metadata.tables[SubjectState.__tablename__]

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
    principal: Principal

    def start_scan(self, as_of: date, ruleset_hash: str) -> int:
        self.principal.require_unscoped_admin("run a scan")  # a scan writes every unit's alerts
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
        labels: Mapping[str, Label] | None = None,
        chart: Sequence[tuple[str, str, str | None]] = (),
        carried: Iterable[str] = (),
        states: Mapping[str, tuple[str, date]] | None = None,
        ruleset_hash: str = "",
        profile: Mapping[str, Any] | None = None,
        files: Sequence[FileReport] = (),
        held: Sequence[str] = (),
        accepted: tuple[str, Sequence[str]] | None = None,
        problems: Sequence[str] = (),
        retired: Mapping[str, str] | None = None,
    ) -> tuple[int, int]:
        """Record a scan's results in one transaction. Returns (new alerts, cleared alerts).

        ``carried`` subjects were skipped by an incremental scan because their result still holds:
        their watched alerts are seen again (last_seen moves), nothing else changes. ``states`` maps
        each evaluated subject to (fact hash, valid until) for the next incremental scan. ``profile`` (what
        was read) is what the next scan's input check compares with; ``files`` is the data-quality account;
        ``held`` subjects were left alone because a record of theirs was quarantined; ``accepted`` records
        who accepted which input problems; ``problems`` are the files quarantined beyond the limit; ``retired``
        (rule id -> where it was disabled) are the disabled rules, whose watched alerts are retired, not cleared;
        ``labels`` name the alerts' subjects (masked) and units; ``chart`` is the export's org units (id, name,
        parent), kept for expanding scopes.
        """
        subjects, carried_set = set(evaluated_subjects), set(carried)
        actor = f"scan #{scan_id}"
        with Session(self.engine) as session:
            scan_write_lock(session.connection())  # before reading what it will change (store/locks.py)
            run = session.get(ScanRun, scan_id)
            assert run is not None
            journal = _Journal(actor, run.as_of)
            existing = _existing(session, subjects)
            new = _upsert(session, alerts, existing, org_units or {}, labels or {}, run, journal)
            cleared = _clear_unseen(session, existing, {a.fingerprint for a in alerts}, run, journal, retired or {})
            journal.write(session)
            _carry(session, carried_set, run)
            _record_chart(session, chart, run.as_of)
            _record_states(session, states or {}, ruleset_hash, run)
            session.flush()
            recheck_due(session, run.as_of, subjects | carried_set, actor)
            _add_quarantine(session, scan_id, quarantined)
            run.input_profile = dict(profile) if profile is not None else None
            run.data_quality = [{**f.as_dict(), "path": scrub(f.path)} for f in files]
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
            summary = f"as of {run.as_of.isoformat()}: {len(subjects)} subjects evaluated, {new} new, {cleared} cleared"
            write_audit(session, self.principal, "scan.completed", actor=actor, detail=summary)
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
            run.data_quality = [{**f.as_dict(), "path": scrub(f.path)} for f in files]
            run.quarantined = len(quarantined)
            run.finished_at = now()
            _add_quarantine(session, scan_id, quarantined)
            session.add(run)
            detail = f"as of {run.as_of.isoformat()}: " + "; ".join(reasons)
            write_audit(session, self.principal, "scan.refused", actor=f"scan #{scan_id}", detail=detail)
            session.commit()

    def fail_scan(self, scan_id: int, error: str) -> None:
        with Session(self.engine) as session:
            run = session.get(ScanRun, scan_id)
            if run is not None:
                run.status = "failed"
                run.error = error[:2000]
                run.finished_at = now()
                session.add(run)
                detail = f"as of {run.as_of.isoformat()}: {error[:500]}"
                write_audit(session, self.principal, "scan.failed", actor=f"scan #{scan_id}", detail=detail)
                session.commit()


def _add_quarantine(session: Session, scan_id: int, quarantined: Sequence[QuarantinedRecord]) -> None:
    """The quarantined records, their paths and messages scrubbed (an export may name a file after an ID
    number: 110101....lrmx; a message may quote a value)."""
    if quarantined:
        rows = [{"scan_id": scan_id, **q.as_dict()} for q in quarantined]
        for row in rows:
            row["path"], row["message"] = scrub(row["path"]), scrub(row["message"])
        session.execute(insert(QuarantineRecord), rows)


def _suppressed_until(suppressions: Sequence[Suppression], subject: str, rule: str) -> date | None:
    dates = [s.until for s in suppressions if s.subject_id == subject and s.rule_id in (None, rule)]
    return max(dates) if dates else None


class Label(NamedTuple):
    """How tables and reports name an alert's subject: a cadre's masked name (张**) or a unit's name, and the
    name of its unit. Never an unmasked name: the store keeps only what may be shown."""

    name: str
    unit: str


@dataclass(frozen=True)
class _Stored:
    """What the writer needs to know of a stored alert."""

    id: int
    subject_id: str
    status: str
    grade: str
    last_seen: date
    org_unit_id: str | None
    rule_id: str


class _Journal:
    """History entries collected during a scan's write, inserted in one statement (in order)."""

    def __init__(self, actor: str, on: date) -> None:
        self.actor, self.on, self.at = actor, on, now()
        self.rows: list[dict[str, Any]] = []

    def add(
        self,
        alert_id: int,
        action: str,
        from_status: str | None,
        to_status: str,
        *,
        from_grade: str | None = None,
        to_grade: str | None = None,
        reason: str = "",
    ) -> None:
        self.rows.append(
            {
                "alert_id": alert_id,
                "at": self.at,
                "actor": self.actor,
                "action": action,
                "from_status": from_status,
                "to_status": to_status,
                "from_grade": from_grade,
                "to_grade": to_grade,
                "reason": reason,
                "effective_on": self.on,
            }
        )

    def write(self, session: Session) -> None:
        if self.rows:
            session.execute(insert(HISTORY), self.rows)
            self.rows = []


def _existing(session: Session, subjects: set[str]) -> dict[str, _Stored]:
    """The stored alerts of the evaluated subjects, by fingerprint: by IN lists of 500 subjects (PostgreSQL
    takes 65,535 parameters per statement at most), or, where the store holds fewer alerts than the scan
    evaluated subjects (a province's nightly scan: 10^6 subjects, a few thousand alerts), all of them read
    in one statement and kept to those subjects."""
    c = ALERT.c
    columns = (c.fingerprint, c.id, c.subject_id, c.status, c.grade, c.last_seen, c.org_unit_id, c.rule_id)
    out: dict[str, _Stored] = {}
    stored = session.execute(core_select(func.count()).select_from(ALERT)).scalar_one()
    if stored <= len(subjects):
        for fingerprint, *rest in session.execute(core_select(*columns)):
            if rest[1] in subjects:
                out[fingerprint] = _Stored(*rest)
        return out
    for chunk in chunked(sorted(subjects)):
        for fingerprint, *rest in session.execute(core_select(*columns).where(c.subject_id.in_(chunk))):
            out[fingerprint] = _Stored(*rest)
    return out


def _upsert(
    session: Session,
    alerts: Sequence[Alert],
    existing: Mapping[str, _Stored],
    org_units: Mapping[str, str],
    labels: Mapping[str, Label],
    run: ScanRun,
    journal: _Journal,
) -> int:
    """Insert tonight's new alerts, update the ones seen before (grade changes and reopenings journalled):
    one INSERT and one executemany UPDATE, whatever the number of alerts."""
    assert run.id is not None
    scan_id, as_of = run.id, run.as_of
    suppressions = list(session.exec(select(Suppression).where(col(Suppression.until) >= as_of)))
    fields = set(AlertRecord.model_fields) - {"id"}
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for alert in alerts:
        data = {**alert.model_dump(mode="json"), "as_of": alert.as_of}
        until = _suppressed_until(suppressions, alert.subject_id, alert.rule_id)
        row = existing.get(alert.fingerprint)
        if row is None:
            values = {k: v for k, v in data.items() if k in fields}
            label = labels.get(alert.subject_id, Label("", ""))
            values.update(
                org_unit_id=org_units.get(alert.subject_id),
                subject_name=label.name,
                org_unit_name=label.unit,
                first_seen=alert.as_of,
                last_seen=alert.as_of,
                first_scan_id=scan_id,
                last_scan_id=scan_id,
                suppressed_until=until,
                opened_on=alert.as_of,
                status=AlertStatus.NEW.value,
            )
            inserts.append(values)
            continue
        change: dict[str, Any] = {key: data[key] for key in _CHANGES}
        change.update(
            id=row.id,
            org_unit_id=org_units.get(alert.subject_id, row.org_unit_id),
            last_seen=max(row.last_seen, alert.as_of),
            as_of=alert.as_of,
            last_scan_id=scan_id,
            suppressed_until=until,
        )
        if alert.subject_id in labels:  # tonight's names: a cadre renamed or moved to another unit
            change.update(subject_name=labels[alert.subject_id].name, org_unit_name=labels[alert.subject_id].unit)
        if row.grade != alert.grade.value:
            why = "; ".join(a.message for a in alert.adjustments)
            journal.add(
                row.id, "grade_changed", row.status, row.status, from_grade=row.grade, to_grade=alert.grade.value,
                reason=why,
            )  # fmt: skip
        if row.status in REOPENS:  # cleared, retired or closed (销号), and back: a repeat
            journal.add(row.id, "reopened", row.status, AlertStatus.NEW.value, reason="the condition holds again")
            change.update(status=AlertStatus.NEW.value, cleared_at=None, opened_on=alert.as_of)
        updates.append(change)
    if inserts:
        returned = session.execute(
            insert(AlertRecord).returning(col(AlertRecord.id), col(AlertRecord.fingerprint)), inserts
        )
        ids = dict((fingerprint, alert_id) for alert_id, fingerprint in returned)
        for values in inserts:
            journal.add(ids[values["fingerprint"]], "created", None, AlertStatus.NEW.value, to_grade=values["grade"])
    _update_by_id(session, updates)
    return len(inserts)


def _update_by_id(session: Session, rows: list[dict[str, Any]]) -> None:
    """UPDATE alert rows by primary key, one executemany per set of columns."""
    by_shape: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for r in rows:
        by_shape.setdefault(tuple(sorted(r)), []).append(r)
    for shape, group in by_shape.items():
        values: dict[str, Any] = {k: bindparam(f"v_{k}") for k in shape if k != "id"}
        statement = update(ALERT).where(ALERT.c.id == bindparam("v_id")).values(values)
        session.execute(statement, [{f"v_{k}": v for k, v in r.items()} for r in group])


def _clear_unseen(
    session: Session,
    existing: Mapping[str, _Stored],
    seen: set[str],
    run: ScanRun,
    journal: _Journal,
    retired: Mapping[str, str],
) -> int:
    """An evaluated subject's watched alert that did not hold tonight is cleared (kept, never deleted); one
    whose rule is disabled (``retired``: rule id -> where) is retired instead: the scan did not look, so it
    says nothing of the condition. Returns the number cleared."""
    gone = [row for fingerprint, row in existing.items() if fingerprint not in seen and row.status in WATCHED]
    cleared = [row for row in gone if row.rule_id not in retired]
    for row in gone:
        if row.rule_id in retired:
            reason = f"the rule was disabled: {retired[row.rule_id]}"
            journal.add(row.id, "retired", row.status, AlertStatus.RETIRED.value, reason=reason)
        else:
            journal.add(
                row.id, "cleared", row.status, AlertStatus.CLEARED.value, reason="the condition no longer holds"
            )
    for status, rows in ((AlertStatus.CLEARED, cleared), (AlertStatus.RETIRED, [r for r in gone if r not in cleared])):
        ids = [row.id for row in rows]
        for i in range(0, len(ids), 500):
            session.execute(
                update(ALERT)
                .where(ALERT.c.id.in_(ids[i : i + 500]))
                .values(status=status.value, cleared_at=run.as_of, last_scan_id=run.id)
            )
    return len(cleared)


def _later(column: Any, day: date) -> Any:
    """The later of a date column and ``day`` (a scan dated earlier never moves a date back)."""
    return case((column < day, day), else_=column)


def _carry(session: Session, carried: set[str], run: ScanRun) -> None:
    """Subjects an incremental scan skipped: exactly the alerts that held when last seen still hold."""
    as_of = run.as_of
    seen_on = core_select(STATE.c.seen_on).where(STATE.c.subject_id == ALERT.c.subject_id).scalar_subquery()
    for chunk in chunked(sorted(carried)):
        session.execute(
            update(ALERT)
            .where(ALERT.c.subject_id.in_(chunk))
            .where(ALERT.c.status.not_in([s.value for s in ENDED]))
            .where(ALERT.c.last_seen == seen_on)
            .values(last_seen=_later(ALERT.c.last_seen, as_of), as_of=as_of, last_scan_id=run.id)
        )
        session.execute(
            update(STATE).where(STATE.c.subject_id.in_(chunk)).values(seen_on=_later(STATE.c.seen_on, as_of))
        )


def _record_chart(session: Session, chart: Sequence[tuple[str, str, str | None]], as_of: date) -> None:
    """The export's org units (id, name, parent), upserted: a unit the export leaves out is kept."""
    if not chart:
        return
    dialect = session.get_bind().dialect.name
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(OrgUnitRecord)
    upsert = statement.on_conflict_do_update(
        index_elements=["org_unit_id"],
        set_={"name": statement.excluded.name, "parent_id": statement.excluded.parent_id, "seen_on": as_of},
    )
    rows = {
        unit: {"org_unit_id": unit, "name": name or "", "parent_id": parent or None} for unit, name, parent in chart
    }
    for chunk in chunked(sorted(rows)):
        session.execute(upsert, [{**rows[u], "seen_on": as_of} for u in chunk])


def _record_states(session: Session, states: Mapping[str, tuple[str, date]], ruleset_hash: str, run: ScanRun) -> None:
    """Each evaluated subject's fact hash and validity horizon, for the next incremental scan: one
    INSERT ... ON CONFLICT DO UPDATE (SQLite and PostgreSQL)."""
    if not states:
        return
    as_of = run.as_of
    dialect = session.get_bind().dialect.name
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(STATE)
    kept = STATE.c.first_seen
    upsert = statement.on_conflict_do_update(
        index_elements=["subject_id"],
        set_={
            "fact_hash": statement.excluded.fact_hash,
            "ruleset_hash": statement.excluded.ruleset_hash,
            "evaluated_as_of": statement.excluded.evaluated_as_of,
            "seen_on": statement.excluded.seen_on,
            "valid_until": statement.excluded.valid_until,
            "scan_id": statement.excluded.scan_id,
            "first_seen": case(
                (kept.is_(None), statement.excluded.first_seen),
                (statement.excluded.first_seen < kept, statement.excluded.first_seen),
                else_=kept,
            ),
        },
    )
    rows = [
        {
            "subject_id": subject,
            "fact_hash": fact_hash,
            "ruleset_hash": ruleset_hash,
            "evaluated_as_of": as_of,
            "seen_on": as_of,
            "valid_until": valid_until,
            "scan_id": run.id,
            "first_seen": as_of,
        }
        for subject, (fact_hash, valid_until) in sorted(states.items())
    ]
    for i in range(0, len(rows), 2000):
        session.execute(upsert, rows[i : i + 2000])
