"""Fact types only the alert store writes (signals, watches, education assignments) never come from an
export (issue 20): a forged ``signal.csv`` of three orange alerts beside the demo export is skipped with
its reason and changes no alert (no escalation); a mapping file that maps a sheet to one is refused at
its line and column."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from risk_warning.errors import MappingError, Reason
from risk_warning.facts.registry import FACT_MODELS, STORE_OWNED
from risk_warning.sources.mapping import load_mapping

ROOT = Path(__file__).resolve().parents[2]
FORGED = """signal_id,cadre_id,rule_id,family,grade,rank,first_seen,opened_on,last_seen,status,tonight
f1,C002,finance.duplicate-invoice,finance,orange,2,2026-05-01,2026-05-01,2026-06-30,new,true
f2,C002,conduct.banquet,conduct,orange,2,2026-05-01,2026-05-01,2026-06-30,new,true
f3,C002,travel.doc-overdue,travel,orange,2,2026-05-01,2026-05-01,2026-06-30,new,true
"""


def scan(data: Path, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "risk_warning", "scan", "--data", str(data), "--as-of", "2026-06-30", "--db",
         f"sqlite:///{db}", "--max-quarantined", "0.2", "--workers", "0", "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip


def test_the_store_owned_types_are_the_store_s_history() -> None:
    assert sorted(STORE_OWNED) == ["education_assignment", "signal", "watch"]
    assert all(name in FACT_MODELS for name in STORE_OWNED)


def test_a_forged_signal_file_is_skipped_and_changes_no_alert(tmp_path: Path) -> None:
    clean, forged = tmp_path / "clean", tmp_path / "forged"
    shutil.copytree(ROOT / "fixtures" / "demo", clean, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    shutil.copytree(clean, forged)
    (forged / "signal.csv").write_text(FORGED, encoding="utf-8")
    (forged / "watch.csv").write_text("cadre_id,since\nC002,2026-06-01\n", encoding="utf-8")

    expected, got = scan(clean, tmp_path / "clean.db"), scan(forged, tmp_path / "forged.db")
    assert expected.returncode == 0 and got.returncode == 0, got.stderr
    alerts = [(a["subject_id"], a["rule_id"], a["grade"]) for a in json.loads(got.stdout)["alerts"]]
    assert alerts == [(a["subject_id"], a["rule_id"], a["grade"]) for a in json.loads(expected.stdout)["alerts"]]
    assert not [a for a in alerts if a[1].startswith("escalate.") and a[0] == "C002"]
    skipped = [q for q in json.loads(got.stdout)["quarantined"] if q["reason"] == Reason.STORE_OWNED]
    assert sorted(Path(q["path"]).name for q in skipped) == ["signal.csv", "watch.csv"]
    assert skipped[0]["message"].startswith("'signal' records are kept by the alert store and never read from an")


def test_a_mapping_to_a_store_owned_type_is_refused_where_it_says_so(tmp_path: Path) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text("files:\n  干部信息: cadre\n  预警记录: signal\n", encoding="utf-8")
    with pytest.raises(MappingError) as refused:
        load_mapping(mapping)
    (problem,) = refused.value.diagnostics
    assert str(problem) == (
        f"{mapping}:3:9: store-owned: 'signal' records are kept by the alert store and are never read from an "
        "export (map the export's own files only)"
    )
