"""The lifecycle people drive (triage, false positive, suppression, disposition, reply, targeted
education) and the re-check scans apply; every change is journalled with who, why and when."""

from __future__ import annotations

import typing
from datetime import date, timedelta

from sqlalchemy import Engine as SqlEngine
from sqlalchemy import update
from sqlmodel import Session, col, select

from risk_warning.errors import ConflictError, NotFoundError, StoreError
from risk_warning.facts.integrity import EducationType
from risk_warning.grade import Grade
from risk_warning.store.audit import write_audit
from risk_warning.store.journal import now, record
from risk_warning.store.principal import Principal, Role
from risk_warning.store.scope import Scoping
from risk_warning.store.stored import StoredAlert, StoredAssignment, StoredDisposition
from risk_warning.store.tables import (
    ENDED,
    AlertHistory,
    AlertRecord,
    AlertStatus,
    Disposition,
    EducationAssignmentRecord,
    Suppression,
)

# who may move an alert where (scans move alerts to cleared and back; see finish_scan)
TRANSITIONS: dict[str, set[str]] = {
    AlertStatus.NEW: {AlertStatus.TRIAGED, AlertStatus.FALSE_POSITIVE, AlertStatus.IN_DISPOSITION},
    AlertStatus.TRIAGED: {AlertStatus.IN_DISPOSITION, AlertStatus.FALSE_POSITIVE},
    AlertStatus.IN_DISPOSITION: {AlertStatus.RECHECK},
    AlertStatus.RECHECK: {AlertStatus.CLOSED, AlertStatus.ESCALATED},
    AlertStatus.ESCALATED: {AlertStatus.IN_DISPOSITION},
}

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


