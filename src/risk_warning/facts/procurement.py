"""Engineering projects and procurement: tenders, bids, contracts, changes and payments.

None of these belongs to one cadre. Tenders and bids are evaluated per project, contracts with their
changes and payments per contract, and awards per owner unit (see ``Fact.partitions``). A cadre's
partition holds those linked to the cadre (``Fact.links``): the bids, contracts and payments of firms
where a relative works or holds a share or the cadre holds a role, and the tenders the cadre is
responsible for with every bid in them.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import Field

from risk_warning.facts._base import Fact, Int64, Link, Pii, pii_field

Category = Literal["施工", "货物", "服务"]
# The person graph (``Link``): a cadre reaches the procurement of firms where a relative works or holds a
# share, or where the cadre holds a role, and the tenders the cadre is responsible for with their bids.
BY_RELATIVE = ("relative", "employer_credit_code")
BY_OWN_ROLE = ("enterprise_role", "credit_code")

Method = Literal["公开招标", "邀请招标", "竞争性谈判", "竞争性磋商", "询价", "单一来源", "直接发包"]


class ProcurementEvent(Fact):
    """招标采购: one tender or purchase of a project, from opening to award."""

    fact_type: ClassVar[str] = "procurement_event"
    key_field: ClassVar[str] = "tender_id"
    subject_fields: ClassVar[tuple[str, ...]] = ()
    partitions: ClassVar[dict[str, str]] = {"project": "project_id", "unit": "owner_unit_id"}
    references: ClassVar[dict[str, str]] = {"winner_credit_code": "enterprise"}
    links: ClassVar[tuple[Link, ...]] = (Link("cadre", "responsible_cadre_ids", "cadre", "cadre_id"),)

    tender_id: str
    project_id: str
    owner_unit_id: str
    category: Category
    method: Method
    est_value: float | None = Field(None, ge=0)
    opened_at: dt.date
    bid_count: Int64 | None = Field(None, ge=0)
    failed: bool = False
    after_failed_tender: bool = False
    winner_credit_code: str | None = None
    responsible_cadre_ids: list[str] = Field(default_factory=list)
    agency_credit_code: str | None = None  # the tender agency (招标代理机构) that ran it, if any


class AgencyStaff(Fact):
    """招标代理机构从业人员: a person on a tender agency's staff, by the same reference bids use."""

    fact_type: ClassVar[str] = "agency_staff"
    key_field: ClassVar[str] = "staff_ref"
    subject_fields: ClassVar[tuple[str, ...]] = ()

    staff_ref: str
    agency_credit_code: str
    name: str = pii_field(Pii.MASK, default="")
    role: str | None = None


class Bid(Fact):
    """投标: one bidder's bid in a tender, with the traces that can link bidders (as tokens only)."""

    fact_type: ClassVar[str] = "bid"
    key_field: ClassVar[str] = "bid_id"
    subject_fields: ClassVar[tuple[str, ...]] = ()
    partitions: ClassVar[dict[str, str]] = {"project": "project_id"}
    references: ClassVar[dict[str, str]] = {"bidder_credit_code": "enterprise", "agent_ref": "agency_staff"}
    links: ClassVar[tuple[Link, ...]] = (
        Link("cadre", "bidder_credit_code", *BY_RELATIVE),
        Link("cadre", "bidder_credit_code", *BY_OWN_ROLE),
        Link("cadre", "tender_id", "procurement_event", "tender_id"),
    )
    tokens: ClassVar[dict[str, str]] = {
        "doc_author": "doc_author_token",
        "deposit_account": "deposit_account_token",
        "upload_ip": "upload_ip_token",
        "upload_mac": "upload_mac_token",
    }

    bid_id: str
    tender_id: str
    project_id: str
    bidder_credit_code: str
    price: float | None = Field(None, ge=0)
    agent_ref: str | None = None
    project_manager_ref: str | None = None
    doc_author: str | None = pii_field(Pii.HIGH)
    doc_author_token: str | None = None
    deposit_account: str | None = pii_field(Pii.HIGH)
    deposit_account_token: str | None = None
    upload_ip: str | None = pii_field(Pii.HIGH)
    upload_ip_token: str | None = None
    upload_mac: str | None = pii_field(Pii.HIGH)
    upload_mac_token: str | None = None


class Contract(Fact):
    """合同: a contract of a project with its award price, and its settlement once settled."""

    fact_type: ClassVar[str] = "contract"
    key_field: ClassVar[str] = "contract_id"
    subject_fields: ClassVar[tuple[str, ...]] = ()
    partitions: ClassVar[dict[str, str]] = {
        "contract": "contract_id",
        "project": "project_id",
        "unit": "owner_unit_id",
    }
    links: ClassVar[tuple[Link, ...]] = (
        Link("cadre", "counterparty_credit_code", *BY_RELATIVE),
        Link("cadre", "counterparty_credit_code", *BY_OWN_ROLE),
    )

    contract_id: str
    project_id: str
    owner_unit_id: str
    category: Category
    tendered: bool = True
    amount: float = Field(gt=0)
    signed_on: dt.date
    counterparty_credit_code: str | None = None
    settlement_amount: float | None = Field(None, ge=0)


class ContractChange(Fact):
    """工程变更/签证: a change to a contract's price, and whether it was approved and reviewed."""

    fact_type: ClassVar[str] = "contract_change"
    key_field: ClassVar[str] = "change_id"
    subject_fields: ClassVar[tuple[str, ...]] = ()
    partitions: ClassVar[dict[str, str]] = {"contract": "contract_id"}

    change_id: str
    contract_id: str
    date: dt.date
    amount_delta: float
    approved: bool = False
    reviewed: bool = False


class Payment(Fact):
    """工程款支付: a payment on a contract, with the progress certified when it was made."""

    fact_type: ClassVar[str] = "payment"
    key_field: ClassVar[str] = "payment_id"
    subject_fields: ClassVar[tuple[str, ...]] = ()
    partitions: ClassVar[dict[str, str]] = {"contract": "contract_id"}
    links: ClassVar[tuple[Link, ...]] = (
        Link("cadre", "contract_id>contract.counterparty_credit_code", *BY_RELATIVE),
        Link("cadre", "contract_id>contract.counterparty_credit_code", *BY_OWN_ROLE),
    )

    payment_id: str
    contract_id: str
    date: dt.date
    amount: float = Field(ge=0)
    certified_progress_pct: float | None = Field(None, ge=0, le=100)
