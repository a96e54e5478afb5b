"""Site files are first class (issue 16, item 4): they carry their own tests, and `risk-warning test --site` runs
the shipped tests that still hold under the site (skipping disabled rules and rules reading a changed param)
and the site's own, over every rule."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from risk_warning.errors import Reason, RulesetError
from risk_warning.rules.loader import load_rulesets
from risk_warning.rules.overrides import site_tests
from risk_warning.testing.ruletests import SITE, run_rule_tests

ROOT = Path(__file__).resolve().parents[2]

SITE_FILE = """\
params:
  core.conflict.decision_window_days: 30
rules:
  conflict.revolving-door: {status: disabled}
  finance.near-tier-claims: {grade: blue}
tests:
  - name: a decision 29 days ago is in the site's window, 30 days ago is out
    as_of: 2026-06-30
    facts:
      decision_participation:
        - {cadre_id: c1, decision_id: D1, kind: 审批, date: 2026-06-01, counterparty_credit_code: E1}
        - {cadre_id: c2, decision_id: D2, kind: 审批, date: 2026-05-31, counterparty_credit_code: E1}
      relative:
        - {cadre_id: c1, relation: 配偶, employer_credit_code: E1, employer_role: 股东}
        - {cadre_id: c2, relation: 配偶, employer_credit_code: E1, employer_role: 股东}
    expect: [{rule: conflict.recusal-missing, subject: c1, grade: red}]
"""


def _site(tmp_path: Path, text: str = SITE_FILE) -> Path:
    site = tmp_path / "site.yaml"
    site.write_text(text, encoding="utf-8")
    return site


def test_the_shipped_tests_that_still_hold_and_the_sites_own_run(tmp_path: Path) -> None:
    site = _site(tmp_path)
    rulesets = load_rulesets([ROOT / "rulesets"], overrides=site)
    report = run_rule_tests(rulesets, site_tests=site_tests(site), evaluator="reference")
    skipped = {o.rule_id: o.skipped for o in report.outcomes if o.skipped}
    assert skipped["conflict.revolving-door"] == "the site disabled the rule"
    assert skipped["conflict.recusal-missing"] == "reads params the site changed: decision_window_days"
    assert skipped["conflict.evaluator-stake"] == "reads params the site changed: decision_window_days"
    assert "conflict.region-in-post" not in skipped  # reads none of them: run with the site applied
    regraded = [o for o in report.outcomes if o.rule_id == "finance.near-tier-claims"]
    assert regraded and all(o.passed and not o.skipped for o in regraded)  # expected at the site's grade, blue
    (own,) = [o for o in report.outcomes if o.rule_id == SITE]
    assert own.passed, own
    assert report.passed


def test_a_site_test_that_does_not_hold_fails_naming_the_alert(tmp_path: Path) -> None:
    site = _site(tmp_path, SITE_FILE.replace("subject: c1, grade: red", "subject: c2, grade: red"))
    rulesets = load_rulesets([ROOT / "rulesets"], overrides=site)
    report = run_rule_tests(rulesets, site_tests=site_tests(site), evaluator="reference")
    (own,) = [o for o in report.outcomes if o.rule_id == SITE]
    assert not own.passed and not report.passed
    assert own.missing == ("conflict.recusal-missing c2 red",)
    assert own.unexpected == ("conflict.recusal-missing c1 red",)


@pytest.mark.parametrize(
    ("expectation", "reason", "message"),
    [
        ("{subject: c1, grade: red}", Reason.SCHEMA, "names no rule"),
        ("{rule: conflict.recusal-missng, subject: c1, grade: red}", Reason.UNKNOWN_NAME, "unknown rule"),
    ],
)
def test_a_bad_site_test_is_located(tmp_path: Path, expectation: str, reason: Reason, message: str) -> None:
    text = SITE_FILE.replace("{rule: conflict.recusal-missing, subject: c1, grade: red}", expectation)
    with pytest.raises(RulesetError) as info:
        load_rulesets([ROOT / "rulesets"], overrides=_site(tmp_path, text))
    (d,) = info.value.diagnostics
    assert (d.location.line, d.reason) == (16, reason) and message in d.message


def test_the_command_runs_with_the_site_and_reports_what_it_skipped(tmp_path: Path) -> None:
    site = _site(tmp_path)
    report = tmp_path / "tests.xml"
    cmd = [sys.executable, "-m", "risk_warning", "test", str(ROOT / "rulesets"), "--site", str(site)]
    done = subprocess.run([*cmd, "--junit", str(report)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    assert "skip conflict.revolving-door" in done.stdout
    assert "ok   site " in done.stdout
    assert " skipped" in done.stdout.splitlines()[-1]
    root = ElementTree.parse(report).getroot()
    skipped = int(done.stdout.splitlines()[-1].split(", ")[-1].split()[0])
    assert (root.get("failures"), root.get("skipped")) == ("0", str(skipped))

    wrong = _site(tmp_path, SITE_FILE.replace("grade: red}]", "grade: orange}]"))
    cmd = [sys.executable, "-m", "risk_warning", "test", str(ROOT / "rulesets"), "--site", str(wrong)]
    done = subprocess.run([*cmd, "--junit", str(report)], capture_output=True, text=True)
    assert done.returncode == 1
    (failed,) = [c for c in ElementTree.parse(report).getroot().iter("testcase") if c.find("failure") is not None]
    failure = failed.find("failure")
    assert failed.get("classname") == "site" and failure is not None
    assert "missing alert: conflict.recusal-missing c1 orange" in (failure.text or "")
