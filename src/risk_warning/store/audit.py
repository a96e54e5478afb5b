"""The audit trail (《个人信息保护法》: who looked at whose file): every lifecycle change, every scan, every read
of a subject's alerts and every export leaves a record saying who, when, what, about whom and from where.

A change's record is written in the change's own transaction, so neither exists without the other; a read's
record is committed before its answer is handed over. The table is append-only: triggers refuse UPDATE and
DELETE (migration 0008), and this module only ever inserts.

Who: ``identity`` is who is signed in (the operating-system account running the CLI, or ``RW_IDENTITY``;
the service's API keys and gateway users later); ``actor`` is the person named as acting (``--by``), or the
identity itself. Texts are scrubbed of ID and phone numbers; subjects are the pseudonymous ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Engine as SqlEngine
from sqlalchemy import insert
from sqlmodel import Session, col, select

from risk_warning.privacy import scrub
from risk_warning.store.journal import now
from risk_warning.store.principal import Principal
from risk_warning.store.stored import StoredAudit, detached
from risk_warning.store.tables import AuditRecord


@dataclass(frozen=True)
class AuditFilter:
    identity: str | None = None
    action: str | None = None
    subject: str | None = None
    since: date | None = None  # on or after this day (UTC)
    until: date | None = None  # on or before this day (UTC)


def write_audit(
    session: Session,
    principal: Principal,
    action: str,
    *,
    actor: str | None = None,
    subjects: Iterable[str] = (),
    alert_ids: Iterable[int] = (),
    detail: str = "",
) -> None:
    """Add one audit record to ``session``'s transaction."""
    session.execute(
        insert(AuditRecord),
        [
            {
                "at": now(),
                "identity": principal.identity,
                "actor": actor or principal.identity,
                "action": action,
                "subjects": sorted(set(subjects)),
                "alert_ids": sorted(set(alert_ids)),
                "detail": scrub(detail),
                "origin": principal.origin,
            }
        ],
    )


class AuditTrail:
    """Writing reads and exports to the trail, and reading it back."""

    engine: SqlEngine
    principal: Principal

    def audit_read(
        self, action: str, *, subjects: Iterable[str] = (), alert_ids: Iterable[int] = (), detail: str = ""
    ) -> None:
        """Record that the principal read (or exported) these subjects' alerts; committed before returning."""
        with Session(self.engine) as session:
            write_audit(session, self.principal, action, subjects=subjects, alert_ids=alert_ids, detail=detail)
            session.commit()

    def audit_log(self, where: AuditFilter | None = None) -> list[StoredAudit]:
        self.principal.require_unscoped_admin("read the audit trail")
        where = where or AuditFilter()
        query = select(AuditRecord).order_by(col(AuditRecord.id))
        if where.identity is not None:
            query = query.where(AuditRecord.identity == where.identity)
        if where.action is not None:
            query = query.where(AuditRecord.action == where.action)
        if where.since is not None:
            query = query.where(col(AuditRecord.at) >= datetime.combine(where.since, time(), tzinfo=now().tzinfo))
        if where.until is not None:
            end = datetime.combine(where.until + timedelta(days=1), time(), tzinfo=now().tzinfo)
            query = query.where(col(AuditRecord.at) < end)
        with Session(self.engine) as session:
            rows = detached(StoredAudit, session.exec(query))
        if where.subject is not None:  # a JSON list: filtered here, the same on SQLite and PostgreSQL
            rows = [r for r in rows if where.subject in r.subjects]
        return rows
