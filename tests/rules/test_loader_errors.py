"""Ruleset mistakes are reported at file:line:col with a reason code and, where possible, a suggestion."""

from __future__ import annotations

from pathlib import Path

import pytest

from risk_warning.errors import Reason, RulesetError
from risk_warning.rules.loader import load_ruleset, load_rulesets, parse_ruleset

HEADER = "ruleset: t\ntitle: t\nversion: 1.0.0\nparams:\n  years: 5\nrules:\n"


def rule(match: str, levels: str = "    grade: yellow", extra: str = "") -> str:
    return (
        "  - id: t.r\n    title: t\n    family: f\n    basis: b\n    disposition: d\n"
        f"    match:\n{match}\n{levels}\n    message: m\n{extra}"
    )


def problems(text: str) -> list[tuple[int, int, Reason, str, str]]:
    with pytest.raises(RulesetError) as info:
        parse_ruleset(text, "rs.yaml")
    return [(d.location.line, d.location.col, d.reason, d.message, d.suggestion) for d in info.value.diagnostics]


def test_misspelt_field_points_at_the_field_and_suggests() -> None:
    found = problems(HEADER + rule("      a: appointment where end_dat is null"))
    assert found == [(13, 28, Reason.UNKNOWN_FIELD, "appointment has no field 'end_dat'", "did you mean 'end_date'?")]


def test_misspelt_grade_key_points_at_the_key() -> None:
    found = problems(HEADER + rule("      a: appointment", "    levels:\n      yelow: a.term_no > 1"))
    assert found[0][:3] == (15, 7, Reason.SCHEMA)
    assert found[0][4] == "did you mean 'yellow'?"


def test_misspelt_operator_points_at_the_operator() -> None:
    found = problems(HEADER + rule("      a: appointment where term_no =< 2"))
    assert found == [(13, 36, Reason.EXPRESSION_SYNTAX, "unknown operator '=<'", "did you mean '<='?")]


def test_unknown_fact_type_and_enum_value_and_param() -> None:
    text = HEADER + rule(
        '      a: apointment\n      b: appointment where type == "提拨" and start_date < as_of - years(params.yeers)'
    )
    found = problems(text)
    reasons = {(f[2], f[4]) for f in found}
    assert (Reason.UNKNOWN_FACT_TYPE, "did you mean 'appointment'?") in reasons
    assert (Reason.BAD_VALUE, "did you mean '提拔'?") in reasons
    assert (Reason.UNKNOWN_NAME, "did you mean 'years'?") in reasons


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    bad_rule = rule("      a: appointment where end_dat is null").replace("    family: f\n", "    famly: f\n")
    good_but_typo = rule("      a: appointment where tpye == 1").replace("t.r", "t.s")
    found = problems(HEADER + bad_rule + good_but_typo)
    assert {f[2] for f in found} >= {Reason.UNKNOWN_KEY, Reason.SCHEMA, Reason.UNKNOWN_FIELD}
    assert len(found) >= 4
    assert [f[0] for f in found] == sorted(f[0] for f in found)


def test_personal_data_cannot_be_used_by_rules() -> None:
    found = problems(HEADER + rule('      c: cadre where id_card_no == "x"'))
    assert found[0][2] is Reason.PERSONAL_DATA


def test_type_mismatch_and_calendar_arithmetic_on_facts() -> None:
    """Calendar months on a fact's date are the language's (rule language v2); a count of months or working
    days read from a fact is not: the engine works it out once per scan."""
    found = problems(HEADER + rule("      a: appointment where start_date > 5 and start_date + years(1) < as_of"))
    assert [f[2] for f in found] == [Reason.TYPE_MISMATCH]
    found = problems(HEADER + rule("      a: appointment where start_date + months(term_no) < as_of"))
    assert [(f[2], f[3]) for f in found] == [
        (Reason.UNSUPPORTED, "this argument of months() works on as_of, params and literals only")
    ]
    found = problems(HEADER + rule("      a: appointment where add_workdays(start_date, term_no) < as_of"))
    assert [f[2] for f in found] == [Reason.UNSUPPORTED]
    found = problems(HEADER + rule('      a: appointment where is_workday(start_date) and weekday("x") == 1'))
    assert [(f[2], f[3]) for f in found] == [(Reason.TYPE_MISMATCH, "weekday() needs a date, not str")]


def test_template_and_test_facts_are_checked() -> None:
    text = HEADER + rule(
        "      a: appointment",
        extra=(
            "    tests:\n      - name: x\n        as_of: 2026-01-01\n        facts:\n"
            "          appointment: [{cadre_id: c1, position_id: p, start_date: 2026-13-01}]\n"
            "          apointment: []\n        expect: []\n"
        ),
    ).replace("message: m", "message: '{a.titel}'")
    reasons = [f[2] for f in problems(text)]
    assert Reason.TEMPLATE in reasons
    assert Reason.INVALID_VALUE in reasons
    assert Reason.UNKNOWN_FACT_TYPE in reasons


def test_yaml_syntax_error_is_located() -> None:
    found = problems("ruleset: t\nrules: [\n")
    assert found[0][2] is Reason.YAML_SYNTAX
    assert found[0][0] == 3


