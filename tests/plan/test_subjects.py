"""Subjects other than one cadre: org units, projects and contracts have their own partitions and rulesets."""

from __future__ import annotations

import typing
from datetime import date
from pathlib import Path

import pytest

from risk_warning import Engine, load_rulesets
from risk_warning.errors import Reason, RulesetError
from risk_warning.facts._base import SUBJECT_KINDS, subject_kind
from risk_warning.facts.personnel import Appointment, Cadre, Position
from risk_warning.facts.procurement import Bid, ProcurementEvent
from risk_warning.facts.relations import StaffKinship
from risk_warning.plan.partition import partition_facts, unit_of
from risk_warning.privacy import token
from risk_warning.rules.loader import parse_ruleset
from risk_warning.rules.model import SubjectKind
from risk_warning.run.scan import scan
from risk_warning.sources import MemorySource
from risk_warning.store import AlertStore
from risk_warning.store.repository import AlertFilter

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 6, 30)


def test_the_ruleset_language_knows_every_subject_kind() -> None:
    assert typing.get_args(SubjectKind) == SUBJECT_KINDS
    assert [subject_kind(s) for s in ("C001", "unit:U1", "project:P9", "contract:H1", "weird:x")] == [
        "cadre",
        "unit",
        "project",
        "contract",
        "cadre",
    ]


def test_facts_go_to_the_partitions_of_their_subjects_directly_or_through_a_reference() -> None:
    facts = [
        Cadre(cadre_id="c1", org_unit_id="u1"),
        Cadre(cadre_id="c2", org_unit_id="u1"),
        Position(position_id="p1", org_unit_id="u1", title="科长"),
        Position(position_id="p2", org_unit_id="u2", title="科员"),
        Appointment(appointment_id="a1", cadre_id="c1", position_id="p1", start_date=date(2020, 1, 1)),
        Appointment(appointment_id="a2", cadre_id="c2", position_id="p2", start_date=date(2020, 1, 1)),
        StaffKinship(link_id="k1", cadre_id="c1", relative_cadre_id="c2", relation="夫妻"),
        ProcurementEvent(
            tender_id="t1",
            project_id="j1",
            owner_unit_id="u2",
            category="施工",
            method="公开招标",
            opened_at=date(2026, 1, 1),
        ),
    ]
    parts = {s: {f.key for f in members} for s, members in partition_facts(facts)}
    assert set(parts) == {"c1", "c2", "unit:u1", "unit:u2", "project:j1"}
    # the appointment to a post of u2 is in u2's partition although the cadre's record says u1
    assert parts["unit:u2"] == {"appointment:a2", "position:p2", "procurement_event:t1"}
    assert parts["unit:u1"] >= {"cadre:c1", "cadre:c2", "appointment:a1", "staff_kinship:k1", "position:p1"}
    assert "staff_kinship:k1" not in parts["c1"]  # a link between two cadres is the unit's business
    members = dict(partition_facts(facts))
    assert unit_of("project:j1", members["project:j1"]) == "u2"
    assert unit_of("unit:u1", []) == "u1"
    assert unit_of("c1", members["c1"]) is None


def test_sensitive_traces_reach_the_rules_as_tokens_only() -> None:
    bid = Bid(bid_id="b1", tender_id="t1", project_id="j1", bidder_credit_code="E1", upload_ip=" 10.0.0.8 ")
    assert bid.upload_ip_token == token("10.0.0.8") and "10.0.0.8" not in str(bid.upload_ip_token)
    given = Bid(bid_id="b2", tender_id="t1", project_id="j1", bidder_credit_code="E2", upload_ip_token="abc")
    assert given.upload_ip_token == "abc"


HEADER = "ruleset: t\ntitle: t\nversion: 1.0.0\n"
RULE = "rules:\n  - id: t.r\n    title: t\n    family: f\n    basis: b\n    disposition: d\n    grade: yellow\n"


def test_a_rule_on_facts_outside_its_partitions_is_an_error_that_names_the_kind() -> None:
    text = HEADER + RULE + "    match:\n      t: contract_change where amount_delta > 0\n    message: m\n"
    with pytest.raises(RulesetError) as info:
        parse_ruleset(text, "rs.yaml")
    (d,) = info.value.diagnostics
    assert (d.location.line, d.location.col, d.reason) == (12, 10, Reason.WRONG_SUBJECT)
    assert "not in cadre partitions" in d.message and "subject: contract" in d.suggestion
    ok = parse_ruleset(HEADER + "subject: contract\n" + text[len(HEADER) :], "x")
    assert ok.spec.subject == "contract"


