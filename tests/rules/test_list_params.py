"""List params (rule language v2): a site keeps its own list of venues or post categories as a param, used with
``in`` and ``not in``, overridden in a site file, checked for type, and evaluated alike by both evaluators."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from risk_warning.errors import Reason, RulesetError
from risk_warning.evaluate.subject import Engine
from risk_warning.facts.records import validate_record
from risk_warning.rules.loader import load_rulesets, parse_ruleset
from risk_warning.rules.program import Ruleset

RULESET = """\
ruleset: site.venues
title: 场所
version: 1.0.0
params:
  venues: {type: "list[str]", default: [私人会所, 高档会所], description: 高风险场所}
  quiet_days: [2026-06-06, 2026-06-07]
rules:
  - id: venues.claim
    title: 在高风险场所报销
    family: finance
    basis: 《中央八项规定实施细则》
    disposition: 核查
    match:
      c: expense_claim where payee in params.venues and invoice_date not in params.quiet_days
    grade: yellow
    message: "{c.payee}"
"""


def claims(subject: str, *payees: tuple[str, str]) -> list:  # type: ignore[type-arg]
    made = []
    for payee, day in payees:
        fact, problems = validate_record(
            "expense_claim",
            {"claimant_id": subject, "amount": 100.0, "payee": payee, "invoice_date": day},
            fill_keys=True,
        )
        assert fact is not None, problems
        made.append(fact)
    return made


def fired(rulesets: list[Ruleset], evaluator: str) -> list[str]:
    facts = [
        *claims("c1", ("私人会所", "2026-06-01")),
        *claims("c2", ("食堂", "2026-06-01")),
        *claims("c3", ("高档会所", "2026-06-06")),  # a listed venue on a listed day
        *claims("c4", ("农家乐", "2026-06-02")),
    ]
    with Engine(rulesets, evaluator=evaluator) as engine:  # type: ignore[arg-type]
        return sorted(a.subject_id for a in engine.evaluate(facts, date(2026, 6, 30)))


@pytest.mark.parametrize("evaluator", ["durable", "reference"])
def test_a_list_param_is_used_with_in_and_overridden_by_a_site_file(tmp_path: Path, evaluator: str) -> None:
    shipped = tmp_path / "venues.yaml"
    shipped.write_text(RULESET, encoding="utf-8")
    assert fired(load_rulesets([shipped]), evaluator) == ["c1"]
    site = tmp_path / "site.yaml"
    site.write_text("params:\n  site.venues.venues: [私人会所, 农家乐]\n", encoding="utf-8")
    assert fired(load_rulesets([shipped], overrides=site), evaluator) == ["c1", "c4"]
    site.write_text("params:\n  site.venues.venues: []\n", encoding="utf-8")  # a site with no such venue
    assert fired(load_rulesets([shipped], overrides=site), evaluator) == []


def test_a_list_param_of_the_wrong_type_is_located(tmp_path: Path) -> None:
    with pytest.raises(RulesetError) as info:
        parse_ruleset(RULESET.replace("[私人会所, 高档会所]", "[私人会所, 3]"), "rs.yaml")
    (problem,) = info.value.diagnostics
    assert (problem.location.line, problem.reason) == (5, Reason.TYPE_MISMATCH)
    assert problem.message == "default of venues is not a list[str]"

    with pytest.raises(RulesetError) as info:
        parse_ruleset(RULESET.replace("payee in params.venues", "amount in params.venues"), "rs.yaml")
    (problem,) = info.value.diagnostics
    assert problem.reason is Reason.TYPE_MISMATCH
    assert problem.message == "params.venues is a list[str], the value is number"
    assert (problem.location.line, problem.location.col) == (14, 40)  # at params.venues

    shipped = tmp_path / "venues.yaml"
    shipped.write_text(RULESET, encoding="utf-8")
    site = tmp_path / "site.yaml"
    site.write_text("params:\n  site.venues.venues: 私人会所\n", encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        load_rulesets([shipped], overrides=site)
    (problem,) = info.value.diagnostics
    assert problem.message == "site.venues.venues must be a list[str], not a str"
    assert (problem.location.line, problem.location.col) == (2, 23)


KIN = """\
ruleset: site.kin
title: 亲属
version: 1.0.0
params:
  kin: {type: "list[str]", default: [配偶, 子女], description: 亲属关系}
rules:
  - id: kin.abroad
    title: 亲属在境外
    family: travel
    basis: 规定
    disposition: 核查
    match:
      r: relative where relation in params.kin and emigrated
    grade: yellow
    message: "{r.relation}"
"""


def test_a_list_param_value_an_enumerated_field_never_holds_is_located(tmp_path: Path) -> None:
    """relation in params.kin: a value relation can never hold (配遇 for 配偶) would silently narrow the rule."""
    assert parse_ruleset(KIN, "kin.yaml").params["kin"] == ["配偶", "子女"]
    with pytest.raises(RulesetError) as info:
        parse_ruleset(KIN.replace("[配偶, 子女]", "[配遇, 子女]"), "kin.yaml")
    (problem,) = info.value.diagnostics
    assert problem.reason is Reason.BAD_VALUE
    assert problem.message == "'配遇' in params.kin is not a value of relative.relation: the rule would never match it"
    assert problem.suggestion == "did you mean '配偶'?"
    assert (problem.location.line, problem.location.col) == (5, 38)  # at the value in the default list

    shipped = tmp_path / "kin.yaml"
    shipped.write_text(KIN, encoding="utf-8")
    site = tmp_path / "site.yaml"
    site.write_text("params:\n  site.kin.kin: [子女, 儿子]\n", encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        load_rulesets([shipped], overrides=site)
    (problem,) = info.value.diagnostics
    assert problem.message.startswith("'儿子' in params.kin is not a value of relative.relation")
    assert (str(problem.location.path), problem.location.line, problem.location.col) == (str(site), 2, 22)
    site.write_text("params:\n  site.kin.kin: [子女, 子女配偶]\n", encoding="utf-8")
    assert load_rulesets([shipped], overrides=site)[0].params["kin"] == ["子女", "子女配偶"]
