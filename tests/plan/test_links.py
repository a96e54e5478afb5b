"""The person graph (plan/links.py, ``Fact.links``): which facts a cadre reaches through its own, the same
by facts (partition_facts) and by frames (membership), and never another cadre's own facts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from risk_warning import DirectorySource, load_rulesets
from risk_warning.facts._base import Link, subject_kind
from risk_warning.facts.registry import FACT_MODELS
from risk_warning.plan import links
from risk_warning.plan.links import LinkError, link_order, linked_types
from risk_warning.plan.membership import ORDER, ROLE, SEQ, SUBJECT, members
from risk_warning.plan.partition import partition_facts
from risk_warning.sources.memory import MemorySource
from risk_warning.testing.synthetic import generate

ROOT = Path(__file__).resolve().parents[2]

RECORDS: dict[str, list[dict[str, Any]]] = {
    "cadre": [{"cadre_id": "c1"}, {"cadre_id": "c2"}, {"cadre_id": "c3"}],
    "relative": [
        {"relative_id": "r1", "cadre_id": "c1", "relation": "配偶", "employer_credit_code": "E1"},
        {"relative_id": "r2", "cadre_id": "c1", "relation": "子女", "employer_credit_code": "E1"},
        {"relative_id": "r3", "cadre_id": "c3", "relation": "配偶", "employer_credit_code": "E9"},
    ],
    "enterprise_role": [
        {"role_id": "er1", "cadre_id": "c3", "credit_code": "E3", "role": "股东", "start_date": "2020-01-01"}
    ],
    "enterprise": [{"credit_code": "E1", "name": "甲公司"}, {"credit_code": "E2", "name": "乙公司"}],
    "procurement_event": [
        {
            "tender_id": "t1",
            "project_id": "j1",
            "owner_unit_id": "u1",
            "category": "施工",
            "method": "公开招标",
            "opened_at": "2026-05-01",
            "winner_credit_code": "E2",
            "responsible_cadre_ids": ["c2", "c3"],
        }
    ],
    "bid": [
        {"bid_id": "b1", "tender_id": "t1", "project_id": "j1", "bidder_credit_code": "E1"},
        {"bid_id": "b2", "tender_id": "t1", "project_id": "j1", "bidder_credit_code": "E2"},
        {"bid_id": "b3", "tender_id": "t9", "project_id": "j9", "bidder_credit_code": "E3"},
    ],
    "contract": [
        {
            "contract_id": "k1",
            "project_id": "j1",
            "owner_unit_id": "u1",
            "category": "施工",
            "amount": 100.0,
            "signed_on": "2026-05-20",
            "counterparty_credit_code": "E1",
        }
    ],
    "payment": [{"payment_id": "p1", "contract_id": "k1", "date": "2026-06-01", "amount": 30.0}],
}


def _partitions(records: dict[str, list[dict[str, Any]]]) -> dict[str, list[str]]:
    loaded = MemorySource.from_records(records).load()
    assert not loaded.quarantined
    return {s: [f.key for f in facts] for s, facts in partition_facts(loaded.facts)}


def test_a_cadre_reaches_its_relatives_firms_its_own_firms_and_the_tenders_it_answers_for() -> None:
    parts = _partitions(RECORDS)
    # c1: a spouse and a child at E1: E1's bid, contract and the payment on it, once each, in load order
    assert parts["c1"] == [
        "cadre:c1",
        "relative:r1",
        "relative:r2",
        "bid:b1",
        "contract:k1",
        "payment:p1",
        "enterprise:E1",
    ]
    # c2 is responsible for t1: the tender and every bid in it (the bidders attached where known)
    assert parts["c2"] == ["cadre:c2", "procurement_event:t1", "bid:b1", "bid:b2", "enterprise:E1", "enterprise:E2"]
    # c3 holds a share in E3 (its bid in another tender) and answers for t1 too; its spouse's firm did nothing
    assert [k for k in parts["c3"] if k.startswith(("bid:", "procurement_event:"))] == [
        "procurement_event:t1",
        "bid:b1",
        "bid:b2",
        "bid:b3",
    ]


def test_a_link_never_carries_one_cadres_own_facts_to_another() -> None:
    parts = _partitions(RECORDS)
    by_key = {f.key: f for f in MemorySource.from_records(RECORDS).load().facts}
    for subject, keys in parts.items():
        if subject_kind(subject) != "cadre":
            continue
        for key in keys:
            fact = by_key[key]
            if type(fact).subject_fields:
                assert subject in fact.subject_ids(), (subject, key)


def test_without_the_holder_there_is_no_link() -> None:
    """The tender reaches its responsible cadres through their records; a relative without an employer, or
    a firm no one is linked to, reaches no one."""
    records = {k: v for k, v in RECORDS.items() if k != "cadre"}
    parts = _partitions(records)
    assert "c2" not in parts
    assert not any(k.startswith("procurement_event:") for k in parts["c3"])
    assert "bid:b3" in parts["c3"]  # its own role still links E3's bid


def test_links_by_frames_equal_links_by_facts() -> None:
    loaded = MemorySource.from_records(RECORDS).load()
    found = members(loaded.frames())
    every = pl.concat([f.select(SUBJECT, SEQ, ORDER, ROLE) for f in found.values()]).sort(SUBJECT, ORDER, SEQ)
    by_seq = dict(loaded.objects)
    got: dict[str, list[str]] = {}
    for subject, seq in every.select(SUBJECT, SEQ).iter_rows():
        got.setdefault(subject, []).append(by_seq[seq].key)
    assert got == _partitions(RECORDS)
    assert set(every.filter(pl.col(ROLE) == "linked").get_column(SUBJECT)) == {"c1", "c2", "c3"}


def test_the_generated_export_plants_the_person_graph_and_frames_agree(tmp_path: Path) -> None:
    generate(load_rulesets([ROOT / "rulesets"]), tmp_path, cadres=60, seed=3)
    loaded = DirectorySource(tmp_path).load()
    found = members(loaded.frames())
    linked = pl.concat([f.filter(pl.col(ROLE) == "linked") for f in found.values()])
    assert linked.height >= 10  # D3, E8 and X6 are planted twice each
    expected = {s: [f.key for f in facts] for s, facts in partition_facts(loaded.facts)}
    by_seq = dict(loaded.objects)  # after .facts, which makes every record's fact once
    for subject in set(linked.get_column(SUBJECT)):
        rows = pl.concat([f.filter(pl.col(SUBJECT) == subject) for f in found.values()]).sort(ORDER, SEQ)
        assert [by_seq[s].key for s in rows.get_column(SEQ)] == expected[subject]


def test_every_declared_link_holds_and_holders_come_first() -> None:
    order = link_order()
    seen: set[str] = set()
    for fact_type, link in order:
        if link.holder in linked_types(link.kind):
            assert link.holder in seen, (fact_type, link)
        seen.add(fact_type)
    assert linked_types("cadre") == {"procurement_event", "bid", "contract", "payment"}
    for fact_type in linked_types("cadre"):
        assert not FACT_MODELS[fact_type].subject_fields  # no cadre owns a fact linked into cadre partitions


@pytest.mark.parametrize(
    ("link", "message"),
    [
        (Link("project", "bidder_credit_code", "relative", "employer_credit_code"), "as its own"),
        (Link("cadre", "bidder_credit_code", "relative", "employer"), "not a field"),
        (Link("cadre", "bidder", "relative", "employer_credit_code"), "no field bidder"),
        (Link("cadre", "tender_id", "staff_kinship", "link_id"), "not in cadre partitions"),
    ],
)
def test_a_bad_link_declaration_is_refused(link: Link, message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FACT_MODELS["bid"], "links", (link,))
    links.link_order.cache_clear()
    try:
        with pytest.raises(LinkError, match=message):
            link_order()
    finally:
        monkeypatch.undo()
        links.link_order.cache_clear()
    assert link_order()


def test_links_in_a_circle_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    circle = (Link("cadre", "tender_id", "bid", "tender_id"),)
    monkeypatch.setattr(FACT_MODELS["procurement_event"], "links", circle)
    links.link_order.cache_clear()
    try:
        with pytest.raises(LinkError, match="circle"):
            link_order()
    finally:
        monkeypatch.undo()
        links.link_order.cache_clear()
