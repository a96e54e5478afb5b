"""The fixture generator: valid identities, determinism, planted ground truth scanned back exactly."""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from risk_warning import load_rulesets
from risk_warning.grade import Grade
from risk_warning.testing.synthetic import generate
from risk_warning.testing.synthetic.composed import Base, merge
from risk_warning.testing.synthetic.generate import GROUND_TRUTH
from risk_warning.testing.synthetic.identity import check_digit, id_number, valid_id_number
from risk_warning.testing.synthetic.planted import Expected, Scenario

ROOT = Path(__file__).resolve().parents[3]


def test_check_digit_matches_the_standard_example() -> None:
    assert check_digit("11010519491231002") == "X"  # GB 11643-1999's worked example
    assert valid_id_number("11010519491231002X") and not valid_id_number("110105194912310021")


@given(st.integers(0, 2**32), st.dates(date(1950, 1, 1), date(2005, 12, 31)), st.booleans())
def test_generated_id_numbers_are_valid_and_carry_birth_date_and_sex(seed: int, born: date, male: bool) -> None:
    value = id_number(random.Random(seed), born, male)
    assert valid_id_number(value)
    assert value[6:14] == born.strftime("%Y%m%d") and int(value[16]) % 2 == (1 if male else 0)


def _fixtures(*args: str) -> subprocess.CompletedProcess[str]:
    """``risk-warning fixtures ARGS`` in a fresh interpreter, as an operator runs it."""
    command = [sys.executable, "-m", "risk_warning", "fixtures", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_and_every_id_number_valid(tmp_path: Path) -> None:
    rulesets = load_rulesets([ROOT / "rulesets"])
    told: list[tuple[str, int, int]] = []
    first = generate(rulesets, tmp_path / "a", cadres=150, seed=3, progress=lambda *e: told.append(e))
    for step, total in (("planted", first.planted), ("cadres", 150)):  # told to the end, in order
        counts = [(d, t) for s, d, t in told if s == step]
        assert counts[-1] == (total, total) and [d for d, _ in counts] == sorted({d for d, _ in counts})
    generate(rulesets, tmp_path / "b", cadres=150, seed=3)
    generate(rulesets, tmp_path / "c", cadres=150, seed=4)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a")["cadre.csv"] != _files(tmp_path / "c")["cadre.csv"]
    with (tmp_path / "a" / "cadre.csv").open(encoding="utf-8") as f:
        cadres = list(csv.DictReader(f))
    background = [c for c in cadres if not c["cadre_id"].startswith("S")]
    assert len(background) == 150
    assert all(valid_id_number(c["id_card_no"]) for c in cadres)
    assert all(2 <= len(c["name"]) <= 3 for c in cadres)
    # every shipped rule is planted but the escalations that need the store's memory, which say why
    with (tmp_path / "a" / GROUND_TRUTH).open(encoding="utf-8") as f:
        planted = {r["rule_id"] for r in csv.DictReader(f)}
    needs_store = {"escalate.repeat-after-talk", "escalate.repeat-after-admonition", "escalate.recheck-failed"}
    assert planted == {r.id for rs in rulesets for r in rs.rules} - needs_store
    assert set(first.not_planted) == needs_store
    assert all("store" in why for why in first.not_planted.values())


def test_escalations_are_planted_as_base_scenarios_composed_on_one_cadre(tmp_path: Path) -> None:
    rulesets = load_rulesets([ROOT / "rulesets"])
    generate(rulesets, tmp_path, cadres=30, seed=7, plant_per_rule=1)
    with (tmp_path / GROUND_TRUTH).open(encoding="utf-8") as f:
        truth = list(csv.DictReader(f))
    by_rule = {r["rule_id"]: r for r in truth}
    for rule_id, grade, alerts in [
        ("escalate.weak-signals", "orange", 4),  # three weak alerts from two families, and X1 itself
        ("escalate.orange-repeat", "red", 3),  # two orange alerts, and X2 itself
        ("escalate.high-risk-post", "orange", 2),  # a yellow raised to orange: the base alert and the raise
    ]:
        row = by_rule[rule_id]
        assert row["grade"] == grade
        same = [r for r in truth if r["subject_id"] == row["subject_id"]]
        assert len(same) == alerts and {r["scenario"] for r in same} == {row["scenario"]}
        assert row["scenario"].startswith(f"{rule_id}: composed of ")
    x3 = [r for r in truth if r["subject_id"] == by_rule["escalate.high-risk-post"]["subject_id"]]
    assert {r["grade"] for r in x3} == {"orange"}  # the base rule's own grade was yellow
    x1 = [r for r in truth if r["subject_id"] == by_rule["escalate.weak-signals"]["subject_id"]]
    assert {r["grade"] for r in x1 if r["rule_id"] != "escalate.weak-signals"} <= {"blue", "yellow"}
    scored = _fixtures("score", "--data", str(tmp_path), "--format", "json")
    assert scored.returncode == 0, scored.stdout + scored.stderr
    rows = {r["rule_id"]: r for r in json.loads(scored.stdout)["rules"]}
    for rule_id in ("escalate.weak-signals", "escalate.orange-repeat", "escalate.high-risk-post"):
        assert (rows[rule_id]["found"], rows[rule_id]["extra"]) == (1, 0)


def _one_alert(rule_id: str, grade: str, **facts: list[dict[str, str]]) -> Base:
    subject = facts["cadre"][0]["cadre_id"]
    return Base(Scenario(rule_id, "t", facts, (Expected(rule_id, subject, grade),)), "f", Grade(grade))


def test_cadre_records_that_disagree_are_not_composed() -> None:
    a = _one_alert("r.a", "yellow", cadre=[{"cadre_id": "c1", "rank_level": "处级"}])
    b = _one_alert("r.b", "yellow", cadre=[{"cadre_id": "c1", "rank_level": "科级"}])
    c = _one_alert(
        "r.c",
        "blue",
        cadre=[{"cadre_id": "c2", "rank_level": "处级"}],
        appointment=[{"cadre_id": "c2", "position_id": "p1"}],
    )
    assert merge([a, b], "x") is None
    merged = merge([a, c], "x")
    assert merged is not None
    assert merged.facts["cadre"] == [{"cadre_id": "c1", "rank_level": "处级"}]
    assert merged.facts["appointment"] == [{"cadre_id": "c1", "position_id": "b-p1"}]  # its post stays its own
    assert [(e.rule_id, e.subject_id) for e in merged.expected] == [("r.a", "c1"), ("r.c", "c1")]


def test_ten_thousand_cadres_scan_to_exactly_the_ground_truth(tmp_path: Path) -> None:
    made = _fixtures("generate", "--cadres", "10000", "--seed", "11", "--out", str(tmp_path))
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("10000 cadres in ")
    scored = _fixtures("score", "--data", str(tmp_path), "--workers", "2")
    print(scored.stdout)  # the per-rule recall and precision table, in the CI log
    assert scored.returncode == 0, scored.stdout + scored.stderr
    with (tmp_path / GROUND_TRUTH).open(encoding="utf-8") as f:
        truth = list(csv.DictReader(f))
    assert f"{len(truth)}/{len(truth)} planted found, 0 not planted; 0 record(s) quarantined" in scored.stdout
    assert "100%" in scored.stdout and " 0%" not in scored.stdout


def test_a_planted_alert_that_goes_missing_fails_the_score(tmp_path: Path) -> None:
    rulesets = load_rulesets([ROOT / "rulesets"])
    generate(rulesets, tmp_path, cadres=40, seed=5, plant_per_rule=1)
    # remove the planted facts of one scenario's cadre: its alert can no longer be found
    path = tmp_path / "credit_flag.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text(rows[0] + "\n", encoding="utf-8")
    scored = _fixtures("score", "--data", str(tmp_path), "--format", "json")
    assert scored.returncode == 1
    missed = {r["rule_id"]: r["missed"] for r in json.loads(scored.stdout)["rules"] if r["missed"]}
    # the base scenario's alert, and the same alert where it fed an orange repeat (X2)
    assert missed == {"conduct.credit-flag": 2, "escalate.orange-repeat": 1}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_background_is_clean_whatever_the_seed(tmp_path: Path, seed: int) -> None:
    """Traces that must differ (bid authors, accounts, addresses) are drawn distinct, not hoped distinct."""
    generate_args = ["--cadres", "800", "--seed", str(seed), "--out", str(tmp_path), "--plant", "1"]
    made = _fixtures("generate", *generate_args)
    assert made.returncode == 0, made.stderr
    scored = _fixtures("score", "--data", str(tmp_path), "--format", "json")
    result = json.loads(scored.stdout)
    assert [r["rule_id"] for r in result["rules"] if r["extra"] or r["missed"]] == []
    assert result["perfect"] and scored.returncode == 0