def test_wrong_subject_advice_weighs_every_pattern_so_following_it_ends_the_error() -> None:
    """A contract's rule over a procurement event and its bids: neither is in contract partitions, and the
    advice names the kind that sees both (tenders are also in unit partitions, bids are not), and
    following it loads. A rule over a cadre's appointment and a contract's change has no such kind: the
    advice says so."""
    both = "    match:\n      t: procurement_event where bid_count < 3\n      b: bid where tender_id == t.tender_id\n"
    with pytest.raises(RulesetError) as info:
        parse_ruleset(HEADER + "subject: contract\n" + RULE + both + "    message: m\n", "rs.yaml")
    advice = {d.suggestion for d in info.value.diagnostics}
    assert advice == {
        "every pattern of this rule is in project partitions: put it in a ruleset with `subject: project`"
    }
    assert (
        parse_ruleset(HEADER + "subject: project\n" + RULE + both + "    message: m\n", "x").spec.subject == "project"
    )

    mixed = "    match:\n      a: appointment\n      p: contract_change where amount_delta > 1\n"
    with pytest.raises(RulesetError) as info:
        parse_ruleset(HEADER + RULE + mixed + "    message: m\n", "rs.yaml")
    (d,) = info.value.diagnostics
    assert d.suggestion.startswith("no subject kind sees every pattern of this rule (appointment: cadre")
    assert "split it into rules over one subject's facts" in d.suggestion


def test_an_indicator_grouped_by_a_missing_or_sensitive_field_is_an_error() -> None:
    indicators = (
        "indicators:\n  n:\n    count: bid\n    by: upload_ip\n  m:\n    count: bid\n    by: bider_credit_code\n"
    )
    text = HEADER + "subject: project\n" + indicators + RULE + "    match:\n      x: n\n    message: m\n"
    with pytest.raises(RulesetError) as info:
        parse_ruleset(text, "rs.yaml")
    found = {(d.location.line, d.reason, d.suggestion) for d in info.value.diagnostics}
    assert (8, Reason.BAD_VALUE, "group by a plain field of the counted facts") in found  # upload_ip is sensitive
    assert (11, Reason.BAD_VALUE, "did you mean 'bidder_credit_code'?") in found


def procurement_facts() -> list[object]:
    return [
        Cadre(cadre_id="c1", name="张三", org_unit_id="u1"),
        ProcurementEvent(
            tender_id="t1",
            project_id="j1",
            owner_unit_id="u1",
            category="施工",
            method="公开招标",
            opened_at=date(2026, 5, 1),
            bid_count=2,
        ),
        Bid(bid_id="b1", tender_id="t1", project_id="j1", bidder_credit_code="E1", deposit_account="622202"),
        Bid(bid_id="b2", tender_id="t1", project_id="j1", bidder_credit_code="E2", deposit_account="622202"),
    ]


@pytest.mark.parametrize("evaluator", ["durable", "reference"])
def test_project_alerts_are_raised_once_about_the_project_and_never_about_a_cadre(evaluator: str) -> None:
    with Engine(load_rulesets([ROOT / "rulesets"]), evaluator=evaluator) as engine:  # type: ignore[arg-type]
        alerts = engine.evaluate(procurement_facts(), AS_OF)  # type: ignore[arg-type]
    assert sorted((a.subject_id, a.rule_id, a.grade.value) for a in alerts) == [
        ("project:j1", "procurement.bid-collusion", "orange"),
        ("project:j1", "procurement.few-bidders", "yellow"),
    ]
    collusion = next(a for a in alerts if a.rule_id == "procurement.bid-collusion")
    shown = str(collusion.model_dump())
    assert "622202" not in shown  # the account itself never reaches an alert


def test_a_scan_stores_project_alerts_routed_to_the_owner_unit(tmp_path: Path) -> None:
    store = AlertStore(f"sqlite:///{tmp_path / 'p.db'}")
    rulesets = load_rulesets([ROOT / "rulesets"])
    result = scan(rulesets, MemorySource(procurement_facts()), AS_OF, store=store)  # type: ignore[arg-type]
    assert {a.subject_id for a in result.alerts} == {"project:j1"}
    stored = store.alerts(AlertFilter(org_unit_id="u1"))
    assert sorted(r.rule_id for r in stored) == ["procurement.bid-collusion", "procurement.few-bidders"]
    assert {r.subject_id for r in stored} == {"project:j1"}
    again = scan(rulesets, MemorySource(procurement_facts()), AS_OF, store=store)  # type: ignore[arg-type]
    assert len(store.alerts()) == 2 and len(again.alerts) == 2  # never duplicated
