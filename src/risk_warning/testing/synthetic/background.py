"""The clean organisation: units, posts, cadres and their ordinary records, one unit at a time.

Every record here is chosen so that no shipped rule fires on it (tenures under five years, education
within the year, reports on time, attendance every month, claims well under their tiers, private trips
approved before they start with the passport back in time, at most one anonymous vague complaint, tenders
with five unrelated bidders...). The scan of a generated directory checks that: any alert on a background
subject is a false positive.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

from risk_warning.testing.synthetic import identity

Record = tuple[str, dict[str, Any]]

UNIT_KINDS = ("财政局", "住房和城乡建设局", "交通运输局", "自然资源局", "教育局", "卫生健康委", "市场监管局", "水利局")
SECTIONS = (  # (title, category, risk level)
    ("财务科科长", "财务", "high"),
    ("人事科科长", "人事", "medium"),
    ("采购与项目管理科科长", "工程项目管理", "high"),
    ("审批科科长", "行政审批", "medium"),
    ("办公室主任", "其他", "low"),
)
VENDORS = tuple(f"9144{n:014d}" for n in range(1, 41))


class Counter:
    """Ids that are unique across the whole generated organisation."""

    def __init__(self) -> None:
        self.n: dict[str, int] = {}

    def next(self, kind: str, width: int = 7) -> str:
        self.n[kind] = self.n.get(kind, 0) + 1
        return f"{kind}{self.n[kind]:0{width}d}"


def unit_records(
    rng: random.Random, ids: Counter, as_of: date, unit_no: int, size: int, units_total: int
) -> Iterator[Record]:
    """A unit of ``size`` cadres (head, two deputies, section chiefs, staff) and everything about them."""
    unit_id = f"U{unit_no:05d}"
    region = identity.REGIONS[unit_no % len(identity.REGIONS)]
    level = "市级" if unit_no % 3 else "县级"
    yield (
        "org_unit",
        {
            "org_unit_id": unit_id,
            "name": f"{'市' if level == '市级' else '县'}{UNIT_KINDS[unit_no % len(UNIT_KINDS)]}({unit_no})",
            "level": level,
            "type": "党政机关",
            "region_code": region,
            "discipline_body_id": f"DJ{unit_no % 50:03d}",
        },
    )
    yield (
        "unit_appraisal",
        {
            "appraisal_id": ids.next("UA"),
            "org_unit_id": unit_id,
            "year": as_of.year - 1,
            "rank": rng.randrange(1, units_total + 1),
            "ranked": units_total + 1,  # the last place goes to a planted unit or to nobody
        },
    )
    head = f"{unit_id}-P01"
    posts: list[dict[str, Any]] = [
        {"position_id": head, "title": "局长", "is_leadership": True, "is_principal": True, "risk_level": "high"},
        {"position_id": f"{unit_id}-P02", "title": "副局长", "is_leadership": True, "superior_position_id": head},
        {"position_id": f"{unit_id}-P03", "title": "副局长", "is_leadership": True, "superior_position_id": head},
    ]
    for i, (title, category, risk) in enumerate(SECTIONS, start=4):
        posts.append(
            {
                "position_id": f"{unit_id}-P{i:02d}",
                "title": title,
                "category": category,
                "risk_level": risk,
                "superior_position_id": f"{unit_id}-P02",
            }
        )
    chiefs = [p["position_id"] for p in posts[3:]]
    while len(posts) < size:
        posts.append(
            {
                "position_id": f"{unit_id}-P{len(posts) + 1:02d}",
                "title": "科员",
                "superior_position_id": rng.choice(chiefs),
            }
        )
    responsible: list[str] = []  # the deputy in charge of the unit's works answers for its tenders
    for post in posts[:size]:
        yield "position", {"org_unit_id": unit_id, **post}
        for fact_type, record in cadre_records(rng, ids, as_of, unit_id, region, post):
            if fact_type == "cadre" and post["position_id"] == f"{unit_id}-P02":
                responsible.append(record["cadre_id"])
            yield fact_type, record
    yield from procurement_records(rng, ids, as_of, unit_id, region, responsible)


def _day(as_of: date, rng: random.Random, lo: int, hi: int) -> date:
    return as_of - timedelta(days=rng.randrange(lo, hi))


def cadre_records(
    rng: random.Random, ids: Counter, as_of: date, unit_id: str, region: str, post: dict[str, Any]
) -> Iterator[Record]:
    cadre_id = ids.next("C")
    male = rng.random() < 0.6
    born = identity.birth_date(rng, as_of, 28 if post.get("is_leadership") else 24)
    leader = bool(post.get("is_leadership"))
    home = rng.choice([r for r in identity.REGIONS if r != region])
    yield (
        "cadre",
        {
            "cadre_id": cadre_id,
            "name": identity.name(rng),
            "id_card_no": identity.id_number(rng, born, male, home),
            "phone": identity.phone(rng),
            "birth_date": born,
            "gender": "男" if male else "女",
            "political_status": "中共党员",
            "org_unit_id": unit_id,
            "rank_level": "处级" if leader else rng.choice(("科级", "一级主任科员", "四级主任科员")),
            "management_authority": "市管" if post.get("is_principal") else "局管",
            "reporting_scope": leader,
            "doc_custody_scope": leader,
            "growth_place": home,
        },
    )
    start = _day(as_of, rng, 120, 1600)  # under five years in post
    yield (
        "appointment",
        {
            "appointment_id": ids.next("A"),
            "cadre_id": cadre_id,
            "position_id": post["position_id"],
            "start_date": start,
            "type": rng.choice(("任职", "提拔", "平调", "交流", "轮岗")),
            "term_no": 1,
        },
    )
    yield (
        "education_record",
        {
            "record_id": ids.next("ED"),
            "cadre_id": cadre_id,
            "type": rng.choice(("警示教育", "廉政党课", "例行廉政谈话")),
            "date": _day(as_of, rng, 5, 300),
            "hours": 2,
        },
    )
    for month in range(12):  # a branch meeting and a theme day every month, attended
        for meeting_type in ("支部党员大会", "主题党日"):
            yield (
                "org_life_attendance",
                {
                    "attendance_id": ids.next("OL", 8),
                    "meeting_id": f"{unit_id}-{meeting_type}-{month}",
                    "branch_id": f"{unit_id}-B1",
                    "meeting_type": meeting_type,
                    "date": as_of - timedelta(days=15 + 30 * month),
                    "cadre_id": cadre_id,
                    "status": "present",
                },
            )
    yield (
        "appraisal_result",
        {
            "appraisal_id": ids.next("AR"),
            "cadre_id": cadre_id,
            "year": as_of.year - 1,
            "grade": "优秀" if rng.random() < 0.15 else "称职",
            "political_score": round(rng.uniform(85, 95), 1),
            "work_score": round(rng.uniform(80, 92), 1),
        },
    )
    for _ in range(rng.randrange(0, 3)):
        tier = 5000.0
        yield (
            "expense_claim",
            {
                "claim_id": ids.next("EX", 8),
                "claimant_id": cadre_id,
                "unit_id": unit_id,
                "category": rng.choice(("差旅", "会议", "其他")),
                "amount": round(rng.uniform(80, tier * 0.8), 2),
                "vendor_credit_code": rng.choice(VENDORS),
                "invoice_no": f"{rng.randrange(10**7, 10**8)}{ids.next('', 6)}",
                "invoice_date": _day(as_of, rng, 1, 360),
                "tier": tier,
            },
        )
    if leader:
        yield (
            "personal_matters_report",
            {
                "report_id": ids.next("PMR"),
                "cadre_id": cadre_id,
                "year": as_of.year - 1,
                "kind": "annual",
                "submitted_at": date(as_of.year, 1, rng.randrange(5, 26)),
            },
        )
        doc = ids.next("D")
        yield (
            "travel_document",
            {
                "doc_id": doc,
                "cadre_id": cadre_id,
                "doc_type": "普通护照",
                "doc_no": f"E{rng.randrange(10**7, 10**8)}",
                "issue_date": _day(as_of, rng, 400, 2000),
                "custody_status": "in_custody",
            },
        )
        if rng.random() < 0.3:
            yield from private_trip(rng, ids, as_of, cadre_id, doc)
        yield (
            "relative",
            {
                "relative_id": ids.next("R"),
                "cadre_id": cadre_id,
                "relation": "配偶",
                "name": identity.name(rng),
                "reported_in_pmr": True,
            },
        )
    if rng.random() < 0.04:
        yield complaint(rng, ids, as_of, cadre_id)
    if post.get("is_principal"):
        yield (
            "reception_record",
            {
                "record_id": ids.next("RC"),
                "approver_id": cadre_id,
                "host_unit_id": unit_id,
                "date": _day(as_of, rng, 10, 300),
                "guests": 4,
                "companions": 2,
                "venue": "机关食堂",
            },
        )


def private_trip(rng: random.Random, ids: Counter, as_of: date, cadre_id: str, doc_id: str) -> Iterator[Record]:
    """A private trip abroad done by the book: approved first, passport drawn, used, returned in time."""
    start = _day(as_of, rng, 40, 300)
    end = start + timedelta(days=rng.randrange(3, 12))
    yield (
        "travel_application",
        {
            "application_id": ids.next("TA"),
            "cadre_id": cadre_id,
            "destination": rng.choice(("新加坡", "日本", "泰国", "法国")),
            "start_date": start,
            "end_date": end,
            "approved_at": start - timedelta(days=rng.randrange(7, 30)),
        },
    )
    yield (
        "custody_event",
        {
            "event_id": ids.next("CE"),
            "doc_id": doc_id,
            "cadre_id": cadre_id,
            "drawn_at": start - timedelta(days=2),
            "due_return": end + timedelta(days=7),
            "returned_at": end + timedelta(days=rng.randrange(1, 7)),
            "status": "returned",
        },
    )
    yield (
        "border_crossing",
        {
            "crossing_id": ids.next("BX"),
            "cadre_id": cadre_id,
            "exit_at": start,
            "entry_at": end,
            "port": rng.choice(("浦东机场", "白云机场", "罗湖口岸")),
            "reported_in_pmr": True,
        },
    )


def complaint(rng: random.Random, ids: Counter, as_of: date, cadre_id: str) -> Record:
    """One anonymous, vague complaint of the last year, looked into and closed (a cluster needs three)."""
    received = _day(as_of, rng, 20, 360)
    return (
        "complaint",
        {
            "complaint_id": ids.next("XF"),
            "received_at": received,
            "channel": rng.choice(("来信", "12388", "网络")),
            "named": False,
            "subject_cadre_ids": [cadre_id],
            "category": rng.choice(("工作作风", "违反中央八项规定精神", "其他")),
            "specificity": "vague",
            "disposition": "予以了结",
            "closed_at": received + timedelta(days=rng.randrange(10, 20)),
            "outcome": "不属实",
        },
    )


def _distinct(draw: Callable[[], str], n: int) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        if (value := draw()) not in out:
            out.append(value)
    return out


def _irregular_prices(rng: random.Random, n: int) -> list[float]:
    """Bid prices no three of which step evenly (to within 1,000 yuan): an even step is a sign of
    collusion (E2)."""
    while True:
        prices = [round(rng.uniform(4e6, 6e6), 2) for _ in range(n)]
        ordered = sorted(prices)
        if all(abs(z - 2 * y + x) >= 1000 for x, y, z in itertools.combinations(ordered, 3)):
            return prices


def procurement_records(
    rng: random.Random, ids: Counter, as_of: date, unit_id: str, region: str, responsible: list[str]
) -> Iterator[Record]:
    """Two tenders of the last year run by a tender agency, each with five unrelated bidders (none
    represented by the agency's staff), a contract and paid-as-certified; ``responsible`` cadres answer
    for them (the person graph links each tender and its bids to them)."""
    agency = ids.next("9111", 14)
    for _ in range(2):
        yield (
            "agency_staff",
            {
                "staff_ref": ids.next("AS", 7),
                "agency_credit_code": agency,
                "name": identity.name(rng),
                "role": "项目经理",
            },
        )
    for _ in range(2):
        project = ids.next("J", 6)
        tender = ids.next("T", 6)
        opened = _day(as_of, rng, 30, 330)
        bidders = [ids.next("9133", 14) for _ in range(5)]
        # traces that must differ between bidders (a shared one is a sign of collusion): drawn distinct
        authors = _distinct(lambda: identity.name(rng), 5)
        ips = _distinct(lambda: f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}", 5)
        macs = _distinct(lambda: ":".join(f"{rng.randrange(256):02x}" for _ in range(6)), 5)
        accounts = _distinct(lambda: f"62220{rng.randrange(10**13, 10**14)}", 5)
        prices = _irregular_prices(rng, 5)
        reps = _distinct(lambda: identity.id_number(rng, identity.birth_date(rng, as_of, 30, 60), True), 5)
        for n, code in enumerate(bidders):
            yield (
                "enterprise",
                {
                    "credit_code": code,
                    "name": f"{identity.name(rng)[:1]}氏建设工程有限公司({code[-4:]})",
                    "region_code": rng.choice(identity.REGIONS),
                    "legal_rep_id_no": reps[n],
                },
            )
            yield (
                "bid",
                {
                    "bid_id": ids.next("B", 7),
                    "tender_id": tender,
                    "project_id": project,
                    "bidder_credit_code": code,
                    "price": prices[n],
                    "agent_ref": ids.next("AG", 7),
                    "project_manager_ref": ids.next("PM", 7),
                    "doc_author": authors[n],
                    "deposit_account": accounts[n],
                    "upload_ip": ips[n],
                    "upload_mac": macs[n],
                },
            )
        amount = round(rng.uniform(4e6, 6e6), 2)
        yield (
            "procurement_event",
            {
                "tender_id": tender,
                "project_id": project,
                "owner_unit_id": unit_id,
                "category": "施工",
                "method": "公开招标",
                "est_value": amount,
                "opened_at": opened,
                "bid_count": 5,
                "agency_credit_code": agency,
                "winner_credit_code": bidders[0],
                "responsible_cadre_ids": responsible,
            },
        )
        contract = ids.next("HT", 6)
        yield (
            "contract",
            {
                "contract_id": contract,
                "project_id": project,
                "owner_unit_id": unit_id,
                "category": "施工",
                "tendered": True,
                "amount": amount,
                "signed_on": opened + timedelta(days=20),
                "counterparty_credit_code": bidders[0],
            },
        )
        yield (
            "payment",
            {
                "payment_id": ids.next("PAY", 7),
                "contract_id": contract,
                "date": opened + timedelta(days=25),
                "amount": round(amount * 0.3, 2),
                "certified_progress_pct": 30.0,
            },
        )
