"""HR-system facts: cadres, units, posts, appointments, rotation, selection, appraisal, discipline."""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from risk_warning.facts._base import Fact, Int64, Pii, pii_field

ManagementAuthority = Literal["市管", "区管", "局管"]


class Cadre(Fact):
    """干部: a cadre, identified by a pseudonymous id."""

    fact_type: ClassVar[str] = "cadre"
    key_field: ClassVar[str] = "cadre_id"
    references: ClassVar[dict[str, str]] = {"org_unit_id": "org_unit"}
    partitions: ClassVar[dict[str, str]] = {"unit": "org_unit_id"}

    cadre_id: str
    name: str = pii_field(Pii.MASK, default="")
    id_card_no: str | None = pii_field(Pii.HIGH)
    phone: str | None = pii_field(Pii.HIGH)
    birth_date: date | None = pii_field(Pii.MASK)
    gender: Literal["男", "女"] | None = None
    political_status: Literal["中共党员", "中共预备党员", "民主党派", "群众"] | None = None
    org_unit_id: str | None = None
    rank_level: str | None = None
    management_authority: ManagementAuthority | None = None
    reporting_scope: bool = False
    doc_custody_scope: bool = False
    growth_place: str | None = pii_field(Pii.MASK)  # 成长地: region code of the home area
    left_on: dt.date | None = None  # left public service (退休、辞职、调离)


class OrgUnit(Fact):
    """单位: an organisation unit."""

    fact_type: ClassVar[str] = "org_unit"
    key_field: ClassVar[str] = "org_unit_id"
    subject_fields: ClassVar[tuple[str, ...]] = ()

    org_unit_id: str
    name: str
    parent_id: str | None = None
    level: str | None = None
    type: Literal["党政机关", "事业单位", "国企"] | None = None
    discipline_body_id: str | None = None
    region_code: str | None = None  # 行政区划代码 of the area it governs or serves
    function: Literal["纪委监委", "组织部", "法院", "检察院", "公安", "其他"] = "其他"


class Position(Fact):
    """职位: a post, with its integrity-risk level (岗位廉政风险等级)."""

    fact_type: ClassVar[str] = "position"
    key_field: ClassVar[str] = "position_id"
    subject_fields: ClassVar[tuple[str, ...]] = ()
    references: ClassVar[dict[str, str]] = {"org_unit_id": "org_unit"}

    position_id: str
    org_unit_id: str | None = None
    title: str
    category: Literal[
        "人事", "组织", "纪检监察", "审计", "财务", "出纳", "采购", "工程项目管理", "行政审批", "执法", "其他"
    ] = "其他"
    risk_level: Literal["high", "medium", "low"] = "low"
    is_leadership: bool = False
    is_principal: bool = False
    superior_position_id: str | None = None  # the post this one reports to


class Appointment(Fact):
    """任职: a cadre holding a post from start_date to end_date (null while in post)."""

    fact_type: ClassVar[str] = "appointment"
    key_field: ClassVar[str] = "appointment_id"
    references: ClassVar[dict[str, str]] = {"position_id": "position"}
    strict_references: ClassVar[tuple[str, ...]] = ("position_id",)  # a post's risk level decides many rules
    partitions: ClassVar[dict[str, str]] = {"unit": "position_id>position.org_unit_id"}

    appointment_id: str
    cadre_id: str
    position_id: str
    start_date: date
    end_date: date | None = None
    type: Literal["提拔", "平调", "交流", "轮岗", "任职"] = "任职"
    term_no: Int64 = 1


class RotationPlan(Fact):
    """轮岗计划 or exemption (免于轮岗)."""

    fact_type: ClassVar[str] = "rotation_plan"
    key_field: ClassVar[str] = "plan_id"

    plan_id: str
    cadre_id: str
    due_date: date | None = None
    executed: bool = False
    exemption_reason: Literal["任职不满两年", "临近退休", "其他"] | None = None


