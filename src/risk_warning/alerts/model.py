"""The alert: graded, evidenced, grounded in its legal basis, and linked to the education record."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from risk_warning.grade import Grade


class Evidence(BaseModel):
    """One fact the alert rests on: its type, natural key, and the fields the rule used."""

    model_config = ConfigDict(frozen=True)

    alias: str
    fact_type: str
    key: str
    fields: dict[str, Any] = Field(default_factory=dict)
    month_only: list[str] = Field(default_factory=list)  # shown dates the export gave to the month only (the 1st)


class InterventionSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    type: str
    date: date
    family: str | None = None


class AssignmentSummary(BaseModel):
    """Targeted education assigned on an alert and not completed by the scan date."""

    model_config = ConfigDict(frozen=True)

    topic: str
    assigned_on: date
    due: date
    overdue: bool = False


class Adjustment(BaseModel):
    """An escalation rule that raised this alert's grade (repeat after a talk, post multiplier...)."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    title: str
    basis: str
    from_grade: Grade
    to_grade: Grade
    message: str


class EducationContext(BaseModel):
    """The subject's integrity-education record as of the scan: 廉政教育, 警示教育, 廉政谈话."""

    model_config = ConfigDict(frozen=True)

    last_education_date: date | None = None
    last_education_type: str | None = None
    hours_12m: float = 0.0
    sessions_12m: int = 0
    interventions_12m: list[InterventionSummary] = Field(default_factory=list)
    outstanding_assignments: list[AssignmentSummary] = Field(default_factory=list)


class Alert(BaseModel):
    """A graded warning about one subject from one rule, as of a date."""

    model_config = ConfigDict(frozen=True)

    fingerprint: str
    rule_id: str
    ruleset_id: str
    ruleset_version: str
    ruleset_hash: str
    subject_id: str
    grade: Grade
    score: int
    family: str
    title: str
    message: str
    basis: str
    disposition: str
    recommended_education: str
    evidence: list[Evidence]
    params: dict[str, Any] = Field(default_factory=dict)
    as_of: date
    education: EducationContext = Field(default_factory=EducationContext)
    base_grade: Grade | None = None  # the grade before escalation rules raised it (None: not raised)
    adjustments: list[Adjustment] = Field(default_factory=list)

    @property
    def grade_label(self) -> str:
        return self.grade.label

    def sort_key(self) -> tuple[int, str, str, str]:
        """How alerts are listed everywhere: highest grade first, then subject, rule, fingerprint."""
        return (-self.grade.rank, self.subject_id, self.rule_id, self.fingerprint)
