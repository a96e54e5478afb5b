"""SQLModel tables: scan runs, alerts (one row per fingerprint), quarantined records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class ScanRun(SQLModel, table=True):
    __tablename__ = "scan_run"

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime
    finished_at: datetime | None = None
    as_of: date
    ruleset_hash: str
    status: str = "running"  # running | completed | failed
    subjects: int = 0
    alerts: int = 0
    new_alerts: int = 0
    quarantined: int = 0


class AlertRecord(SQLModel, table=True):
    __tablename__ = "alert"

    id: int | None = Field(default=None, primary_key=True)
    fingerprint: str = Field(index=True, unique=True)
    rule_id: str = Field(index=True)
    ruleset_id: str
    ruleset_version: str
    ruleset_hash: str
    subject_id: str = Field(index=True)
    grade: str = Field(index=True)
    score: int
    family: str = Field(index=True)
    title: str
    message: str
    basis: str
    disposition: str
    recommended_education: str
    evidence: list[dict[str, Any]] = Field(sa_column=Column(JSON))
    education: dict[str, Any] = Field(sa_column=Column(JSON))
    params: dict[str, Any] = Field(sa_column=Column(JSON))
    as_of: date
    first_seen: date
    last_seen: date
    first_scan_id: int | None = None
    last_scan_id: int | None = None
    status: str = "new"


class QuarantineRecord(SQLModel, table=True):
    __tablename__ = "quarantine"

    id: int | None = Field(default=None, primary_key=True)
    scan_id: int = Field(index=True)
    path: str
    line: int = 0
    fact_type: str = ""
    field: str = ""
    reason: str
    message: str