def test_duplicate_rule_ids_and_ruleset_ids(tmp_path: Path) -> None:
    text = HEADER + rule("      a: appointment") + rule("      a: appointment")
    assert Reason.DUPLICATE_ID in [f[2] for f in problems(text)]
    (tmp_path / "a.yaml").write_text(HEADER + rule("      a: appointment"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(HEADER + rule("      a: appointment").replace("t.r", "t.x"), encoding="utf-8")
    with pytest.raises(RulesetError, match="also used by"):
        load_rulesets([tmp_path])


def test_fail_fast_stops_at_the_first_problem(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(HEADER + rule("      a: appointment where end_dat is null and tpye == 1"), encoding="utf-8")
    with pytest.raises(RulesetError) as collected:
        load_ruleset(path)
    with pytest.raises(RulesetError) as first:
        load_ruleset(path, collect=False)
    assert len(collected.value.diagnostics) == 2
    assert len(first.value.diagnostics) == 1


def test_site_overrides_change_params_grades_and_status(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(HEADER + rule("      a: appointment"), encoding="utf-8")
    site = tmp_path / "site.yaml"
    site.write_text("params:\n  t.years: 7\nrules:\n  t.r: {status: disabled, grade: red}\n", encoding="utf-8")
    (rs,) = load_rulesets([tmp_path / "r.yaml"], overrides=site)
    assert rs.params["years"] == 7
    assert not rs.rules[0].enabled
    assert rs.rules[0].levels[0].grade.value == "red"
    site.write_text("params:\n  t.yeras: 7\n", encoding="utf-8")
    with pytest.raises(RulesetError, match=r"did you mean 't\.years'"):
        load_rulesets([tmp_path / "r.yaml"], overrides=site)


def test_conditions_the_engine_cannot_express_are_reported_at_load() -> None:
    text = HEADER + rule("      a: appointment\n      n: none appointment where start_date == a.end_date")
    found = problems(text)
    assert [(f[0], f[2]) for f in found] == [(14, Reason.UNSUPPORTED)]
    assert "may be empty" in found[0][3]


def test_an_adjustment_must_name_a_bound_signal() -> None:
    text = HEADER + rule(
        "      sig: signal where tonight\n      a: appointment where cadre_id == sig.cadre_id",
        "    adjust: {signal: sgi, raise: 1}",
    )
    found = problems(text)
    assert [(f[2], f[3], f[4]) for f in found] == [
        (Reason.UNKNOWN_NAME, "'sgi' is not a bound signal pattern", "did you mean 'sig'?")
    ]
    assert found[0][0] == 15  # the line of `adjust:`


def test_an_adjustment_takes_no_grade_and_raises_something() -> None:
    both = problems(HEADER + rule("      s: signal", "    grade: yellow\n    adjust: {signal: s, raise: 1}"))
    assert both[0][2] == Reason.SCHEMA and "takes no `grade:`" in both[0][3]
    nothing = problems(HEADER + rule("      s: signal", "    adjust: {signal: s}"))
    assert nothing[0][2] == Reason.SCHEMA and "needs `raise:`" in nothing[0][3]


def test_rules_that_read_signals_are_escalations() -> None:
    text = (
        HEADER.replace("rules:\n", "indicators:\n  n: {count: signal}\nrules:\n")
        + rule("      s: signal where rank >= 2")
        + rule("      c: n where value > 2").replace("t.r", "t.n")
        + rule("      a: appointment").replace("t.r", "t.a")
    )
    rs = parse_ruleset(text, "rs.yaml")
    assert {r.id: r.escalation for r in rs.rules} == {"t.r": True, "t.n": True, "t.a": False}


def test_an_adjustment_raises_but_never_lowers_and_never_raises_blue() -> None:
    from risk_warning.grade import Grade
    from risk_warning.rules.model import AdjustSpec

    one = AdjustSpec.model_validate({"signal": "s", "raise": 1, "cap": "orange"})
    assert [one.apply(g) for g in Grade] == [Grade.BLUE, Grade.ORANGE, Grade.ORANGE, Grade.RED]
    red = AdjustSpec.model_validate({"signal": "s", "to": "red"})
    assert [red.apply(g) for g in Grade] == [Grade.BLUE, Grade.RED, Grade.RED, Grade.RED]


def test_a_file_named_site_is_loaded_or_refused_never_skipped(tmp_path: Path) -> None:
    (tmp_path / "site-rules.yaml").write_text(HEADER + rule("      a: appointment"), encoding="utf-8")
    (rs,) = load_rulesets([tmp_path])  # a ruleset whose name says "site" is a ruleset
    assert rs.path.endswith("site-rules.yaml")
    (tmp_path / "my-site.yaml").write_text("params:\n  t.years: 7\n", encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        load_rulesets([tmp_path])
    (d,) = info.value.diagnostics
    assert (d.location.path.endswith("my-site.yaml"), d.location.line, d.reason) == (True, 1, Reason.SCHEMA)
    assert "site override file" in d.message and "--site" in d.suggestion
