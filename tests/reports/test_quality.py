"""Rule quality from verdicts (reports/quality.py, `risk-warning rules quality`), figures worked out by hand on a
small store: the demo night's 13 alerts, a few verdicts given by hand."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from risk_warning import AlertStore, DirectorySource, load_rulesets, scan
from risk_warning.reports.quality import QualityThresholds, poisson_upper_tail, rule_quality, wilson
from risk_warning.store.tables import AlertStatus

ROOT = Path(__file__).resolve().parents[2]
RULESETS = load_rulesets([ROOT / "rulesets"])


@pytest.fixture
def store(tmp_path: Path) -> AlertStore:
    store = AlertStore(f"sqlite:///{tmp_path / 'q.db'}")
    scan(RULESETS, DirectorySource(ROOT / "fixtures" / "demo"), date(2026, 6, 30), store=store)
    by = {(a.rule_id, a.subject_id): a.id or 0 for a in store.alerts()}
    # rotation.keypost-tenure: C001 a false positive, C002 put in disposition (confirmed)
    store.transition(
        by["rotation.keypost-tenure", "C001"], AlertStatus.FALSE_POSITIVE, "王科长", "已轮岗未录入", on=date(2026, 7, 5)
    )
    store.transition(
        by["rotation.keypost-tenure", "C002"], AlertStatus.IN_DISPOSITION, "王科长", "谈话", on=date(2026, 7, 6)
    )
    # travel.doc-return-overdue: C005 triaged then a false positive, C002 triaged only
    store.transition(
        by["travel.doc-return-overdue", "C005"], AlertStatus.TRIAGED, "李干事", "核实中", on=date(2026, 7, 1)
    )
    store.transition(
        by["travel.doc-return-overdue", "C005"], AlertStatus.FALSE_POSITIVE, "李干事", "已归还", on=date(2026, 7, 2)
    )
    store.transition(
        by["travel.doc-return-overdue", "C002"], AlertStatus.TRIAGED, "李干事", "核实中", on=date(2026, 7, 1)
    )
    # a verdict after the period's end does not count
    store.transition(by["pmr.annual-late", "C003"], AlertStatus.FALSE_POSITIVE, "李干事", "已补报", on=date(2026, 8, 2))
    return store


def test_figures_and_verdicts_as_worked_out_by_hand(store: AlertStore) -> None:
    limits = QualityThresholds(min_verdicts=2)
    report = rule_quality(store, RULESETS, date(2026, 6, 1), date(2026, 7, 31), thresholds=limits)
    by = {q.rule_id: q for q in report.rules}
    rotation = by["rotation.keypost-tenure"]
    assert (rotation.alerts, rotation.triaged, rotation.false_positives, rotation.confirmed) == (2, 2, 1, 1)
    assert rotation.false_positive_reasons == {"已轮岗未录入": 1}
    # 1 of 2: p = 0.5, Wilson 95%: 0.5 -+ 1.96 * sqrt(0.125 + 0.2401) / 2.9207 = 0.0945 .. 0.9055
    assert (rotation.precision, rotation.precision_low, rotation.precision_high) == (0.5, 0.0945, 0.9055)
    assert rotation.verdict == "tune"
    travel = by["travel.doc-return-overdue"]
    assert (travel.alerts, travel.triaged, travel.false_positives, travel.confirmed) == (2, 2, 1, 0)
    assert travel.verdict is None  # one verdict, fewer than two
    late = by["pmr.annual-late"]
    assert (late.false_positives, late.triaged) == (0, 0)  # its verdict came after the period
    assert sum(q.alerts for q in report.rules) == 13
    assert "conflict.recusal-missing" in report.never_fired
    assert "rotation.keypost-tenure" not in report.never_fired
    assert report.units == [] and report.alerts_per_100 is None  # no cadre counts given


def test_a_unit_far_above_the_organisations_rate_is_flagged(store: AlertStore) -> None:
    # U01 has 6 of the 13 alerts, U02 7; with 100 and 5 cadres the organisation's rate is 13/105 per cadre:
    # U02 expects 0.62 and has 7 (P < 0.01), U01 expects 12.4 and has 6
    report = rule_quality(store, RULESETS, date(2026, 6, 1), date(2026, 7, 31), cadres_by_unit={"U01": 100, "U02": 5})
    units = {u.org_unit_id: u for u in report.units}
    assert (units["U01"].alerts, units["U01"].per_100, units["U01"].flagged) == (6, 6.0, False)
    assert (units["U02"].alerts, units["U02"].per_100, units["U02"].flagged) == (7, 140.0, True)
    assert report.alerts_per_100 == 12.38


def test_the_intervals_and_the_tail_are_the_textbook_ones() -> None:
    low, high = wilson(8, 10)
    assert (round(low, 3), round(high, 3)) == (0.49, 0.943)
    assert round(poisson_upper_tail(3, 0.5), 5) == 0.01439  # 1 - e^-0.5 (1 + 0.5 + 0.125)
    assert poisson_upper_tail(0, 2.0) == 1.0


def test_the_command_prints_the_table_and_json(store: AlertStore, tmp_path: Path) -> None:
    url = str(store.engine.url)
    cli = [sys.executable, "-m", "risk_warning", "rules", "quality", "--from", "2026-06-01", "--to", "2026-07-31"]
    common = ["--db", url, "--rules", str(ROOT / "rulesets"), "--min-verdicts", "2"]
    done = subprocess.run([*cli, *common, "--format", "json"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert {q["rule_id"]: q["verdict"] for q in report["rules"]}["rotation.keypost-tenure"] == "tune"
    table = subprocess.run([*cli, *common, "--data", str(ROOT / "fixtures" / "demo")], capture_output=True, text=True)
    assert table.returncode == 0, table.stderr
    assert (
        "rotation.keypost-tenure" in table.stdout and "已轮岗未录入" in table.stdout and "never fired" in table.stdout
    )
    backwards = subprocess.run(
        [*cli[:-4], "--from", "2026-07-31", "--to", "2026-06-01", *common], capture_output=True, text=True
    )
    assert backwards.returncode == 2 and "before --from" in backwards.stderr
