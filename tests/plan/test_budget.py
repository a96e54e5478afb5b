"""The per-subject budget: a cross-join over one subject's facts is refused before the engine is asked,
with the rule and the figure; equality joins and conditions on each fact keep real subjects within it;
the bound is never below the tests the reference evaluator makes; a scan quarantines the subject and
completes, keeping the subject's earlier alerts open."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from risk_warning import load_rulesets
from risk_warning.engine.reference import ReferenceEvaluator
from risk_warning.errors import OverBudgetError
from risk_warning.evaluate.subject import Engine
from risk_warning.facts.conduct import ExpenseClaim
from risk_warning.facts.normalise import PlainFact, day_number, normalise
from risk_warning.plan.budget import MAX_JOIN_TESTS, JoinBudget

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 6, 30)

HEADER = """ruleset: site.budget
title: 预算
version: 1.0.0
rules:
"""


def rule(rule_id: str, match: str) -> str:
    lines = "\n".join(f"      {line}" for line in match.strip().splitlines())
    return f"""  - id: {rule_id}
    title: 规则
    family: finance
    basis: test
    disposition: test
    match:
{lines}
    grade: blue
    message: "x"
"""


FIVE = rule(
    "budget.five",
    """
a: expense_claim
b: expense_claim where claim_id > a.claim_id
c: expense_claim where claim_id > b.claim_id
d: expense_claim where claim_id > c.claim_id
e: expense_claim where claim_id > d.claim_id and amount > d.amount
""",
)
PAIR_BY_INVOICE = rule(
    "budget.same-invoice",
    """
e: expense_claim where invoice_no is not null
f: expense_claim where invoice_no == e.invoice_no and claim_id > e.claim_id
""",
)
PAIR_IN_WINDOW = rule(
    "budget.recent-pair",
    """
e: expense_claim where invoice_date > as_of - days(30)
f: expense_claim where invoice_date > as_of - days(30) and claim_id > e.claim_id and amount > e.amount
""",
)


def ruleset(tmp_path: Path, *rules: str) -> list:  # type: ignore[type-arg]
    path = tmp_path / "budget.yaml"
    path.write_text(HEADER + "".join(rules), encoding="utf-8")
    return load_rulesets([path])


def claims(subject: str, count: int, *, recent: int = 0) -> list[ExpenseClaim]:
    """``count`` claims of ``subject``, each with its own invoice; the last ``recent`` dated in June 2026."""
    return [
        ExpenseClaim(
            claim_id=f"x{i:05d}",
            claimant_id=subject,
            amount=100 + i % 7,
            invoice_no=f"i{i}",
            invoice_date=date(2026, 6, 20) if i >= count - recent else date(2024, 3, 1),
        )
        for i in range(count)
    ]


def test_five_patterns_over_two_thousand_claims_are_refused_with_the_rule_and_the_figure(tmp_path: Path) -> None:
    engine = Engine(ruleset(tmp_path, FIVE))
    started = time.process_time()
    with pytest.raises(OverBudgetError) as refused:
        engine.evaluate(claims("c1", 2000), AS_OF)
    assert time.process_time() - started < 5  # CPU seconds: refused from the counts, the engine never asked
    assert refused.value.subject == "c1"
    assert refused.value.detail == (
        "rule budget.five would test more than 20,000,000 combinations of this subject's facts "
        "(at most 32,016,008,004,002,000; candidates a: 2,000 expense_claim, b: 2,000 expense_claim, "
        "c: 2,000 expense_claim, d: 2,000 expense_claim, e: 2,000 expense_claim); the subject was not "
        "evaluated and its alerts are unknown: narrow the rule (a condition on each fact, a date window, "
        "an equality between facts) or check the subject's records"
    )


def test_the_same_rule_on_a_few_claims_is_evaluated(tmp_path: Path) -> None:
    rulesets = ruleset(tmp_path, FIVE)
    alerts = Engine(rulesets).evaluate(claims("c1", 12), AS_OF)
    assert alerts and alerts == Engine(rulesets, evaluator="reference").evaluate(claims("c1", 12), AS_OF)


def test_an_equality_join_is_bounded_by_its_largest_group(tmp_path: Path) -> None:
    """10,000 claims with their own invoices: 10^8 pairs by count, 10^4 by invoice; evaluated."""
    rulesets = ruleset(tmp_path, PAIR_BY_INVOICE)
    facts = claims("c1", 10_000)
    facts += [ExpenseClaim(claim_id="y1", claimant_id="c1", amount=5, invoice_no="i7", invoice_date=AS_OF)]
    alerts = Engine(rulesets).evaluate(facts, AS_OF)
    assert [(a.subject_id, a.rule_id) for a in alerts] == [("c1", "budget.same-invoice")]


def test_conditions_on_each_fact_narrow_the_candidates(tmp_path: Path) -> None:
    """8,000 old claims and 40 recent: the pair rule's candidates are the 40, so it is evaluated."""
    rulesets = ruleset(tmp_path, PAIR_IN_WINDOW)
    assert len(Engine(rulesets).evaluate(claims("c1", 8040, recent=40), AS_OF)) > 0
    with pytest.raises(OverBudgetError, match="candidates e: 5,000 expense_claim, f: 5,000 expense_claim"):
        Engine(rulesets).evaluate(claims("c1", 5000, recent=5000), AS_OF)


