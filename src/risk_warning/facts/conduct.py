"""Conduct facts: expense claims and organisational-life attendance."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import Field

from risk_warning.facts._base import Fact, Int64


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


class ReceptionRecord(Fact):
    """公务接待: one official reception, belonging to the cadre who approved it."""

    fact_type: ClassVar[str] = "reception_record"
    key_field: ClassVar[str] = "record_id"
    subject_fields: ClassVar[tuple[str, ...]] = ("approver_id",)

    record_id: str
    approver_id: str
    host_unit_id: str | None = None
    date: dt.date
    guests: Int64 = Field(ge=1)
    companions: Int64 = Field(ge=0)
    has_official_letter: bool = True
    venue: str | None = None
    amount: float | None = Field(None, ge=0)


class GiftRegistration(Fact):
    """礼品礼金登记: a gift a cadre received, and when it was registered or handed in (if ever)."""

    fact_type: ClassVar[str] = "gift_registration"
    key_field: ClassVar[str] = "gift_id"

    gift_id: str
    cadre_id: str
    received_on: dt.date
    value: float = Field(ge=0)
    cash: bool = False
    registered_on: dt.date | None = None
    found_by: Literal["本人登记", "举报查实", "审计发现", "其他"] = "本人登记"


class BanquetFiling(Fact):
    """婚丧喜庆事宜: a family occasion a cadre held, and its filing (报备) if any."""

    fact_type: ClassVar[str] = "banquet_filing"
    key_field: ClassVar[str] = "banquet_id"

    banquet_id: str
    cadre_id: str
    kind: Literal["婚嫁", "丧葬", "其他喜庆"]
    event_date: dt.date
    filed_on: dt.date | None = None
    guests: Int64 = Field(0, ge=0)
    tables: Int64 = Field(0, ge=0)
    invited_managed: bool = False  # people the cadre manages or serves were invited
    gifts_from_managed: bool = False  # and gave gifts or money


class VolunteerActivity(Fact):
    """志愿服务: a volunteering activity a cadre took part in."""

    fact_type: ClassVar[str] = "volunteer_activity"
    key_field: ClassVar[str] = "activity_id"

    activity_id: str
    cadre_id: str
    date: dt.date
    hours: float = Field(0.0, ge=0)
    kind: str | None = None


class FuelCardTxn(Fact):
    """加油卡消费: one fill-up on a unit's fuel card, with the cadre who holds the card or drove the car."""

    fact_type: ClassVar[str] = "fuel_card_txn"
    key_field: ClassVar[str] = "txn_id"

    txn_id: str
    card_id: str
    cadre_id: str
    vehicle_id: str | None = None
    date: dt.date
    hour: Int64 | None = Field(None, ge=0, le=23)
    amount: float = Field(ge=0)
    litres: float | None = Field(None, ge=0)
    station: str | None = None


class VehicleStop(Fact):
    """公务用车停留: an official car's stop from GPS or parking records, with the kind of venue it stopped at and
    the cadre who used the car on that trip."""

    fact_type: ClassVar[str] = "vehicle_stop"
    key_field: ClassVar[str] = "stop_id"

    stop_id: str
    vehicle_id: str
    cadre_id: str
    date: dt.date
    hour: Int64 = Field(ge=0, le=23)
    minutes: Int64 | None = Field(None, ge=0)  # how long the car stayed
    venue_kind: Literal["餐饮", "景区", "娱乐", "酒店", "其他"]
    venue_name: str | None = None
