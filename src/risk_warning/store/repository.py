"""The alert store: SQLite by default (a file), PostgreSQL by URL. Upsert by fingerprint, no duplicates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import Engine as SqlEngine
from sqlmodel import Session, SQLModel, col, create_engine, select

from risk_warning.alerts.model import Alert
from risk_warning.sources.base import QuarantinedRecord
from risk_warning.store.tables import AlertRecord, QuarantineRecord, ScanRun


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class AlertStore:
    def __init__(self, url: str = "sqlite:///risk_warning.db") -> None:
        self.url = url
        self.engine: SqlEngine = create_engine(url)
        SQLModel.metadata.create_all(self.engine)

    def start_scan(self, as_of: date, ruleset_hash: str) -> int:
        with Session(self.engine) as session:
            run = ScanRun(started_at=_now(), as_of=as_of, ruleset_hash=ruleset_hash)
            session.add(run)
            session.commit()
            assert run.id is not None
            return run.id

    def finish_scan(
        self, scan_id: int, alerts: Sequence[Alert], quarantined: Sequence[QuarantinedRecord], subjects: int
    ) -> int:
        """Record the scan's alerts (insert new fingerprints, refresh known ones) in one transaction.

        Returns the number of alerts that were new.
        """
        new = 0
        with Session(self.engine) as session:
            for alert in alerts:
                row = session.exec(select(AlertRecord).where(AlertRecord.fingerprint == alert.fingerprint)).first()
                data = {**alert.model_dump(mode="json"), "as_of": alert.as_of}
                if row is None:
                    new += 1
                    row = AlertRecord(
                        **{k: v for k, v in data.items() if k in AlertRecord.model_fields},
                        first_seen=alert.as_of,
                        last_seen=alert.as_of,
                        first_scan_id=scan_id,
                        last_scan_id=scan_id,
                    )
                else:
                    for key in (
                        "grade",
                        "score",
                        "message",
                        "evidence",
                        "education",
                        "params",
                        "ruleset_hash",
                        "ruleset_version",
                    ):
                        setattr(row, key, data[key])
                    row.last_seen = max(row.last_seen, alert.as_of)
                    row.as_of = alert.as_of
                    row.last_scan_id = scan_id
                session.add(row)
            for q in quarantined:
                session.add(
                    QuarantineRecord(
                        scan_id=scan_id,
                        path=q.location.path,
                        line=q.location.line,
                        fact_type=q.fact_type,
                        field=q.field,
                        reason=q.reason.value,
                        message=q.message,
                    )
                )
            run = session.get(ScanRun, scan_id)
            assert run is not None
            run.finished_at = _now()
            run.status = "completed"
            run.subjects = subjects
            run.alerts = len(alerts)
            run.new_alerts = new
            run.quarantined = len(quarantined)
            session.add(run)
            session.commit()
        return new

    def fail_scan(self, scan_id: int) -> None:
        with Session(self.engine) as session:
            run = session.get(ScanRun, scan_id)
            if run is not None:
                run.status = "failed"
                run.finished_at = _now()
                session.add(run)
                session.commit()

    def alerts(self) -> list[AlertRecord]:
        with Session(self.engine) as session:
            return list(session.exec(select(AlertRecord).order_by(col(AlertRecord.id))))

    def scans(self) -> list[ScanRun]:
        with Session(self.engine) as session:
            return list(session.exec(select(ScanRun).order_by(col(ScanRun.id))))

    def quarantine(self, scan_id: int | None = None) -> list[QuarantineRecord]:
        with Session(self.engine) as session:
            query = select(QuarantineRecord)
            if scan_id is not None:
                query = query.where(QuarantineRecord.scan_id == scan_id)
            return list(session.exec(query.order_by(col(QuarantineRecord.id))))

    def close(self) -> None:
        self.engine.dispose()