class Actions(Scoping):
    """Lifecycle changes made by people, each allowed by the principal's role and scope."""

    engine: SqlEngine
    recheck_days: dict[str, int]
    principal: Principal

    def _audit(self, session: Session, action: str, actor: str, rows: list[AlertRecord], detail: str) -> None:
        """The change's audit record, in the change's own transaction."""
        subjects, ids = [r.subject_id for r in rows], [r.id for r in rows if r.id is not None]
        write_audit(session, self.principal, action, actor=actor, subjects=subjects, alert_ids=ids, detail=detail)

    def transition(
        self, alert_id: int, to: AlertStatus, actor: str, reason: str = "", *, on: date | None = None
    ) -> StoredAlert:
        """Move an alert along its lifecycle; every move is recorded with who, why and when (``on``)."""
        needs = Role.TRIAGER if to in (AlertStatus.TRIAGED, AlertStatus.FALSE_POSITIVE) else Role.DISPOSER
        self.principal.require(needs, f"move an alert to {to.value}")
        if not actor.strip():
            raise StoreError("say who is doing this (--by)")
        with Session(self.engine) as session:
            row = self.alert_row(session, alert_id)
            allowed = TRANSITIONS.get(row.status, set())
            if to not in allowed:
                options = ", ".join(sorted(allowed)) or "none"
                raise ConflictError(f"alert #{alert_id} is {row.status}; it can move to: {options}")
            if to == AlertStatus.FALSE_POSITIVE and not reason.strip():
                raise StoreError("a false positive needs a reason")
            self._compare_and_set(session, row, to.value)
            record(session, row, actor, to.value, to_status=to.value, reason=reason, on=on)
            self._audit(session, f"alert.{to.value}", actor, [row], reason)
            session.commit()
            session.refresh(row)
            return StoredAlert.model_validate(row)

    def _compare_and_set(self, session: Session, row: AlertRecord, to: str) -> None:
        """The status change as one statement that holds only from the status the change was judged in (as
        the scan lease is taken): of two people acting on one alert at once, exactly one wins; the other is
        told the alert's status now and who set it, and nothing of theirs is written."""
        judged = row.status
        changed = session.exec(
            update(AlertRecord)
            .where(col(AlertRecord.id) == row.id, col(AlertRecord.status) == judged)
            .values(status=to)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed == 1:
            return
        session.rollback()
        with Session(self.engine) as fresh:
            current = fresh.get(AlertRecord, row.id)
            last = fresh.exec(
                select(AlertHistory).where(AlertHistory.alert_id == row.id).order_by(col(AlertHistory.id).desc())
            ).first()
        now_status = current.status if current is not None else "gone"
        by = f", set by {last.actor} at {last.at:%Y-%m-%d %H:%M} UTC" if last is not None else ""
        raise ConflictError(
            f"alert #{row.id} was {judged} when this was decided and is now {now_status}{by}; nothing was changed"
        )

    @staticmethod
    def _hold(session: Session, *where: typing.Any) -> None:
        """Hold the alerts ``where`` says until this change commits, so what is read of them next is how
        they are: a change that keeps the status (an education, a reply, a suppression) records the status
        it was made in, not the one read before a scan or a person changed it (a no-op UPDATE takes
        PostgreSQL's row locks and SQLite's write lock)."""
        held = update(AlertRecord).where(*where).values(status=AlertRecord.status)
        session.exec(held.execution_options(synchronize_session=False))

    def _held(self, session: Session, alert_id: int) -> AlertRecord:
        """The alert, if the principal sees it, held until this change commits (``_hold``) and read as it is."""
        row = self.alert_row(session, alert_id)
        self._hold(session, col(AlertRecord.id) == alert_id)
        session.refresh(row)
        return row

    def suppress(self, subject_id: str, until: date, reason: str, actor: str, rule_id: str | None = None) -> int:
        """Exempt a subject (optionally one rule) until a date; matching alerts are marked now."""
        self.principal.require(Role.DISPOSER, "suppress alerts")
        if not reason.strip() or not actor.strip():
            raise StoreError("a suppression needs a reason and who decided it (--reason, --by)")
        with Session(self.engine) as session:
            entry = Suppression(
                subject_id=subject_id, rule_id=rule_id, reason=reason, until=until, created_at=now(), created_by=actor
            )
            session.add(entry)
            which = [col(AlertRecord.subject_id) == subject_id]
            if rule_id is not None:
                which.append(col(AlertRecord.rule_id) == rule_id)
            self._hold(session, *which)
            query = select(AlertRecord).where(*which)
            units = self.units_seen(session)
            rows = list(session.exec(query))
            if self.principal.scoped and not any(self.sees(r, units) for r in rows):
                raise NotFoundError(f"no alerts of {subject_id}")  # not a subject it may act on
            for row in rows:
                row.suppressed_until = max(until, row.suppressed_until or until)
                record(session, row, actor, "suppressed", reason=f"until {until.isoformat()}: {reason}")
                session.add(row)
            why = f"{rule_id or 'every rule'} until {until.isoformat()}: {reason}"
            write_audit(
                session, self.principal, "subject.suppressed", actor=actor, subjects=[subject_id],
                alert_ids=[r.id for r in rows if r.id is not None], detail=why,
            )  # fmt: skip
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
    ) -> StoredDisposition:
        """Record an intervention decided on an alert; the alert moves to in_disposition.

        The re-check date defaults to 6 months after a 诫勉 and 90 days after anything else. From the
        next scan on, the disposition is an ``intervention`` fact of the cadre, so rules see it.
        """
        self.principal.require(Role.DISPOSER, "decide a disposition")
        if intervention not in FORM_OF:
            raise StoreError(f"unknown intervention '{intervention}': one of {', '.join(FORM_OF)}")
        if intervention == "函询" and reply_due is None:
            raise StoreError("a 函询 needs --reply-due (a written reply is due within 15 working days)")
        if not decided_by.strip():
            raise StoreError("say which body decided it (--decided-by)")
        days = self.recheck_days.get(intervention, self.recheck_days["*"])
        due = recheck_due or on + timedelta(days=days)
        with Session(self.engine) as session:
            row = self.alert_row(session, alert_id)
            if AlertStatus.IN_DISPOSITION not in TRANSITIONS.get(row.status, set()):
                needs = "a disposition needs it new, triaged or escalated"
                raise ConflictError(f"alert #{alert_id} is {row.status}; {needs}")
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
            self._compare_and_set(session, row, AlertStatus.IN_DISPOSITION.value)
            session.add(entry)
            record(
                session,
                row,
                actor,
                "disposition",
                to_status=AlertStatus.IN_DISPOSITION,
                reason=f"{intervention} by {decided_by} on {on.isoformat()}, re-check {due.isoformat()}",
                on=on,
            )
            self._audit(session, "alert.disposition", actor, [row], f"{intervention} by {decided_by}")
            session.commit()
            session.refresh(entry)
            return StoredDisposition.model_validate(entry)

    def record_reply(self, disposition_id: int, received: date, truthful: bool, actor: str) -> StoredDisposition:
        """The cadre's reply to a 函询 (or self-analysis after a talk): when, and whether it was truthful."""
        self.principal.require(Role.DISPOSER, "record a reply")
        with Session(self.engine) as session:
            entry = session.get(Disposition, disposition_id)
            if entry is None or not self.sees(session.get(AlertRecord, entry.alert_id), self.units_seen(session)):
                raise NotFoundError(f"no disposition #{disposition_id}")
            entry.replied_at, entry.truthful = received, truthful
            row = self._held(session, entry.alert_id)
            record(
                session,
                row,
                actor,
                "reply",
                reason=f"reply received {received.isoformat()}, {'truthful' if truthful else 'NOT truthful'}",
                on=received,
            )
            self._audit(session, "alert.reply", actor, [row], f"disposition #{disposition_id}")
            session.add(entry)
            session.commit()
            session.refresh(entry)
            return StoredDisposition.model_validate(entry)

    def assign_education(
        self,
        alert_id: int,
        on: date,
        due: date,
        actor: str,
        *,
        topic: str | None = None,
        kind: str = "警示教育",
    ) -> StoredAssignment:
        """Assign targeted education on an alert (by default the topic the alert recommends)."""
        self.principal.require(Role.DISPOSER, "assign education")
        if not actor.strip():
            raise StoreError("say who is assigning it (--by)")
        if due < on:
            raise StoreError(f"the due date {due.isoformat()} is before the assignment date {on.isoformat()}")
        if kind not in EDUCATION_TYPES:
            raise StoreError(f"unknown education type '{kind}': one of {', '.join(EDUCATION_TYPES)}")
        with Session(self.engine) as session:
            row = self._held(session, alert_id)
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
            record(session, row, actor, "education_assigned", reason=f"{entry.topic}, due {due.isoformat()}", on=on)
            self._audit(session, "alert.education_assigned", actor, [row], entry.topic)
            session.commit()
            session.refresh(entry)
            return StoredAssignment.model_validate(entry)

    def complete_education(self, assignment_id: int, on: date, hours: float, actor: str) -> StoredAssignment:
        """Record that the cadre completed an assigned education, on a date, for so many hours."""
        self.principal.require(Role.DISPOSER, "record completed education")
        with Session(self.engine) as session:
            entry = session.get(EducationAssignmentRecord, assignment_id)
            if entry is None or not self.sees(session.get(AlertRecord, entry.alert_id), self.units_seen(session)):
                raise NotFoundError(f"no education assignment #{assignment_id}")
            if on < entry.assigned_on:
                raise StoreError(
                    f"completed {on.isoformat()}, before it was assigned ({entry.assigned_on.isoformat()})"
                )
            entry.completed_on, entry.hours = on, hours
            row = self._held(session, entry.alert_id)
            record(session, row, actor, "education_completed", reason=f"{entry.topic}, {hours:g} h", on=on)
            self._audit(session, "alert.education_completed", actor, [row], entry.topic)
            session.add(entry)
            session.commit()
            session.refresh(entry)
            return StoredAssignment.model_validate(entry)


def recheck_due(session: Session, as_of: date, scanned: set[str], actor: str) -> None:
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
        holds = row.status not in ENDED and row.last_seen == as_of
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
                record(
                    session, row, actor, "grade_changed", from_grade=row.grade, to_grade=raised, reason=check, on=as_of
                )
                row.grade, row.score = raised.value, raised.score
        if row.status not in (AlertStatus.CLOSED, AlertStatus.FALSE_POSITIVE):
            record(session, row, actor, "recheck", to_status=to, reason=f"{check}: {result}", on=as_of)
            row.status = to.value
        disposition.rechecked_on, disposition.recheck_result = as_of, result
        session.add(row)
        session.add(disposition)