class SelectionProcess(Fact):
    """选拔任用: a selection case for a cadre, with the checks done along the way."""

    fact_type: ClassVar[str] = "selection_process"
    key_field: ClassVar[str] = "case_id"
    references: ClassVar[dict[str, str]] = {"target_position_id": "position"}

    case_id: str
    cadre_id: str
    target_position_id: str | None = None
    stage: Literal["动议", "考察", "讨论决定", "公示", "任职"]
    started_at: date
    decided_at: date | None = None
    took_office_at: date | None = None
    dossier_reviewed: bool = False
    pmr_checked: bool = False
    complaints_checked: bool = False
    discipline_opinion_at: date | None = None
    publicity_start: date | None = None
    publicity_end: date | None = None
    pre_talk_at: date | None = None
    integrity_test_passed: bool | None = None


class AppraisalResult(Fact):
    """年度考核: the annual appraisal of a cadre."""

    fact_type: ClassVar[str] = "appraisal_result"
    key_field: ClassVar[str] = "appraisal_id"

    appraisal_id: str
    cadre_id: str
    year: Int64
    grade: Literal["优秀", "称职", "基本称职", "不称职"]
    political_score: float | None = None
    work_score: float | None = None


class DisciplinaryAction(Fact):
    """处分 or 组织处理 decided against a cadre."""

    fact_type: ClassVar[str] = "disciplinary_action"
    key_field: ClassVar[str] = "action_id"
    partitions: ClassVar[dict[str, str]] = {"unit": "cadre_id>cadre.org_unit_id"}

    action_id: str
    cadre_id: str
    kind: Literal[
        "党内警告",
        "党内严重警告",
        "撤销党内职务",
        "留党察看",
        "开除党籍",
        "政务警告",
        "政务记过",
        "政务记大过",
        "降级",
        "撤职",
        "开除",
        "诫勉",
        "组织调整",
    ]
    decided_at: date
    body: str | None = None


class OrgChange(Fact):
    """单位重大变动: a dated event in a unit's life (the principal leaving, a reorganisation or merger)."""

    fact_type: ClassVar[str] = "org_change"
    key_field: ClassVar[str] = "change_id"
    subject_fields: ClassVar[tuple[str, ...]] = ()
    partitions: ClassVar[dict[str, str]] = {"unit": "org_unit_id"}

    change_id: str
    org_unit_id: str
    kind: Literal["主要负责人离任", "机构改革", "撤并", "其他"]
    date: date


class PostQuota(Fact):
    """职数: a unit's approved number of posts of one class (领导职数), and how many are filled."""

    fact_type: ClassVar[str] = "post_quota"
    key_field: ClassVar[str] = "quota_id"
    subject_fields: ClassVar[tuple[str, ...]] = ()
    partitions: ClassVar[dict[str, str]] = {"unit": "org_unit_id"}

    quota_id: str
    org_unit_id: str
    post_class: Literal["正职领导", "副职领导", "内设机构领导", "非领导职务", "其他"]
    quota: Int64 = Field(ge=0)
    filled: Int64 = Field(ge=0)


class UnitAppraisal(Fact):
    """班子考核: the annual appraisal rank of a unit's leadership team."""

    fact_type: ClassVar[str] = "unit_appraisal"
    key_field: ClassVar[str] = "appraisal_id"
    subject_fields: ClassVar[tuple[str, ...]] = ()
    partitions: ClassVar[dict[str, str]] = {"unit": "org_unit_id"}

    appraisal_id: str
    org_unit_id: str
    year: Int64
    rank: Int64 = Field(ge=1)
    ranked: Int64 = Field(ge=1)  # how many units were ranked

    @model_validator(mode="after")
    def _rank_within(self) -> UnitAppraisal:
        if self.rank > self.ranked:
            raise ValueError(f"rank {self.rank} is beyond the {self.ranked} units ranked")
        return self


class Handover(Fact):
    """离任交接: the handover record when a cadre leaves a post."""

    fact_type: ClassVar[str] = "handover"
    key_field: ClassVar[str] = "handover_id"

    handover_id: str
    cadre_id: str
    position_id: str
    date: dt.date


class EconomicAudit(Fact):
    """经济责任审计: an economic-responsibility audit of a principal, planned or done."""

    fact_type: ClassVar[str] = "economic_audit"
    key_field: ClassVar[str] = "audit_id"

    audit_id: str
    cadre_id: str
    position_id: str | None = None
    kind: Literal["任中", "离任"] = "离任"
    planned_on: dt.date | None = None
    done_on: dt.date | None = None
