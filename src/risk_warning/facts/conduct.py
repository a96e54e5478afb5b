"""Conduct facts: expense claims and organisational-life attendance."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import Field

from risk_warning.facts._base import Fact


class ExpenseClaim(Fact):
    """报销: an expense claim by a cadre."""

    fact_type: ClassVar[str] = "expense_claim"
    key_field: ClassVar[str] = "claim_id"
    subject_fields: ClassVar[tuple[str, ...]] = ("claimant_id",)

    claim_id: str
    claimant_id: str
    unit_id: str | None = None
    category: Literal["差旅", "接待", "会议", "公车", "其他"] = "其他"
    amount: float = Field(ge=0)
    payee: str | None = None
    vendor_credit_code: str | None = None
    invoice_no: str | None = None
    invoice_date: dt.date
    approver_id: str | None = None
    tier: float | None = None


class OrgLifeAttendance(Fact):
    """组织生活: one cadre's attendance at one party meeting."""

    fact_type: ClassVar[str] = "org_life_attendance"
    key_field: ClassVar[str] = "attendance_id"

    attendance_id: str
    meeting_id: str | None = None
    branch_id: str | None = None
    meeting_type: Literal["支部党员大会", "支委会", "党小组会", "党课", "主题党日", "组织生活会", "民主生活会"]
    date: dt.date
    cadre_id: str
    status: Literal["present", "excused", "absent"]
