"""Alerts: list, show (evidence, history, dispositions, education) and the lifecycle people drive.

The same store calls as the CLI's ``alerts`` commands, so the same rules and the same messages hold; the
store filters by the caller's scope and checks their role, so nothing here does.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from risk_warning.grade import Grade
from risk_warning.service.state import CallerStore
from risk_warning.store.repository import AlertFilter
from risk_warning.store.stored import AlertStatus, StoredAlert, StoredAssignment, StoredChange, StoredDisposition

router = APIRouter(prefix="/alerts", tags=["alerts"])


class AlertPage(BaseModel):
    total: int = Field(description="Alerts that match, in the caller's scope")
    offset: int
    alerts: list[StoredAlert]


class AlertDossier(BaseModel):
    alert: StoredAlert
    history: list[StoredChange]
    dispositions: list[StoredDisposition]
    education_assignments: list[StoredAssignment]


class Move(BaseModel):
    model_config = ConfigDict(extra="forbid")
    by: str = Field(min_length=1, description="Who is doing this (recorded in the history)")
    reason: str = ""
    on: date | None = Field(None, description="The day it was done (default: today in the organisation's zone)")


class StatusChange(Move):
    to: AlertStatus


class DispositionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str = Field(description="提醒谈话, 谈话提醒, 批评教育, 函询, 诫勉, 责令检查, ...")
    on: date
    decided_by: str = Field(description="The deciding body, e.g. 市纪委监委")
    by: str = Field(min_length=1)
    reply_due: date | None = Field(None, description="For 函询: the written reply is due")
    recheck_due: date | None = Field(None, description="Default: 6 months after 诫勉, else 90 days")


class EducationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    on: date
    due: date
    by: str = Field(min_length=1)
    topic: str | None = Field(None, description="Default: the education the alert recommends")
    type: str = "警示教育"


@router.get("", response_model=AlertPage, summary="List alerts in the caller's scope")
def list_alerts(
    store: CallerStore,
    grade: Grade | None = None,
    family: str | None = None,
    unit: Annotated[str | None, Query(description="org unit id of the subject")] = None,
    status: AlertStatus | None = None,
    subject: Annotated[str | None, Query(description="subject (cadre) id")] = None,
    since: Annotated[date | None, Query(description="last seen on or after")] = None,
    until: Annotated[date | None, Query(description="first seen on or before")] = None,
    include_suppressed: bool = False,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AlertPage:
    where = AlertFilter(
        grade=grade.value if grade is not None else None, family=family, org_unit_id=unit,
        status=status.value if status is not None else None, subject_id=subject, since=since, until=until,
        include_suppressed=include_suppressed,
    )  # fmt: skip
    found = store.alerts(where)
    page = found[offset : offset + limit]
    said = " ".join(f"{k}={v}" for k, v in vars(where).items() if v not in (None, False)) or "every alert"
    store.audit_read("alerts.read", subjects=[a.subject_id for a in page], alert_ids=[a.id for a in page],
                     detail=f"{said}; offset {offset}, limit {limit}")  # fmt: skip
    return AlertPage(total=len(found), offset=offset, alerts=page)


@router.get("/{alert_id}", response_model=AlertDossier, summary="One alert with its evidence and history")
def show_alert(alert_id: int, store: CallerStore) -> AlertDossier:
    alert = store.alert(alert_id)
    store.audit_read("alert.read", subjects=[alert.subject_id], alert_ids=[alert_id])
    return AlertDossier(
        alert=alert, history=store.history(alert_id), dispositions=store.dispositions(alert_id),
        education_assignments=store.assignments(alert_id),
    )  # fmt: skip


@router.post("/{alert_id}/triage", response_model=StoredAlert, summary="Mark triaged (triager)")
def triage(alert_id: int, move: Move, store: CallerStore) -> StoredAlert:
    return store.transition(alert_id, AlertStatus.TRIAGED, move.by, move.reason, on=move.on)


@router.post("/{alert_id}/false-positive", response_model=StoredAlert, summary="Mark a false positive (triager)")
def false_positive(alert_id: int, move: Move, store: CallerStore) -> StoredAlert:
    return store.transition(alert_id, AlertStatus.FALSE_POSITIVE, move.by, move.reason, on=move.on)


@router.post("/{alert_id}/status", response_model=StoredAlert, summary="Move along the lifecycle")
def change_status(alert_id: int, change: StatusChange, store: CallerStore) -> StoredAlert:
    return store.transition(alert_id, change.to, change.by, change.reason, on=change.on)


@router.post("/{alert_id}/dispositions", response_model=StoredDisposition, status_code=201,
             summary="Record the intervention decided (处置; disposer)")  # fmt: skip
def dispose(alert_id: int, decided: DispositionIn, store: CallerStore) -> StoredDisposition:
    return store.dispose(
        alert_id, decided.type, decided.on, decided.decided_by, decided.by, reply_due=decided.reply_due,
        recheck_due=decided.recheck_due,
    )  # fmt: skip


@router.post("/{alert_id}/education", response_model=StoredAssignment, status_code=201,
             summary="Assign targeted education (disposer)")  # fmt: skip
def educate(alert_id: int, assigned: EducationIn, store: CallerStore) -> StoredAssignment:
    return store.assign_education(alert_id, assigned.on, assigned.due, assigned.by, topic=assigned.topic,
                                  kind=assigned.type)  # fmt: skip
