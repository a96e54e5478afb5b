"""The compiler is a pure function: its output for the shipped rulesets is pinned in snapshots.

Regenerate after an intended change with ``RW_UPDATE_SNAPSHOTS=1 pytest tests/rules/test_compiler_snapshot.py``
and review the diff: it is exactly what the engine will be asked to do.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from datetime import date
from pathlib import Path

import pytest

from risk_warning.engine.durable.compile import compile_rules
from risk_warning.rules.loader import load_ruleset

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.mark.parametrize("name", ["rotation", "discipline", "complaints"])
def test_compiled_program_matches_snapshot(name: str) -> None:
    program = compile_rules([load_ruleset(ROOT / "rulesets" / "core" / f"{name}.yaml")], date(2026, 6, 30))
    data = {
        "rules": [{**asdict(r), "grade": r.grade.value} for r in program.rules],
        "negated_types": sorted(program.negated_types),
        "used_types": sorted(program.used_types),
    }
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    path = SNAPSHOTS / f"{name}.json"
    if os.environ.get("RW_UPDATE_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text
    assert compile_rules([load_ruleset(ROOT / "rulesets" / "core" / f"{name}.yaml")], date(2026, 6, 30)) == program
