"""SQLModel tables. The schema is owned by the Alembic migrations in ``store/migrations``.

scan_run       one row per scan: start, end, as_of, ruleset hash, counts, status
alert          one row per fingerprint (rule, subject, evidence): the alert's current state
alert_history  every change of an alert's state or grade: when, who, why
quarantine     records left out of a scan: where they came from and why
suppression    a subject (and optionally one rule) exempted until a date, with a reason
scan_lease     a lease so that only one scan runs at a time against one store
subject_state  per subject: the hash of its facts and until when its result holds (incremental scans)
disposition    an intervention decided on an alert, its reply and its re-check
education_assignment  targeted education assigned on an alert, and its completion
org_unit       the organisation chart as the scans read it: what a scope's subtree is expanded against
api_key        the service's keys: name, SHA-256 of the key (never the key), role, scope, revocation
audit_log      who did or read what, when, about whom, from where: append-only (triggers refuse changes)
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime
from sqlmodel import Field, SQLModel

from risk_warning.alerts.lifecycle import ENDED as ENDED
from risk_warning.alerts.lifecycle import REOPENS as REOPENS
from risk_warning.alerts.lifecycle import WATCHED as WATCHED  # re-exported: the store's readers import them here
from risk_warning.alerts.lifecycle import AlertStatus as AlertStatus


def _ts() -> Any:
    return Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class ScanFields(SQLModel):
    """The columns of "scan_run", as stored and as read."""

    started_at: datetime = _ts()
    finished_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    as_of: date
    ruleset_hash: str
    status: str = "running"  # running | completed | refused | failed | abandoned
    subjects: int = 0
    alerts: int = 0
    new_alerts: int = 0
    cleared_alerts: int = 0
    carried_subjects: int = 0
    quarantined: int = 0
    error: str | None = None
    input_profile: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))  # types, subjects read
    data_quality: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))  # per file
    input_problems: list[str] | None = Field(
        default=None, sa_column=Column(JSON)
    )  # why it was refused, what was accepted, files over the limit
    accepted_by: str | None = None  # who accepted a refused input check (a reorganisation)
    held_subjects: int = 0  # subjects not evaluated because a record of theirs was quarantined


class ScanRun(ScanFields, table=True):
    __tablename__ = "scan_run"

    id: int | None = Field(default=None, primary_key=True)


class AlertFields(SQLModel):
    """The columns of "alert", as stored and as read."""

    fingerprint: str = Field(index=True, unique=True)
    rule_id: str = Field(index=True)
    ruleset_id: str
    ruleset_version: str
    ruleset_hash: str
    subject_id: str = Field(index=True)
    org_unit_id: str | None = Field(default=None, index=True)
    subject_name: str = ""  # masked (张**): a cadre's name as tables and reports show it; a unit's or project's name
    org_unit_name: str = ""
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
    status: str = Field(default=AlertStatus.NEW.value, index=True)
    cleared_at: date | None = None
    suppressed_until: date | None = None
    opened_on: date | None = None  # first seen, or seen again after it had cleared
    base_grade: str | None = None  # the grade before escalation rules raised it
    adjustments: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))


class AlertRecord(AlertFields, table=True):
    __tablename__ = "alert"

    id: int | None = Field(default=None, primary_key=True)


class AlertChangeFields(SQLModel):
    """The columns of "alert_history", as stored and as read."""

    alert_id: int = Field(index=True, foreign_key="alert.id")
    at: datetime = _ts()
    actor: str = Field(index=True)  # a person, or "scan #N"
    action: str  # created | grade_changed | cleared | reopened | triaged | false_positive | suppressed ...
    from_status: str | None = None
    to_status: str | None = None
    from_grade: str | None = None
    to_grade: str | None = None
    reason: str = ""
    effective_on: date | None = None  # the business date of the change (a scan's as_of, a decision's date)


class AlertHistory(AlertChangeFields, table=True):
    __tablename__ = "alert_history"

    id: int | None = Field(default=None, primary_key=True)


class QuarantineFields(SQLModel):
    """The columns of "quarantine", as stored and as read."""

    scan_id: int = Field(index=True)
    path: str
    line: int = 0
    col: int = 0
    fact_type: str = ""
    field: str = ""
    reason: str
    message: str


class QuarantineRecord(QuarantineFields, table=True):
    __tablename__ = "quarantine"

    id: int | None = Field(default=None, primary_key=True)


class SuppressionFields(SQLModel):
    """The columns of "suppression", as stored and as read."""

    subject_id: str = Field(index=True)
    rule_id: str | None = None  # None: every rule
    reason: str
    until: date
    created_at: datetime = _ts()
    created_by: str


class Suppression(SuppressionFields, table=True):
    __tablename__ = "suppression"

    id: int | None = Field(default=None, primary_key=True)


class ScanLease(SQLModel, table=True):
    __tablename__ = "scan_lease"

    name: str = Field(primary_key=True)
    holder: str
    acquired_at: datetime = _ts()
    expires_at: datetime = _ts()


class SubjectState(SQLModel, table=True):
    """What an incremental scan needs to skip a subject: its facts' hash and until when its result holds."""

    __tablename__ = "subject_state"

    subject_id: str = Field(primary_key=True)
    fact_hash: str
    ruleset_hash: str
    evaluated_as_of: date
    seen_on: date  # the last scan date that evaluated or carried it: its holding alerts have this last_seen
    valid_until: date
    scan_id: int
    first_seen: date | None = None  # the first scan date that evaluated it: since when it is watched


