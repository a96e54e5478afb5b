"""The fixture generator: valid identities, determinism, planted ground truth scanned back exactly."""

from __future__ import annotations

import csv
import random
import subprocess
import sys
from datetime import date
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from risk_warning import load_rulesets
from risk_warning.synthetic import generate
from risk_warning.synthetic.generate import GROUND_TRUTH
from risk_warning.synthetic.identity import check_digit, id_number, valid_id_number

ROOT = Path(__file__).resolve().parents[2]


def test_check_digit_matches_the_standard_example() -> None:
    assert check_digit("11010519491231002") == "X"  # GB 11643-1999's worked example
    assert valid_id_number("11010519491231002X") and not valid_id_number("110105194912310021")


@given(st.integers(0, 2**32), st.dates(date(1950, 1, 1), date(2005, 12, 31)), st.booleans())
def test_generated_id_numbers_are_valid_and_carry_birth_date_and_sex(seed: int, born: date, male: bool) -> None:
    value = id_number(random.Random(seed), born, male)
    assert valid_id_number(value)
    assert value[6:14] == born.strftime("%Y%m%d") and int(value[16]) % 2 == (1 if male else 0)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_and_every_id_number_valid(tmp_path: Path) -> None:
    rulesets = load_rulesets([ROOT / "rulesets"])
    first = generate(rulesets, tmp_path / "a", cadres=150, seed=3)
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
    # every shipped rule that raises alerts of its own is planted; escalations say why they are not
    with (tmp_path / "a" / GROUND_TRUTH).open(encoding="utf-8") as f:
        planted = {r["rule_id"] for r in csv.DictReader(f)}
    base = {r.id for rs in rulesets for r in rs.rules if not r.escalation}
    assert planted == base
    assert set(first.not_planted) == {r.id for rs in rulesets for r in rs.rules if r.escalation}


def test_ten_thousand_cadres_scan_to_exactly_the_ground_truth(tmp_path: Path) -> None:
    cli = [sys.executable, "-m", "risk_warning"]
    made = subprocess.run(
        [*cli, "fixtures", "generate", "--cadres", "10000", "--seed", "11", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("10000 cadres in ")
    scored = subprocess.run(
        [*cli, "fixtures", "score", "--data", str(tmp_path), "--workers", "2"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
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
    scored = subprocess.run(
        [sys.executable, "-m", "risk_warning", "fixtures", "score", "--data", str(tmp_path), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert scored.returncode == 1
    assert '"rule_id": "conduct.credit-flag"' in scored.stdout and '"missed": 1' in scored.stdout
