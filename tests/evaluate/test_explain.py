"""``Engine.explain`` and ``risk-warning explain`` (evaluate/explain.py): why each rule fired or did not for one
subject, the same outcome as the engine's alerts, near misses with the first failed condition and its values,
personal fields masked."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from risk_warning import DirectorySource, load_rulesets
from risk_warning.evaluate.subject import Engine
from risk_warning.plan.partition import partition_facts
from risk_warning.rules.loader import parse_ruleset
from risk_warning.rules.parser import parse_expression
from risk_warning.rules.render import render
from risk_warning.sources.memory import MemorySource
from risk_warning.testing.synthetic import generate
from risk_warning.testing.synthetic.generate import GROUND_TRUTH

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 6, 30)


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("explain")
    generate(load_rulesets([ROOT / "rulesets"]), out, cadres=40, seed=9)
    return out


def test_what_fired_in_the_explanation_is_what_the_engine_raised(export: Path) -> None:
    """Escalation rules too: those raising an alert of their own over tonight's signals, and those raising the
    grade of one of tonight's alerts (fired exactly when the engine raised)."""
    rulesets = load_rulesets([ROOT / "rulesets"])
    adjusting = {r.id for rs in rulesets for r in rs.rules if r.spec.adjust}
    escalations = {r.id for rs in rulesets for r in rs.rules if r.escalation}
    facts = DirectorySource(export).load().facts
    subjects = [s for s, _ in partition_facts(facts)]
    truth = [line.split(",")[:2] for line in (export / GROUND_TRUTH).read_text(encoding="utf-8").splitlines()[1:]]
    planted = sorted({subject for rule, subject in truth if rule in escalations})
    checked, escalated = 0, set[str]()
    with Engine(rulesets) as engine:
        for subject in [*subjects[:: max(1, len(subjects) // 60)], *planted]:
            found = engine.explain(facts, AS_OF, subject)
            fired = {r.rule_id for r in found.rules if r.fired}
            raised = {line.split(" ")[0] for line in found.alerts}
            raisers = {line.split(":")[0] for line in found.raises}
            assert (fired - adjusting, fired & adjusting) == (raised, raisers), subject
            for report in found.rules:
                assert report.fired == (report.grade is not None)
                assert report.why
            checked += bool(fired)
            escalated |= fired & escalations
    assert checked >= 5 and escalated == {rule for rule, _ in truth if rule in escalations}


RULESET = """\
ruleset: site.why
title: 说明
version: 1.0.0
params:
  min_amount: {type: float, default: 5000.0, description: 金额}
rules:
  - id: why.claims
    title: 大额报销
    family: finance
    basis: 规定
    disposition: 核查
    match:
      c: cadre where name == "张三丰"
      e: >-
        expense_claim where claimant_id == c.cadre_id and amount >= params.min_amount
        and invoice_date > as_of - days(30)
    levels:
      yellow: "true"
      orange: e.amount >= params.min_amount * 2
    message: "{e.amount}"
"""


def records(amount: float, day: str) -> dict[str, list[dict[str, object]]]:
    return {
        "cadre": [{"cadre_id": "c1", "name": "张三丰", "id_card_no": "110101198001011234"}],
        "expense_claim": [
            {"claim_id": "x1", "claimant_id": "c1", "amount": amount, "payee": "酒店", "invoice_date": day},
            {"claim_id": "x2", "claimant_id": "c1", "amount": 100.0, "payee": "食堂", "invoice_date": "2026-06-20"},
        ],
    }


@pytest.mark.parametrize("evaluator", ["durable", "reference"])
def test_a_near_miss_names_the_first_failed_condition_and_its_values(evaluator: str) -> None:
    rs = parse_ruleset(RULESET, "why.yaml")
    facts = MemorySource.from_records(records(6000.0, "2026-05-31")).load().facts  # the 30th day before: out
    with Engine([rs], evaluator=evaluator) as engine:  # type: ignore[arg-type]
        found = engine.explain(facts, AS_OF, "c1")
    (report,) = found.rules
    assert not report.fired and found.alerts == []
    c, e = report.patterns
    assert c.matched == ["cadre:c1"]
    misses = dict(e.near_misses)
    assert misses["expense_claim:x1"].condition == "invoice_date > as_of - days(30)"
    assert misses["expense_claim:x1"].values == {"invoice_date": "2026-05-31", "as_of": "2026-06-30"}
    assert misses["expense_claim:x2"].condition == "amount >= params.min_amount"
    assert misses["expense_claim:x2"].values == {"amount": "100.0", "params.min_amount": "5000.0"}
    assert report.why == "e: no expense_claim passed; the first to fail failed `invoice_date > as_of - days(30)`"


def test_a_fired_rule_shows_each_level_and_the_grade() -> None:
    rs = parse_ruleset(RULESET, "why.yaml")
    facts = MemorySource.from_records(records(12000.0, "2026-06-01")).load().facts
    with Engine([rs]) as engine:
        found = engine.explain(facts, AS_OF, "c1", "why.claims")
    (report,) = found.rules
    assert (report.fired, report.grade) == (True, "orange")
    assert [(lv.grade, lv.holds) for lv in report.levels] == [("yellow", True), ("orange", True)]
    assert found.alerts == ["why.claims orange: 12000"]


def test_personal_fields_are_masked_and_sensitive_ones_never_shown(tmp_path: Path) -> None:
    rs = parse_ruleset(RULESET.replace('"张三丰"', '"李四光"'), "why.yaml")
    facts = MemorySource.from_records(records(6000.0, "2026-06-20")).load().facts
    with Engine([rs]) as engine:
        found = engine.explain(facts, AS_OF, "c1")
    text = json.dumps(found.as_dict(), ensure_ascii=False)
    assert "张三丰" not in text and "110101198001011234" not in text
    (miss,) = found.rules[0].patterns[0].near_misses
    assert miss[1].values["name"].startswith("张") and miss[1].values["name"] != "张三丰"


def test_the_command_explains_a_subject_of_an_export_as_json_and_refuses_an_unknown_one(export: Path) -> None:
    cli = [sys.executable, "-m", "risk_warning", "explain", "--data", str(export), "--as-of", "2026-06-30"]
    rules = ["--rules", str(ROOT / "rulesets")]
    truth = (export / GROUND_TRUTH).read_text(encoding="utf-8").splitlines()[1]
    rule_id, subject = truth.split(",")[:2]
    done = subprocess.run([*cli, *rules, "--subject", subject, "--format", "json"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert rule_id in {r["rule_id"] for r in found["rules"] if r["fired"]}
    table = subprocess.run([*cli, *rules, "--subject", subject, "--rule", rule_id], capture_output=True, text=True)
    assert table.returncode == 0 and f"FIRED {rule_id}" in table.stdout
    unknown = subprocess.run([*cli, *rules, "--subject", "C-nobody"], capture_output=True, text=True)
    assert unknown.returncode == 2 and "no fact" in unknown.stderr and "C-nobody" in unknown.stderr
    bad_rule = subprocess.run([*cli, *rules, "--subject", subject, "--rule", "no.such"], capture_output=True, text=True)
    assert bad_rule.returncode == 2 and "no rule 'no.such'" in bad_rule.stderr


@pytest.mark.parametrize(
    "text",
    [
        "a.x > b.y + 30 and not (c or d)",
        "(a and b) or c",
        "x in [1, 2] and y not in [params.z] and w is not null",
        "a - (b - c) >= d * (e + f)",
        'n == "甲乙" and d == date(2026, 6, 30) and -x < 0',
    ],
)
def test_a_condition_renders_back_to_text_that_parses_the_same(text: str) -> None:
    expr = parse_expression(text)
    assert parse_expression(render(expr)) == expr
