"""Strict, quiet errors (issue 16): a catalogue of the mistakes analysts make in rulesets and site files, each
reported where it is, once, in the file's own words: no false follow-on error, no pydantic or Python words,
no list of more than five candidates, no "did you mean" the same word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from risk_warning.errors import Diagnostic, RulesetError
from risk_warning.rules.loader import load_rulesets, parse_ruleset

ROOT = Path(__file__).resolve().parents[2]
HEADER = "ruleset: t\ntitle: t\nversion: 1.0.0\nparams:\n  n: {type: int, default: 3, description: n}\nrules:\n"


def rule(match: str, tail: str = "    grade: yellow\n    message: m\n", head: str = "") -> str:
    return (
        f"  - id: t.r\n    title: t\n    family: f\n    basis: b\n    disposition: d\n{head}    match:\n{match}\n{tail}"
    )


RULESETS = {
    "unknown type, then its alias used": rule(
        "      pay: paymnt where amount > 1\n      k: contract where contract_id == pay.contract_id",
        '    grade: yellow\n    message: "{pay.amount}"\n',
    ),
    "a type no one could guess": rule("      x: nosuch"),
    "a field no one could guess": rule("      a: appointment where zzzz == 1"),
    "a value no one could guess": rule('      a: relative where relation == "zzzz"'),
    "grade and levels both": rule(
        "      a: appointment", "    grade: yellow\n    levels:\n      red: a.term_no > 1\n    message: m\n"
    ),
    "wrong subject, then its alias used": rule(
        "      c: contract_change\n      p: payment where contract_id == c.contract_id"
    ),
    "a misspelt rule key": rule("      a: appointment", "    grade: yellow\n    message: m\n    tset: []\n"),
    "a mapping where a list goes": rule(
        "      a: appointment", "    grade: yellow\n    message: m\n    tests: {a: 1}\n"
    ),
    "a list where a mapping goes": rule("      a: appointment", "    grade: yellow\n    message: m\n    tests: [1]\n"),
    "a test fact field misspelt": rule(
        "      a: appointment",
        "    grade: yellow\n    message: m\n    tests:\n      - name: x\n        as_of: 2026-06-30\n"
        "        facts: {appointment: [{cadre_id: c1, position_id: p1, start_dat: 2020-01-01}]}\n        expect: []\n",
    ),
    "a bad date in a test": rule(
        "      a: appointment",
        "    grade: yellow\n    message: m\n    tests:\n      - name: x\n"
        "        as_of: 2026-13-30\n        expect: []\n",
    ),
    "a bad param default": (
        "ruleset: t\ntitle: t\nversion: 1.0.0\nparams:\n  n: {type: int, default: many}\nrules: []\n"
    ),
}

SITES = {
    "a rule key a site cannot set": "rules:\n  core.conflict.recusal-missing: {tests: [], grade: purple}\n",
    "an int param given a fraction": "params:\n  core.conflict.decision_window_days: 3.5\n",
    "an unknown param": "params:\n  core.conflict.decision_windows: 30\n",
    "a rule override that is not a mapping": "rules:\n  core.conflict.recusal-missing: off\n",
}

INTERNALS = re.compile(r"Value error|Assertion failed|instance of|pydantic|Traceback|<class|typing\.|NoneType|\bdict\b")


def _diagnostics_of_ruleset(text: str) -> list[Diagnostic]:
    with pytest.raises(RulesetError) as info:
        parse_ruleset(HEADER + text if text.startswith("  - id") else text, "rs.yaml")
    return info.value.diagnostics


def _diagnostics_of_site(tmp_path: Path, text: str) -> list[Diagnostic]:
    site = tmp_path / "site.yaml"
    site.write_text(text, encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        load_rulesets([ROOT / "rulesets"], overrides=site)
    return info.value.diagnostics


def _quiet(found: list[Diagnostic]) -> None:
    assert found
    for d in found:
        text = f"{d.message} {d.suggestion}"
        assert not INTERNALS.search(text), text
        for listing in re.findall(r"(?:known types|allowed|has|one of|grades): ([^()]*)", text):
            assert len(listing.split(", ")) <= 5, text
        same = re.search(r"did you mean '([^']*)'", d.suggestion)
        assert same is None or f"'{same.group(1)}'" not in d.message.split("(")[0] or "is not" in d.message, text
        assert d.location.line >= 1 and d.location.col >= 1


@pytest.mark.parametrize("case", sorted(RULESETS))
def test_each_ruleset_mistake_is_reported_quietly(case: str) -> None:
    _quiet(_diagnostics_of_ruleset(RULESETS[case]))


@pytest.mark.parametrize("case", sorted(SITES))
def test_each_site_file_mistake_is_reported_quietly(case: str, tmp_path: Path) -> None:
    _quiet(_diagnostics_of_site(tmp_path, SITES[case]))


def test_an_unknown_type_leaves_its_alias_bound_so_nothing_false_follows() -> None:
    found = _diagnostics_of_ruleset(RULESETS["unknown type, then its alias used"])
    assert [d.message for d in found] == ["unknown fact type or indicator 'paymnt'"]
    assert found[0].suggestion == "did you mean 'payment'?"
    found = _diagnostics_of_ruleset(RULESETS["wrong subject, then its alias used"])
    assert [d.reason.value for d in found] == ["wrong-subject"]


def test_long_candidate_lists_are_cut_to_five_and_say_where_the_rest_are() -> None:
    (d,) = _diagnostics_of_ruleset(RULESETS["a type no one could guess"])
    assert d.suggestion.startswith("known types: agency_staff, appointment, appraisal_result, audit_finding, ")
    assert d.suggestion.endswith("more (docs/facts.md)")


def test_a_site_rule_key_lists_only_what_a_site_may_set(tmp_path: Path) -> None:
    found = _diagnostics_of_site(tmp_path, SITES["a rule key a site cannot set"])
    by_message = {d.message: d.suggestion for d in found}
    assert by_message["unknown key 'tests'"] == "allowed: status, grade"
    assert [d.location.line for d in found] == sorted(d.location.line for d in found)


def test_an_int_param_given_a_fraction_is_an_error_at_the_value(tmp_path: Path) -> None:
    (d,) = _diagnostics_of_site(tmp_path, SITES["an int param given a fraction"])
    assert d.message == "core.conflict.decision_window_days must be a whole number, not 3.5"
    assert (d.location.line, d.location.col) == (2, 39)


def test_pydantic_words_are_translated() -> None:
    found = _diagnostics_of_ruleset(RULESETS["grade and levels both"])
    assert "a rule needs either `grade:` or `levels:`, not both and not neither" in [d.message for d in found]
    found = _diagnostics_of_ruleset(RULESETS["a mapping where a list goes"])
    assert any(d.message == "expected a list here" for d in found)


def test_a_misspelt_test_fact_field_is_one_error_not_two() -> None:
    (d,) = _diagnostics_of_ruleset(RULESETS["a test fact field misspelt"])
    assert d.message == "appointment.start_dat: unknown field (did you mean 'start_date'?)"
