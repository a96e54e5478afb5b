"""History facts kept by the alert store: earlier alerts (signals) and targeted-education assignments.

A ``signal`` is an alert seen as a fact, so that escalation rules can count and join alerts: tonight's
alerts (made by the other rules) and the subject's earlier alerts from the store. An
``education_assignment`` is targeted education assigned on an alert, with its completion.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import Field

from risk_warning.facts._base import Fact, Int64
from risk_warning.facts.integrity import EducationType
from risk_warning.grade import Grade

GradeName = Literal["blue", "yellow", "orange", "red"]


class Signal(Fact):
    """预警信号: an alert about a cadre, from tonight's rules or from the store's history."""

    fact_type: ClassVar[str] = "signal"
    store_owned: ClassVar[bool] = True
    key_field: ClassVar[str] = "signal_id"

    signal_id: str  # the alert's fingerprint
    cadre_id: str
    rule_id: str
    family: str
    grade: GradeName
    rank: Int64 = Field(ge=0, le=3)  # blue 0, yellow 1, orange 2, red 3
    first_seen: dt.date
    opened_on: dt.date  # first seen, or seen again after it had cleared
    last_seen: dt.date
    status: str = "new"
    tonight: bool = False  # raised by this evaluation (not only remembered by the store)
    watched_since: dt.date | None = None  # since when the store has evaluated the cadre (None: long before)

    @classmethod
    def of(
        cls,
        *,
        fingerprint: str,
        subject_id: str,
        rule_id: str,
        family: str,
        grade: Grade | str,
        first_seen: dt.date,
        opened_on: dt.date | None,
        last_seen: dt.date,
        status: str,
        tonight: bool = False,
        watched_since: dt.date | None = None,
    ) -> Signal:
        """The one way an alert becomes a signal, tonight's or the store's: rank from the grade, opened
        when first seen unless it reopened."""
        g = Grade(grade)
        return cls(
            signal_id=fingerprint,
            cadre_id=subject_id,
            rule_id=rule_id,
            family=family,
            grade=g.value,
            rank=g.rank,
            first_seen=first_seen,
            opened_on=opened_on or first_seen,
            last_seen=last_seen,
            status=status,
            tonight=tonight,
            watched_since=watched_since,
        )


class Watch(Fact):
    """监测起始: since when the alert store has evaluated a cadre. Before that, no alert is known to be new."""

    fact_type: ClassVar[str] = "watch"
    store_owned: ClassVar[bool] = True
    key_field: ClassVar[str] = "cadre_id"

    cadre_id: str
    since: dt.date


class EducationAssignment(Fact):
    """针对性教育安排: targeted education assigned on an alert, and when it was completed."""

    fact_type: ClassVar[str] = "education_assignment"
    store_owned: ClassVar[bool] = True
    key_field: ClassVar[str] = "assignment_id"

    assignment_id: str
    cadre_id: str
    alert_id: str | None = None  # the fingerprint of the alert it answers
    type: EducationType = "警示教育"
    topic: str
    assigned_on: dt.date
    due: dt.date
    completed_on: dt.date | None = None
    hours: float = 0.0