class DispositionFields(SQLModel):
    """处置: an intervention (提醒谈话, 函询, 诫勉...) decided on an alert. Scans see it as an intervention fact."""

    alert_id: int = Field(index=True, foreign_key="alert.id")
    cadre_id: str = Field(index=True)
    type: str
    form: int  # 四种形态: 1 (talks, inquiries, admonition) ... 2 (organisational adjustment)
    family: str
    decided_by: str
    decided_on: date
    reply_due: date | None = None
    replied_at: date | None = None
    truthful: bool | None = None
    recheck_due: date
    created_at: datetime = _ts()
    created_by: str
    rechecked_on: date | None = None
    recheck_result: str | None = None  # closed | escalated: why


class Disposition(DispositionFields, table=True):
    __tablename__ = "disposition"

    id: int | None = Field(default=None, primary_key=True)


class EducationAssignmentFields(SQLModel):
    """针对性教育: targeted education assigned on an alert; scans see it as an education_assignment fact."""

    alert_id: int = Field(index=True, foreign_key="alert.id")
    cadre_id: str = Field(index=True)
    type: str
    topic: str
    assigned_on: date
    due: date
    completed_on: date | None = None
    hours: float = 0.0
    created_at: datetime = _ts()
    created_by: str


class EducationAssignmentRecord(EducationAssignmentFields, table=True):
    __tablename__ = "education_assignment"

    id: int | None = Field(default=None, primary_key=True)


class AuditFields(SQLModel):
    """The columns of "audit_log", as stored and as read."""

    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))
    identity: str = Field(index=True)  # who is signed in: an account, an API key's name, a gateway's user
    actor: str  # the person acting, as given (--by), or the identity itself
    action: str = Field(index=True)  # alert.triaged, alert.disposition, alerts.read, report.export, scan ...
    subjects: list[str] = Field(sa_column=Column(JSON, nullable=False))
    alert_ids: list[int] = Field(sa_column=Column(JSON, nullable=False))
    detail: str = ""
    origin: str = ""  # cli on host, http from address


class AuditRecord(AuditFields, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)


class OrgUnitRecord(SQLModel, table=True):
    """A unit of the organisation chart, as the last scan that read it saw it."""

    __tablename__ = "org_unit"

    org_unit_id: str = Field(primary_key=True)
    name: str = ""
    parent_id: str | None = Field(default=None, index=True)
    seen_on: date


class ApiKeyFields(SQLModel):
    """The columns of "api_key", as stored and as read."""

    name: str = Field(unique=True)
    key_hash: str = Field(unique=True)  # SHA-256 of the key, hex: the key itself is never stored
    prefix: str  # its first characters, to tell keys apart in a list
    role: str
    units: list[str] | None = Field(default=None, sa_column=Column(JSON))
    kinds: list[str] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = _ts()
    created_by: str
    revoked_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class ApiKeyRecord(ApiKeyFields, table=True):
    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
