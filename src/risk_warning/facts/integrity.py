"""Integrity-education and supervision facts: education, interventions, complaints, reports, travel."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import Field

from risk_warning.facts._base import Fact, Int64, Pii, pii_field

EducationType = Literal[
    "廉政党课",
    "警示教育",
    "例行廉政谈话",
    "任前廉政谈话",
    "集体廉政谈话",
    "廉政知识测试",
    "专题培训",
]

InterventionType = Literal[
    "提醒谈话",
    "谈话提醒",
    "批评教育",
    "函询",
    "诫勉",
    "责令检查",
    "通报批评",
    "组织调整",
]


class EducationRecord(Fact):
    """廉政教育记录: a lesson, warning-education session, integrity talk or test a cadre took part in."""

    fact_type: ClassVar[str] = "education_record"
    key_field: ClassVar[str] = "record_id"

    record_id: str
    cadre_id: str
    type: EducationType
    date: dt.date
    hours: float = 0.0
    score: float | None = None
    passed: bool | None = None
    topic: str | None = None
    targeted: bool = False
    linked_alert_id: str | None = None


class Intervention(Fact):
    """干预措施 (谈话/函询/诫勉...): a disposition decided for a cadre, per the 四种形态."""

    fact_type: ClassVar[str] = "intervention"
    key_field: ClassVar[str] = "intervention_id"

    intervention_id: str
    cadre_id: str
    type: InterventionType
    form: Int64 = Field(1, ge=1, le=4)
    family: str | None = None
    decided_by: str | None = None
    date: dt.date
    reply_due: dt.date | None = None
    replied_at: dt.date | None = None
    truthful: bool | None = None
    followup_due: dt.date | None = None  # the re-check date
    rechecked_on: dt.date | None = None  # when the re-check was done
    alert_id: str | None = None  # the fingerprint of the alert that triggered it
    rule_id: str | None = None  # the rule of that alert


class Complaint(Fact):
    """信访举报: a complaint naming one or more cadres. The reporter is never stored here."""

    fact_type: ClassVar[str] = "complaint"
    key_field: ClassVar[str] = "complaint_id"
    subject_fields: ClassVar[tuple[str, ...]] = ("subject_cadre_ids",)

    complaint_id: str
    received_at: dt.date
    channel: Literal["来信", "来访", "12388", "网络", "其他"] = "其他"
    named: bool = False
    subject_cadre_ids: list[str] = Field(min_length=1)
    category: str | None = None
    specificity: Literal["specific", "vague"] = "vague"
    disposition: Literal["谈话函询", "初步核实", "暂存待查", "予以了结"] | None = None
    closed_at: dt.date | None = None
    outcome: Literal["属实", "部分属实", "不属实", "采信了结"] | None = None


class PersonalMattersReport(Fact):
    """领导干部个人有关事项报告."""

    fact_type: ClassVar[str] = "personal_matters_report"
    key_field: ClassVar[str] = "report_id"

    report_id: str
    cadre_id: str
    year: Int64
    kind: Literal["annual", "ad_hoc", "new_appointee"] = "annual"
    submitted_at: dt.date
    household_income: float | None = pii_field(Pii.MASK)  # declared household income of the year


class PmrAsset(Fact):
    """个人事项报告中的房产、投资: one property or investment item of a report, with its value."""

    fact_type: ClassVar[str] = "pmr_asset"
    key_field: ClassVar[str] = "item_id"

    item_id: str
    cadre_id: str
    report_id: str | None = None
    category: Literal["房产", "股票", "基金", "投资型保险", "企业投资", "其他"]
    acquired_on: dt.date
    amount: float = pii_field(Pii.MASK, default=0.0)


class LifeEvent(Fact):
    """须报告的事项变化: a change the cadre must report within 30 days (个人有关事项报告规定 art.6)."""

    fact_type: ClassVar[str] = "life_event"
    key_field: ClassVar[str] = "event_id"

    event_id: str
    cadre_id: str
    kind: Literal[
        "婚姻变化",
        "取得因私出入境证件",
        "因私出国(境)",
        "子女与外国人通婚",
        "配偶子女移居国(境)外",
        "配偶子女从业变化",
        "配偶子女被追究刑事责任",
        "纳入报告范围",
    ]
    date: dt.date


class BorderCrossing(Fact):
    """出入境记录: one exit and re-entry by the cadre (a movement record: sensitive)."""

    fact_type: ClassVar[str] = "border_crossing"
    key_field: ClassVar[str] = "crossing_id"

    crossing_id: str
    cadre_id: str
    exit_at: dt.date = pii_field(Pii.MASK)
    entry_at: dt.date | None = pii_field(Pii.MASK)
    port: str | None = pii_field(Pii.HIGH)
    destination: str | None = pii_field(Pii.MASK)
    reported_in_pmr: bool | None = None


class TravelApplication(Fact):
    """因私出国(境)审批: an application to travel abroad privately, and its approval."""

    fact_type: ClassVar[str] = "travel_application"
    key_field: ClassVar[str] = "application_id"

    application_id: str
    cadre_id: str
    destination: str | None = None
    start_date: dt.date
    end_date: dt.date
    approved_at: dt.date | None = None


class TravelDocument(Fact):
    """因私出入境证件: a private passport or pass, and where it is kept."""

    fact_type: ClassVar[str] = "travel_document"
    key_field: ClassVar[str] = "doc_id"

    doc_id: str
    cadre_id: str
    doc_type: Literal["普通护照", "港澳通行证", "台湾通行证"]
    doc_no: str | None = pii_field(Pii.HIGH)
    issue_date: dt.date
    expiry_date: dt.date | None = None
    custody_status: Literal["in_custody", "drawn", "not_surrendered", "cancelled"]


class CustodyEvent(Fact):
    """证照领用: a document drawn from central custody for a trip, and its return."""

    fact_type: ClassVar[str] = "custody_event"
    key_field: ClassVar[str] = "event_id"

    event_id: str
    doc_id: str
    cadre_id: str
    drawn_at: dt.date
    due_return: dt.date
    returned_at: dt.date | None = None
    status: Literal["drawn", "returned", "拒不交回"] = "drawn"


class PmrVerification(Fact):
    """个人有关事项报告查核结果: the result of checking a cadre's report against the registries."""

    fact_type: ClassVar[str] = "pmr_verification"
    key_field: ClassVar[str] = "check_id"

    check_id: str
    cadre_id: str
    year: Int64
    trigger: Literal["随机抽查", "提拔", "后备", "转任重要岗位", "举报", "其他"] = "其他"
    result: Literal["一致", "漏报", "瞒报"]
    mismatched_categories: list[str] = Field(default_factory=list)
    decided_at: dt.date


class NegativeListHit(Fact):
    """政治素质考察负面清单: an item of the negative list found against a cadre."""

    fact_type: ClassVar[str] = "negative_list_hit"
    key_field: ClassVar[str] = "hit_id"

    hit_id: str
    cadre_id: str
    item_code: str
    date: dt.date
    source: str | None = None
    revoked: bool = False


class AuditFinding(Fact):
    """审计发现问题: a finding of an economic-responsibility or special audit, with who answers for it."""

    fact_type: ClassVar[str] = "audit_finding"
    key_field: ClassVar[str] = "finding_id"
    subject_fields: ClassVar[tuple[str, ...]] = ("responsible_cadre_ids",)

    finding_id: str
    audit_type: Literal["经济责任(任中)", "经济责任(离任)", "专项", "内审"] = "专项"
    unit_id: str | None = None
    responsible_cadre_ids: list[str] = Field(min_length=1)
    category: str | None = None
    amount: float | None = Field(None, ge=0)
    rectify_due: dt.date
    rectified_at: dt.date | None = None
    transferred: bool = False
