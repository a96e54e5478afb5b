"""Relatives, enterprises and interests: the facts behind conflicts of interest and credit flags."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from risk_warning.facts._base import Fact, Pii, pii_field

Relation = Literal["配偶", "子女", "子女配偶", "父母", "兄弟姐妹", "近姻亲", "其他"]


class Relative(Fact):
    """亲属: a family member of a cadre, as the personal-matters report and HR records know them."""

    fact_type: ClassVar[str] = "relative"
    key_field: ClassVar[str] = "relative_id"
    references: ClassVar[dict[str, str]] = {"employer_credit_code": "enterprise"}
    # the unit sees its cadres' relatives: a winner that employs one is linked to the unit (E4 red)
    partitions: ClassVar[dict[str, str]] = {"unit": "cadre_id>cadre.org_unit_id"}

    relative_id: str
    cadre_id: str
    relation: Relation
    name: str = pii_field(Pii.MASK, default="")
    id_card_no: str | None = pii_field(Pii.HIGH)
    emigrated: bool = False
    residence_country: str | None = None
    employer_credit_code: str | None = None
    employer_role: Literal["股东", "法定代表人", "高级管理人员", "职工", "其他"] | None = None
    reported_in_pmr: bool | None = None


class Enterprise(Fact):
    """企业: a registered enterprise (工商登记), keyed by its unified social credit code."""

    fact_type: ClassVar[str] = "enterprise"
    key_field: ClassVar[str] = "credit_code"
    subject_fields: ClassVar[tuple[str, ...]] = ()
    tokens: ClassVar[dict[str, str]] = {"legal_rep_id_no": "legal_rep_token"}

    credit_code: str
    name: str
    region_code: str | None = None
    industry: str | None = None
    legal_rep_id_no: str | None = pii_field(Pii.HIGH)
    legal_rep_token: str | None = None
    parent_credit_code: str | None = None
    established: dt.date | None = None


class EnterpriseRole(Fact):
    """企业任职兼职: a post or shareholding a cadre (serving or former) holds in an enterprise."""

    fact_type: ClassVar[str] = "enterprise_role"
    key_field: ClassVar[str] = "role_id"
    references: ClassVar[dict[str, str]] = {"credit_code": "enterprise"}

    role_id: str
    cadre_id: str
    credit_code: str
    role: Literal["法定代表人", "董事", "监事", "高级管理人员", "股东", "顾问", "其他"]
    start_date: dt.date
    end_date: dt.date | None = None
    approved: bool = False
    paid: bool = False


class InterestDeclaration(Fact):
    """利益冲突申报: a cadre's declaration of a relative's business (经商办企业情况报告)."""

    fact_type: ClassVar[str] = "interest_declaration"
    key_field: ClassVar[str] = "declaration_id"

    declaration_id: str
    cadre_id: str
    credit_code: str
    date: dt.date


class DecisionParticipation(Fact):
    """参与决策: a cadre's seat in one decision (an approval, a bid evaluation, a funds or personnel decision).

    What the decision was about, where the record says: a counterparty enterprise, a contract (whose
    counterparty a rule reads from it), a tender (whose bids a rule reads). ``recused`` is the 回避 record:
    the cadre declared the conflict and stood aside.
    """

    fact_type: ClassVar[str] = "decision_participation"
    key_field: ClassVar[str] = "participation_id"
    references: ClassVar[dict[str, str]] = {"counterparty_credit_code": "enterprise"}

    participation_id: str
    cadre_id: str
    decision_id: str
    kind: Literal["审批", "评标", "资金", "人事", "其他"]
    role: Literal["主持", "表决", "审核", "签批", "评标专家", "业主代表", "其他"] = "其他"
    date: dt.date
    counterparty_credit_code: str | None = None
    contract_id: str | None = None
    tender_id: str | None = None
    recused: bool = False


class StaffKinship(Fact):
    """工作人员亲属关系: two members of staff who are related (回避关系). It belongs to the first one's unit."""

    fact_type: ClassVar[str] = "staff_kinship"
    key_field: ClassVar[str] = "link_id"
    subject_fields: ClassVar[tuple[str, ...]] = ()
    partitions: ClassVar[dict[str, str]] = {"unit": "cadre_id>cadre.org_unit_id"}

    link_id: str
    cadre_id: str
    relative_cadre_id: str
    relation: Literal["夫妻", "直系血亲", "三代以内旁系血亲", "近姻亲"]


class CreditFlag(Fact):
    """失信或违法记录: the cadre or their spouse on an external list (失信被执行人, 治安管理处罚)."""

    fact_type: ClassVar[str] = "credit_flag"
    key_field: ClassVar[str] = "flag_id"

    flag_id: str
    cadre_id: str
    whose: Literal["本人", "配偶"] = "本人"
    list_type: Literal["失信被执行人", "治安管理处罚", "其他"]
    listed_on: dt.date
    removed_on: dt.date | None = None
