"""What follows a disposition: the reply to a 函询, completed education, and suppressions."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from risk_warning.service.state import CallerStore
from risk_warning.store.stored import StoredAssignment, StoredDisposition

router = APIRouter(tags=["lifecycle"])


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    received: date
    truthful: bool
    by: str = Field(min_length=1)


class CompletedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    on: date
    hours: float = Field(ge=0, le=1000)
    by: str = Field(min_length=1)


class SuppressionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: str = Field(description="subject (cadre) id")
    until: date
    reason: str
    by: str = Field(min_length=1)
    rule: str | None = Field(None, description="Only this rule (default: every rule)")


class SuppressionOut(BaseModel):
    suppression_id: int
    subject_id: str
    rule_id: str | None
    until: date


@router.post("/dispositions/{disposition_id}/reply", response_model=StoredDisposition,
             summary="Record the reply to a 函询 (disposer)")  # fmt: skip
def reply(disposition_id: int, said: ReplyIn, store: CallerStore) -> StoredDisposition:
    return store.record_reply(disposition_id, said.received, said.truthful, said.by)


@router.post("/education/{assignment_id}/completed", response_model=StoredAssignment,
             summary="Record completed education (disposer)")  # fmt: skip
def completed(assignment_id: int, done: CompletedIn, store: CallerStore) -> StoredAssignment:
    return store.complete_education(assignment_id, done.on, done.hours, done.by)


@router.post("/suppressions", response_model=SuppressionOut, status_code=201,
             summary="Suppress a subject's alerts until a date (disposer)")  # fmt: skip
def suppress(asked: SuppressionIn, store: CallerStore) -> SuppressionOut:
    sid = store.suppress(asked.subject, asked.until, asked.reason, asked.by, asked.rule)
    return SuppressionOut(suppression_id=sid, subject_id=asked.subject, rule_id=asked.rule, until=asked.until)
