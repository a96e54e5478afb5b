"""Backtests (run/backtest.py, `risk-warning backtest`): the nights of a period replayed on a scratch store count
what nightly scans into a store count, and a baseline shows what a rule change adds and removes."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest

from risk_warning import AlertStore, DirectorySource, load_rulesets, scan
from risk_warning.run.backtest import backtest, nights
from risk_warning.testing.synthetic import generate

ROOT = Path(__file__).resolve().parents[2]
RULESETS = load_rulesets([ROOT / "rulesets"])


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("backtest")
    generate(RULESETS, out, cadres=40, seed=4)
    return out


def test_the_nights_of_a_period() -> None:
    assert list(nights(date(2026, 6, 29), date(2026, 7, 2), "day")) == [
        date(2026, 6, 29),
        date(2026, 6, 30),
        date(2026, 7, 1),
        date(2026, 7, 2),
    ]
    assert list(nights(date(2026, 6, 1), date(2026, 6, 22), "week"))[-1] == date(2026, 6, 22)
    # the 31st of a month without one is its last day; the day comes back where the month has it
    assert list(nights(date(2026, 1, 31), date(2026, 5, 1), "month")) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    with pytest.raises(ValueError, match="before it starts"):
        list(nights(date(2026, 7, 1), date(2026, 6, 1), "day"))


def test_a_month_of_weekly_nights_counts_what_the_stored_scans_count(export: Path, tmp_path: Path) -> None:
    start, end = date(2026, 6, 1), date(2026, 7, 31)
    result = backtest(RULESETS, DirectorySource(export), start, end, "week")
    store = AlertStore(f"sqlite:///{tmp_path / 'nightly.db'}")
    for night in nights(start, end, "week"):
        scan(RULESETS, DirectorySource(export), night, store=store)
    scans = store.scans()
    store.close()
    assert len(result.nights) == len(scans) == 9
    for night, stored in zip(result.nights, scans, strict=True):
        assert night.as_of == stored.as_of
        assert sum(night.held.values()) == stored.alerts
        assert sum(night.new.values()) == stored.new_alerts
    assert sum(result.nights[0].new.values()) == sum(result.nights[0].held.values()) > 0  # the first night: all new
    assert len({sum(n.held.values()) for n in result.nights}) > 1  # windows move: the count changes


def test_against_a_baseline_the_alerts_a_change_adds_and_removes_are_listed(export: Path, tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text("rules:\n  travel.doc-return-overdue: {status: disabled}\n", encoding="utf-8")
    production = load_rulesets([ROOT / "rulesets"], overrides=site)
    day = date(2026, 6, 30)
    result = backtest(RULESETS, DirectorySource(export), day, day, baseline=production)
    changes = result.changes()
    assert changes and {(c[1], c[2]) for c in changes} == {("added", "travel.doc-return-overdue")}
    reverse = backtest(production, DirectorySource(export), day, day, baseline=RULESETS).changes()
    assert {(c[1], c[2]) for c in reverse} == {("removed", "travel.doc-return-overdue")}


def test_the_command_prints_nights_as_json(export: Path) -> None:
    cmd = [sys.executable, "-m", "risk_warning", "backtest", "--data", str(export), "--rules", str(ROOT / "rulesets")]
    done = subprocess.run(
        [*cmd, "--from", "2026-06-29", "--to", "2026-06-30", "--format", "json"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert [n["as_of"] for n in body["nights"]] == ["2026-06-29", "2026-06-30"]
    assert body["changes"] == []
    bad = subprocess.run([*cmd, "--from", "2026-06-30", "--to", "2026-06-29"], capture_output=True, text=True)
    assert bad.returncode == 2 and "before it starts" in bad.stderr


def expectation_file(folder: Path, export: Path, counts: dict[str, str]) -> Path:
    lines = "".join(f"      {rule}: {{{count}}}\n" for rule, count in counts.items())
    path = folder / "gate.expect.yaml"
    path.write_text(
        f"data_sets:\n  generated: {export}\nbacktests:\n  - name: two nights\n    data: generated\n"
        f"    from: 2026-06-29\n    to: 2026-06-30\n    expect:\n{lines}",
        encoding="utf-8",
    )
    return path


def test_expectations_are_a_gate_with_a_junit_report(export: Path, tmp_path: Path) -> None:
    """Counts taken from nightly scans into a store; the gate passes on them, fails one off, and says where."""
    store = AlertStore(f"sqlite:///{tmp_path / 'nightly.db'}")
    for night in (date(2026, 6, 29), date(2026, 6, 30)):
        scan(RULESETS, DirectorySource(export), night, store=store)
    per_rule: dict[str, int] = {}
    for alert in store.alerts():
        per_rule[alert.rule_id] = per_rule.get(alert.rule_id, 0) + 1  # in two nights none can come back
    store.close()
    fired, count = max(per_rule.items(), key=lambda kv: kv[1])
    silent = sorted({r.id for rs in RULESETS for r in rs.spec.rules} - set(per_rule))[0]
    cmd = [sys.executable, "-m", "risk_warning", "backtest", "--rules", str(ROOT / "rulesets")]
    report = tmp_path / "out" / "backtest.xml"

    expect = expectation_file(tmp_path, export, {fired: f"exactly: {count}", silent: "at_most: 0"})
    done = subprocess.run([*cmd, "--expect", str(tmp_path), "--junit", str(report)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "2 met, 0 not met" in done.stdout
    suite = ElementTree.parse(report).getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("2", "0")
    assert [c.get("name") for c in suite.iter("testcase")] == [fired, silent]

    expectation_file(tmp_path, export, {fired: f"at_least: {count + 1}", silent: "at_most: 0"})
    done = subprocess.run([*cmd, "--expect", str(expect), "--junit", str(report)], capture_output=True, text=True)
    assert done.returncode == 1
    assert f"{expect}:9:7: FAIL two nights: {fired} fired {count} time(s)" in done.stderr
    assert f"expected at least {count + 1}" in done.stderr and "1 met, 1 not met" in done.stdout
    (failed,) = [c for c in ElementTree.parse(report).getroot().iter("testcase") if c.find("failure") is not None]
    assert (failed.get("name"), failed.get("file"), failed.get("line")) == (fired, str(expect), "9")
    failure = failed.find("failure")
    assert failure is not None and f"fired {count} time(s)" in (failure.get("message") or "")


def test_a_broken_expectation_file_runs_nothing_and_exits_2(export: Path, tmp_path: Path) -> None:
    expect = expectation_file(tmp_path, export, {"travel.doc-retrn-overdue": "exactly: 1"})
    cmd = [sys.executable, "-m", "risk_warning", "backtest", "--rules", str(ROOT / "rulesets"), "--expect", str(expect)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 2
    assert f"{expect}:9:7: unknown-name: unknown rule 'travel.doc-retrn-overdue'" in done.stderr
    assert "did you mean 'travel.doc-return-overdue'?" in done.stderr and "nothing was run" in done.stderr
    both = subprocess.run([*cmd, "--data", str(export)], capture_output=True, text=True)
    assert both.returncode == 2 and "drop --data" in both.stderr