def test_a_smaller_budget_refuses_sooner(tmp_path: Path) -> None:
    rulesets = ruleset(tmp_path, PAIR_BY_INVOICE, PAIR_IN_WINDOW)
    facts = claims("c1", 300, recent=300)
    assert Engine(rulesets).evaluate(facts, AS_OF) is not None
    with pytest.raises(OverBudgetError, match=re.escape("rule budget.recent-pair would test more than 10,000 ")):
        Engine(rulesets, join_budget=10_000).evaluate(facts, AS_OF)


def test_the_shipped_rules_keep_a_large_demo_subject_within_the_budget() -> None:
    """A cadre with 3,000 claims, reports and appointments under the 46 core rules is not refused."""
    budget = JoinBudget(load_rulesets(["core"]), day_number(AS_OF))
    facts = [normalise(f) for f in claims("C001", 3000, recent=200)]
    assert budget.over(facts) is None


@settings(max_examples=40, deadline=None)
@given(
    count=st.integers(min_value=0, max_value=12),
    recent=st.integers(min_value=0, max_value=12),
    shared=st.integers(min_value=0, max_value=4),
    which=st.sampled_from([FIVE, PAIR_BY_INVOICE, PAIR_IN_WINDOW]),
)
def test_the_bound_is_never_below_the_partial_matches_the_reference_evaluator_finds(
    tmp_path_factory: pytest.TempPathFactory, count: int, recent: int, shared: int, which: str
) -> None:
    """At every step j, the matches of the first j patterns (found by the reference evaluator's own loops)
    are at most what the bound allows for them; the bound's tests are the sum of those allowances."""
    rulesets = ruleset(tmp_path_factory.mktemp("bound"), which)
    facts = claims("c1", count, recent=min(recent, count))
    facts += [
        ExpenseClaim(claim_id=f"s{i}", claimant_id="c1", amount=3, invoice_no="i0", invoice_date=AS_OF)
        for i in range(shared)
    ]  # claims sharing an invoice: equality groups larger than one
    plain = [normalise(f) for f in facts]
    by_type: dict[str, list[PlainFact]] = {}
    for f in plain:
        by_type.setdefault(f.type, []).append(f)
    (rs,) = rulesets
    (the_rule,) = rs.rules
    (gate,) = JoinBudget(rulesets, day_number(AS_OF)).gates
    reference = ReferenceEvaluator(rulesets, AS_OF)
    indexed = {t: [(i, f) for i, f in enumerate(plain) if f.type == t] for t in by_type}
    found = [
        sum(1 for _ in reference._bind(list(the_rule.bound[:step]), 0, {}, {}, rs.params, indexed))
        for step in range(1, len(the_rule.bound) + 1)
    ]
    assert sum(found) <= JoinBudget.cost(gate, by_type).tests


def test_a_scan_quarantines_the_subject_completes_and_keeps_its_alerts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "fixtures" / "demo", data)
    db = f"sqlite:///{tmp_path / 'budget.db'}"
    common = ["--data", str(data), "--db", db, "--max-quarantined", "0.2", "--format", "json"]
    first = _cli("scan", *common, "--as-of", "2026-06-30", "--rules", "core", "--workers", "0")
    assert first.returncode == 0, first.stderr
    kept = {(a["subject_id"], a["rule_id"]) for a in json.loads(first.stdout)["alerts"] if a["subject_id"] == "C006"}
    assert kept, "the demo's C006 has alerts the first night"

    with (data / "expense_claim.csv").open("a", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        for i in range(2000):
            writer.writerow([f"Z{i:05d}", "C006", "U01", "其他", 120, "", "", f"Z{i}", "2025-03-01", "", ""])
    (tmp_path / "five.yaml").write_text(HEADER + FIVE, encoding="utf-8")
    rules = ["--rules", "core", "--rules", str(tmp_path / "five.yaml")]
    started = time.perf_counter()
    second = _cli("scan", *common, "--as-of", "2026-07-01", *rules, "--workers", "2")
    took = time.perf_counter() - started
    assert second.returncode == 0, second.stderr
    payload = json.loads(second.stdout)
    over = [q for q in payload["quarantined"] if q["reason"] == "over-budget"]
    assert [q["path"] for q in over] == ["subject:C006"]
    assert over[0]["message"].startswith("rule budget.five would test more than 20,000,000 combinations")
    assert "C006" not in {a["subject_id"] for a in payload["alerts"]}
    assert {a["subject_id"] for a in payload["alerts"]}, "the other subjects were evaluated"
    assert took < 240

    listed = _cli("alerts", "list", "--db", db, "--format", "json")
    assert listed.returncode == 0, listed.stderr
    theirs = [a for a in json.loads(listed.stdout) if a["subject_id"] == "C006"]
    assert {(a["subject_id"], a["rule_id"]) for a in theirs} == kept
    assert {a["status"] for a in theirs} == {"new"}  # not evaluated, so nothing cleared on what is unknown


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "risk_warning", *args], capture_output=True, text=True, cwd=ROOT, timeout=600
    )


def test_the_budget_is_documented() -> None:
    text = (ROOT / "docs" / "rule-language.md").read_text(encoding="utf-8")
    assert f"{MAX_JOIN_TESTS:,}" in text and "over-budget" in text
